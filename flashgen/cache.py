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

import hashlib
import hmac
import json
import logging
import mmap
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from flashgen.discover import SourceFile
from flashgen.records import quick_init
from flashgen.report import Diagnostic, Severity
from flashgen.version import __version__

log = logging.getLogger(__name__)

T = TypeVar("T")

CACHE_ENV = "FLASHGEN_CACHE_DIR"
"""Where caches go instead of the user's cache folder (a path)."""
_FORMAT = 6
_KEY_FILE = "key"
_KEY_BYTES = 32
# A file modified this close to the build that read it may change again within the same
# clock tick, unseen by its size and time: such entries are checked by content next time.
_RACY_NS = 2_000_000_000
# Libraries whose output ends up in the cards.
_LIBRARIES = ("pyromark", "pygments", "nh3", "ftfy", "PyYAML")


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
class _Entry:
    size: int
    mtime: int
    """Nanoseconds; -1 when the note changed too close to the build to trust its time."""
    digest: str
    reads: Reads
    payload: bytes | tuple[int, int]
    """The packed cards (packed.encode_packed), or where they sit in the data file (offset,
    length)."""
    files: tuple[tuple[str, str], ...] = ()
    """The media its cards show (vault path, name in the deck)."""
    problems: tuple[tuple[Any, ...], ...] = ()
    """Its diagnostics (see encode_diagnostics)."""
    mac: str = ""
    """The keyed digest of the packed cards (see CacheKey)."""


class CacheKey:
    """A secret of one cache folder (a file only its owner reads): entries carry a keyed
    digest (HMAC-SHA256), so an entry not written by flashgen with this folder's key
    (crafted, or copied from elsewhere) is not taken; it counts as a cache miss.
    Cached cards are not sanitised again, so they must be the ones flashgen made."""

    def __init__(self, folder: Path) -> None:
        self._secret = _read_key(folder) or os.urandom(_KEY_BYTES)

    def sign(self, data: bytes) -> str:
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()

    def verifies(self, data: bytes, mac: object) -> bool:
        return isinstance(mac, str) and hmac.compare_digest(self.sign(data), mac)


def _read_key(folder: Path) -> bytes | None:
    """The folder's key, made when there is none (or it is not the owner's alone); None
    when it can be neither read nor made (the cache then lasts one build)."""
    path = folder / _KEY_FILE
    try:
        stat = path.stat()
        if (
            stat.st_size == _KEY_BYTES
            and not stat.st_mode & 0o077
            and stat.st_uid == os.getuid()
        ):
            return path.read_bytes()
    except (OSError, AttributeError):  # AttributeError: no getuid (Windows)
        pass
    secret = os.urandom(_KEY_BYTES)
    staged = path.with_name(f".{_KEY_FILE}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        staged.unlink(missing_ok=True)
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secret)
        staged.replace(path)
    except OSError as err:
        log.debug("cannot keep a cache key in %s: %r", folder, err)
        staged.unlink(missing_ok=True)
        return None
    return secret


def cache_folder(vault: Path, inputs: Iterable[Path] = ()) -> Path:
    """The folder of one vault's cache (or of one set of note files in a folder), under
    $FLASHGEN_CACHE_DIR or the user's cache folder."""
    base = os.environ.get(CACHE_ENV)
    if not base:
        import platformdirs  # only when a cache is used: keeps `--help` fast

        base = platformdirs.user_cache_dir("flashgen", appauthor=False)
    named = sorted(str(path) for path in inputs if path != vault)
    where = hashlib.sha256(json.dumps([str(vault), named]).encode()).hexdigest()[:16]
    return Path(base) / f"{vault.name[:40]}-{where}"


