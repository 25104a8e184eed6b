"""The extract stage's record: CardDraft, what a card asks and answers, and where from."""

from __future__ import annotations

from dataclasses import dataclass

from flashgen.parse import Block, Inline, plain_text
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
        label: str | None = None,
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
            self.label if label is None else label,
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


def one_per_number(draft: CardDraft) -> list[CardDraft]:
    """A cloze draft as one draft per cloze number: each keeps that number's deletions
    (as number 1: its note's one card) and shows the others' text, and is labelled by
    that number's first deletion. So a cloze's history is its own note's: a number
    added, removed, renumbered or edited leaves the others' cards as they were, and a
    removed number is a removed card."""
    if draft.kind != CLOZE:
        return [draft]
    numbers = sorted(set(_numbers(draft.question)), key=_number_order)
    if len(numbers) < 2:
        return [draft.with_(question=_first_number(draft.question))]
    return [
        draft.with_(
            question=_first_number(_only(draft.question, number)),
            label=_first(draft.question, number),
        )
        for number in numbers
    ]


def _first_number(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Each cloze as number 1: a note of one number is one card, the first, whatever
    number the author wrote (renumbering keeps its history; a retired note's card is
    the card it had)."""
    out: list[Inline] = []
    for inline in inlines:
        children = _first_number(inline.children) if inline.children else ()
        target = "1" if inline.kind == "cloze" else inline.target
        if children == inline.children and target == inline.target:
            out.append(inline)
        else:
            out.append(Inline(inline.kind, inline.text, target, children, inline.line))
    return tuple(out)


def _number_order(number: str) -> tuple[int, str]:
    return (int(number), number) if number.isdigit() else (1 << 30, number)


def _numbers(inlines: tuple[Inline, ...]) -> list[str]:
    found = []
    for inline in inlines:
        if inline.kind == "cloze":
            found.append(inline.target)
        found.extend(_numbers(inline.children))
    return found


def _only(inlines: tuple[Inline, ...], number: str) -> tuple[Inline, ...]:
    kept: list[Inline] = []
    for inline in inlines:
        children = _only(inline.children, number) if inline.children else ()
        if inline.kind == "cloze" and inline.target != number:
            kept.extend(children)
        elif inline.children:
            kept.append(
                Inline(inline.kind, inline.text, inline.target, children, inline.line)
            )
        else:
            kept.append(inline)
    return tuple(kept)


def _first(inlines: tuple[Inline, ...], number: str) -> str:
    for inline in inlines:
        if inline.kind == "cloze" and inline.target == number:
            return " ".join(plain_text(inline.children).split())
        if inline.children and (found := _first(inline.children, number)):
            return found
    return ""
