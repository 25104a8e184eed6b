"""The extract stage's record: CardDraft, what a card asks and answers, and where from."""

from __future__ import annotations

from dataclasses import dataclass

from flashgen.parse import Block, Inline
from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class CardDraft:
    """A card before rendering: what it asks, what it answers, and where it comes from."""

    kind: str
    """point (bold label + answer), definition (`**X** is ...`), heading, list, prompt
    (`<!-- question -->`), table (a row), or callout (a titled definition or theorem)."""
    note_path: str
    note_title: str
    context: tuple[str, ...]
    """Heading path (and parent labels) under the note's title, outermost first."""
    label: str
    """The label or heading as written, as plain text; part of the card's identity."""
    question: tuple[Inline, ...]
    """The question as the card shows it (see questions.ask): it may differ from label."""
    answer: tuple[Block, ...]
    line: int
    """First line of the source of the card, 1-based."""
    end_line: int
    tags: tuple[str, ...] = ()
    footnotes: tuple[Block, ...] = ()
    """The note's footnote definitions that the question or answer refers to."""
    pin: str = ""
    """The Obsidian block id (`^my-id`) written on the point, if any: it fixes the identity."""
    occurrence: int = 0
    """How many earlier cards of the note share kind, context and label (0 for the first)."""
