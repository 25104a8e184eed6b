"""The cache's index rows: an entry (what the cache knows of one note) in, a signed JSON
row out, and back; a row not signed with the folder's key is not taken.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flashgen.cachefolder import CacheKey
from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Reads:
    """What processing a note read besides the note itself."""

    media: bool
    """Whether it looked up vault files (images, audio): then any change among the vault's
    non-note files invalidates it."""
    notes: tuple[str, ...] | None
    """The notes it embedded; None when it looked up no note at all."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What the cache knows of one note."""

    size: int
    mtime: int
    """Nanoseconds; -1 when the note changed too close to the build to trust its time."""
    digest: str
    reads: Reads
    payload: bytes | tuple[int, int]
    """The packed cards (store/codec.py's bytes), or where they sit in the data file (offset,
    length)."""
    files: tuple[tuple[str, str], ...] = ()
    """The media its cards show (vault path, name in the deck)."""
    problems: tuple[tuple[Any, ...], ...] = ()
    """Its diagnostics (see encode_diagnostics)."""
    mac: str = ""
    """The keyed digest of the packed cards (see CacheKey)."""


def index_row(
    rel: str, entry: Entry, offset: int, length: int, key: CacheKey
) -> list[object]:
    """The entry's row in the index, its cards at (offset, length) in the data file."""
    reads = entry.reads
    row: list[object] = [
        rel,
        entry.size,
        entry.mtime,
        entry.digest,
        reads.media,
        reads.notes,
        offset,
        length,
        entry.files,
        entry.problems,
        entry.mac,
    ]
    row.append(key.sign(_row_bytes(row)))
    return row


def entry_of_row(row: Sequence[Any], key: CacheKey) -> tuple[str, Entry] | None:
    """The note and entry of a row index_row made; None when it is not signed with the
    key; ValueError, TypeError, ... when it is damaged."""
    if not key.verifies(_row_bytes(row[:-1]), row[-1]):
        return None
    rel, size, mtime, digest, media, notes, offset, length = row[:8]
    files, problems, mac = row[8:-1]
    return str(rel), Entry(
        size=int(size),
        mtime=int(mtime),
        digest=str(digest),
        reads=Reads(bool(media), None if notes is None else tuple(notes)),
        payload=(int(offset), int(length)),
        files=tuple((str(path), str(name)) for path, name in files),
        problems=tuple(map(tuple, problems)),
        mac=str(mac),
    )


def _row_bytes(row: Sequence[object]) -> bytes:
    """An index row as its keyed digest covers it (the same after a JSON round trip)."""
    return json.dumps(row, ensure_ascii=False).encode()
