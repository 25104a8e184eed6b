"""Package stage: Anki notes + media -> an .apkg on disk, written atomically.

The collection is written to a throw-away SQLite file (or to the build cache, where the
next build patches it), zipped with fixed entry dates and sorted media (same input, same
clock: same bytes), then renamed into place, so a build killed at any moment leaves the
previous deck intact.

The collection is compressed in pieces of 256 KiB, each a complete run of deflate blocks
that refers to nothing before it (what pigz does), on all cores. A piece whose bytes are
those of the same piece of the last deck is copied from that deck as it is: after a small
edit, only the few pieces SQLite touched are compressed again. A copy is first inflated
and compared with the piece's bytes: a damaged last deck is never copied from.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flashgen.anki.deck import AnkiNotes, DeckSettings, write_collection
from flashgen.errors import OutputError
from flashgen.state.lock import staged_beside

log = logging.getLogger(__name__)

_EPOCH = (1980, 1, 1, 0, 0, 0)
_PIECE = 1 << 18
# A final, empty block: ends a deflate stream made of pieces that each end unfinished.
_END = zlib.compressobj(6, zlib.DEFLATED, -15).flush()
# Pieces compressed at once: bounds the memory a large collection takes.
_BATCH = 64

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total): the build's progress callback (see builder.result.Progress)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One compressed piece of the collection, where it sits in a written deck."""

    digest: str
    """Of the piece's uncompressed bytes."""
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Previous:
    """The last deck written, with its pieces: what can be copied from it."""

    deck: Path
    pieces: Sequence[Piece]


_COLLECTION = "collection.anki2"


def is_deck(path: Path) -> bool:
    """Whether the file at `path` is a deck: a zip that holds an Anki collection."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _COLLECTION in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def write_package(
    notes: AnkiNotes,
    media: Mapping[str, Path],
    output: Path,
    timestamp: float,
    settings: DeckSettings,
    collection: Path | None = None,
    ready: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> Written:
    """Write the notes and their media (deck name -> file) to `output` atomically.

    With `collection`, the SQLite file is then kept there (for a later patch) when that
    folder takes it; `kept` says whether it did. `ready` is called just before the deck
    takes the place of `output`: what it raises leaves `output` as it was. `progress` is
    told ("rows", done, total) as the collection is written, then ("pieces", done, total)
    as it is compressed."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            dir=output.parent, prefix=".flashgen-"
        ) as scratch:
            database = Path(scratch, _COLLECTION)
            _write_collection(notes, database, timestamp, settings, progress)
            pieces = _package(
                database, media, output, Path(scratch), None, ready, progress
            )
            kept = collection is not None and _keep(database, collection)
            return Written(pieces, kept)
    except (OSError, sqlite3.Error) as err:  # a full disk, a file too large
        raise _write_error(output, err) from err


@dataclass(frozen=True, slots=True)
class Written:
    pieces: list[Piece]
    kept: bool


def _keep(database: Path, collection: Path) -> bool:
    """Move the collection into the cache; a cache that cannot take it is only slower."""
    staged = staged_beside(collection)
    try:
        collection.parent.mkdir(parents=True, exist_ok=True)
        try:
            database.replace(staged)
        except OSError:  # another file system
            shutil.copyfile(database, staged)
        staged.replace(collection)
    except OSError as err:
        log.debug("cannot keep the collection in %s: %r", collection, err)
        with contextlib.suppress(OSError):  # never a second error
            staged.unlink(missing_ok=True)
        return False
    return True


def package_collection(
    database: Path,
    media: Mapping[str, Path],
    output: Path,
    previous: Previous,
    progress: Progress | None = None,
    ready: Callable[[], None] | None = None,
) -> list[Piece]:
    """Zip an existing collection and its media into `output` atomically, copying the
    pieces that did not change from the previous deck; `progress` is told ("pieces",
    done, total) as it goes, and `ready` is called just before the deck replaces the
    old one (what must be in place with it)."""
    try:
        with tempfile.TemporaryDirectory(
            dir=output.parent, prefix=".flashgen-"
        ) as scratch:
            return _package(
                database,
                media,
                output,
                Path(scratch),
                previous,
                ready=ready,
                progress=progress,
            )
    except (OSError, sqlite3.Error) as err:
        raise _write_error(output, err) from err


def _write_error(output: Path, err: OSError | sqlite3.Error) -> OutputError:
    reason = (err.strerror if isinstance(err, OSError) else None) or err
    return OutputError(
        f"{output}: error: cannot write the deck: {reason} (nothing was replaced; free "
        "space on its disk, or write it elsewhere with -o)"
    )


