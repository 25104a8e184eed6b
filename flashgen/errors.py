"""Exception hierarchy: every error flashgen raises on purpose is a FlashgenError."""

from __future__ import annotations


class FlashgenError(Exception):
    """Base of every error flashgen reports to the user."""


class ConfigError(FlashgenError):
    """A configuration file or option is invalid; nothing is written."""

    def __init__(self, messages: tuple[str, ...]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class OutputError(FlashgenError):
    """The deck cannot be written where it was asked for; nothing is written."""
