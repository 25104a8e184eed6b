"""What killed builds leave behind, removed by the next build of the vault: folders in,
nothing out. Scratch folders `.flashgen-*` beside the deck (a collection being packed)
once they are an hour old, and staged files `.<name>.<pid>.tmp` in the cache folder and
beside the state file once their process is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from flashgen.state.lock import is_running

log = logging.getLogger(__name__)

_SCRATCH_AGE = 3600.0
"""Seconds after which a scratch folder is taken as left behind: a build of another vault
may be packing its deck into the same folder, and no build packs for an hour."""
_STAGED = re.compile(r"^\..+\.(\d+)\.(?:tmp|old)$")


def clean_leftovers(
    output_folder: Path, staging_folders: Iterable[Path], now: float | None = None
) -> int:
    """Remove what killed builds left; how many entries were removed. Never an error: a
    leftover that cannot be removed stays for the next build."""
    now = time.time() if now is None else now
    removed = 0
    for entry in _entries(output_folder):
        if entry.name.startswith(".flashgen-") and entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > _SCRATCH_AGE:
                    shutil.rmtree(entry.path)
                    removed += 1
    for folder in staging_folders:
        for entry in _entries(folder):
            found = _STAGED.match(entry.name)
            if found is None or not entry.is_file(follow_symlinks=False):
                continue
            if int(found.group(1)) != os.getpid() and not is_running(
                int(found.group(1))
            ):
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
                    removed += 1
    if removed:
        log.debug("removed %d leftovers of killed builds", removed)
    return removed


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []
