"""The state file: a State in, `.flashgen-state.json` out (staged, then put in place), and
back: what the last build made, so the next one keeps identities and times.

`.flashgen-state.json` at the vault root maps each card's GUID to its structural key, a
fingerprint of its answer (for re-matching), its deck, and a digest and time of its content
(for Anki's "newer wins" update rule). Plain JSON, sorted, meant to be committed with the
notes (its lines are encoded in lines.py); written to a temporary file and renamed
into place. Files of version 1 (which kept the answer's text) are read, and written back
as version 2.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from flashgen.errors import OutputError
from flashgen.report import Diagnostic, Severity
from flashgen.state.document import read_document
from flashgen.state.lines import (
    BATCH,
    FOOTER,
    VERSION,
    NotesTable,
    Place,
)
from flashgen.state.lock import staged_beside
from flashgen.state.saved import CardState, Copied, Fields, dataclass_fields

if TYPE_CHECKING:
    from flashgen.state.index import StateIndex

log = logging.getLogger(__name__)

STATE_FILE = ".flashgen-state.json"
SHARED_STATE_FILE = ".flashgen-shared-state.json"
"""A shared deck's own times and digests (`--share`): its cards carry other fields than
the personal deck's, so each deck keeps its own state and neither rewrites the other's."""


@dataclass(frozen=True, slots=True)
class State:
    cards: Sequence[CardState] = ()
    """In any order: the file has them in GUID order."""
    source: StateIndex | None = field(default=None, compare=False, repr=False)
    """The file the cards were read from: a card that is still the one read is written
    back as the same bytes, copied from that file rather than encoded again."""
    outdated: bool = False
    """Read from a file of an older version: the next build writes it anew."""


def load_state(path: Path) -> tuple[State, tuple[Diagnostic, ...]]:
    """The saved state, or an empty one with a loud warning when it cannot be read."""
    if not path.exists():
        return State(), ()
    from flashgen.state.index import StateIndex

    try:
        with path.open("rb") as stream:
            # Read in place when laid out as written: a large state is never all in
            # memory as records.
            index = StateIndex.read(stream, path)
            if index is not None:
                return State(index, index), ()
            stream.seek(0)
            cards, version, problems = read_document(stream.read(), path)
    except (
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        OverflowError,
    ) as err:
        log.debug("state file unreadable: %r", err)
        return State(), (
            Diagnostic(
                path.name,
                0,
                Severity.WARNING,
                "state file cannot be read, so card identities start afresh: renamed "
                "labels and headings will become new cards, and the next import will "
                "overwrite edits made in Anki "
                f"({err}; restore it from version control or a backup, or delete it to "
                "silence this)",
            ),
        )
    return State(cards, outdated=version != VERSION), problems


_RUN = 100_000


def save_state(state: State, path: Path, *, root_deck: str = "") -> None:
    """Write the state atomically (temporary file in the same folder, then rename)."""
    commit_state(stage_state(state, path, root_deck=root_deck), path)


def stage_state(
    state: State, path: Path, *, root_deck: str = "", run: int = _RUN
) -> Path:
    """Write the state to a temporary file beside `path`; commit_state puts it in place.

    Decks are written relative to `root_deck` (in full when it is ""). Up to `run` cards
    are sorted in memory; more are sorted in runs of that many, kept in scratch files
    beside `path`, and merged."""
    # One card a line: small diffs when the file is committed, and a fast write. Written
    # a few thousand lines at a time: a large state is never all in memory as text.
    staged = staged_path(path)
    try:
        with staged.open("wb") as stream:
            table = _table(state, root_deck)
            stream.write(table.head())
            rows = _rows(state, table, path.parent, run)
            start = -1
            for start, batch in enumerate(_batches(rows)):
                if start:
                    stream.write(b",\n")
                stream.write(b",\n".join(batch))
            stream.write(b"\n" + FOOTER if start >= 0 else FOOTER)
    except OSError as err:
        _discard(staged)
        raise write_error(path, err) from err
    except BaseException:
        _discard(staged)  # the state file changed since it was read
        raise
    return staged


def _discard(staged: Path) -> None:
    with contextlib.suppress(OSError):  # what stands there may not be a file
        staged.unlink(missing_ok=True)


@runtime_checkable
class EncodedCards(Protocol):
    """Cards that give their fields rather than records, or their place in the file
    read, to be copied (see reconcile)."""

    def encoded(self) -> Iterator[CardState | Fields | Copied]: ...


def _items(state: State) -> Iterator[CardState | Fields | Copied]:
    cards = state.cards
    return cards.encoded() if isinstance(cards, EncodedCards) else iter(cards)


def _table(state: State, root_deck: str) -> NotesTable:
    """The notes table of the state's cards (a first pass over them)."""
    source = state.source

    def place(item: CardState | Fields | Copied) -> Place:
        if isinstance(item, CardState):
            return item.note, item.key[0] if item.key else "", item.context, item.deck
        if len(item) == 2:
            assert source is not None
            return source.place(item[1])
        key = item[1]
        return item[2], key[0] if key else "", item[4], item[11]

    return NotesTable(map(place, _items(state)), root_deck)


