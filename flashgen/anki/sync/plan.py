"""Sync: the build's notes + what the collection holds -> what to change in it.

Pure: the collection is read by the caller (its notes as CollectionNote records, the
fields of a few on demand). A note is changed by the rule an import follows, so syncs and
imports can follow each other: updated only when the build's time for it is newer than
the note's and its content differs (an edit made in Anki since is newer, and kept).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from flashgen.anki.sync.built import REMOVED_TAG, AnkiNote
from flashgen.anki.sync.collection import CollectionNote

REMOVED_CHOICES = ("suspend", "delete", "keep")
"""What `--removed` does with a card no longer in the notes."""
ANKI_TAGS = frozenset({"leech", "marked"})
"""Tags Anki itself gives notes: an update keeps them."""
_EXTRA = -1
"""The Extra field, last: the user's own in Anki; sync never writes it."""
_COMPARE_EVERY = 500


@dataclass(frozen=True, slots=True)
class Update:
    """What a changed note keeps of the collection's copy."""

    extra: str
    """The Extra field as it is in Anki."""
    tags: tuple[str, ...]
    """Anki's own tags on it (leech, marked)."""


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What a sync changes in the collection."""

    add: frozenset[str] = frozenset()
    """GUIDs of the notes to add."""
    update: Mapping[str, Update] = field(default_factory=dict)
    """GUIDs of the notes to update, with what each keeps."""
    move: tuple[tuple[int, str], ...] = ()
    """(card id, deck name) of each card to move to its note's deck."""
    retire: tuple[CollectionNote, ...] = ()
    """Notes no longer in the notes, to suspend, delete or tag (`removed`)."""
    restore: tuple[CollectionNote, ...] = ()
    """Notes retired earlier that are back in the notes."""
    foreign: tuple[str, ...] = ()
    """GUIDs the build gives that a note of another note type has: left alone."""
    untouched: int = 0
    """Notes of the build that need no change."""
    removed: str = "suspend"

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.update or self.move or self.retire or self.restore)

    def apply_to(self, note: AnkiNote) -> AnkiNote:
        """The note as it goes into the collection: a changed note keeps its Extra
        field and Anki's own tags."""
        kept = self.update.get(note.guid)
        if kept is None:
            return note
        fields = (*note.fields[:_EXTRA], kept.extra)
        tags = (*note.tags, *(tag for tag in kept.tags if tag not in note.tags))
        # As the note is, its note type and suspension too: only Extra and tags change.
        return dataclasses.replace(note, fields=fields, tags=tags)


def plan_sync(
    planned: Iterable[AnkiNote],
    retired: Iterable[str],
    existing: Mapping[str, CollectionNote],
    deck_id: Callable[[str], int | None],
    fields_of: Callable[[list[int]], Mapping[int, list[str]]],
    removed: str = "suspend",
) -> SyncPlan:
    """What to change so the collection holds the build's notes.

    `planned` are the build's notes, `retired` the GUIDs of its cards no longer in the
    notes, `existing` the collection's notes with those GUIDs; `deck_id` gives a deck's
    id by name (None when Anki has no such deck), `fields_of` the fields of notes by id.
    """
    if removed not in REMOVED_CHOICES:
        raise ValueError(f"removed must be one of {REMOVED_CHOICES}, not {removed!r}")
    add: set[str] = set()
    update: dict[str, Update] = {}
    move: list[tuple[int, str]] = []
    restore: list[CollectionNote] = []
    foreign: list[str] = []
    untouched = 0
    candidates: list[tuple[AnkiNote, CollectionNote, bool]] = []
    deck_ids: dict[str, int | None] = {}

    def compare() -> None:
        nonlocal untouched
        stored = fields_of([note.id for _, note, _ in candidates])
        for planned_note, note, acted in candidates:
            change = _update(planned_note, note, stored[note.id])
            if change is not None:
                update[note.guid] = change
            elif not acted:
                untouched += 1
        candidates.clear()

    for planned_note in planned:
        note = existing.get(planned_note.guid)
        if note is None:
            add.add(planned_note.guid)
            continue
        if not note.ours:
            foreign.append(note.guid)
            continue
        acted = False
        if REMOVED_TAG in note.tags:
            restore.append(note)
            acted = True
        if planned_note.deck not in deck_ids:
            deck_ids[planned_note.deck] = deck_id(planned_note.deck)
        if deck_ids[planned_note.deck] != note.deck:
            move.extend((card, planned_note.deck) for card in note.cards)
            acted = True
        if planned_note.modified > note.modified:
            candidates.append((planned_note, note, acted))
            if len(candidates) >= _COMPARE_EVERY:
                compare()
        elif not acted:
            untouched += 1
    compare()
    retire = _retired(retired, existing, removed)
    return SyncPlan(
        frozenset(add),
        update,
        tuple(move),
        retire,
        tuple(restore),
        tuple(foreign),
        untouched,
        removed,
    )


def _update(
    planned: AnkiNote, note: CollectionNote, stored: list[str]
) -> Update | None:
    """What the note keeps when its content differs from the build's; None when the
    content is the same (a note synced before, or imported)."""
    kept_tags = tuple(tag for tag in note.tags if tag in ANKI_TAGS)
    wanted_tags = {*planned.tags, *kept_tags}
    same_fields = list(planned.fields[:_EXTRA]) == stored[:_EXTRA]
    # The removed tag is taken off by a restore, whatever the note's time.
    same_tags = wanted_tags == {tag for tag in note.tags if tag != REMOVED_TAG}
    if same_fields and same_tags:
        return None
    return Update(stored[_EXTRA] if len(stored) > 1 else "", kept_tags)


def _retired(
    retired: Iterable[str], existing: Mapping[str, CollectionNote], removed: str
) -> tuple[CollectionNote, ...]:
    """The retired cards' notes that still need what `removed` does to them."""
    found = []
    for guid in retired:
        note = existing.get(guid)
        if note is None or not note.ours:
            continue
        done = {
            "delete": False,
            "suspend": note.suspended and REMOVED_TAG in note.tags,
            "keep": REMOVED_TAG in note.tags,
        }[removed]
        if not done:
            found.append(note)
    return tuple(found)
