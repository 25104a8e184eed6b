"""The cache's folder and files: a vault (and settings) in, where its cache lives, the
key its entries are made under, and files read and written whole (atomically, signed).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from flashgen.report import Diagnostic, Severity
from flashgen.state.lock import staged_beside
from flashgen.version import __version__

log = logging.getLogger(__name__)

CACHE_ENV = "FLASHGEN_CACHE_DIR"
"""Where caches go instead of the user's cache folder (a path)."""
CACHE_FORMAT = 6
"""The cache's own format: part of every key."""
_KEY_FILE = "key"
_KEY_BYTES = 32
# Libraries whose output ends up in the cards.
_LIBRARIES = ("pyromark", "pygments", "nh3", "ftfy", "PyYAML")


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
    staged = staged_beside(path)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):  # never a second error
            staged.unlink(missing_ok=True)
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secret)
        staged.replace(path)
    except OSError as err:
        log.debug("cannot keep a cache key in %s: %r", folder, err)
        with contextlib.suppress(OSError):  # never a second error
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
        [CACHE_FORMAT, __version__, sys.version, code, versions, dict(settings)],
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


def stat_of(path: str | Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)  # noqa: PTH116 - a string: no Path made for each note
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def file_stamp(path: Path) -> list[int] | None:
    """Size and modification time of a file, to see later whether it is the same file."""
    stat = stat_of(path)
    return None if stat is None else list(stat)


def listing_digest(items: Iterable[object]) -> str:
    return hashlib.sha256(json.dumps(list(items)).encode()).hexdigest()[:20]


def write_atomically(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write the chunks to a temporary file beside `path`, then rename it into place. A
    cache that cannot be written is only slower next time, so problems are logged."""
    staged = staged_beside(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged.open("wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        staged.replace(path)
    except (OSError, ValueError) as err:
        log.debug("cannot write cache %s: %r", path, err)
        with contextlib.suppress(OSError):  # never a second error
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


def prune(folder: Path, keep: tuple[Path, ...]) -> None:
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
