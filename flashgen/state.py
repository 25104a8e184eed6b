"""State file: what the last build made, so the next one keeps identities and times.

`.flashgen-state.json` at the vault root maps each card's GUID to its structural key, a short
text of its answer (for re-matching) and a digest and time of its content (for Anki's
"newer wins" update rule). Plain JSON, sorted, meant to be committed with the notes; written
to a temporary file and renamed into place.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, runtime_checkable

from flashgen.errors import OutputError
from flashgen.records import quick_init
from flashgen.report import Diagnostic, Severity

if TYPE_CHECKING:
    from flashgen.stateindex import StateIndex

log = logging.getLogger(__name__)

STATE_FILE = ".flashgen-state.json"
SHARED_STATE_FILE = ".flashgen-shared-state.json"
"""A shared deck's own times and digests (`--share`): its cards carry other fields than
the personal deck's, so each deck keeps its own state and neither rewrites the other's."""
_VERSION = 1


@quick_init
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
class State:
    cards: Sequence[CardState] = ()
    """In any order: the file has them in GUID order."""
    source: StateIndex | None = field(default=None, compare=False, repr=False)
    """The file the cards were read from: a card that is still the one read is written
    back as the same bytes, copied from that file rather than encoded again."""


def load_state(path: Path) -> tuple[State, tuple[Diagnostic, ...]]:
    """The saved state, or an empty one with a loud warning when it cannot be read."""
    if not path.exists():
        return State(), ()
    from flashgen.stateindex import StateIndex

    try:
        with path.open("rb") as stream:
            # Read in place when laid out as written: a large state is never all in
            # memory as records.
            index = StateIndex.read(stream, path)
            if index is not None:
                return State(index, index), ()
            stream.seek(0)
            cards = _read_document(stream.read())
    except (
        OSError,
        ValueError,
        KeyError,
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
                "labels and headings will become new cards "
                f"({err}; restore it from version control, or delete it to silence this)",
            ),
        )
    return State(cards), ()


HEADER = f'{{"version": {_VERSION}, "cards": {{\n'.encode()
FOOTER = b"}}\n"


def _read_document(data: bytes) -> tuple[CardState, ...]:
    """Any JSON layout of the state (a file reformatted by hand or by a tool)."""
    document = json.loads(data)
    if document.get("version") != _VERSION:
        raise ValueError(f"unknown version {document.get('version')!r}")
    return tuple(
        card_from_entry(guid, entry) for guid, entry in document["cards"].items()
    )


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
            stream.write(HEADER)
            rows = _rows(state, path.parent, run)
            for start, batch in enumerate(_batches(rows)):
                if start:
                    stream.write(b",\n")
                stream.write(b",\n".join(batch))
            stream.write(b"\n" + FOOTER)
    except OSError as err:
        _discard(staged)
        raise _write_error(path, err) from err
    except BaseException:
        _discard(staged)  # the state file changed since it was read
        raise
    return staged


def _discard(staged: Path) -> None:
    with contextlib.suppress(OSError):  # what stands there may not be a file
        staged.unlink(missing_ok=True)


Encoded = tuple[str, bytes]
"""A card's GUID and its row, encoded already."""

Copied = tuple[str, int]
"""A card's GUID and its position in the file its state was read from (State.source):
its row is copied from there."""


@runtime_checkable
class EncodedCards(Protocol):
    """Cards that give their rows encoded already, or to be copied, rather than as
    records (see reconcile)."""

    def encoded(self) -> Iterator[CardState | Encoded | Copied]: ...


def _rows(state: State, scratch: Path, size: int) -> Iterator[bytes]:
    """The state's rows in GUID order. A card that is still the one read from the state
    file gets its row back as it was, copied from the file."""
    source = state.source
    cards = state.cards
    items = cards.encoded() if isinstance(cards, EncodedCards) else cards
    first = itemgetter(0)

    def pair(item: CardState | Encoded | Copied) -> tuple[str, bytes | int]:
        if not isinstance(item, CardState):
            return item
        at = source.position(item) if source is not None else -1
        return item.guid, at if at >= 0 else encode_line(item).encode()

    with contextlib.ExitStack() as files:
        copy = files.enter_context(source.rows()) if source is not None else None

        def row(value: bytes | int) -> bytes:
            if isinstance(value, bytes):
                return value
            assert copy is not None
            return copy(value)

        runs: list[BinaryIO] = []
        run: list[tuple[str, bytes | int]] = []
        for item in items:
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


BATCH = 4096


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


_LARGEST = 2**53
"""Times and ids past this are not flashgen's (Anki's ids are milliseconds)."""


def card_from_entry(guid: str, entry: dict[str, Any]) -> CardState:
    """A card from its entry in the file; ValueError for a time or id out of range."""
    modified, card_id = int(entry["modified"]), int(entry.get("id", 0))
    if not (0 <= modified < _LARGEST and 0 <= card_id < _LARGEST):
        raise ValueError(f"card {guid}: time or id out of range")
    return CardState(
        guid=guid,
        key=tuple(map(str, entry["key"])),
        note=str(entry["note"]),
        kind=str(entry["kind"]),
        context=tuple(map(str, entry["context"])),
        label=str(entry["label"]),
        text=str(entry["text"]),
        digest=str(entry["digest"]),
        modified=modified,
        removed=bool(entry.get("removed", False)),
        id=card_id,
    )
