"""State file: what the last build made, so the next one keeps identities and times.

`.flashgen-state.json` at the vault root maps each card's GUID to its structural key, a short
text of its answer (for re-matching) and a digest and time of its content (for Anki's
"newer wins" update rule). Plain JSON, sorted, meant to be committed with the notes; written
to a temporary file and renamed into place.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import json
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from flashgen.errors import OutputError
from flashgen.report import Diagnostic, Severity

log = logging.getLogger(__name__)

STATE_FILE = ".flashgen-state.json"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class CardState:
    """One card as the last build left it."""

    guid: str
    key: tuple[str, ...]
    """Structural key (see identity.card_key); a re-matched card keeps its old GUID."""
    note: str
    """Vault-relative path of the note it came from."""
    kind: str
    context: tuple[str, ...]
    label: str
    text: str
    """The answer as plain text, cut to a few hundred characters (for re-matching)."""
    digest: str
    """Hash of everything Anki stores for the note: fields, tags, deck."""
    modified: int
    """The note's modification time in the last deck, in whole seconds."""
    removed: bool = False
    """No longer in the notes; kept to retire the card in Anki."""
    id: int = 0
    """The note's id in the deck (its card's is the next number), given when the card
    first appeared and kept ever since; 0 when not given yet (older state files)."""


@dataclass(frozen=True, slots=True)
class StateSource:
    """The file a state was read from, laid out as save_state writes it."""

    path: Path
    stamp: tuple[int, int]
    """Its size and modification time when read: its rows are reused only while unchanged."""
    cards: tuple[CardState, ...]
    """The cards read, in the file's order (by GUID), one a row."""


@dataclass(frozen=True, slots=True)
class State:
    cards: Sequence[CardState] = ()
    """In any order: the file has them in GUID order."""
    source: StateSource | None = field(default=None, compare=False, repr=False)
    """Where the cards were read from: a card that is still the one read is written back
    as the same bytes, copied from that file rather than encoded again."""


def load_state(path: Path) -> tuple[State, tuple[Diagnostic, ...]]:
    """The saved state, or an empty one with a loud warning when it cannot be read."""
    if not path.exists():
        return State(), ()
    try:
        with path.open("rb") as stream:
            stat = os.fstat(stream.fileno())
            # Row by row when laid out as written: a large state is never all in memory
            # as one document.
            cards = _read_rows(stream)
            source = None
            if cards is not None:
                source = StateSource(path, (stat.st_size, stat.st_mtime_ns), cards)
            else:
                stream.seek(0)
                cards = _read_document(stream.read())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        log.debug("state file unreadable: %r", err)
        return State(), (
            Diagnostic(
                path.name,
                0,
                Severity.WARNING,
                "state file cannot be read, so card identities start afresh: renamed "
                "labels and headings will become new cards "
                f"({err}; restore it from version control, or delete it to silence this)",
            ),
        )
    return State(cards, source), ()


_HEADER = f'{{"version": {_VERSION}, "cards": {{\n'.encode()
_FOOTER = b"}}\n"


def _read_document(data: bytes) -> tuple[CardState, ...]:
    """Any JSON layout of the state (a file reformatted by hand or by a tool)."""
    document = json.loads(data)
    if document.get("version") != _VERSION:
        raise ValueError(f"unknown version {document.get('version')!r}")
    return tuple(
        card_from_entry(guid, entry) for guid, entry in document["cards"].items()
    )


def _read_rows(stream: BinaryIO) -> tuple[CardState, ...] | None:
    """The cards of a file laid out as save_state writes it (a header line, one card a
    line in GUID order, a footer line); None for any other layout."""
    if stream.readline() != _HEADER:
        return None
    cards: list[CardState] = []
    shared: dict[Any, Any] = {}
    rows: list[bytes] = []
    last = False  # the last row (no comma after it) is read
    for line in stream:
        if last:
            if line != _FOOTER or not _add_rows(rows, cards, shared):
                return None
            break
        if line == b"\n" and not cards and not rows:  # no cards at all
            last = True
            continue
        if line.endswith(b",\n"):
            rows.append(line[:-2])
        elif line.endswith(b"\n"):
            rows.append(line[:-1])
            last = True
        else:
            return None
        if len(rows) == _BATCH and not _add_rows(rows, cards, shared):
            return None
    else:
        return None  # cut short
    if stream.read(1):
        return None
    return tuple(cards)


