"""Code highlighting for the render stage: Pygments at build time, class-based CSS.

Highlighting happens when the deck is built, so cards need no JavaScript and look the same
on Anki desktop, AnkiDroid and AnkiMobile; a light and a dark theme follow Anki's night mode.
"""

from __future__ import annotations

import functools
import html
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

CODE_CLASS = "fg-code"
_DAY_STYLE = "default"
_NIGHT_STYLE = "github-dark"
_NIGHT_SCOPES = (".nightMode", ".night_mode", ".card.nightMode")


# A note's code often shows on two cards (its point's and its heading's): highlight once.
@functools.lru_cache(maxsize=256)
def highlight_code(code: str, language: str) -> str:
    """The code as HTML spans (escaped); plain escaped text for an unknown language."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return html.escape(code, quote=False)
    return str(highlight(code, lexer, _formatter()))


def code_css() -> str:
    """Class-based styles for highlighted code, day and night."""
    day = _rules(_style_defs(_DAY_STYLE, [f".{CODE_CLASS}"]))
    night = _rules(
        _style_defs(_NIGHT_STYLE, [f"{s} .{CODE_CLASS}" for s in _NIGHT_SCOPES])
    )
    return day + "\n" + night + "\n"


def _style_defs(style: str, scopes: list[str]) -> str:
    formatter: Any = HtmlFormatter(style=style)  # get_style_defs has no type hints
    return str(formatter.get_style_defs(scopes))


def _rules(css: str) -> str:
    # Keep only the rules scoped to our class: Pygments also styles bare `pre` and line numbers.
    return "\n".join(line for line in css.splitlines() if line.startswith("."))


@functools.cache
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@functools.cache
def _formatter() -> HtmlFormatter[str]:
    return HtmlFormatter(nowrap=True)
