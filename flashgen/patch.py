"""Patching: the last build's state file and collection, changed only where notes changed.

A rebuild after an edit gives the deck and state file a full build gives; when the last
build's state file and collection are at hand, untouched, it gets there by reading only the
state entries of the notes that changed and rewriting only the rows of their cards.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from pathlib import Path

from flashgen.deck import (
    AnkiNote,
    DeckSettings,
    anki_model,
    card_row,
    deck_ids_for,
    describe_collection,
    note_row,
    note_type_for,
)
from flashgen.identity import stable_id
from flashgen.state import CardState, card_from_entry, encode_line


class StateRows:
    """The lines of a state file as save_state writes them (one card a line, in GUID
    order), read without decoding them."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-2:] != ["}}", ""]:
            raise ValueError("not laid out as flashgen writes it")
        self._head = lines[0]
        self._rows = [line.removesuffix(",") for line in lines[1:-2]]
        self._starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
        self._text = text
        self._guids = [row[1 : row.index('"', 1)] for row in self._rows]

    def __contains__(self, guid: object) -> bool:
        if not isinstance(guid, str):
            return False
        at = bisect.bisect_left(self._guids, guid)
        return at < len(self._guids) and self._guids[at] == guid

    def find(self, needles: Iterable[str]) -> list[int]:
        """Rows holding any of the needles, in file order."""
        found: set[int] = set()
        for needle in needles:
            at = self._text.find(needle)
            while at != -1:
                # Line 0 is the header: row r is line r + 1.
                found.add(bisect.bisect_right(self._starts, at) - 2)
                at = self._text.find(needle, at + 1)
        return sorted(row for row in found if 0 <= row < len(self._rows))

    def cards(self, rows: Iterable[int]) -> list[CardState]:
        cards = []
        for row in rows:
            ((guid, entry),) = json.loads("{" + self._rows[row] + "}").items()
            cards.append(card_from_entry(guid, entry))
        return cards

    def replaced(self, rows: Iterable[int], cards: Iterable[CardState]) -> str:
        """The file with these rows dropped and these cards written in GUID order."""
        drop = set(rows)
        kept = [row for number, row in enumerate(self._rows) if number not in drop]
        guids = [guid for number, guid in enumerate(self._guids) if number not in drop]
        for card in sorted(cards, key=lambda card: card.guid):
            at = bisect.bisect_left(guids, card.guid)
            guids.insert(at, card.guid)
            kept.insert(at, encode_line(card))
        return self._head + "\n" + ",\n".join(kept) + "\n}}\n"


def note_needles(paths: Iterable[str], identities: Iterable[str]) -> Iterator[str]:
    """What marks a state line as a card of these notes (by path or by identity), or as
    a retired card (which any note's new card may take back)."""
    for path in paths:
        yield f', "note": {json.dumps(path, ensure_ascii=False)}, "kind": '
    for identity in identities:
        yield '{"key": [' + json.dumps(identity, ensure_ascii=False) + ", "
    yield ', "removed": true'


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
    model = anki_model(note_type_for(settings))
    connection = sqlite3.connect(database)
    try:
        # The collection is a copy in the cache: a patch cut short is never used again.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        cursor = connection.cursor()
        notes = list(notes)
        deck_ids = {note.deck: stable_id("deck", note.deck) for note in notes}
        for note in notes:
            _put(cursor, "notes", note.id, note_row(note, model))
            _put(cursor, "cards", note.id + 1, card_row(note, deck_ids))
        (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
        known = {int(key): deck["name"] for key, deck in json.loads(decks_json).items()}
        known.update({did: name for name, did in deck_ids.items()})
        query = "SELECT DISTINCT did FROM cards"
        used = [known[did] for (did,) in cursor.execute(query).fetchall()]
        cards, decks, stamp = cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT did), MAX(mod) FROM cards WHERE queue = 0"
        ).fetchone()
        describe_collection(
            cursor,
            deck_ids_for(used, settings.root_deck),
            settings.root_deck,
            description(cards),
            stamp or now,
            model,
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
