"""The last build's cards as reconcile asks for them: by key, by GUID, and by position.

A state file laid out as flashgen writes it is read in place (StateIndex): the file is read
once, a few thousand rows at a time, and what is kept of each card is where its row is and
what reconcile reads of every card (GUID, digest, time, id, hashes of its key), in compact
arrays. A card is decoded from its row only when asked for. A 1,850,000-card state takes
about 120 bytes a card instead of a record of several hundred. Cards given as records (a
state in another layout, or made by hand in tests) are indexed as they are (MemoryIndex).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, overload

from flashgen.errors import OutputError
from flashgen.records import checked
from flashgen.state.lines import (
    BATCH,
    FOOTER,
    MIDDLE,
    NoteEntry,
    NotesTable,
    Place,
    decode_line,
    entry_from_line,
    root_of,
)
from flashgen.state.saved import CardState

_DIGEST = 24
"""The length of a digest as flashgen writes it; others are read from their row."""
_SALT = "\x00check"


class CardIndex(Sequence[CardState]):
    """What reconcile asks of the last build's cards; positions are GUID order for a
    file, the given order otherwise."""

    max_id: int = 0

    def find(self, key: tuple[str, ...]) -> int:
        """The position of the card with this key (the last of them), or -1."""
        raise NotImplementedError

    def holds(self, guid: str) -> bool:
        raise NotImplementedError

    def guid(self, index: int) -> str:
        raise NotImplementedError

    def digest(self, index: int) -> str:
        raise NotImplementedError

    def modified(self, index: int) -> int:
        raise NotImplementedError

    def id(self, index: int) -> int:
        raise NotImplementedError

    def removed(self, index: int) -> bool:
        raise NotImplementedError

    def deck(self, index: int) -> str:
        raise NotImplementedError

    def kept(self, index: int) -> CardState | tuple[str, int]:
        """What the new state holds for the card when it is kept as it was: its row,
        copied from the file (the GUID and the position), or the card itself."""
        raise NotImplementedError

    def cards(self, indexes: Sequence[int]) -> Iterator[CardState]:
        """The cards at these positions (in increasing order)."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> CardState: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[CardState]: ...

    def __getitem__(self, index: int | slice) -> CardState | Sequence[CardState]:
        raise NotImplementedError


def card_index(cards: Sequence[CardState]) -> CardIndex:
    return cards if isinstance(cards, CardIndex) else MemoryIndex(cards)


class MemoryIndex(CardIndex):
    def __init__(self, cards: Sequence[CardState]) -> None:
        self._cards = cards
        self._by_key = {card.key: index for index, card in enumerate(cards)}
        self._guids = {card.guid for card in cards}
        self.max_id = max((card.id for card in cards), default=0)

    def find(self, key: tuple[str, ...]) -> int:
        return self._by_key.get(key, -1)

    def holds(self, guid: str) -> bool:
        return guid in self._guids

    def guid(self, index: int) -> str:
        return self._cards[index].guid

    def digest(self, index: int) -> str:
        return self._cards[index].digest

    def modified(self, index: int) -> int:
        return self._cards[index].modified

    def id(self, index: int) -> int:
        return self._cards[index].id

    def removed(self, index: int) -> bool:
        return self._cards[index].removed

    def deck(self, index: int) -> str:
        return self._cards[index].deck

    def kept(self, index: int) -> CardState | tuple[str, int]:
        return self._cards[index]

    def cards(self, indexes: Sequence[int]) -> Iterator[CardState]:
        return (self._cards[index] for index in indexes)

    def __len__(self) -> int:
        return len(self._cards)

    def __getitem__(self, index: int | slice) -> Any:
        return self._cards[index]

    def __iter__(self) -> Iterator[CardState]:
        return iter(self._cards)


