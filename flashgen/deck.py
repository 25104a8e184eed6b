"""Deck stage: RenderedCards -> genanki objects. The only module that builds genanki objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import genanki

from flashgen.identity import stable_id
from flashgen.model import NOTE_TYPE, NoteType
from flashgen.render import RenderedCard


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


def build_decks(cards: Iterable[RenderedCard], modified: int) -> list[genanki.Deck]:
    """One genanki deck per deck name, notes in card order, every note stamped `modified`."""
    model = anki_model()
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        deck = decks.get(card.deck)
        if deck is None:
            deck = decks[card.deck] = genanki.Deck(
                stable_id("deck", card.deck), card.deck
            )
            deck.add_model(model)
        fields = [card.question, card.answer, card.context, card.source, ""]
        deck.add_note(
            _TimedNote(
                model=model,
                fields=fields,
                guid=card.guid,
                tags=list(card.draft.tags),
                modified=modified,
            )
        )
    return [decks[name] for name in sorted(decks)]


def build_package(decks: list[genanki.Deck]) -> genanki.Package:
    return genanki.Package(decks)
