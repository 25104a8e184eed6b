"""A full build: every note's cards (the cache's for unchanged notes) in, identities
reconciled with the last state (plan), then the deck and the state file written out
(write_deck).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from flashgen.builder.messages import REMOVED_TAG
from flashgen.builder.result import BuildResult, Clock, Progress, assemble_report
from flashgen.builder.reuse import kept_collection_of, remember_deck
from flashgen.builder.session import (
    Session,
    deck_description,
    extra_css,
    kept_collection,
    load_last_state,
)
from flashgen.builder.workers import note_outputs
from flashgen.config import Config
from flashgen.errors import ConfigError, OutputError
from flashgen.note import NoteJob
from flashgen.report import Diagnostic, Severity
from flashgen.state.file import StateSwap, stage_state

if TYPE_CHECKING:
    from flashgen.anki.deck import DeckSettings

log = logging.getLogger(__name__)


def write_deck(
    session: Session, result: BuildResult, output: Path, progress: Progress | None
) -> BuildResult:
    """Write the planned deck to `output` and the new state beside the notes; the result
    with the report of what was written."""
    config = session.config
    check_something_read(config, result)
    # genanki and sqlite load only when a deck is written.
    from flashgen.anki.deck import AnkiNotes
    from flashgen.anki.package import write_package

    media = {name: result.vault / path for name, path in result.cards.media().items()}
    started = time.perf_counter()
    settings = deck_settings(config, result)
    collection = kept_collection(session)
    notes = AnkiNotes(result.cards, result.retired, settings)
    # The note type's time comes from the cards themselves (as ids come from the state):
    # the same notes and state give the same bytes, whenever they are built.
    stamp = result.cards.newest() or int(result.now)
    state_file = session.state_file
    # The state is encoded while the deck is compressed (zlib lets go of the GIL). The
    # two are put in place together, just before the deck replaces the old deck: the
    # state first, the old one kept aside until the deck is in place, so that a deck
    # that cannot be put in place takes the new state back with it. A state that cannot
    # be written leaves both as they were.
    staged_or_failed = threading.Event()
    failed = False
    staged: Path | None = None
    swap = StateSwap(state_file)

    def ready() -> None:
        staged_or_failed.wait()
        if failed:
            raise _StateNotStagedError
        if staged is not None:
            swap.commit(staged)

    with ThreadPoolExecutor(1) as writer:
        writing = writer.submit(
            write_package,
            notes,
            media,
            output,
            stamp,
            settings,
            collection,
            ready,
            progress,
        )
        try:
            try:
                if result.state_changed:
                    staged = stage_state(
                        result.state, state_file, root_deck=result.root_deck
                    )
            except BaseException:
                failed = True
                raise
            finally:
                staged_or_failed.set()
            staging = time.perf_counter() - started
            written_deck = writing.result()
        except BaseException:
            swap.undo(staged)
            raise
    swap.done()
    written = time.perf_counter()
    seconds = {
        **result.report.stage_seconds,
        "write": written - started,
        "state": staging,
    }
    log.debug("wrote %s; seconds per stage: %s", output, seconds)
    report = replace(result.report, output=str(output), stage_seconds=seconds)
    if session.cache is not None:
        # The state's highest id: its cards' and the retired ones' (a whole vault's
        # state, the only one whose collection is kept, has no others).
        top = max(
            max(result.cards.ids(), default=0), *(c.id for c in result.retired), 0
        )
        kept = None
        if written_deck.kept:
            assert collection is not None
            kept = kept_collection_of(collection, written_deck.pieces, top)
        remember_deck(session, output.resolve(), report, kept, result.clashes)
    return replace(result, report=report)


def check_replaceable(output: Path) -> None:
    """A deck replaces only a deck: a file at the output path that is not one (a path
    mistyped, or named by someone else's settings) is never replaced."""
    from flashgen.anki.package import is_deck

    if os.path.lexists(output) and not output.is_dir() and not is_deck(output):
        raise OutputError(
            f"{output}: error: is not a deck flashgen wrote, so it was not replaced "
            "(remove it, or choose another path with -o)"
        )


def check_something_read(config: Config, result: BuildResult) -> None:
    """A build in which no note could be read (a picture named as the note, say) writes
    no deck and no state: there is nothing to import, and exit code 2 says so."""
    failed = {d.path for d in result.report.diagnostics if d.severity is Severity.ERROR}
    if len(result.cards) or not failed.issuperset(result.note_paths):
        return
    where = f"{config.inputs[0]}: " if len(config.inputs) == 1 else ""
    lines = [diagnostic.format() for diagnostic in result.report.diagnostics]
    raise ConfigError(
        (
            *lines,
            f"{where}error: no note could be read, so nothing was written (name "
            "Markdown notes)",
        )
    )


class _StateNotStagedError(Exception):
    """The deck is not put in place: the state could not be staged."""


def plan(session: Session, clock: Clock, progress: Progress | None) -> BuildResult:
    """Every note's cards and diagnostics, their identities against the last state, and
    the report: everything a build does but write."""
    started = time.perf_counter()
    discovery, cache = session.discovery, session.cache
    job = NoteJob(
        config=session.config,
        root_deck=session.root_deck,
        vault_name=session.vault_name,
        discovery=discovery,
        lint=session.lint,
        caching=cache is not None,
        packing=True,
        macros=session.macros,
    )
    from flashgen.lint import lint_cards
    from flashgen.reconcile.assign import reconcile
    from flashgen.store.cardstore import CardStore

    store = CardStore()
    diagnostics: list[Diagnostic] = list(discovery.diagnostics)
    total = len(discovery.notes)
    # The state file is read in a thread meanwhile: while worker processes parse and
    # render, this process is mostly waiting.
    with ThreadPoolExecutor(1) as reader:
        loading = reader.submit(load_last_state, session)
        reused = cache.reusable() if cache is not None else set()
        outputs = note_outputs(job, cache, reused)
        taken = 0
        for done, (cards, note_diagnostics, stored) in enumerate(outputs, start=1):
            store.add(cards)
            diagnostics.extend(note_diagnostics)
            taken += stored
            if progress is not None:
                progress("notes", done, total)
        if cache is not None:
            cache.save()
        notes_done = time.perf_counter()
        if progress is not None:
            progress("identities", 0, 1)
        previous, state_problems = loading.result()
    now = clock()
    # Note files share their folder's state file with the folder's other notes: a build
    # of some of them leaves the others' cards alone.
    built = None if session.whole_vault else {s.rel for s in discovery.notes}
    result = reconcile(store, previous, int(now), notes=built)
    diagnostics.extend(state_problems)
    lint = list(lint_cards(result.cards)) if session.lint else None
    reconciled = time.perf_counter()
    if progress is not None:
        progress("identities", 1, 1)
    report = assemble_report(
        discovery,
        result,
        diagnostics,
        stage_seconds={
            "notes": notes_done - started,
            "reconcile": reconciled - notes_done,
        },
        reused=taken,
        lint=lint,
    )
    return BuildResult(
        cards=result.cards,
        retired=result.retired,
        report=report,
        root_deck=session.root_deck,
        vault=discovery.root,
        state=result.state,
        state_changed=result.state_changed,
        now=now,
        note_paths=tuple(source.rel for source in discovery.notes),
        clashes=len(result.diagnostics),
    )


def deck_settings(config: Config, result: BuildResult) -> DeckSettings:
    """What the whole deck shares: its root deck, the removed tag, the extra CSS, the
    description, and a shared deck's namespace."""
    from flashgen.anki.deck import DeckSettings

    return DeckSettings(
        root_deck=result.root_deck,
        removed_tag=REMOVED_TAG,
        css=extra_css(config, result.vault),
        description=deck_description(config, result.vault, len(result.cards)),
        namespace=config.namespace if config.share else None,
    )