class StateIndex(CardIndex):
    """The cards of a state file laid out as written, read in place (see the module)."""

    def __init__(self, path: Path, stamp: tuple[int, int]) -> None:
        self.path = path
        self.stamp = stamp
        """The file's size and modification time when read: rows are read from it again
        only while they are unchanged."""
        self._starts = array("q")
        self._ends = array("q")
        self._guids = bytearray()
        self._guid_ends = array("q")
        self._digests = bytearray()
        self._odd: set[int] = set()
        """Cards whose digest is not _DIGEST bytes long (written by hand)."""
        self._modified = array("q")
        self._ids = array("q")
        self._removed = bytearray()
        self._hashes = array("q")
        self._checks = array("q")
        self._keys = array("q")
        self._key_rows = array("q")
        self._entries: dict[str, NoteEntry] = {}
        """The notes table, by reference."""
        self._entry_list: list[NoteEntry] = []
        self._entry_numbers: dict[str, int] = {}
        self._places = array("i")
        """Each card's note (in _entry_list), heading path and deck (in its note's), one
        after the other."""
        self._same: tuple[NotesTable | None, dict[int, bool]] = (None, {})

    @classmethod
    def read(cls, stream: BinaryIO, path: Path) -> StateIndex | None:
        """The file's cards when laid out as save_state writes it (the first line, one
        note a line, the line between notes and cards, one card a line in GUID order,
        the last line); None for any other layout."""
        stat = os.fstat(stream.fileno())
        index = cls(path, (stat.st_size, stat.st_mtime_ns))
        head = stream.readline()
        root = root_of(head)
        if root is None:
            return None
        offset = len(head)
        notes: list[bytes] = []
        for line in stream:
            offset += len(line)
            if line == MIDDLE:
                break
            if not line.endswith(b"\n"):
                return None
            notes.append(line[:-2] if line.endswith(b",\n") else line[:-1])
        else:
            return None  # cut short
        if not index._add_notes(notes, root):
            return None
        rows: list[tuple[bytes, int]] = []
        last = False  # the last row (no comma after it) is read
        for line in stream:
            start, offset = offset, offset + len(line)
            if line == FOOTER and not len(index) and not rows and not last:
                break  # no cards at all
            if last:
                if line != FOOTER or not index._add(rows):
                    return None
                break
            if line.endswith(b",\n"):
                rows.append((line[:-2], start))
            elif line.endswith(b"\n"):
                rows.append((line[:-1], start))
                last = True
            else:
                return None
            if len(rows) == BATCH and not index._add(rows):
                return None
        else:
            return None  # cut short
        if stream.read(1):
            return None
        index._sort_keys()
        return index

    def _add_notes(self, lines: list[bytes], root: str) -> bool:
        try:
            table = json.loads(b"{" + b",".join(lines) + b"}")
            if not isinstance(table, dict) or len(table) != len(lines):
                return False
            for ref, value in table.items():
                entry = entry_from_line(ref, value, root)
                self._entry_numbers[ref] = len(self._entry_list)
                self._entry_list.append(entry)
                self._entries[ref] = entry
        except (ValueError, TypeError, KeyError):
            return False
        return True

    def _add(self, rows: list[tuple[bytes, int]]) -> bool:
        """Index rows (one card each, in GUID order); False when they are not."""
        if not rows:
            return True
        try:
            entries = json.loads(b"{" + b",".join(row for row, _ in rows) + b"}")
        except ValueError:
            return False
        if not isinstance(entries, dict) or len(entries) != len(rows):
            return False  # a row holds more or less than one card
        last = self.guid(len(self) - 1) if len(self) else None
        for (row, start), (guid, value) in zip(rows, entries.items(), strict=True):
            if last is not None and guid <= last:
                return False  # not in GUID order, so not as written
            last = guid
            try:
                decoded = decode_line(guid, value, self._entries)
            except (ValueError, TypeError, KeyError, IndexError):
                return False
            card = CardState(*decoded.fields)
            number = len(self._starts)
            self._starts.append(start)
            self._ends.append(start + len(row))
            self._guids += guid.encode()
            self._guid_ends.append(len(self._guids))
            digest = card.digest.encode()
            if len(digest) != _DIGEST:
                self._odd.add(number)
                digest = bytes(_DIGEST)
            self._digests += digest
            self._modified.append(card.modified)
            self._ids.append(card.id)
            self._removed.append(card.removed)
            self._hashes.append(hash(card.key))
            self._checks.append(hash((_SALT, card.key)))
            self._places += array(
                "i", (self._entry_numbers[decoded.ref], decoded.context, decoded.deck)
            )
            self.max_id = max(self.max_id, card.id)
        rows.clear()
        return True

    def _sort_keys(self) -> None:
        hashes = self._hashes
        # Stable: cards with the same hash stay in GUID order.
        order = sorted(range(len(hashes)), key=hashes.__getitem__)
        self._keys = array("q", (hashes[row] for row in order))
        self._key_rows = array("q", order)
        self._hashes = array("q")

    def __len__(self) -> int:
        return len(self._starts)

    def find(self, key: tuple[str, ...]) -> int:
        wanted = hash(key)
        keys = self._keys
        at = bisect.bisect_left(keys, wanted)
        found = -1
        check = None
        while at < len(keys) and keys[at] == wanted:
            row = self._key_rows[at]
            if check is None:
                check = hash((_SALT, key))
            if self._checks[row] == check:
                found = row
            at += 1
        return found

    def holds(self, guid: str) -> bool:
        return self._at(guid) >= 0

    def _at(self, guid: str) -> int:
        """The position of the card with this GUID (rows are in GUID order), or -1."""
        at = bisect.bisect_left(range(len(self)), guid, key=self.guid)
        return at if at < len(self) and self.guid(at) == guid else -1

    def guid(self, index: int) -> str:
        start = self._guid_ends[index - 1] if index else 0
        return self._guids[start : self._guid_ends[index]].decode()

    def digest(self, index: int) -> str:
        if index in self._odd:
            card: CardState = self[index]
            return card.digest
        return self._digests[_DIGEST * index : _DIGEST * (index + 1)].decode()

    def modified(self, index: int) -> int:
        return self._modified[index]

    def id(self, index: int) -> int:
        return self._ids[index]

    def removed(self, index: int) -> bool:
        return bool(self._removed[index])

    def deck(self, index: int) -> str:
        entry, _, deck = self._places[3 * index : 3 * index + 3]
        return self._entry_list[entry].decks[deck]

    def place(self, index: int) -> Place:
        """The card's note path, note identity, heading path and deck."""
        number, context, deck = self._places[3 * index : 3 * index + 3]
        entry = self._entry_list[number]
        return entry.note, entry.head, entry.contexts[context], entry.decks[deck]

    def copyable(self, index: int, table: NotesTable) -> bool:
        """Whether the card's line can be copied into a file with this notes table:
        its note's line there is the one it has here."""
        if self._same[0] is not table:
            self._same = (table, {})
        number = self._places[3 * index]
        same = self._same[1].get(number)
        if same is None:
            entry = self._entry_list[number]
            same = table.entries.get((entry.note, entry.head)) == entry
            self._same[1][number] = same
        return same

    def kept(self, index: int) -> CardState | tuple[str, int]:
        return self.guid(index), index

    def position(self, card: CardState) -> int:
        """Where `card` is, when it is one of these cards as read; else -1."""
        at = self._at(card.guid)
        return at if at >= 0 and self[at] == card else -1

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = checked(index, len(self))
        with self.rows() as row:
            return self._card(index, row(index))

    def __iter__(self) -> Iterator[CardState]:
        return self.cards(range(len(self)))

    def cards(self, indexes: Sequence[int]) -> Iterator[CardState]:
        if not indexes:
            return
        with self.rows() as row:
            for start in range(0, len(indexes), BATCH):
                batch = indexes[start : start + BATCH]
                values = json.loads(b"{" + b",".join(map(row, batch)) + b"}")
                for guid, value in values.items():
                    yield CardState(*decode_line(guid, value, self._entries).fields)

    def _card(self, index: int, row: bytes) -> CardState:
        ((guid, value),) = json.loads(b"{" + row + b"}").items()
        return CardState(*decode_line(guid, value, self._entries).fields)

    @contextlib.contextmanager
    def rows(self) -> Iterator[Callable[[int], bytes]]:
        """A reader of rows as they are in the file, by position (fastest in order)."""
        try:
            stream = self.path.open("rb", buffering=1 << 20)
        except OSError as err:
            raise _changed(self.path, err) from err
        with stream:
            stat = os.fstat(stream.fileno())
            if (stat.st_size, stat.st_mtime_ns) != self.stamp:
                raise _changed(self.path)

            def row(index: int) -> bytes:
                start = self._starts[index]
                try:
                    stream.seek(start)
                    return stream.read(self._ends[index] - start)
                except OSError as err:
                    raise _changed(self.path, err) from err

            yield row


def _changed(path: Path, err: OSError | None = None) -> OutputError:
    why = f" ({err.strerror or err})" if err is not None else ""
    return OutputError(
        f"{path}: error: the state file changed or went away during the build{why} "
        "(build again)"
    )
