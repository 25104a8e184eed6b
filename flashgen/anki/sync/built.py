"""Sync: what a build made, as the notes Anki stores, and packages of some of them.

The one module of sync/ that reads flashgen's build and deck-writing modules: the notes
sync puts in a collection are the ones a build's deck holds (the same GUIDs, fields,
tags, times and note ids), so a collection fed by sync and one fed by imports agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from flashgen.anki.deck import (
    AnkiNote,
    AnkiNotes,
    DeckSettings,
    anki_notes,
    card_rows_of,
    note_type_for,
)
from flashgen.anki.model import NOTE_TYPES, NoteType
from flashgen.anki.package import write_package
from flashgen.builder.full import deck_settings as build_deck_settings

# The deck's extra CSS and description are the build's own: sync gives the note type
# and the root deck what a build's deck gives them.
from flashgen.builder.messages import REMOVED_TAG
from flashgen.builder.result import BuildResult
from flashgen.config import Config
from flashgen.state.file import STATE_FILE, save_state

__all__ = [
    "REMOVED_TAG",
    "AnkiNote",
    "DeckSettings",
    "NoteType",
    "deck_settings",
    "media_files",
    "note_types",
    "planned_notes",
    "save_build_state",
    "write_notes",
]


def deck_settings(config: Config, result: BuildResult) -> DeckSettings:
    """The settings a build of the personal deck writes its deck with."""
    return build_deck_settings(replace(config, share=False), result)


def planned_notes(result: BuildResult, settings: DeckSettings) -> Iterator[AnkiNote]:
    """Every card of the build as the note its deck holds, made as they are read."""
    return anki_notes(result.cards, (), settings)


def note_types(settings: DeckSettings) -> tuple[NoteType, ...]:
    """flashgen's note types, one per card form, as the build's deck gives them."""
    return tuple(note_type_for(settings, form) for form in NOTE_TYPES)


def media_files(result: BuildResult) -> dict[str, Path]:
    """Media name in the collection -> the file in the vault, for every card."""
    return {name: result.vault / path for name, path in result.cards.media().items()}


def save_build_state(result: BuildResult) -> None:
    """Save the state file as a build does, so builds and syncs can follow each other."""
    if result.state_changed:
        save_state(result.state, result.vault / STATE_FILE, root_deck=result.root_deck)


class _ChosenNotes(AnkiNotes):
    """Some notes of the deck, in memory: what one package of a sync holds."""

    def __init__(self, notes: Sequence[AnkiNote]) -> None:
        self._notes = notes

    def __iter__(self) -> Iterator[AnkiNote]:
        return iter(self._notes)

    def __len__(self) -> int:
        return len(self._notes)

    def decks(self) -> Iterator[str]:
        return (note.deck for note in self._notes)

    def card_rows(
        self, deck_ids: Mapping[str, int], ords: Mapping[int, tuple[int, ...]] = {}
    ) -> Iterator[tuple[object, ...]]:
        return card_rows_of(self._notes, deck_ids)


def write_notes(
    notes: Sequence[AnkiNote], output: Path, stamp: int, settings: DeckSettings
) -> None:
    """A package of the notes (no media) at `output`, as a build writes one."""
    write_package(_ChosenNotes(notes), {}, output, stamp, settings)
