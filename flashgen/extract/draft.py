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
    (`<!-- question -->`), table (a row), callout (a titled definition or theorem),
    explicit (`Question::Answer`, `?` cards), or cloze (a question whose text holds
    cloze inlines, see parse.Inline). A kind ending in `-reversed` (explicit-reversed,
    point-reversed, definition-reversed) makes a card each way. The kind is part of the
    card's identity, so its note type (see card_form) never changes under one GUID."""
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

    def with_(
        self,
        *,
        kind: str | None = None,
        question: tuple[Inline, ...] | None = None,
        answer: tuple[Block, ...] | None = None,
        tags: tuple[str, ...] | None = None,
        footnotes: tuple[Block, ...] | None = None,
        occurrence: int | None = None,
    ) -> CardDraft:
        """The draft with these fields changed (None: kept): the one way to derive a
        draft, as fast as building it directly (dataclasses.replace is slow for tens of
        thousands of cards). A field that a later stage changes gets a parameter here."""
        return CardDraft(
            self.kind if kind is None else kind,
            self.note_path,
            self.note_title,
            self.context,
            self.label,
            self.question if question is None else question,
            self.answer if answer is None else answer,
            self.line,
            self.end_line,
            self.tags if tags is None else tags,
            self.footnotes if footnotes is None else footnotes,
            self.pin,
            self.occurrence if occurrence is None else occurrence,
        )


REVERSED = "-reversed"
"""The ending of a kind whose cards are asked both ways."""
CLOZE = "cloze"


def card_form(kind: str) -> str:
    """The note type a kind's cards take: basic, reversed (two cards) or cloze."""
    if kind == CLOZE:
        return "cloze"
    if kind.endswith(REVERSED):
        return "reversed"
    return "basic"


def base_kind(kind: str) -> str:
    """The kind without its `-reversed` ending: what the `cards` setting names."""
    return kind.removesuffix(REVERSED)