def _package(
    database: Path,
    media: Mapping[str, Path],
    output: Path,
    scratch: Path,
    previous: Previous | None,
    ready: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> list[Piece]:
    staged = scratch / "deck.apkg"
    with zipfile.ZipFile(staged, "w") as archive:
        pieces = _add_collection(archive, database, previous, progress)
        names = sorted(media)
        index = {str(number): name for number, name in enumerate(names)}
        _add(archive, "media", json.dumps(index).encode(), compress=True)
        for number, name in enumerate(names):
            _add(archive, str(number), media[name].read_bytes(), compress=False)
    if ready is not None:
        ready()
    staged.replace(output)
    return pieces


def _write_collection(
    notes: AnkiNotes,
    database: Path,
    timestamp: float,
    settings: DeckSettings,
    progress: Progress | None,
) -> None:
    rows = functools.partial(progress, "rows") if progress is not None else None
    connection = sqlite3.connect(database)
    try:
        # A throw-away file: no journal, no fsync per statement.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        write_collection(connection, notes, timestamp, settings, rows)
        connection.commit()
    finally:
        connection.close()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, compress: bool) -> None:
    archive.writestr(_info(name, compress), data)


def _info(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


class _Precompressed:
    """Stands in for zipfile's compressor: hands over each piece as compressed already,
    while zipfile counts the sizes and CRC of the bytes it is given."""

    def __init__(self) -> None:
        self.next = b""

    def compress(self, data: bytes) -> bytes:
        piece, self.next = self.next, b""
        return piece

    def flush(self) -> bytes:
        return _END


def _add_collection(
    archive: zipfile.ZipFile,
    database: Path,
    previous: Previous | None,
    progress: Progress | None,
) -> list[Piece]:
    info = _info(_COLLECTION, compress=True)
    info.file_size = database.stat().st_size  # lets zipfile choose ZIP64 when needed
    total = -(-info.file_size // _PIECE)
    pieces: list[Piece] = []
    with (
        _OldPieces(previous) as old,
        database.open("rb") as source,
        archive.open(info, "w") as entry,
        ThreadPoolExecutor(os.cpu_count() or 1) as pool,
    ):
        compressor = _Precompressed()
        # zipfile's own compressor for this entry, replaced by the pieces. Should a
        # later Python rename it, fail loudly rather than write a broken deck.
        if not hasattr(entry, "_compressor"):
            raise RuntimeError("zipfile no longer takes a compressor per entry")
        entry._compressor = compressor
        assert archive.fp is not None
        offset = archive.fp.tell()
        for batch in _batches(source):
            digests = list(pool.map(_digest, batch))
            first = len(pieces)
            copies = [old.get(first + n, digest) for n, digest in enumerate(digests)]
            # A copy is taken only if it inflates to the piece's bytes: the last deck may
            # have changed behind its size and time (a disk error, a sync, an editor).
            reused = list(pool.map(_checked, copies, batch))
            fresh = pool.map(
                _deflate,
                [raw for raw, got in zip(batch, reused, strict=True) if got is None],
            )
            for raw, digest, got in zip(batch, digests, reused, strict=True):
                compressed = got if got is not None else next(fresh)
                compressor.next = compressed
                entry.write(raw)
                pieces.append(Piece(digest, offset, len(compressed)))
                offset += len(compressed)
            if progress is not None:
                progress("pieces", len(pieces), total)
    return pieces


def _batches(source: BinaryIO) -> Iterator[list[bytes]]:
    while True:
        batch = []
        for _ in range(_BATCH):
            raw = source.read(_PIECE)
            if not raw:
                break
            batch.append(raw)
        if not batch:
            return
        yield batch


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def _checked(compressed: bytes | None, raw: bytes) -> bytes | None:
    """The piece copied, if it holds exactly `raw`; None to compress it again."""
    if compressed is None:
        return None
    inflater = zlib.decompressobj(-15)
    try:
        inflated = inflater.decompress(compressed, len(raw) + 1)
    except zlib.error:
        return None
    if inflated != raw or inflater.unconsumed_tail or inflater.unused_data:
        log.debug("a piece of the last deck was damaged: compressed again")
        return None
    return compressed


def _deflate(raw: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH)


class _OldPieces:
    """The previous deck's pieces, read when a piece's bytes are unchanged."""

    def __init__(self, previous: Previous | None) -> None:
        self._pieces = previous.pieces if previous is not None else ()
        self._file = previous.deck.open("rb") if previous is not None else None

    def get(self, number: int, digest: str) -> bytes | None:
        if self._file is None or number >= len(self._pieces):
            return None
        piece = self._pieces[number]
        if piece.digest != digest:
            return None
        self._file.seek(piece.offset)
        data = self._file.read(piece.length)
        return data if len(data) == piece.length else None

    def __enter__(self) -> _OldPieces:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
