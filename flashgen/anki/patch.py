"""Patching the last deck: the kept collection and the changed notes in, the collection
with only their rows rewritten out (what a full build would write for them)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from flashgen.anki.deck import (
    AnkiNote,
    DeckSettings,
    anki_models,
    card_rows_of,
    deck_ids_for,
    describe_collection,
    note_row,
)
from flashgen.identity import stable_id


def patch_collection(
    database: Path,
    notes: Iterable[AnkiNote],
    settings: DeckSettings,
    description: Callable[[int], str],
    now: int,
) -> tuple[int, int]:
    """Write these notes into the collection where their rows differ, then the decks and
    note type as a full build would (the description from the number of cards); returns
    the numbers of cards and decks in use (not retired)."""
    models = anki_models(settings)
    connection = sqlite3.connect(database)
    try:
        # The collection is a copy in the cache: a patch cut short is never used again.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        cursor = connection.cursor()
        notes = list(notes)
        deck_ids = {note.deck: stable_id("deck", note.deck) for note in notes}
        for note in notes:
            _put(cursor, "notes", note.id, note_row(note, models[note.form]))
            rows = list(card_rows_of((note,), deck_ids))
            for row in rows:
                _put(cursor, "cards", int(str(row[0])), row)
            # Cards the note no longer makes (a cloze number gone), as a full write.
            cursor.execute(
                f"DELETE FROM cards WHERE nid = ? AND id NOT IN ({','.join('?' * len(rows))})",
                (note.id, *(row[0] for row in rows)),
            )
        (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
        known = {int(key): deck["name"] for key, deck in json.loads(decks_json).items()}
        known.update({did: name for name, did in deck_ids.items()})
        query = "SELECT DISTINCT did FROM cards"
        used = [known[did] for (did,) in cursor.execute(query).fetchall()]
        cards, decks, stamp = cursor.execute(
            "SELECT COUNT(DISTINCT nid), COUNT(DISTINCT did), MAX(mod) FROM cards "
            "WHERE queue = 0"
        ).fetchone()
        mids = {mid for (mid,) in cursor.execute("SELECT DISTINCT mid FROM notes")}
        describe_collection(
            cursor,
            deck_ids_for(used, settings.root_deck),
            settings.root_deck,
            description(cards),
            stamp or now,
            [
                model
                for form, model in models.items()
                if form == "basic" or model.model_id in mids
            ],
        )
        connection.commit()
    finally:
        connection.close()
    return cards, decks


def _put(
    cursor: sqlite3.Cursor, table: str, row_id: int, row: tuple[object, ...]
) -> None:
    """A row written only when it differs: an unchanged card's page stays as it was."""
    old = cursor.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if old != row:
        marks = ",".join("?" * len(row))
        cursor.execute(f"INSERT OR REPLACE INTO {table} VALUES({marks})", row)
