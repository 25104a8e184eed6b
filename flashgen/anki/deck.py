"""Deck stage: assigned cards in, Anki notes out, written into an Anki collection database.

With the rest of anki/, the only code that uses genanki: its schema, collection row, deck
and note type JSON make the collection, and the notes and cards go in as batched inserts,
row for row what genanki writes, so 10,000 notes do not cost 370,000 single statements.
"""

from __future__ import annotations

import functools
import html
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TypeVar

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from flashgen.anki.model import NOTE_TYPE, NoteType
from flashgen.identity import card_guid, stable_id
from flashgen.records import quick_init
from flashgen.render.place import CONTEXT_SEPARATOR
from flashgen.state.saved import CardState
from flashgen.store.cardstore import AssignedCards


@quick_init
@dataclass(frozen=True, slots=True)
class AnkiNote:
    """One note as Anki stores it."""

    guid: str
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    modified: int
    """Whole seconds: Anki updates an existing note only when this is newer."""
    id: int
    """The note's id; its card's is the next number."""
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class DeckSettings:
    """What the whole deck shares."""

    root_deck: str
    removed_tag: str
    css: str = ""
    """Extra CSS rules appended to the note type's style."""
    description: str = ""
    """The root deck's description (HTML)."""
    namespace: str | None = None
    """For a shared deck: enters every GUID, so two authors' decks never collide."""


class AnkiNotes:
    """The notes of the deck, made afresh on each pass: a large deck's notes are never
    all in memory as records."""

    def __init__(
        self,
        cards: AssignedCards,
        retired: Sequence[CardState],
        settings: DeckSettings,
    ) -> None:
        self._parts = cards, retired, settings

    def __iter__(self) -> Iterator[AnkiNote]:
        return anki_notes(*self._parts)

    def __len__(self) -> int:
        cards, retired, _ = self._parts
        return len(cards) + len(retired)

    def decks(self) -> Iterator[str]:
        """Each note's deck, as anki_notes gives it, without making the notes."""
        cards, retired, settings = self._parts
        yield from cards.decks()
        if retired:
            yield settings.root_deck

    def card_rows(self, deck_ids: Mapping[str, int]) -> Iterator[tuple[object, ...]]:
        """The card rows, as card_row gives them, without making the notes."""
        cards, retired, settings = self._parts
        for card_id, deck, modified in cards.light():
            yield _card_row(card_id, deck_ids[deck], modified, False)
        for old in retired:
            yield _card_row(old.id, deck_ids[settings.root_deck], old.modified, True)


def anki_notes(
    cards: AssignedCards, retired: Iterable[CardState], settings: DeckSettings
) -> Iterator[AnkiNote]:
    """The notes of the deck: every card, then the retired ones (suspended, tagged)."""
    guid = _shared_guid(settings.namespace)
    for own, deck, fields, tags, modified, note_id in cards.fields():
        yield AnkiNote(guid(own), deck, fields, tags, modified, note_id)
    for old in retired:
        # Anki keeps an existing card in its deck; the root deck only matters for a new one.
        yield AnkiNote(
            guid(old.guid),
            settings.root_deck,
            _retired_fields(old),
            (settings.removed_tag,),
            old.modified,
            old.id,
            True,
        )


def _shared_guid(namespace: str | None) -> Callable[[str], str]:
    # From the card's own GUID, which survives renames: a shared card survives them too.
    if namespace is None:
        return lambda guid: guid
    return lambda guid: card_guid(("shared", namespace, guid))


