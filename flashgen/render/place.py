"""Render stage, a card's place: the note title and heading path -> the context line, and
the place hidden at the end of the question (so that Anki never sees two cards as one)."""

from __future__ import annotations

import functools
import html

CONTEXT_SEPARATOR = " \u203a "


# A note's cards share its Source and, section by section, their Context: one string each,
# made once, keeps a large vault's cards smaller in memory and in transit between processes.
@functools.lru_cache(maxsize=256)
def context_line(title: str, headings: tuple[str, ...]) -> str:
    return CONTEXT_SEPARATOR.join(html.escape(part) for part in (title, *headings))


@functools.lru_cache(maxsize=256)
def place_of(title: str, headings: tuple[str, ...], occurrence: int) -> str:
    """The card's place, at the end of its question, hidden by the note type's CSS.

    Anki marks a note whose first field matches another's as a duplicate, and the bare
    question of distinct cards is often the same (*Syntax* under many headings). With its
    place (and, for a label asked again in one section, its number there), the field
    differs wherever the cards do; Browse shows it beside the question.
    """
    number = f" #{occurrence + 1}" if occurrence else ""
    return f'<span class="fg-where"> ({context_line(title, headings)}{number})</span>'


def bare_question(question: str) -> str:
    """A rendered question without the place that place_of adds (for spreadsheets, which
    have a column for it)."""
    head, found, _ = question.rpartition('<span class="fg-where">')
    return head if found else question
