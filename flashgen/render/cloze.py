"""Cloze markup: a cloze inline's number, inner HTML and hint in, Anki's `{{c1::...}}` out.

Anki's cloze parser reads the raw field HTML: a `}}` or `::` inside a cloze's content
(maths above all: `\\(\\frac{a}{b^{2}}\\)`) would end or split it. Such characters are
written as entities (`}&#125;`), which the browser decodes before MathJax reads the maths.
The writer emits private-use marks first and `finish` makes them markup after the
sanitiser, which would decode the entities again.
"""

from __future__ import annotations

import html
import re

_OPEN = "\U000f0000"
_NUMBER_END = "\U000f0001"
_HINT = "\U000f0002"
_CLOSE = "\U000f0003"
_BRACE = "\U000f0004"
"""A `{` in code on a cloze card: an entity, so `{{c1::` in code is never a cloze."""
_MARKED = re.compile(
    f"{_OPEN}(\\d+){_NUMBER_END}([^{_OPEN}{_CLOSE}]*?)(?:{_HINT}([^{_OPEN}{_CLOSE}]*))?{_CLOSE}"
)
_STRAY = re.compile(f"[{_OPEN}{_NUMBER_END}{_HINT}{_CLOSE}{_BRACE}]")


def cloze_marks(number: str, inner: str, hint: str) -> str:
    """A cloze as marks around its inner HTML (see finish)."""
    number = number if number.isdigit() else "1"
    tail = f"{_HINT}{html.escape(hint, quote=False)}" if hint else ""
    inner = re.sub(f"[{_OPEN}{_NUMBER_END}{_HINT}{_CLOSE}]", "", inner)
    return f"{_OPEN}{int(number)}{_NUMBER_END}{inner}{tail}{_CLOSE}"


def code_braces(code: str) -> str:
    """Code's `{` marked, on a cloze card (see finish)."""
    return code.replace("{", _BRACE)


def finish(field: str) -> str:
    """The field with its cloze marks written as Anki's cloze markup and code's braces
    as entities; any other mark (one a note wrote as text) dropped."""
    if not _STRAY.search(field):
        return field
    done = _MARKED.sub(_markup, field.replace(_BRACE + _BRACE, "{&#123;"))
    return _STRAY.sub("", done.replace(_BRACE, "{"))


def _markup(found: re.Match[str]) -> str:
    number, inner, hint = found.group(1), found.group(2), found.group(3)
    inner = _protect(inner)
    if hint is not None and hint.strip():
        return f"{{{{c{number}::{inner}::{_protect(hint.strip())}}}}}"
    return f"{{{{c{number}::{inner}}}}}"


def _protect(text: str) -> str:
    """`}` before `}` (or at the end, before the closing `}}`), `:` before `:` (or at the
    end, before a hint's `::`) and `{` before `{` as entities."""
    text = re.sub(r"\}(?=\}|$)", "&#125;", text)
    text = re.sub(r"^:|:(?=:|$)", "&#58;", text)
    return re.sub(r"\{(?=\{)", "&#123;", text)
