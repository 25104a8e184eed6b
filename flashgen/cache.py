"""Cache: each note's output as bytes in, the same bytes out while the note is unchanged.

Per note it keeps what parsing, extraction and rendering made of the note (its cards as
bytes, encoded by store/codec.py: the cache never reads them, and its diagnostics) with
the note's size, modification time and content hash, and what else the note read (media
files, embedded notes). An entry is reused while all of that is unchanged. Beside it, a
record of the last deck written lets a build that finds nothing changed skip writing
altogether, and a copy of that deck's collection lets a build that finds a few notes
changed patch it (see builder/patching.py).
It lives in the user's cache folder, never in the vault; files are written to a temporary
name and renamed; an unreadable cache counts as empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import mmap
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from flashgen.cachefolder import (
    CACHE_FORMAT,
    CacheKey,
    decode_diagnostics,
    encode_diagnostics,
    listing_digest,
    prune,
    read_json,
    stat_of,
    write_atomically,
)
from flashgen.cacheindex import Entry, Reads, entry_of_row, index_row
from flashgen.discover import SourceFile
from flashgen.report import Diagnostic
from flashgen.state.lock import staged_beside

log = logging.getLogger(__name__)

T = TypeVar("T")

# A file modified this close to the build that read it may change again within the same
# clock tick, unseen by its size and time: such entries are checked by content next time.
_RACY_NS = 2_000_000_000


class NoteCache:
    """Stored output per note, for one vault and one set of settings."""

    def __init__(
        self, folder: Path, key: str, media_digest: str, notes_digest: str
    ) -> None:
        self.folder = folder
        self.key = key
        self.secret = CacheKey(folder)
        # A small index (checked on every build) and the outputs, read only when used.
        self.file = folder / f"notes-{key}.json"
        self._data = folder / f"notes-{key}.data"
        self._token = ""
        self._blob: mmap.mmap | None = None
        self._media = media_digest
        self._notes = notes_digest
        self._started = time.time_ns()
        self._old: dict[str, Entry] = {}
        self._old_media = self._old_notes = ""
        self._entries: dict[str, Entry] = {}
        self._stats: dict[str, tuple[int, int] | None] = {}
        self._changed = False
        # New outputs go to disk as they come (a large vault's are never all in memory): at
        # the end of the data file, or into a new one (`_sink_path`) that replaces it.
        self._sink: BinaryIO | None = None
        self._sink_path: Path | None = None
        self._sink_token = ""
        self._sink_failed = False
        self._sunk: set[str] = set()
        self._load()

    def write_record(self, path: Path, record: Mapping[str, Any]) -> None:
        """Keep a JSON record beside the entries, signed with the folder's key."""
        text = json.dumps(dict(record), ensure_ascii=False, sort_keys=True)
        signed = {"record": record, "mac": self.secret.sign(text.encode())}
        write_atomically(path, [json.dumps(signed, ensure_ascii=False).encode()])

    def read_record(self, path: Path) -> dict[str, Any] | None:
        """A record write_record kept; None when absent, unreadable or not signed."""
        data = read_json(path)
        record = data.get("record") if data is not None else None
        if not isinstance(record, dict) or data is None:
            return None
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        if not self.secret.verifies(text.encode(), data.get("mac")):
            log.debug("record %s not signed with the cache's key", path)
            return None
        return record

    def check(self, sources: Sequence[SourceFile]) -> None:
        """Find which notes are unchanged since their entry was made (see `unchanged`)."""
        # Taken before any note is read: a note that changes while the build reads it
        # then has a newer time than its entry and is checked by content next time.
        self._stats = {source.rel: stat_of(source.file) for source in sources}
        valid: dict[str, Entry] = {}
        for source in sources:
            entry = self._unchanged(source)
            if entry is not None:
                valid[source.rel] = entry
        # A note that embeds others is valid only while they are.
        stale = True
        while stale:
            stale = False
            for rel, entry in list(valid.items()):
                if entry.reads.notes and any(n not in valid for n in entry.reads.notes):
                    del valid[rel]
                    stale = True
        self._entries = valid
        same = len(valid) == len(self._old) == len(sources)
        self._changed = self._changed or not same

    def reusable(self) -> set[str]:
        """Vault paths of the unchanged notes, whose output is stored."""
        return set(self._entries)

    def output(
        self, rel: str, decode: Callable[[bytes], T]
    ) -> tuple[T, list[Diagnostic]] | None:
        """An unchanged note's stored cards, decoded from their bytes by `decode`, and its
        diagnostics; None when unreadable, or when `decode` raises ValueError (the entry
        is dropped and the note must be processed again)."""
        entry = self._entries.get(rel)
        if entry is None:
            return None
        try:
            payload = self._payload(entry)
            if not self.secret.verifies(payload, entry.mac):
                raise ValueError("cache entry not signed with this cache's key")
            return decode(payload), decode_diagnostics(entry.problems)
        except (OSError, ValueError, TypeError, KeyError, IndexError) as err:
            log.debug("cache entry for %s unreadable: %r", rel, err)
            del self._entries[rel]
            self._changed = True
            return None

    def _payload(self, entry: Entry) -> bytes:
        if isinstance(entry.payload, bytes):
            return entry.payload
        if self._blob is None:
            # Mapped, not read: a large vault's outputs need not sit in memory twice.
            with self._data.open("rb") as stream:
                blob = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
            if blob[: len(self._token) + 1] != self._token.encode() + b"\n":
                blob.close()
                raise ValueError("data file does not belong to the index")
            self._blob = blob
        offset, length = entry.payload
        if offset + length > len(self._blob):
            raise ValueError("data file is short")
        return self._blob[offset : offset + length]

    def record(
        self,
        source: SourceFile,
        stored: bytes,
        diagnostics: Iterable[Diagnostic],
        *,
        digest: str,
        reads: Reads,
        files: tuple[tuple[str, str], ...],
    ) -> None:
        """Keep a freshly processed note's output: its cards as bytes (`stored`), its
        diagnostics, the SHA-256 of the note's bytes (`digest`; "" when it was not
        read: nothing is kept), what else it read and the media its cards show. Its size
        and time are those seen before it was read."""
        stat = self._stats.get(source.rel)
        if stat is None or not digest:
            return
        size, mtime = stat
        if mtime >= self._started - _RACY_NS:
            mtime = -1
        problems = tuple(map(tuple, encode_diagnostics(diagnostics)))
        packed = stored
        payload: bytes | tuple[int, int] = packed
        sink = self._open_sink()
        if sink is not None:
            try:
                offset = sink.tell()
                sink.write(packed)
                payload = (offset, len(packed))
                if self._sink_path is not None:
                    self._sunk.add(source.rel)
            except OSError as err:
                log.debug("cannot write the cache: %r", err)
                self._sink_failed = True
        self._entries[source.rel] = Entry(
            size=size,
            mtime=mtime,
            digest=digest,
            reads=reads,
            payload=payload,
            files=files,
            problems=problems,
            mac=self.secret.sign(packed),
        )
        self._changed = True

    def _open_sink(self) -> BinaryIO | None:
        if self._sink is not None or self._sink_failed:
            return self._sink
        try:
            if self._appendable():
                self.close()  # unmapped before it grows
                self._sink, self._sink_token = self._data.open("ab"), self._token
            else:
                token = os.urandom(8).hex()
                path = staged_beside(self._data)
                path.parent.mkdir(parents=True, exist_ok=True)
                self._sink = path.open("wb")
                self._sink.write(token.encode() + b"\n")
                self._sink_path, self._sink_token = path, token
        except OSError as err:
            log.debug("cannot write the cache: %r", err)
            self._sink_failed = True
        return self._sink

    def fresh(self, sources: Sequence[SourceFile]) -> list[SourceFile]:
        """The notes with no usable entry: those a build must process."""
        return [source for source in sources if source.rel not in self._entries]

    def gone(self, sources: Sequence[SourceFile]) -> list[str]:
        """Notes the cache had that are no longer there."""
        present = {source.rel for source in sources}
        return sorted(rel for rel in self._old if rel not in present)

    def files(self) -> dict[str, str]:
        """Every note's media: name in the deck -> vault path."""
        return {
            name: source
            for entry in self._entries.values()
            for source, name in entry.files
        }

    def problems(self, rel: str) -> list[Diagnostic]:
        """A note's stored diagnostics."""
        return decode_diagnostics(self._entries[rel].problems)

    def loaded_contents(self) -> str:
        """contents() as it was when the cache was last saved."""
        listing = sorted((rel, entry.digest) for rel, entry in self._old.items())
        return listing_digest([self.key, self._old_media, self._old_notes, listing])

    def contents(self) -> str:
        """Digest of what the entries hold: the same while no note's output changed."""
        listing = sorted((rel, entry.digest) for rel, entry in self._entries.items())
        return listing_digest([self.key, self._media, self._notes, listing])

    @property
    def unchanged(self) -> bool:
        """Whether every note's output came from the cache, with nothing added or gone."""
        return not self._changed

    def save(self) -> None:
        """Write the entries when they changed; problems are logged, never raised."""
        if not self._changed:
            self.close()
            return
        if self._sink is not None and self._sink_path is not None:
            index = self._finish(self._sink, self._sink_path)
        else:
            if self._sink is not None:
                self._sink.close()  # appended to the data file
                self._sink = None
            index = self._append() if self._appendable() else self._rewrite()
        if index is not None:
            header = {
                "format": CACHE_FORMAT,
                "key": self.key,
                "media": self._media,
                "notes": self._notes,
                "token": self._token,
                "entries": index,
            }
            write_atomically(
                self.file, [json.dumps(header, ensure_ascii=False).encode()]
            )
        self.close()
        prune(self.folder, keep=(self.file, self._data))
        self._changed = False

    def _appendable(self) -> bool:
        """Whether new outputs can go at the end of the data file: it belongs to the
        index, and at least half of it is still in use (else it is written afresh)."""
        live = sum(
            entry.payload[1]
            for entry in self._entries.values()
            if not isinstance(entry.payload, bytes)
        )
        try:
            with self._data.open("rb") as stream:
                token = stream.read(len(self._token) + 1)
                size = stream.seek(0, os.SEEK_END)
        except OSError:
            return False
        return (
            bool(self._token)
            and token == self._token.encode() + b"\n"
            and size <= 2 * live
        )

    def _append(self) -> list[list[object]] | None:
        """New outputs are added at the end; the rest of the data file stays as it is.
        Until the index is replaced, the old index still reads the file correctly."""
        self.close()
        spans: dict[str, tuple[int, int]] = {}
        try:
            with self._data.open("ab") as stream:
                offset = stream.tell()
                for rel in sorted(self._entries):
                    payload = self._entries[rel].payload
                    if isinstance(payload, bytes):
                        stream.write(payload)
                        spans[rel] = (offset, len(payload))
                        offset += len(payload)
        except OSError as err:
            log.debug("cannot append to %s: %r", self._data, err)
            return None
        index = []
        for rel in sorted(self._entries):
            entry = self._entries[rel]
            span = spans.get(rel) or entry.payload
            assert not isinstance(span, bytes)
            index.append(index_row(rel, entry, *span, self.secret))
        return index

    def _rewrite(self) -> list[list[object]] | None:
        token = os.urandom(8).hex()
        index: list[list[object]] = []

        def chunks() -> Iterator[bytes]:
            # Written note by note: the outputs are never all in memory at once.
            offset = len(token) + 1
            yield token.encode() + b"\n"
            for rel in sorted(self._entries):
                entry = self._entries[rel]
                payload = self._payload(entry)
                index.append(index_row(rel, entry, offset, len(payload), self.secret))
                yield payload
                offset += len(payload)
            # Unmapped before the new file replaces it (Windows refuses a mapped file).
            self.close()

        # The data first: an index is only ever read with the data it names (the token).
        if not write_atomically(self._data, chunks()):
            return None
        self._token = token
        return index

    def _finish(self, sink: BinaryIO, path: Path) -> list[list[object]] | None:
        """The new data file, given the outputs reused from the old one, replaces it."""
        self._sink = self._sink_path = None
        spans = {}
        try:
            with sink:
                for rel in sorted(self._entries):
                    entry = self._entries[rel]
                    if rel in self._sunk:
                        spans[rel] = entry.payload
                        continue
                    payload = self._payload(entry)
                    spans[rel] = (sink.tell(), len(payload))
                    sink.write(payload)
            self.close()  # the old file unmapped before it is replaced
            path.replace(self._data)
        except (OSError, ValueError) as err:
            log.debug("cannot write cache %s: %r", self._data, err)
            with contextlib.suppress(OSError):  # never a second error
                path.unlink(missing_ok=True)
            return None
        self._token = self._sink_token
        rows = []
        for rel in sorted(self._entries):
            span = spans[rel]
            assert not isinstance(span, bytes)
            rows.append(index_row(rel, self._entries[rel], *span, self.secret))
        return rows

    def close(self) -> None:
        """Let go of the mapped data file (and of a new one never finished)."""
        if self._blob is not None:
            self._blob.close()
            self._blob = None
        if self._sink is not None:
            self._sink.close()
            if self._sink_path is not None:
                with contextlib.suppress(OSError):  # never a second error
                    self._sink_path.unlink(missing_ok=True)
            self._sink = self._sink_path = None

    def _load(self) -> None:
        try:
            header = json.loads(self.file.read_bytes())
            if header.get("format") != CACHE_FORMAT or header.get("key") != self.key:
                return
            old_media, old_notes = str(header["media"]), str(header["notes"])
            token = str(header["token"])
            entries = {}
            for row in header["entries"]:
                found = entry_of_row(row, self.secret)
                if found is None:
                    log.debug("cache entry %r not signed with the key: left", row[0])
                    continue
                entries[found[0]] = found[1]
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            log.debug("cache %s unreadable, starting empty: %r", self.file, err)
            return
        self._old, self._old_media, self._old_notes = entries, old_media, old_notes
        self._token = token

    def _unchanged(self, source: SourceFile) -> Entry | None:
        entry = self._old.get(source.rel)
        stat = self._stats[source.rel]
        if entry is None or stat is None or stat[0] != entry.size:
            return None
        if entry.reads.media and self._old_media != self._media:
            return None
        if entry.reads.notes is not None and self._old_notes != self._notes:
            return None
        if stat[1] == entry.mtime:
            return entry
        # Same size, another time: unchanged only if the bytes are the same.
        try:
            digest = hashlib.sha256(source.path.read_bytes()).hexdigest()
        except OSError:
            return None
        if digest != entry.digest:
            return None
        # The refreshed time is written with the next change, not on its own.
        mtime = stat[1] if stat[1] < self._started - _RACY_NS else -1
        return replace(entry, mtime=mtime)