def settings_key(settings: Mapping[str, Any]) -> str:
    """Digest of everything besides the notes that shapes the cards: settings, flashgen's
    code, the versions of the libraries that render, and Python's (its marshal format
    stores the cards)."""
    code = sorted(
        (str(path.relative_to(_PACKAGE)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in _PACKAGE.rglob("*.py")
    )
    versions = {name: _version(name) for name in _LIBRARIES}
    text = json.dumps(
        [_FORMAT, __version__, sys.version, code, versions, dict(settings)],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


_PACKAGE = Path(__file__).resolve().parent


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


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
        self._old: dict[str, _Entry] = {}
        self._old_media = self._old_notes = ""
        self._entries: dict[str, _Entry] = {}
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
        self._stats = {source.rel: _stat(source.file) for source in sources}
        valid: dict[str, _Entry] = {}
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

    def _payload(self, entry: _Entry) -> bytes:
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
        self._entries[source.rel] = _Entry(
            size,
            mtime,
            digest,
            reads,
            payload,
            files,
            problems,
            self.secret.sign(packed),
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
                path = self._data.with_name(f".{self._data.name}.{os.getpid()}.tmp")
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
                "format": _FORMAT,
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
        _prune(self.folder, keep=(self.file, self._data))
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
            index.append(self._row(rel, entry, *span))
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
                index.append(self._row(rel, entry, offset, len(payload)))
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
            path.unlink(missing_ok=True)
            return None
        self._token = self._sink_token
        rows = []
        for rel in sorted(self._entries):
            span = spans[rel]
            assert not isinstance(span, bytes)
            rows.append(self._row(rel, self._entries[rel], *span))
        return rows

    def _row(self, rel: str, entry: _Entry, offset: int, length: int) -> list[object]:
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
        row.append(self.secret.sign(_row_bytes(row)))
        return row

    def close(self) -> None:
        """Let go of the mapped data file (and of a new one never finished)."""
        if self._blob is not None:
            self._blob.close()
            self._blob = None
        if self._sink is not None:
            self._sink.close()
            if self._sink_path is not None:
                self._sink_path.unlink(missing_ok=True)
            self._sink = self._sink_path = None

    def _load(self) -> None:
        try:
            header = json.loads(self.file.read_bytes())
            if header.get("format") != _FORMAT or header.get("key") != self.key:
                return
            old_media, old_notes = str(header["media"]), str(header["notes"])
            token = str(header["token"])
            entries = {}
            for row in header["entries"]:
                if not self.secret.verifies(_row_bytes(row[:-1]), row[-1]):
                    log.debug("cache entry %r not signed with the key: left", row[0])
                    continue
                rel, size, mtime, digest, media, notes, offset, length = row[:8]
                files, problems, mac = row[8:-1]
                reads = Reads(bool(media), None if notes is None else tuple(notes))
                span = (int(offset), int(length))
                entries[str(rel)] = _Entry(
                    int(size),
                    int(mtime),
                    str(digest),
                    reads,
                    span,
                    tuple((str(path), str(name)) for path, name in files),
                    tuple(map(tuple, problems)),
                    str(mac),
                )
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            log.debug("cache %s unreadable, starting empty: %r", self.file, err)
            return
        self._old, self._old_media, self._old_notes = entries, old_media, old_notes
        self._token = token

    def _unchanged(self, source: SourceFile) -> _Entry | None:
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


def _row_bytes(row: Sequence[object]) -> bytes:
    """An index row as its keyed digest covers it (the same after a JSON round trip)."""
    return json.dumps(row, ensure_ascii=False).encode()


def _stat(path: str | Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)  # noqa: PTH116 - a string: no Path made for each note
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def file_stamp(path: Path) -> list[int] | None:
    """Size and modification time of a file, to see later whether it is the same file."""
    stat = _stat(path)
    return None if stat is None else list(stat)


def listing_digest(items: Iterable[object]) -> str:
    return hashlib.sha256(json.dumps(list(items)).encode()).hexdigest()[:20]


def write_atomically(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write the chunks to a temporary file beside `path`, then rename it into place. A
    cache that cannot be written is only slower next time, so problems are logged."""
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged.open("wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        staged.replace(path)
    except (OSError, ValueError) as err:
        log.debug("cannot write cache %s: %r", path, err)
        staged.unlink(missing_ok=True)
        return False
    return True


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        log.debug("cannot read %s: %r", path, err)
        return None
    return data if isinstance(data, dict) else None


def _prune(folder: Path, keep: tuple[Path, ...]) -> None:
    """Other settings' caches of this vault go once they are a week old."""
    week_ago = time.time() - 7 * 24 * 3600
    for other in folder.glob("notes-*"):
        try:
            if other not in keep and other.stat().st_mtime < week_ago:
                other.unlink()
        except OSError as err:
            log.debug("cannot prune %s: %r", other, err)


def encode_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[list[object]]:
    """Diagnostics as JSON-ready rows (path, line, severity, message)."""
    return [[d.path, d.line, d.severity.value, d.message] for d in diagnostics]


def decode_diagnostics(rows: Iterable[Sequence[Any]]) -> list[Diagnostic]:
    """Rows written by encode_diagnostics; raises ValueError or TypeError when damaged."""
    return [
        Diagnostic(str(path), int(line), Severity(severity), str(message))
        for path, line, severity, message in rows
    ]
