"""flashgen: turn Markdown notes and Obsidian vaults into Anki decks.

Public API: build() writes a deck, collect_cards() lists the cards, load_config() reads the
vault's settings; the records they return are exported here too.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "BuildReport",
    "BuildResult",
    "Config",
    "Diagnostic",
    "__version__",
    "build",
    "collect_cards",
    "load_config",
]

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flashgen.config import Config, load_config
    from flashgen.pipeline import BuildResult, build, collect_cards
    from flashgen.report import BuildReport, Diagnostic

_LAZY = {
    "Config": "flashgen.config",
    "load_config": "flashgen.config",
    "BuildResult": "flashgen.pipeline",
    "build": "flashgen.pipeline",
    "collect_cards": "flashgen.pipeline",
    "BuildReport": "flashgen.report",
    "Diagnostic": "flashgen.report",
}


def __getattr__(name: str) -> Any:
    # Lazy, so `flashgen --help` does not pay for the parser and genanki.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
