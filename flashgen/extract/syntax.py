"""CardSyntax: the explicit card syntax and cloze switches a vault uses (its settings, or
obsidian-spaced-repetition's, read by config.py), as the extract stage reads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CardSyntax:
    """How a vault writes its own cards. The defaults are obsidian-spaced-repetition's."""

    single_line: str = "::"
    """`Question::Answer` on one line: a card."""
    single_line_reversed: str = ":::"
    """`Side one:::Side two` on one line: a card each way."""
    multi_line: str = "?"
    """A line holding only this parts question (above) from answer (below)."""
    multi_line_reversed: str = "??"
    """As multi_line, a card each way."""
    tags: tuple[str, ...] = ("flashcards",)
    """Notes tagged with one of these (or a sub-tag) hold explicit cards."""
    every_note: bool = False
    """Read explicit cards in every note, tagged or not."""
    cloze_highlights: bool = True
    """`==text==` is a cloze deletion."""
    cloze_bold: bool = True
    """A bold term inside a sentence is a cloze deletion."""
    cloze_curly: bool = False
    """`{{text}}` is a cloze deletion (Anki's own `{{c1::text}}` always is)."""
    reverse: str = ""
    """Which cards are asked both ways: "" none, "all" points and definitions,
    "definitions" definitions alone; a note's `reverse:` front matter overrides it."""


DEFAULT_SYNTAX = CardSyntax()
