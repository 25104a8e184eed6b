"""A build's progress in (stage, done, total, as builder.result.Progress tells it), a
progress bar's position and label out, drawn on a bar the command line makes once the
build has run for a while.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Protocol

PROGRESS_DELAY = 1.0
"""Seconds a build runs before its progress bar shows (FLASHGEN_PROGRESS_DELAY sets it)."""

BAR_LENGTH = 1000
"""The bar's positions: thousandths of the build."""

_BAR_STAGES = {
    # The bar's span for each stage of a build (in thousandths), and its label. A full
    # build spends about half its time on the notes and half on the identities, the deck
    # and the state file; 100% is shown only once the build has returned.
    "notes": (0, 500, "notes"),
    "identities": (500, 560, "identities"),
    "rows": (560, 800, "writing deck"),
    "pieces": (800, 990, "writing deck"),
}


def progress_delay() -> float:
    """The bar's delay: a quick build shows none. The environment may set it (tests set
    0, so that a bar shows whatever the machine's speed); a value that is not a number of
    seconds leaves the default."""
    try:
        delay = float(os.environ.get("FLASHGEN_PROGRESS_DELAY", PROGRESS_DELAY))
    except ValueError:
        return PROGRESS_DELAY
    return delay if math.isfinite(delay) and delay >= 0 else PROGRESS_DELAY


def bar_position(stage: str, done: int, total: int) -> tuple[int, str] | None:
    """Where the bar stands (out of BAR_LENGTH) and its label; None for a stage the bar
    does not show."""
    if stage not in _BAR_STAGES:
        return None
    start, end, label = _BAR_STAGES[stage]
    return start + (end - start) * min(done, total) // max(total, 1), label


class Bar(Protocol):
    """What ProgressDisplay draws on (a click progress bar)."""

    label: str

    def update(self, steps: int, /) -> None: ...

    def render_progress(self) -> None: ...

    def __enter__(self) -> object: ...

    def __exit__(self, kind: None, error: None, traceback: None, /) -> object: ...


class ProgressDisplay:
    """A bar for builds that take more than a second (progress_delay): the notes, then
    the deck being written; full once the build is done. `make_bar(label, length)` makes
    the bar when it is first shown; without it (not a terminal), nothing is shown."""

    def __init__(self, make_bar: Callable[[str, int], Bar] | None) -> None:
        self._make_bar = make_bar
        self._delay = progress_delay()
        self._started = time.monotonic()
        self._bar: Bar | None = None
        self._done = 0

    def update(self, stage: str, done: int, total: int) -> None:
        """The build's progress callback (builder.result.Progress)."""
        where = bar_position(stage, done, total) if self._make_bar else None
        if where is None:
            return
        position, label = where
        if self._bar is None:
            if time.monotonic() - self._started < self._delay:
                return
            assert self._make_bar is not None
            self._bar = self._make_bar(label, BAR_LENGTH)
            self._bar.__enter__()
        if label != self._bar.label:
            self._bar.label = label
            self._bar.render_progress()
        self._advance(self._bar, position)

    def _advance(self, bar: Bar, position: int) -> None:
        if position > self._done:
            bar.update(position - self._done)
            self._done = position

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if self._bar is not None:
            if exc_type is None:
                self._advance(self._bar, BAR_LENGTH)
            self._bar.__exit__(None, None, None)
