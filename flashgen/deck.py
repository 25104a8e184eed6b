"""Deck stage: assigned cards -> genanki decks. The only module that builds genanki objects."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import genanki

from flashgen.identity import stable_id
from flashgen.model import NOTE_TYPE, NoteType
from flashgen.reconcile import Assigned
from flashgen.render import CONTEXT_SEPARATOR
from flashgen.state import CardState


class _TimedNote(genanki.Note):  # type: ignore[misc]
    """A note that carries its own modification time instead of the package's.

    Anki updates a matched note only when the incoming one is strictly newer (whole
    seconds), so each note's time must say when its content last changed.
    """

    def __init__(self, *, modified: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.modified = modified

    def write_to_db(
        self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any
    ) -> None:
        super().write_to_db(cursor, self.modified, deck_id, id_gen)


def anki_model(note_type: NoteType = NOTE_TYPE) -> genanki.Model:
    return genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": "Card", "qfmt": note_type.front, "afmt": note_type.back}],
        css=note_type.css,
    )


def build_decks(
    cards: Iterable[Assigned],
    retired: Iterable[CardState],
    root_deck: str,
    removed_tag: str,
) -> list[genanki.Deck]:
    """One genanki deck per deck name, notes in card order; retired cards suspended."""
    model = anki_model()
    decks: dict[str, genanki.Deck] = {}

    def deck_named(name: str) -> genanki.Deck:
        if name not in decks:
            decks[name] = genanki.Deck(stable_id("deck", name), name)
            decks[name].add_model(model)
        return decks[name]

    for item in cards:
        card = item.card
        fields = [card.question, card.answer, card.context, card.source, ""]
        note = _TimedNote(
            model=model,
            fields=fields,
            guid=item.guid,
            tags=list(card.draft.tags),
            modified=item.modified,
        )
        deck_named(card.deck).add_note(note)
    for old in retired:
        note = _TimedNote(
            model=model,
            fields=_retired_fields(old),
            guid=old.guid,
            tags=[removed_tag],
            modified=old.modified,
        )
        # Anki keeps the card where it is; the deck only matters for a fresh import.
        note.cards[0].suspend = True
        deck_named(root_deck).add_note(note)
    return [decks[name] for name in sorted(decks)]


def _retired_fields(old: CardState) -> list[str]:
    title = PurePosixPath(old.note).stem
    context = CONTEXT_SEPARATOR.join(
        html.escape(part) for part in (title, *old.context)
    )
    answer = (
        f'<p class="fg-removed">No longer in {html.escape(old.note)}.</p>'
        f"<p>{html.escape(old.text)}</p>"
    )
    return [html.escape(old.label), answer, context, html.escape(old.note), ""]
