"""The vault's build lock: a vault in, held for one build (a file beside the state file
that holds the builder's process id), so that two builds never write the same deck and
state file at once. A lock whose process is gone (a killed build) is taken over.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from flashgen.errors import OutputError

log = logging.getLogger(__name__)

LOCK_FILE = ".flashgen-build.lock"


def staged_beside(path: Path, *, prefix: str = "", ending: str = "tmp") -> Path:
    """Where this process writes a file before it replaces `path`: beside it, named by
    the process (`.<prefix><name>.<pid>.<ending>`), so two builds never write over each
    other's, and the next build knows a killed build's leftover (see leftovers.py)."""
    return path.with_name(f".{prefix}{path.name}.{os.getpid()}.{ending}")


@contextlib.contextmanager
def vault_locked(vault: Path, shown: str) -> Iterator[None]:
    """Hold the vault's lock for the block; an OutputError naming the holder (`shown`:
    how the vault is named in the message) when another build holds it. A vault where
    no lock can be made (a read-only folder) is built unlocked: it can be read, no more."""
    path = vault / LOCK_FILE
    held = _acquire(path, shown)
    try:
        yield
    finally:
        if held:
            _release(path)


def _acquire(path: Path, shown: str) -> bool:
    # Written aside, then linked into place: a lock is never seen without its pid.
    fresh = path.with_name(f"{path.name}.{os.getpid()}.new")
    try:
        fresh.write_text(f"{os.getpid()}\n", encoding="ascii")
        for _ in range(3):
            try:
                os.link(fresh, path)
            except FileExistsError:
                holder = _holder(path)
                if holder is not None and is_running(holder):
                    raise OutputError(
                        f"{shown}: error: another build of this vault is running (pid "
                        f"{holder}); try again when it ends"
                    ) from None
                _take_over(path, holder)
                continue
            return True
    except OSError as err:
        log.debug("cannot lock %s: %r", path, err)
    finally:
        with contextlib.suppress(OSError):
            fresh.unlink()
    return False


def _holder(path: Path) -> int | None:
    """The pid in the lock file; None when it holds none (being written, or damaged)."""
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _take_over(path: Path, stale: int | None) -> None:
    """Remove a lock whose holder is gone, unless another build took it over first."""
    aside = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.replace(aside)
    except OSError:
        return
    if _holder(aside) != stale:  # a live build's lock, moved by mistake: put it back
        with contextlib.suppress(OSError):
            os.link(aside, path)
    with contextlib.suppress(OSError):
        aside.unlink()


def _release(path: Path) -> None:
    if _holder(path) == os.getpid():
        with contextlib.suppress(OSError):
            path.unlink()


def is_running(pid: int) -> bool:
    """Whether a process with this id exists (this one included)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a system that cannot tell
    return True
