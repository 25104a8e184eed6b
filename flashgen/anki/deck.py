"""Deck stage: assigned cards in, Anki notes out, written into an Anki collection database.

With the rest of anki/, the only code that uses genanki: its schema, collection row, deck
and note type JSON make the collection, and the notes and cards go in as batched inserts,
row for row what genanki writes, so 10,000 notes do not cost 370,000 single statements.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TypeVar

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from flashgen.anki.model import NOTE_TYPE, NOTE_TYPES, NoteType
from flashgen.extract import card_form
from flashgen.identity import ID_STEP, card_guid, stable_id
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
    """The note's id; its first card's is the next number."""
    suspended: bool = False
    form: str = "basic"
    """Its note type (see model.NOTE_TYPES): basic, reversed or cloze."""

    def ords(self) -> tuple[int, ...]:
        """The cards the note makes, by template (cloze: by number, from 0)."""
        return card_ords(self.form, self.fields[0])


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

    def card_rows(
        self, deck_ids: Mapping[str, int], ords: Mapping[int, tuple[int, ...]] = {}
    ) -> Iterator[tuple[object, ...]]:
        """The card rows, as card_rows_of gives them, without making the notes.

        `ords` holds the cards of each note (by id) that makes other cards than one
        of the first template."""
        cards, retired, settings = self._parts
        for note_id, name, modified in cards.light():
            deck = deck_ids[name]
            for index, o in enumerate(ords.get(note_id, (0,))):
                yield _card_row(note_id, deck, modified, False, index, o)
        for old in retired:
            deck = deck_ids[settings.root_deck]
            for index, o in enumerate(ords.get(old.id, (0,))):
                yield _card_row(old.id, deck, old.modified, True, index, o)


def anki_notes(
    cards: AssignedCards, retired: Iterable[CardState], settings: DeckSettings
) -> Iterator[AnkiNote]:
    """The notes of the deck: every card, then the retired ones (suspended, tagged)."""
    guid = _shared_guid(settings.namespace)
    for own, deck, fields, tags, modified, note_id, kind in cards.fields():
        form = card_form(kind)
        if form == "cloze":
            fields = (fields[0], *fields[2:])
        yield AnkiNote(guid(own), deck, fields, tags, modified, note_id, False, form)
    for old in retired:
        # Anki keeps an existing card in its deck; the root deck only matters for a new one.
        form = card_form(old.kind)
        yield AnkiNote(
            guid(old.guid),
            settings.root_deck,
            _retired_fields(old, form),
            (settings.removed_tag,),
            old.modified,
            old.id,
            True,
            form,
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
    models = anki_models(settings)
    cursor = connection.cursor()
    # The tables first and their indexes after the rows: one sorted build per index.
    tables, indexes = _split_schema(APKG_SCHEMA)
    cursor.executescript(tables)
    cursor.executescript(APKG_COL)
    deck_ids = deck_ids_for(notes.decks(), settings.root_deck)
    # Rows are made as SQLite takes them: a large deck's fields are never all copied at once.
    forms: set[str] = set()
    ords: dict[int, tuple[int, ...]] = {}

    def note_rows_of(notes: Iterable[AnkiNote]) -> Iterator[tuple[object, ...]]:
        for note in notes:
            if note.form != "basic":
                forms.add(note.form)
                ords[note.id] = note.ords()
            yield note_row(note, models[note.form])

    note_rows = note_rows_of(notes)
    # Made as SQLite takes them, after every note row: `ords` is complete by then.
    card_rows = notes.card_rows(deck_ids, ords)
    if progress is not None:
        total = 2 * len(notes)
        note_rows = _told(note_rows, progress, 0, total)
        card_rows = _told(card_rows, progress, total // 2, total)
    cursor.executemany(NOTE_INSERT, note_rows)
    cursor.executemany(CARD_INSERT, card_rows)
    cursor.executescript(indexes)
    root, description = settings.root_deck, settings.description
    used = [models[form] for form in NOTE_TYPES if form == "basic" or form in forms]
    describe_collection(cursor, deck_ids, root, description, timestamp, used)


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
            progress(min(done, total), total)
    progress(min(done, total), total)


def note_type_for(settings: DeckSettings, form: str = "basic") -> NoteType:
    """The note type of a card form, with the deck's own CSS."""
    note_type = NOTE_TYPES[form]
    if not settings.css:
        return note_type
    return replace(note_type, css=note_type.css + "\n" + settings.css)


