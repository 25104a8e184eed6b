"""Sync: where the user's Anki collection is, and opening it with Anki's own library.

A profile folder is found as Anki finds it (ANKI_BASE, else the platform's data folder,
then the profile Anki last opened, from prefs21.db); the collection is opened only when
Anki does not hold it, and backed up with Anki's own backup call before it is changed.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import pickle
import sqlite3
import sys
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashgen.errors import FlashgenError

if TYPE_CHECKING:
    from anki.collection import Collection

log = logging.getLogger(__name__)

COLLECTION_FILE = "collection.anki2"
PREFERENCES_FILE = "prefs21.db"
_GLOBAL = "_global"
"""prefs21.db's row of settings shared by every profile (not a profile)."""
EXTRA = "pip install 'flashgen[anki]'"


class CollectionError(FlashgenError):
    """The collection cannot be found, opened or changed; the message says why and what
    to do."""


@dataclass(frozen=True, slots=True)
class Target:
    """Which collection to sync: a path, or a profile in Anki's data folder."""

    collection: Path | None = None
    """A collection file given by path (`--collection`); wins over the rest."""
    profile: str | None = None
    """A profile's name (`--profile`); None: the profile Anki opened last, or the only
    one."""
    base: Path | None = None
    """Anki's data folder (`--base`); None: ANKI_BASE, else the platform's."""


def anki_base(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
) -> Path:
    """Anki's data folder, where it keeps one folder per profile (as Anki finds it)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if environ.get("ANKI_BASE"):
        return Path(environ["ANKI_BASE"])
    if platform == "win32":
        appdata = environ.get("APPDATA")
        return (Path(appdata) if appdata else home / "AppData" / "Roaming") / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    data = environ.get("XDG_DATA_HOME")
    return (Path(data) if data else home / ".local" / "share") / "Anki2"


def find_collection(target: Target) -> Path:
    """The collection file to sync: the one given, or the profile's."""
    if target.collection is not None:
        path = target.collection
        if path.is_dir():
            path = path / COLLECTION_FILE
        if not path.is_file():
            raise CollectionError(
                f"{path}: error: no Anki collection here (give the path of a "
                f"{COLLECTION_FILE}, or a profile with --profile)"
            )
        return path
    base = target.base if target.base is not None else anki_base()
    if not base.is_dir():
        raise CollectionError(
            f"{base}: error: no Anki data folder here (open Anki once, or give the "
            "collection with --collection PATH or Anki's folder with --base)"
        )
    profiles = profile_names(base)
    name = target.profile
    if name is None:
        name = _default_profile(base, profiles)
    folder = base / name
    if name not in profiles or not (folder / COLLECTION_FILE).is_file():
        raise CollectionError(
            f"{folder}: error: no profile '{name}' with a collection here (profiles: "
            f"{_listed(profiles)}; give one with --profile)"
        )
    return folder / COLLECTION_FILE


def profile_names(base: Path) -> list[str]:
    """The profiles in Anki's data folder: those prefs21.db lists, or when it cannot be
    read, the folders that hold a collection."""
    listed = _read_preferences(base)
    names = listed[0] if listed is not None else []
    if not names:
        names = sorted(
            entry.name
            for entry in base.iterdir()
            if (entry / COLLECTION_FILE).is_file()
        )
    return names


def _default_profile(base: Path, profiles: list[str]) -> str:
    """The profile Anki opened last, else the only one; else the user must say."""
    listed = _read_preferences(base)
    last = listed[1] if listed is not None else None
    if last in profiles and (base / last / COLLECTION_FILE).is_file():
        return last
    if len(profiles) == 1:
        return profiles[0]
    if not profiles:
        raise CollectionError(
            f"{base}: error: no profile with a collection here (open Anki once, or "
            "give the collection with --collection PATH)"
        )
    raise CollectionError(
        f"{base}: error: cannot tell which profile to sync (give one with --profile: "
        f"{_listed(profiles)})"
    )


def _listed(profiles: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in profiles) or "none"


def _read_preferences(base: Path) -> tuple[list[str], str | None] | None:
    """The profiles prefs21.db lists and the one Anki opened last; None when there is
    no such file or it cannot be read (then the folders say)."""
    path = base / PREFERENCES_FILE
    if not path.is_file():
        return None
    try:
        # Read-only: Anki may have the file open.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute("SELECT name, data FROM profiles").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as err:
        log.debug("cannot read %s: %r", path, err)
        return None
    names = sorted(str(name) for name, _ in rows if name != _GLOBAL)
    last = None
    for name, data in rows:
        if name == _GLOBAL:
            settings = _unpickled(data)
            found = settings.get("last_loaded_profile_name")
            last = found if isinstance(found, str) else None
    return names, last


