"""A state file's rows in place: the file as written in, the rows of some notes out, and
the file written again with only those rows replaced.

A rebuild after an edit gives the state file a full build gives; when the last build's
state file is at hand, untouched, it gets there by reading only the state entries of the
notes that changed and rewriting only their rows (see builder/patching.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from flashgen.state.file import staged_path, write_error
from flashgen.state.lines import (
    MIDDLE,
    REMOVED,
    NotesTable,
    Place,
    decode_line,
    entry_from_line,
    root_of,
)
from flashgen.state.saved import CardState, dataclass_fields

log = logging.getLogger(__name__)

_WINDOW = 32 << 20
"""How much of a mapped state file find_notes() holds in memory at a time."""
_SCAN_FROM = 16
"""From how many notes find_notes() reads every row rather than search for each note."""


class StateRows:
    """The lines of a state file as save_state writes it (the notes table, then one card
    a line in GUID order, then the closing line), searched without splitting or decoding
    the whole file, and without copying it.

    Positions count from the first card's row, as if every row ended with ",\n", the last
    one too: rows are then cut and added alike.
    """

    def __init__(self, data: bytes | mmap.mmap) -> None:
        newline = data.find(b"\n") + 1
        root = root_of(bytes(data[:newline])) if newline else None
        middle = data.find(b"\n" + MIDDLE, newline - 1) + 1
        if root is None or not middle:
            raise ValueError("not laid out as flashgen writes it")
        first = middle + len(MIDDLE)
        if data[-4:] != b"\n}}\n" or len(data) <= first + 4:
            raise ValueError("not laid out as flashgen writes it, or no cards")
        notes = bytes(data[newline : middle - 1])
        try:
            table = json.loads(b"{" + notes + b"}")
            self.entries = {
                ref: entry_from_line(ref, value, root) for ref, value in table.items()
            }
        except (TypeError, KeyError, AttributeError) as err:
            raise ValueError(f"not a notes table: {err}") from err
        self.root = root
        """The root deck the file's decks are relative to."""
        self._data = data
        self._first = first
        self._length = len(data) - 4 - first + 2

    def _index(self, what: bytes, start: int) -> int:
        at = self._data.find(what, start)
        if at == -1:
            raise ValueError("not laid out as flashgen writes it")
        return at

    def _row_end(self, start: int) -> int:
        end = self._index(b"\n", self._first + start) - self._first + 1
        return end + 1 if end == self._length - 1 else end  # the last row: as if ",\n"

    def _guid_at(self, start: int) -> bytes:
        at = self._first + start + 1
        return self._data[at : self._index(b'"', at)]

    def _first_from(self, guid: bytes) -> int:
        """Where the first row whose GUID is not below `guid` starts (binary search)."""
        low, high = 0, self._length
        while low < high:
            middle = (low + high) // 2
            newline = self._data.rfind(b"\n", self._first + low, self._first + middle)
            start = newline - self._first + 1 if newline != -1 else low
            if self._guid_at(start) < guid:
                low = self._row_end(start)
            else:
                high = start
        return low

    def __contains__(self, guid: object) -> bool:
        if not isinstance(guid, str):
            return False
        wanted = guid.encode()
        at = self._first_from(wanted)
        return at < self._length and self._guid_at(at) == wanted

    def notes_of(self, paths: Iterable[str], identities: Iterable[str]) -> set[str]:
        """The references of these notes (by path or by identity) in the notes table."""
        paths, identities = set(paths), set(identities)
        return {
            ref
            for ref, entry in self.entries.items()
            if entry.note in paths or entry.head in identities
        }

    def find_notes(
        self,
        paths: Iterable[str],
        identities: Iterable[str],
        window: int = _WINDOW,
        scan_from: int = _SCAN_FROM,
    ) -> list[tuple[int, int]]:
        """The rows of the cards of these notes (by path or by identity), and every
        retired row (which any note's new card may take back), as (start, end) spans in
        file order."""
        refs = self.notes_of(paths, identities)
        return self.find_refs(refs, window, scan_from, retired=True)

    def find_refs(
        self,
        refs: Iterable[str],
        window: int = _WINDOW,
        scan_from: int = _SCAN_FROM,
        *,
        retired: bool,
    ) -> list[tuple[int, int]]:
        """The rows of the cards of the notes with these references, and every retired
        row when asked for, as (start, end) spans in file order.

        A few notes' rows are found by searching for each note; many notes' by reading
        every row's note once, which costs the same however many notes there are.
        A mapped file is searched a window at a time, each let go of once searched: a
        large state file is never all in memory."""
        wanted = {ref.encode() for ref in refs}
        always = [REMOVED] if retired else []
        if len(wanted) < scan_from:
            needles = [b':["' + ref + b'",' for ref in sorted(wanted)]
            return self._find([*needles, *always], window)
        found = set(self._find(always, window)) if always else set()
        data, first = self._data, self._first
        limit = first + self._length - 2
        low = first
        while low < limit:
            # Whole rows at a time: up to the end of the row the window ends in.
            high = data.find(b"\n", min(low + window, limit - 1), limit)
            high = limit if high == -1 else high + 1
            chunk = data[low:high]
            for match in _NOTE.finditer(chunk):
                if match.group(1) in wanted:
                    at = match.start() + (chunk[match.start()] == ord("\n"))
                    start = low + at - first
                    found.add((start, self._row_end(start)))
            self._let_go(low, high)
            low = high
        return sorted(found)

    def _find(self, needles: list[bytes], window: int) -> list[tuple[int, int]]:
        data, first = self._data, self._first
        limit = first + self._length - 2
        reach = max(map(len, needles), default=1) - 1  # a needle across a window's end
        found = set()
        for low in range(first, limit, window):
            high = min(limit, low + window + reach)
            for needle in needles:
                at = data.find(needle, low, high)
                while at != -1:
                    start = data.rfind(b"\n", 0, at) + 1 - first
                    end = self._row_end(start)
                    found.add((start, end))
                    at = data.find(needle, first + end, high)
            self._let_go(low, high)
        return sorted(found)

    def _let_go(self, low: int, high: int) -> None:
        data = self._data
        if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            aligned = low - low % mmap.PAGESIZE
            data.madvise(mmap.MADV_DONTNEED, aligned, high - aligned)

    def cards(self, spans: Iterable[tuple[int, int]]) -> list[CardState]:
        cards = []
        for start, end in spans:
            row = self._data[self._first + start : self._first + end - 2]
            ((guid, value),) = json.loads(b"{" + row + b"}").items()
            cards.append(CardState(*decode_line(guid, value, self.entries).fields))
        return cards

    def replacement(
        self,
        found: Iterable[tuple[int, int]],
        old: Iterable[CardState],
        new: Iterable[CardState],
        refs: Iterable[str],
        root: str,
    ) -> tuple[list[tuple[int, int]], list[CardState], NotesTable]:
        """The rows to drop, the cards to write in their place and the notes table of the
        file once the rows found (`old`: those of the notes with these references, and
        retired ones) are replaced by `new`, with decks relative to `root`.

        A note whose line in the table changes though its rows were not found (its
        retired card taken back by another file's card, say, or its reference taken by
        a new note's) has all its rows written anew too, as a full write gives them."""
        spans, cards, dropped = set(found), list(new), list(old)
        refs = set(refs)
        while True:
            table, more = self._table_for(dropped, cards, refs, root)
            if not more:
                return sorted(spans), cards, table
            refs |= more
            extra = [
                span
                for span in self.find_refs(more, retired=False)
                if span not in spans
            ]
            spans.update(extra)
            # Cards kept as they were: dropped and written again, under the new line.
            kept = self.cards(extra)
            dropped += kept
            cards += kept

    def _table_for(
        self,
        old: Iterable[CardState],
        new: Iterable[CardState],
        refs: set[str],
        root: str,
    ) -> tuple[NotesTable, set[str]]:
        """The notes table once the rows of `old` are replaced by `new`, and the
        references of the other notes whose line in it is not the one they have here
        (whose rows `old` does not hold)."""
        kept = {
            (entry.note, entry.head): entry
            for ref, entry in self.entries.items()
            if ref not in refs
        }
        count: Counter[Place] = Counter()
        for card in old:
            place = _place(card)
            if place[:2] in kept:
                count[place] += 1
        places: list[Place] = []
        for card in new:
            place = _place(card)
            if place[:2] in kept:
                count[place] -= 1
            else:
                places.append(place)
        changed = {kept[place[:2]].ref for place, number in count.items() if number}
        for entry in kept.values():
            deck = entry.decks[0]
            places += [(entry.note, entry.head, c, deck) for c in entry.contexts]
            context = entry.contexts[0]
            places += [(entry.note, entry.head, context, d) for d in entry.decks]
        table = NotesTable(places, root)
        changed |= {
            entry.ref for where, entry in kept.items() if table.entries[where] != entry
        }
        return table, changed

    def write_replaced(
        self,
        spans: Iterable[tuple[int, int]],
        cards: Iterable[CardState],
        table: NotesTable,
        source: BinaryIO,
        target: BinaryIO,
    ) -> None:
        """Write the file with these rows dropped and these cards' rows put in GUID order,
        under this notes table (see replacement).

        `source` is the file these rows were read from: the rows kept are copied from it
        by the kernel where it can (os.copy_file_range), not passed through Python."""
        cuts = [(start, end, b"") for start, end in spans]
        for card in cards:
            at = self._first_from(card.guid.encode())
            cuts.append((at, at, table.line(*dataclass_fields(card)) + b",\n"))
        # A new row goes where a dropped row with its GUID was; new rows in GUID order.
        cuts.sort(key=lambda cut: (cut[0], cut[1] - cut[0] == 0, cut[2]))
        target.write(table.head())
        done = 0
        for start, end, row in cuts:
            self._copy(source, target, done, start)
            target.write(row)
            done = max(done, end)
        self._copy(source, target, done, self._length)
        # The last row ends without a comma.
        target.truncate(target.seek(-2, os.SEEK_END))
        target.write(b"\n}}\n")

    def _copy(self, source: BinaryIO, target: BinaryIO, start: int, end: int) -> None:
        """Rows [start, end) as they are in the file (the last row's ",\n" is not)."""
        real = self._length - 2
        if end > real:
            self._copy(source, target, start, real)
            target.write(b",\n"[max(start, real) - real :])
            return
        offset, count = self._first + start, end - start
        target.flush()  # what is buffered goes first: the kernel writes at the file's end
        while count > 0:
            try:
                copied = os.copy_file_range(
                    source.fileno(), target.fileno(), count, offset
                )
            except (AttributeError, OSError):  # not Linux, or not between these files
                copied = 0
            if copied <= 0:
                source.seek(offset)
                data = source.read(count)
                if len(data) != count:
                    raise OSError("the state file changed while it was read")
                target.write(data)
                return
            offset += copied
            count -= copied


