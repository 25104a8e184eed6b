"""A build's cards in, listings of them out: one line a card, JSON rows and CSV text
(`flashgen cards`), and counts per deck, kind and note (`flashgen stats`). Formatting, not
printing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flashgen.render.place import CONTEXT_SEPARATOR, bare_question
from flashgen.report import printable
from flashgen.store.cardstore import Assigned

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
"""What json.dumps takes."""


def card_line(item: Assigned) -> str:
    """`path:line: [kind] Title › Heading › Label`, safe for a terminal."""
    draft = item.card.draft
    where = CONTEXT_SEPARATOR.join((draft.note_title, *draft.context, draft.label))
    return printable(f"{draft.note_path}:{draft.line}: [{draft.kind}] {where}")


def card_json(item: Assigned) -> dict[str, JsonValue]:
    """A card as `flashgen cards --json` lists it."""
    card = item.card
    draft = card.draft
    return {
        "guid": item.guid,
        "status": item.status,
        "kind": draft.kind,
        "deck": card.deck,
        "note": draft.note_path,
        "line": draft.line,
        "context": list(draft.context),
        "label": draft.label,
        "fields": {
            "Question": card.question,
            "Answer": card.answer,
            "Context": card.context,
            "Source": card.source,
        },
        "tags": list(draft.tags),
        "media": [media.name for media in card.media],
    }


_CSV_COLUMNS = [
    "guid",
    "deck",
    "kind",
    "note",
    "line",
    "context",
    "question",
    "answer",
    "tags",
]


def cards_csv(cards: Iterable[Assigned]) -> str:
    """The cards as CSV (for spreadsheets), a header row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for item in cards:
        card, draft = item.card, item.card.draft
        writer.writerow(
            [
                item.guid,
                card.deck,
                draft.kind,
                draft.note_path,
                draft.line,
                CONTEXT_SEPARATOR.join(draft.context),
                bare_question(card.question),
                card.answer,
                " ".join(draft.tags),
            ]
        )
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class CardCounts:
    """How a build's cards spread over decks, kinds and notes."""

    sections: dict[str, list[tuple[str, int]]]
    """Per deck, per kind and per note (by title: "cards per deck", ...): each name with
    its number of cards, most first, then by name."""
    empty: list[str]
    """Vault paths of the notes that make no cards."""

    def to_json(self, notes: int, cards: int) -> dict[str, JsonValue]:
        """`flashgen stats --json`: the counts, after the numbers of notes and cards."""
        payload: dict[str, JsonValue] = {"notes": notes, "cards": cards}
        for title, pairs in self.sections.items():
            payload[title.replace(" ", "_")] = dict(pairs)
        payload["notes_without_cards"] = list(self.empty)
        return payload

    def lines(self) -> list[str]:
        """`flashgen stats`: each section's counts, then the notes without cards."""
        lines = []
        for title, pairs in self.sections.items():
            lines.append(f"{title}:")
            lines.extend(printable(f"  {number:6}  {name}") for name, number in pairs)
        lines.append(f"notes that make no cards: {len(self.empty)}")
        lines.extend(printable(f"  {rel}") for rel in self.empty)
        return lines


def card_counts(cards: Iterable[Assigned], note_paths: Sequence[str]) -> CardCounts:
    """The counts of these cards; `note_paths`: every note read."""
    decks: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for item in cards:
        draft = item.card.draft
        decks[item.card.deck] += 1
        kinds[draft.kind] += 1
        notes[draft.note_path] += 1
    sections = {
        title: sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        for title, counts in (
            ("cards per deck", decks),
            ("cards per kind", kinds),
            ("cards per note", notes),
        )
    }
    return CardCounts(sections, [rel for rel in note_paths if rel not in notes])