def anki_models(settings: DeckSettings) -> dict[str, genanki.Model]:
    """The note type of each card form, as genanki writes it."""
    return {form: anki_model(note_type_for(settings, form)) for form in NOTE_TYPES}


_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")
MAX_CARDS_PER_NOTE = ID_STEP - 1
"""Cards one note makes at most (cloze numbers past the 15th are not made): a note's
cards take the ids after its own, and notes are numbered ID_STEP apart."""


def card_ords(form: str, first_field: str) -> tuple[int, ...]:
    """The cards a note of this form makes: one per template, or per cloze number (from
    0) in its first field, as Anki makes them (a cloze note without one makes card 1)."""
    if form == "reversed":
        return (0, 1)
    if form == "cloze":
        numbers = {int(n) - 1 for n in _CLOZE_NUMBER.findall(first_field) if int(n)}
        return tuple(sorted(numbers))[:MAX_CARDS_PER_NOTE] or (0,)
    return (0,)


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
    models: Iterable[genanki.Model],
) -> None:
    """The collection's decks (Anki's default deck and ours) and its note types."""
    decks = json.loads(_default_decks())
    for name in sorted(deck_ids):
        text = description if name == root else ""
        deck = genanki.Deck(deck_ids[name], name, text)
        decks[str(deck_ids[name])] = deck.to_json()
    first_deck = deck_ids[min(deck_ids)] if deck_ids else 1
    types = {str(m.model_id): m.to_json(timestamp, first_deck) for m in models}
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(types))
    )


NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def note_row(note: AnkiNote, model: genanki.Model) -> tuple[object, ...]:
    """The note's row, as genanki writes it (`model`: its form's note type)."""
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


def card_rows_of(
    notes: Iterable[AnkiNote], deck_ids: Mapping[str, int]
) -> Iterator[tuple[object, ...]]:
    """Every card row of these notes: a card per ord, numbered from the note's id."""
    for note in notes:
        deck = deck_ids[note.deck]
        for index, o in enumerate(note.ords()):
            yield _card_row(note.id, deck, note.modified, note.suspended, index, o)


def _card_row(
    note_id: int, deck: int, modified: int, suspended: bool, index: int, ord: int
) -> tuple[object, ...]:
    """The row of a note's card: the note's `index`th, made by template `ord`; its id is
    the note's next numbers (see reconcile's ID_STEP)."""
    queue = -1 if suspended else 0
    card_id = note_id + 1 + index
    return (card_id, note_id, deck, ord, modified, -1, 0, queue, *_ZEROS, "")


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
        templates=[
            {"name": name, "qfmt": front, "afmt": back}
            for name, front, back in note_type.templates
        ],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )


def _retired_fields(old: CardState, form: str = "basic") -> tuple[str, ...]:
    title = PurePosixPath(old.note).stem
    context = CONTEXT_SEPARATOR.join(
        html.escape(part) for part in (title, *old.context)
    )
    # The state keeps no answer text (only its fingerprint): the card says where it was.
    answer = f'<p class="fg-removed">No longer in {html.escape(old.note)}.</p>'
    # As render gives a question its place: distinct cards never look like duplicates.
    question = f'{html.escape(old.label)}<span class="fg-where"> ({context})</span>'
    if form == "cloze":
        # A cloze note needs a cloze to keep a card: the label, shown on the back.
        hidden = html.escape(old.label) or "…"
        # As render protects a cloze's text: a `}}` or `::` in it never ends it early.
        hidden = re.sub(r"\}(?=\})", "&#125;", hidden).replace("::", ":&#58;")
        text = f"{{{{c1::{hidden}}}}}{answer}"
        return (text, context, html.escape(old.note), "")
    return (question, answer, context, html.escape(old.note), "")
