"""Package stage: Anki notes + media -> an .apkg on disk, written atomically.

The collection is written to a throw-away SQLite file next to the output, zipped with fixed
entry dates and sorted media (same input, same clock: same bytes), then renamed into place,
so a build killed at any moment leaves the previous deck intact.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from flashgen.deck import AnkiNote, DeckSettings, write_collection
from flashgen.errors import OutputError

_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_package(
    notes: Iterable[AnkiNote],
    media: Mapping[str, Path],
    output: Path,
    timestamp: float,
    settings: DeckSettings,
) -> None:
    """Write the notes and their media (deck name -> file) to `output` atomically."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            dir=output.parent, prefix=".flashgen-"
        ) as scratch:
            database = Path(scratch, "collection.anki2")
            _write_collection(notes, database, timestamp, settings)
            staged = Path(scratch, "deck.apkg")
            with zipfile.ZipFile(staged, "w") as archive:
                _add(archive, "collection.anki2", database.read_bytes(), compress=True)
                names = sorted(media)
                index = {str(number): name for number, name in enumerate(names)}
                _add(archive, "media", json.dumps(index).encode(), compress=True)
                for number, name in enumerate(names):
                    _add(archive, str(number), media[name].read_bytes(), compress=False)
            staged.replace(output)
    except OSError as err:
        raise OutputError(
            f"{output}: error: cannot write the deck: {err.strerror or err}"
        ) from err


def _write_collection(
    notes: Iterable[AnkiNote], database: Path, timestamp: float, settings: DeckSettings
) -> None:
    connection = sqlite3.connect(database)
    try:
        # A throw-away file: no journal, no fsync per statement.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        write_collection(connection, notes, timestamp, settings)
        connection.commit()
    finally:
        connection.close()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, compress: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