def _place(card: CardState) -> Place:
    return card.note, card.key[0] if card.key else "", card.context, card.deck


_NOTE = re.compile(rb'(?:^|\n)"[^"\n]*":\["([^"\n]*)",')
"""A row's GUID and note reference, as NotesTable.line writes them."""


class MappedState:
    """The last state file, open and mapped (never read whole) for StateRows, and for
    copying its kept rows into the new file: open until closed."""

    def __init__(self, source: BinaryIO, mapped: mmap.mmap, rows: StateRows) -> None:
        self._source, self._mapped = source, mapped
        self.rows = rows

    @classmethod
    def open(cls, path: Path, stamp: object) -> MappedState | None:
        """The file at `path` when its size and modification time are still `stamp` (as
        [size, mtime_ns]) and it is laid out as written; None otherwise."""
        try:
            # Kept open: the rows kept are copied from the very file that was read.
            source = path.open("rb", buffering=0)
        except OSError as err:
            log.debug("cannot map the state file: %r", err)
            return None
        try:
            stat = os.fstat(source.fileno())
            if [stat.st_size, stat.st_mtime_ns] != stamp:
                source.close()
                return None
            mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as err:
            log.debug("cannot map the state file: %r", err)
            source.close()
            return None
        try:
            return cls(source, mapped, StateRows(mapped))
        except ValueError as err:
            log.debug("state file not laid out as written: %r", err)
            mapped.close()
            source.close()
            return None

    def stage_replaced(
        self,
        spans: Iterable[tuple[int, int]],
        cards: Iterable[CardState],
        table: NotesTable,
        path: Path,
    ) -> Path:
        """Write the file with these rows replaced (StateRows.write_replaced) beside
        `path`, to a temporary file that file.commit_state puts in place."""
        staged = staged_path(path)
        try:
            with staged.open("wb", buffering=0) as target:
                self.rows.write_replaced(spans, cards, table, self._source, target)
        except OSError as err:
            with contextlib.suppress(OSError):  # never a second error
                staged.unlink(missing_ok=True)
            raise write_error(path, err) from err
        return staged

    def close(self) -> None:
        """Unmapped and closed: a file is replaced only once it is (Windows refuses an
        open or mapped file)."""
        self._mapped.close()
        self._source.close()

    def __enter__(self) -> MappedState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