def _add_rows(
    rows: list[bytes], cards: list[CardState], shared: dict[Any, Any]
) -> bool:
    """Decode rows (one card each, in GUID order) onto cards; False when they are not."""
    if not rows:
        return True
    try:
        entries = json.loads(b"{" + b",".join(rows) + b"}")
    except ValueError:
        return False
    if not isinstance(entries, dict) or len(entries) != len(rows):
        return False  # a row holds more or less than one card
    rows.clear()
    for guid, entry in entries.items():
        if cards and guid <= cards[-1].guid:
            return False  # not in GUID order, so not as written
        cards.append(card_from_entry(guid, entry, shared))
    return True


_RUN = 100_000


def save_state(state: State, path: Path) -> None:
    """Write the state atomically (temporary file in the same folder, then rename)."""
    commit_state(stage_state(state, path), path)


def stage_state(state: State, path: Path, *, run: int = _RUN) -> Path:
    """Write the state to a temporary file beside `path`; commit_state puts it in place.

    Up to `run` cards are sorted in memory; more are sorted in runs of that many, kept
    in scratch files beside `path`, and merged."""
    # One card a line: small diffs when the file is committed, and a fast write. Written
    # a few thousand lines at a time: a large state is never all in memory as text.
    staged = path.with_name(f".flashgen-{path.name}.tmp")
    try:
        with staged.open("wb") as stream:
            stream.write(_HEADER)
            rows = _rows(state, path.parent, run)
            for start, batch in enumerate(_batches(rows)):
                if start:
                    stream.write(b",\n")
                stream.write(b",\n".join(batch))
            stream.write(b"\n" + _FOOTER)
    except OSError as err:
        staged.unlink(missing_ok=True)
        raise _write_error(path, err) from err
    return staged


Encoded = tuple[str, bytes]
"""A card's GUID and its row, encoded already."""


@runtime_checkable
class EncodedCards(Protocol):
    """Cards that can give rows encoded already, for those that need no CardState."""

    def encoded(self) -> Iterator[CardState | Encoded]: ...


def _rows(state: State, scratch: Path, size: int) -> Iterator[bytes]:
    """The state's rows in GUID order. A card that is still the one read from the state
    file gets its row back as it was (see _OldRows)."""
    source = state.source
    read = source.cards if source is not None else ()
    cards = state.cards
    items = cards.encoded() if isinstance(cards, EncodedCards) else cards
    first = itemgetter(0)

    def row(value: CardState | bytes) -> bytes:
        if isinstance(value, bytes):
            return value
        return old.row(value) or encode_line(value).encode()

    with _OldRows(source) as old, contextlib.ExitStack() as files:
        runs: list[BinaryIO] = []
        run: list[tuple[str, CardState | bytes]] = []
        for item in items:
            run.append((item.guid, item) if isinstance(item, CardState) else item)
            if len(run) == size:
                runs.append(_spill(run, read, files.enter_context(_scratch(scratch))))
                run = []
        run.sort(key=first)
        if not runs:
            for _, value in run:
                yield row(value)
            return
        runs.append(_spill(run, read, files.enter_context(_scratch(scratch))))
        for guid, line in heapq.merge(*map(_unspill, runs), key=first):
            # None: the card read from the file, found again there by its GUID.
            yield line if line is not None else row(read[_find(read, guid)])


def _scratch(folder: Path) -> BinaryIO:
    return tempfile.TemporaryFile(dir=folder, prefix=".flashgen-")


def _spill(
    run: list[tuple[str, CardState | bytes]],
    read: Sequence[CardState],
    file: BinaryIO,
) -> BinaryIO:
    """Write a run's rows in GUID order; a card still the one read is written as None."""
    run.sort(key=itemgetter(0))
    for start in range(0, len(run), _BATCH):
        pickle.dump(
            [
                (guid, _spilled(value, read))
                for guid, value in run[start : start + _BATCH]
            ],
            file,
            pickle.HIGHEST_PROTOCOL,
        )
    run.clear()
    file.seek(0)
    return file


def _spilled(value: CardState | bytes, read: Sequence[CardState]) -> bytes | None:
    if isinstance(value, bytes):
        return value
    return None if _is_read(value, read) else encode_line(value).encode()


def _unspill(file: BinaryIO) -> Iterator[tuple[str, bytes | None]]:
    while True:
        try:
            yield from pickle.load(file)
        except EOFError:
            return


def _find(read: Sequence[CardState], guid: str) -> int:
    return bisect.bisect_left(read, guid, key=attrgetter("guid"))


def _is_read(card: CardState, read: Sequence[CardState]) -> bool:
    index = _find(read, card.guid)
    return index < len(read) and (read[index] is card or read[index] == card)