def write_collection(
    connection: sqlite3.Connection,
    notes: AnkiNotes,
    timestamp: float,
    settings: DeckSettings,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Fill an empty SQLite file with an Anki collection holding `notes` (made once, for
    the note rows; their decks and card rows come without making them).

    `progress` is told (rows written, rows in all) as the note rows and then the card
    rows go in."""
    model = anki_model(note_type_for(settings))
    cursor = connection.cursor()
    # The tables first and their indexes after the rows: one sorted build per index.
    tables, indexes = _split_schema(APKG_SCHEMA)
    cursor.executescript(tables)
    cursor.executescript(APKG_COL)
    deck_ids = deck_ids_for(notes.decks(), settings.root_deck)
    # Rows are made as SQLite takes them: a large deck's fields are never all copied at once.
    note_rows: Iterator[tuple[object, ...]] = (note_row(note, model) for note in notes)
    card_rows = notes.card_rows(deck_ids)
    if progress is not None:
        total = 2 * len(notes)
        note_rows = _told(note_rows, progress, 0, total)
        card_rows = _told(card_rows, progress, total // 2, total)
    cursor.executemany(NOTE_INSERT, note_rows)
    cursor.executemany(CARD_INSERT, card_rows)
    cursor.executescript(indexes)
    root, description = settings.root_deck, settings.description
    describe_collection(cursor, deck_ids, root, description, timestamp, model)


_Row = TypeVar("_Row")
_TELL_EVERY = 2048
"""Rows between two reports of progress: telling costs little next to the rows."""


def _told(
    rows: Iterable[_Row], progress: Callable[[int, int], None], before: int, total: int
) -> Iterator[_Row]:
    done = before
    for row in rows:
        yield row
        done += 1
        if done % _TELL_EVERY == 0:
            progress(done, total)
    progress(done, total)


def note_type_for(settings: DeckSettings) -> NoteType:
    if not settings.css:
        return NOTE_TYPE
    return replace(NOTE_TYPE, css=NOTE_TYPE.css + "\n" + settings.css)


def deck_ids_for(names: Iterable[str], root: str) -> dict[str, int]:
    """The decks the notes use, by name; the root deck too when it holds only sub-decks
    (it carries the description)."""
    deck_ids = {name: stable_id("deck", name) for name in set(names)}
    if root not in deck_ids and any(name.startswith(root + "::") for name in deck_ids):
        deck_ids[root] = stable_id("deck", root)
    return deck_ids


def describe_collection(
    cursor: sqlite3.Cursor,
    deck_ids: Mapping[str, int],
    root: str,
    description: str,
    timestamp: float,
    model: genanki.Model,
) -> None:
    """The collection's decks (Anki's default deck and ours) and its note type."""
    decks = json.loads(_default_decks())
    for name in sorted(deck_ids):
        text = description if name == root else ""
        deck = genanki.Deck(deck_ids[name], name, text)
        decks[str(deck_ids[name])] = deck.to_json()
    first_deck = deck_ids[min(deck_ids)] if deck_ids else 1
    models = {str(model.model_id): model.to_json(timestamp, first_deck)}
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models))
    )


NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def note_row(note: AnkiNote, model: genanki.Model) -> tuple[object, ...]:
    """The note's row, as genanki writes it."""
    return (
        note.id,
        note.guid,
        model.model_id,
        note.modified,
        -1,
        " " + " ".join(note.tags) + " ",
        "\x1f".join(note.fields),
        note.fields[0],
        0,
        0,
        "",
    )


def card_row(note: AnkiNote, deck_ids: Mapping[str, int]) -> tuple[object, ...]:
    """The row of the note's one card, as genanki writes it."""
    return _card_row(note.id, deck_ids[note.deck], note.modified, note.suspended)


def _card_row(
    note_id: int, deck: int, modified: int, suspended: bool
) -> tuple[object, ...]:
    queue = -1 if suspended else 0
    return (note_id + 1, note_id, deck, 0, modified, -1, 0, queue, *_ZEROS, "")


_ZEROS = (0,) * 9


@functools.cache
def _default_decks() -> str:
    """The decks genanki's empty collection holds (Anki's default deck)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(_split_schema(APKG_SCHEMA)[0])
        connection.executescript(APKG_COL)
        return str(connection.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        connection.close()


def _split_schema(schema: str) -> tuple[str, str]:
    cut = schema.index("CREATE INDEX")
    return schema[:cut], schema[cut:]


def anki_model(note_type: NoteType = NOTE_TYPE) -> genanki.Model:
    return genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": "Card", "qfmt": note_type.front, "afmt": note_type.back}],
        css=note_type.css,
    )


def _retired_fields(old: CardState) -> tuple[str, ...]:
    title = PurePosixPath(old.note).stem
    context = CONTEXT_SEPARATOR.join(
        html.escape(part) for part in (title, *old.context)
    )
    # The state keeps no answer text (only its fingerprint): the card says where it was.
    answer = f'<p class="fg-removed">No longer in {html.escape(old.note)}.</p>'
    # As render gives a question its place: distinct cards never look like duplicates.
    question = f'{html.escape(old.label)}<span class="fg-where"> ({context})</span>'
    return (question, answer, context, html.escape(old.note), "")
