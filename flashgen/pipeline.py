"""build() and plan_build(): settings in, a BuildResult out. Picks how the deck is made
(left as it is, patched, or built in full: see builder/) and runs it; nothing else.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from flashgen.builder.messages import REMOVED_TAG
from flashgen.builder.result import BuildResult, Clock, Progress
from flashgen.builder.reuse import read_last_deck, reuse_deck
from flashgen.builder.session import Session, output_path, start_session
from flashgen.config import Config
from flashgen.report import Diagnostic, Severity
from flashgen.state.lock import vault_locked

__all__ = ["REMOVED_TAG", "BuildResult", "Clock", "Progress", "build", "plan_build"]


def plan_build(
    config: Config,
    clock: Clock = time.time,
    *,
    lint: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Everything a build does except writing: cards, identities, times and changes.

    With lint, the report also carries what `flashgen check` looks for (see lint.py).
    """
    from flashgen.builder.full import plan

    with _cycle_collection_paused():
        return plan(start_session(config, lint), clock, progress)


def build(
    config: Config,
    clock: Clock = time.time,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the deck, write it as an .apkg, then save the state file next to the notes.

    With dry_run, nothing is written and the report says what a build would do. When
    nothing changed since this deck was last written, it is left as it is.
    """
    with _cycle_collection_paused():
        result = _build(config, clock, dry_run, progress)
    return result if dry_run else _warn_inside_vault(result)


def _build(
    config: Config, clock: Clock, dry_run: bool, progress: Progress | None
) -> BuildResult:
    """The first way that works: the last deck as it is, the last deck patched where
    notes changed, or a full build."""
    started = time.perf_counter()
    session = start_session(config, lint=False)
    if dry_run:
        return _build_locked(session, config, clock, dry_run, progress, started)
    root = session.discovery.root
    shown = config.inputs[0] if len(config.inputs) == 1 else root
    # One build of a vault at a time: two would write the same deck and state file.
    with vault_locked(root, str(shown)):
        return _build_locked(session, config, clock, dry_run, progress, started)


def _build_locked(
    session: Session,
    config: Config,
    clock: Clock,
    dry_run: bool,
    progress: Progress | None,
    started: float,
) -> BuildResult:
    output = output_path(config, session)
    if not dry_run:
        from flashgen.builder.leftovers import clean_leftovers

        cache = session.cache
        clean_leftovers(
            output.parent,
            (session.discovery.root, *((cache.folder,) if cache is not None else ())),
        )
    last = None
    if not dry_run and session.cache is not None:
        last = read_last_deck(session)
        reused = reuse_deck(session, output, clock, last)
        if reused is not None:
            seconds = {"check": time.perf_counter() - started}
            return replace(reused, report=replace(reused.report, stage_seconds=seconds))
    # Loaded only when notes are processed: a build that finds nothing changed never
    # loads the workers, the deck writer or the state file's patching.
    from flashgen.builder.full import check_replaceable, plan, write_deck
    from flashgen.builder.patching import patch_deck

    if not dry_run and session.cache is not None:
        check_replaceable(output)
        patched = patch_deck(session, output, clock, progress, last)
        if patched is not None:
            return patched
    elif not dry_run:
        check_replaceable(output)
    result = plan(session, clock, progress)
    return result if dry_run else write_deck(session, result, output, progress)


def _warn_inside_vault(result: BuildResult) -> BuildResult:
    """A deck in the vault is picked up by the vault's sync and version control (a large
    vault's deck is megabytes, rewritten by every build): it is written, with a warning."""
    report = result.report
    if report.output is None or not _is_inside(Path(report.output), result.vault):
        return result
    warning = Diagnostic(
        report.output,
        0,
        Severity.WARNING,
        "the deck is written inside the vault, where sync and git pick it up (write it "
        "elsewhere with -o)",
    )
    diagnostics = (*report.diagnostics, warning)
    return replace(result, report=replace(report, diagnostics=diagnostics))


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """A build makes millions of records that hold no reference cycles (reference counting
    frees them), and Python's cycle collector would walk them all again and again as they
    are made: about a tenth of a large build's time. It is paused for the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