def _batches(rows: Iterable[bytes]) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _OldRows:
    """The rows of the file a state was read from, walked in GUID order beside the cards
    being written: a card that is still the one read gets its row back as it was."""

    def __init__(self, source: StateSource | None) -> None:
        self._cards = source.cards if source is not None else ()
        self._file: BinaryIO | None = None
        self._index = 0
        self._read = 0
        self._line = b""
        if source is None:
            return
        try:
            file = source.path.open("rb")
        except OSError:
            return
        try:
            stat = os.fstat(file.fileno())
            same = (stat.st_size, stat.st_mtime_ns) == source.stamp
            if same and file.readline() == _HEADER:
                self._file = file
                return
        except OSError:
            pass
        file.close()  # changed since it was read, or unreadable: rows are encoded afresh

    def row(self, card: CardState) -> bytes | None:
        if self._file is None:
            return None
        cards, index = self._cards, self._index
        while index < len(cards) and cards[index].guid < card.guid:
            index += 1
        self._index = index
        if index == len(cards) or (cards[index] is not card and cards[index] != card):
            return None
        try:
            while self._read <= index:
                self._line = self._file.readline()
                self._read += 1
        except OSError:
            self._file.close()
            self._file = None
            return None
        line = self._line.removesuffix(b"\n").removesuffix(b",")
        return line if line.startswith(_quoted(card.guid).encode() + b": ") else None

    def __enter__(self) -> _OldRows:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()


_BATCH = 4096


def commit_state(staged: Path, path: Path) -> None:
    try:
        staged.replace(path)
    except OSError as err:
        staged.unlink(missing_ok=True)
        raise _write_error(path, err) from err


def _write_error(path: Path, err: OSError) -> OutputError:
    return OutputError(
        f"{path}: error: cannot write the state file: {err.strerror or err}"
    )


def encode_line(card: CardState) -> str:
    """The card's line in the file (without the separating comma): its entry as
    json.dumps(entry, ensure_ascii=False) writes it, formatted directly, which takes half
    the time of building the entry and encoding it."""
    return encode_entry(
        card.guid,
        card.key,
        card.note,
        card.kind,
        card.context,
        card.label,
        card.text,
        card.digest,
        card.modified,
        card.removed,
        card.id,
    )


def encode_entry(
    guid: str,
    key: tuple[str, ...],
    note: str,
    kind: str,
    context: tuple[str, ...],
    label: str,
    text: str,
    digest: str,
    modified: int,
    removed: bool,
    card_id: int,
) -> str:
    """encode_line of the CardState with these fields, without making it."""
    string = _string
    parts = [
        _quoted(guid),
        ': {"key": [',
        ", ".join(map(string, key)),
        '], "note": ',
        string(note),
        ', "kind": ',
        string(kind),
        ', "context": [',
        ", ".join(map(string, context)),
        '], "label": ',
        string(label),
        ', "text": ',
        string(text),
        ', "digest": ',
        string(digest),
        ', "modified": ',
        str(int(modified)),
    ]
    if removed:
        parts.append(', "removed": true')
    if card_id:
        parts += (', "id": ', str(int(card_id)))
    parts.append("}")
    return "".join(parts)


# A JSON string as json.dumps(..., ensure_ascii=False) writes it (json's C encoder).
_string = json.encoder.encode_basestring


def _quoted(guid: str) -> str:
    # flashgen's GUIDs are letters and digits; anything else is quoted by the encoder.
    return f'"{guid}"' if guid.isascii() and guid.isalnum() else json.dumps(guid)


def card_from_entry(
    guid: str, entry: dict[str, Any], shared: dict[Any, Any] | None = None
) -> CardState:
    """A card from its entry in the file. With `shared`, what many cards repeat (the
    note, the parts of keys, the heading paths) is kept once, there and in sys.intern."""
    key = tuple(map(str, entry["key"]))
    note, kind = str(entry["note"]), str(entry["kind"])
    context, label = tuple(map(str, entry["context"])), str(entry["label"])
    if shared is not None:
        key = tuple(map(sys.intern, key))
        note, kind, label = sys.intern(note), sys.intern(kind), sys.intern(label)
        context = shared.setdefault(context, tuple(map(sys.intern, context)))
    return CardState(
        guid=guid,
        key=key,
        note=note,
        kind=kind,
        context=context,
        label=label,
        text=str(entry["text"]),
        digest=str(entry["digest"]),
        modified=int(entry["modified"]),
        removed=bool(entry.get("removed", False)),
        id=int(entry.get("id", 0)),
    )
