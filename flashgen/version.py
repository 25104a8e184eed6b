"""flashgen's version: one string, read by the package, the cache key and the deck's
description (a module of its own, so that reading it imports nothing else)."""

__version__ = "0.1.0"
