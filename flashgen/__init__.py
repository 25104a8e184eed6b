"""flashgen: turn Markdown notes and Obsidian vaults into Anki decks.

Public API: build() writes a deck, plan_build() says what a build would do, load_config() reads the
vault's settings; the records they return are exported here too.
"""

from __future__ import annotations

from flashgen.version import __version__

__all__ = [
    "BuildReport",
    "BuildResult",
    "Config",
    "Diagnostic",
    "__version__",
    "build",
    "load_config",
    "plan_build",
]

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flashgen.config import Config, load_config
    from flashgen.pipeline import BuildResult, build, plan_build
    from flashgen.report import BuildReport, Diagnostic

_LAZY = {
    "Config": "flashgen.config",
    "load_config": "flashgen.config",
    "BuildResult": "flashgen.pipeline",
    "build": "flashgen.pipeline",
    "plan_build": "flashgen.pipeline",
    "BuildReport": "flashgen.report",
    "Diagnostic": "flashgen.report",
}


def __getattr__(name: str) -> Any:
    # Lazy, so `flashgen --help` does not pay for the parser and genanki.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