class _PlainUnpickler(pickle.Unpickler):
    """Anki pickles its settings; only plain values are read back, never code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")


def _unpickled(data: object) -> dict[str, Any]:
    if not isinstance(data, bytes):
        return {}
    try:
        value = _PlainUnpickler(io.BytesIO(data)).load()
    except Exception as err:  # anything a damaged or unusual file raises: not known
        log.debug("cannot read Anki's settings: %r", err)
        return {}
    return value if isinstance(value, dict) else {}


def require_anki() -> None:
    """Anki's library is an optional extra: say how to install it when it is missing."""
    try:
        import anki.collection  # noqa: F401
    except ImportError as err:
        raise CollectionError(
            "error: sync uses Anki's own library (the anki package), which is not "
            f"installed ({EXTRA})"
        ) from err


def open_collection(path: Path) -> Collection:
    """Open the collection with Anki's library; refuse when Anki has it open."""
    require_anki()
    from anki.collection import Collection
    from anki.errors import DBError

    try:
        return Collection(str(path))
    except DBError as err:
        # Anki's backend opens SQLite in exclusive mode: while Anki (or a sync of its
        # media) holds the collection, nobody else can open it.
        raise CollectionError(
            f"{path}: error: the collection is open in Anki, so nothing was changed "
            "(close Anki, or switch it to another profile, then run sync again)"
        ) from err
    except Exception as err:  # Anki's backend raises its own kinds for a bad file
        raise CollectionError(
            f"{path}: error: Anki cannot open the collection: {err} (check the path, "
            "or open it in Anki to repair it)"
        ) from err


def back_up(col: Collection, path: Path) -> Path | None:
    """A backup of the collection as it is, with Anki's own backup call, in the
    profile's backups/ folder (where Anki keeps its own); the backup's path."""
    folder = path.parent / "backups"
    try:
        folder.mkdir(exist_ok=True)
        col.create_backup(
            backup_folder=str(folder), force=True, wait_for_completion=True
        )
    except Exception as err:  # Anki's I/O errors, or the folder's
        raise CollectionError(
            f"{folder}: error: cannot back up the collection before changing it "
            f"({err}), so nothing was changed (make the folder writable, or sync "
            "with --no-backup)"
        ) from err
    # Anki makes no new backup when nothing changed since its last: that one holds it.
    backups = sorted(folder.glob("backup-*.colpkg"), key=lambda p: p.stat().st_mtime)
    return backups[-1] if backups else None


@dataclass(frozen=True, slots=True)
class CollectionNote:
    """A note of the collection with a GUID the build knows, and its card."""

    id: int
    guid: str
    ours: bool
    """Of flashgen's note type: only such a note is ever changed."""
    modified: int
    """Whole seconds: newer than the build's time when edited in Anki since."""
    tags: tuple[str, ...]
    card: int
    """Its first card."""
    deck: int
    """The first card's home deck (the one it returns to from a filtered deck)."""
    suspended: bool
    """Whether its first card is suspended."""
    more: tuple[int, ...] = ()
    """Its other cards (a reversed or cloze note's)."""

    @property
    def cards(self) -> tuple[int, ...]:
        return (self.card, *self.more)


GUID_PREFIX = "fg"
"""Every GUID flashgen makes starts so (see identity.card_guid)."""
_SUSPENDED = -1
_BATCH = 500
"""Ids a query names at once: well under SQLite's limit on parameters."""
_PAGE = 20_000
"""Rows read from the collection at once."""


def collection_notes(
    col: Collection, model_ids: Container[int]
) -> dict[str, CollectionNote]:
    """The collection's notes with GUIDs such as flashgen makes, by GUID (read, not
    changed): those of any vault, and any note type (`ours` says which are flashgen's)."""
    found: dict[str, CollectionNote] = {}
    assert col.db is not None  # open
    # Page by page, in card order: a large collection's rows are never all in memory.
    query = (
        "SELECT c.id, n.id, n.guid, n.mid, n.mod, n.tags, c.did, c.odid, c.queue "
        "FROM cards c JOIN notes n ON c.nid = n.id WHERE n.guid LIKE ? AND c.id > ? "
        "ORDER BY c.id LIMIT ?"
    )
    last = -(2**63)
    while rows := col.db.execute(query, GUID_PREFIX + "%", last, _PAGE):
        for row in rows:
            card, note, guid, model, modified, tags, deck, home, queue = row
            if guid in found:  # another card of a note already read
                first = found[guid]
                found[guid] = dataclasses.replace(first, more=(*first.more, card))
                continue
            found[guid] = CollectionNote(
                note,
                guid,
                model in model_ids and guid.startswith(GUID_PREFIX),
                modified,
                tuple(tags.split()),
                card,
                home or deck,
                queue == _SUSPENDED,
            )
        last = rows[-1][0]
    return found


def note_fields(col: Collection, ids: list[int]) -> dict[int, list[str]]:
    """The fields of these notes, by note id."""
    fields = {}
    assert col.db is not None  # open
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT id, flds FROM notes WHERE id IN ({marks})"
        for note, text in col.db.execute(query, *chunk):
            fields[note] = text.split("\x1f")
    return fields
