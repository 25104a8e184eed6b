"""Sync: a SyncPlan -> changes in an open collection, with Anki's own operations.

Notes are added and updated by importing packages of them (Anki's importer keeps the
build's GUIDs, note ids and times, as an import of the build's deck does); cards are
moved, suspended, tagged and deleted with Anki's operations, never by writing its tables.
Each operation is complete or not done at all, and a sync run again after an interrupted
one finds what is left to do.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flashgen.anki.sync.built import (
    REMOVED_TAG,
    AnkiNote,
    DeckSettings,
    NoteType,
    write_notes,
)
from flashgen.anki.sync.collection import CollectionError
from flashgen.anki.sync.plan import SyncPlan

if TYPE_CHECKING:
    from anki.collection import Collection

PACKAGE_NOTES = 2000
"""Notes a package holds: one import each, so a large sync never holds every note."""
KILL_AFTER = "FLASHGEN_SYNC_KILL_AFTER"
"""For the test of an interrupted sync only: the process kills itself (SIGKILL) after
this many operations."""


def note_type_action(col: Collection, note_types: Iterable[NoteType]) -> str:
    """What the collection needs of flashgen's note types: "update" the name, templates
    or style of one in place, or nothing else ("", or "add" when one is not there yet:
    a package brings it). A note type of one of their ids with other fields or cards
    cannot be updated in place (Anki would make a copy, "Name+"): the sync stops
    before changing anything."""
    actions = {_action(col, note_type) for note_type in note_types}
    return next((a for a in ("update", "add") if a in actions), "")


def _action(col: Collection, note_type: NoteType) -> str:
    model = col.models.get(note_type.model_id)  # type: ignore[arg-type]
    if model is None:
        return "add"
    fields = tuple(field["name"] for field in model["flds"])
    templates = note_type.templates
    if fields != note_type.fields or len(model["tmpls"]) != len(templates):
        raise CollectionError(
            f"{col.path}: error: the note type '{model['name']}' has other fields "
            f"({', '.join(fields)}) or card types than flashgen's, so nothing was "
            "changed (in Anki's Tools > Manage Note Types, restore its fields: "
            f"{', '.join(note_type.fields)}, and {_card_types(len(templates))})"
        )
    same = (
        model["name"] == note_type.name
        and model["css"] == note_type.css
        and all(
            (template["qfmt"], template["afmt"]) == (front, back)
            for template, (_, front, back) in zip(
                model["tmpls"], templates, strict=True
            )
        )
    )
    return "" if same else "update"


def _card_types(count: int) -> str:
    return "one card type" if count == 1 else f"{count} card types"


@dataclass(frozen=True, slots=True)
class Applying:
    """What applying a plan needs besides the plan."""

    notes: Callable[[], Iterable[AnkiNote]]
    """The build's notes, made afresh on each call."""
    media: Mapping[str, Path]
    """Media name -> file, for every card."""
    note_types: tuple[NoteType, ...]
    settings: DeckSettings
    stamp: int
    """The build's newest card time: the packages' note type time, as in the deck."""


def apply_plan(col: Collection, plan: SyncPlan, applying: Applying) -> None:
    """Change the collection as the plan says, one Anki operation at a time."""
    steps = _Steps()
    for note_type in applying.note_types:
        if _action(col, note_type) == "update":
            _update_note_type(col, note_type)
            steps.done()
    _add_media(col, applying.media)
    steps.done()
    with tempfile.TemporaryDirectory(prefix="flashgen-sync-") as scratch:
        for number, notes in enumerate(_changed(plan, applying.notes())):
            package = Path(scratch, f"{number}.apkg")
            write_notes(notes, package, applying.stamp, applying.settings)
            _import(col, package)
            package.unlink()
            steps.done()
    if plan.move:
        _move(col, plan.move)
        steps.done()
    if plan.retire:
        _retire(col, plan)
        steps.done()
    if plan.restore:
        restored = [note.id for note in plan.restore]
        col.tags.bulk_remove(restored, REMOVED_TAG)  # type: ignore[arg-type]
        suspended = [c for note in plan.restore if note.suspended for c in note.cards]
        col.sched.unsuspend_cards(suspended)  # type: ignore[arg-type]
        steps.done()


def _changed(plan: SyncPlan, notes: Iterable[AnkiNote]) -> Iterator[list[AnkiNote]]:
    """The notes to add or update, as they go into the collection, a package's worth
    at a time."""
    chosen: list[AnkiNote] = []
    for note in notes:
        if note.guid in plan.add or note.guid in plan.update:
            chosen.append(plan.apply_to(note))
            if len(chosen) == PACKAGE_NOTES:
                yield chosen
                chosen = []
    if chosen:
        yield chosen


def _update_note_type(col: Collection, note_type: NoteType) -> None:
    # The same id and fields: Anki changes it in place, and no note needs a new card.
    model = col.models.get(note_type.model_id)  # type: ignore[arg-type]
    assert model is not None
    model["name"] = note_type.name
    model["css"] = note_type.css
    for template, (_, front, back) in zip(
        model["tmpls"], note_type.templates, strict=True
    ):
        template["qfmt"], template["afmt"] = front, back
    col.models.update_dict(model)


def _add_media(col: Collection, media: Mapping[str, Path]) -> None:
    """The cards' files Anki's media folder lacks. Their names hash their content, so a
    file of the same name is the same file."""
    for name, path in sorted(media.items()):
        if col.media.have(name):
            continue
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CollectionError(
                f"{path}: error: cannot read the file for the collection's media "
                f"({err.strerror or err}; check it, then run sync again)"
            ) from err
        col.media.write_data(name, data)


def _import(col: Collection, package: Path) -> None:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    options = ImportAnkiPackageOptions(
        # The plan chose the notes to update (newer, and changed); the note type is
        # already as flashgen's, and no scheduling is in the package.
        update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
        merge_notetypes=False,
        with_scheduling=False,
        with_deck_configs=False,
    )
    request = ImportAnkiPackageRequest(package_path=str(package), options=options)
    col.import_anki_package(request)


def _move(col: Collection, moves: Iterable[tuple[int, str]]) -> None:
    by_deck: dict[str, list[int]] = {}
    for card, deck in moves:
        by_deck.setdefault(deck, []).append(card)
    for deck, cards in sorted(by_deck.items()):
        found = col.decks.id_for_name(deck)
        deck_id = (
            found if found is not None else col.decks.add_normal_deck_with_name(deck).id
        )
        col.set_deck(cards, deck_id)  # type: ignore[arg-type]


def _retire(col: Collection, plan: SyncPlan) -> None:
    notes = [note.id for note in plan.retire]
    if plan.removed == "delete":
        # Only flashgen's notes are ever here (its note type and GUIDs): see plan_sync.
        col.remove_notes(notes)  # type: ignore[arg-type]
        return
    col.tags.bulk_add(notes, REMOVED_TAG)  # type: ignore[arg-type]
    if plan.removed == "suspend":
        cards = [c for note in plan.retire if not note.suspended for c in note.cards]
        col.sched.suspend_cards(cards)  # type: ignore[arg-type]


class _Steps:
    """Counts the operations done; the test of an interrupted sync kills the process
    after the number it sets."""

    def __init__(self) -> None:
        value = os.environ.get(KILL_AFTER, "")
        self._kill_after = int(value) if value.isdigit() else None
        self._done = 0

    def done(self) -> None:
        self._done += 1
        if self._done == self._kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