def _rows(state: State, table: NotesTable, scratch: Path, size: int) -> Iterator[bytes]:
    """The state's rows in GUID order. A card that is still the one read from the state
    file, whose note's line in the table is the same, gets its row back as it was,
    copied from the file."""
    source = state.source
    first = itemgetter(0)

    def pair(item: CardState | Fields | Copied) -> tuple[str, bytes | int]:
        if isinstance(item, CardState):
            at = source.position(item) if source is not None else -1
            if at >= 0 and source is not None and source.copyable(at, table):
                return item.guid, at
            return item.guid, _line(table, dataclass_fields(item))
        if len(item) == 2:
            assert source is not None
            if source.copyable(item[1], table):
                return item
            return item[0], _line(table, dataclass_fields(source[item[1]]))
        return item[0], _line(table, item)

    with contextlib.ExitStack() as files:
        copy = files.enter_context(source.rows()) if source is not None else None

        def row(value: bytes | int) -> bytes:
            if isinstance(value, bytes):
                return value
            assert copy is not None
            return copy(value)

        runs: list[BinaryIO] = []
        run: list[tuple[str, bytes | int]] = []
        for item in _items(state):
            run.append(pair(item))
            if len(run) == size:
                runs.append(_spill(run, files.enter_context(_scratch(scratch))))
                run = []
        run.sort(key=first)
        if not runs:
            for _, value in run:
                yield row(value)
            return
        runs.append(_spill(run, files.enter_context(_scratch(scratch))))
        for _, value in heapq.merge(*map(_unspill, runs), key=first):
            yield row(value)


def _line(table: NotesTable, fields: Fields) -> bytes:
    return table.line(*fields)


def _scratch(folder: Path) -> BinaryIO:
    return tempfile.TemporaryFile(dir=folder, prefix=".flashgen-")


def _spill(run: list[tuple[str, bytes | int]], file: BinaryIO) -> BinaryIO:
    """Write a run in GUID order, a few thousand rows at a time."""
    run.sort(key=itemgetter(0))
    for start in range(0, len(run), BATCH):
        pickle.dump(run[start : start + BATCH], file, pickle.HIGHEST_PROTOCOL)
    run.clear()
    file.seek(0)
    return file


def _unspill(file: BinaryIO) -> Iterator[tuple[str, bytes | int]]:
    while True:
        try:
            yield from pickle.load(file)
        except EOFError:
            return


def _batches(rows: Iterable[bytes]) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def commit_state(staged: Path, path: Path) -> None:
    try:
        staged.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):  # never a second error
            staged.unlink(missing_ok=True)
        raise write_error(path, err) from err


def staged_path(path: Path) -> Path:
    """Where a new state file is written before it replaces the one at `path`."""
    return staged_beside(path, prefix="flashgen-")


def write_error(path: Path, err: OSError) -> OutputError:
    return OutputError(
        f"{path}: error: cannot write the state file: {err.strerror or err} "
        "(check that the folder is writable and has space)"
    )


class StateSwap:
    """The state file put in place just before the deck, the old one kept aside (a hard
    link) until the deck is in place too: `undo` puts it back when the deck is not."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._old = staged_beside(path, prefix="flashgen-", ending="old")
        self._committed = False
        self._had_old = False

    def commit(self, staged: Path) -> None:
        with contextlib.suppress(OSError):
            self._old.unlink(missing_ok=True)
        try:
            os.link(self._path, self._old)
            self._had_old = True
        except FileNotFoundError:
            self._had_old = False
        except OSError:
            # A file system without hard links (exFAT, some network shares): a copy.
            try:
                shutil.copyfile(self._path, self._old)
                self._had_old = True
            except FileNotFoundError:
                self._had_old = False
            except OSError as err:
                raise write_error(self._path, err) from err
        commit_state(staged, self._path)
        self._committed = True

    def undo(self, staged: Path | None) -> None:
        """The deck was not put in place: the old state back, the staged one gone."""
        with contextlib.suppress(OSError):  # never a second error
            if staged is not None:
                staged.unlink(missing_ok=True)
            if self._committed and self._had_old:
                self._old.replace(self._path)
            elif self._committed:
                self._path.unlink(missing_ok=True)
        self._committed = False

    def done(self) -> None:
        with contextlib.suppress(OSError):
            self._old.unlink(missing_ok=True)
