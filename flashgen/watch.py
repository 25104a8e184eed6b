"""Watch mode: the same build() after a short quiet spell, whenever a note or image changes.

One build at a time: changes that arrive during a build start another one after it. A failed
build is reported and watching goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from flashgen.config import Config
from flashgen.errors import FlashgenError
from flashgen.pipeline import BuildResult, Clock, build
from flashgen.render.media import AUDIO_SUFFIXES, IMAGE_SUFFIXES

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.2
# .sty: the preamble whose macros the maths uses.
_WATCHED_SUFFIXES = (
    frozenset({".md", ".toml", ".sty"}) | IMAGE_SUFFIXES | AUDIO_SUFFIXES
)

Listener = Callable[[BuildResult | None, FlashgenError | None], None]


def watch_vault(
    config: Config,
    listener: Listener,
    stop: threading.Event,
    clock: Clock = time.time,
    debounce: float = DEBOUNCE_SECONDS,
    settings: Callable[[], Config] | None = None,
) -> None:
    """Build now, then again after each burst of changes, until `stop` is set.

    `settings` gives the settings afresh (the vault's .flashgen.toml read again, with the
    command line's flags over it): each build reads them, so an edited file takes effect
    at the next build. Without it, every build uses `config`."""
    root = config.inputs[0] if config.inputs[0].is_dir() else config.inputs[0].parent
    changed = threading.Event()
    handler = _Handler(root.resolve(), changed)
    observer = Observer()
    observer.schedule(handler, str(root), recursive=True)
    observer.start()
    try:
        current = settings or config
        _build_once(current, listener, clock)
        while not stop.is_set():
            if not changed.wait(timeout=0.05):
                continue
            # Debounce: wait until no change has come for `debounce` seconds.
            while changed.is_set() and not stop.is_set():
                changed.clear()
                time.sleep(debounce)
            if not stop.is_set():
                _build_once(current, listener, clock)
    finally:
        observer.stop()
        observer.join()


def _build_once(
    config: Config | Callable[[], Config], listener: Listener, clock: Clock
) -> None:
    try:
        result = build(config() if callable(config) else config, clock)
    except FlashgenError as err:
        listener(None, err)
        return
    listener(result, None)


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, changed: threading.Event) -> None:
        self._root = root
        self._changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(self._is_watched(str(path)) for path in paths if path):
            log.debug("change: %s %s", event.event_type, event.src_path)
            self._changed.set()

    def _is_watched(self, path: str) -> bool:
        candidate = Path(path)
        try:
            parts = candidate.resolve().relative_to(self._root).parts
        except ValueError:
            return False
        # Our own state file, temporary files and Obsidian's settings never trigger a build.
        if any(part.startswith(".") and part != ".flashgen.toml" for part in parts):
            return False
        return candidate.suffix.lower() in _WATCHED_SUFFIXES


def shown_path(path: Path) -> str:
    """The absolute path, with the home folder as ~ (what `flashgen watch` says it
    watches)."""
    absolute = path.resolve()
    try:
        return str(Path("~") / absolute.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # outside the home folder, or no home folder
        return str(absolute)
