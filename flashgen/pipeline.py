"""build(): runs the stages, collects diagnostics, returns a BuildReport."""

from __future__ import annotations

import contextlib
import gc
import html
import logging
import multiprocessing
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flashgen.cache import (
    NoteCache,
    Reads,
    cache_folder,
    decode_diagnostics,
    encode_diagnostics,
    file_stamp,
    listing_digest,
    settings_key,
)
from flashgen.config import Config
from flashgen.discover import Discovery, SourceFile, discover_notes, is_inside_vault
from flashgen.errors import ConfigError, OutputError
from flashgen.records import quick_init
from flashgen.render.media import MediaIndex
from flashgen.report import (
    BuildReport,
    Changes,
    Diagnostic,
    Severity,
    count,
    is_left_out,
    left_out,
)
from flashgen.state.file import (
    SHARED_STATE_FILE,
    STATE_FILE,
    State,
    commit_state,
    load_state,
    stage_state,
)
from flashgen.state.saved import CardState
from flashgen.version import __version__

# Parsing, extraction, rendering and reconciling are imported where notes are processed,
# so a build that finds nothing changed never loads them.
if TYPE_CHECKING:
    from flashgen.anki.package import Piece
    from flashgen.reconcile.assign import DeckMove
    from flashgen.render.transclude import NoteLibrary
    from flashgen.state.rows import MappedState
    from flashgen.store.cardstore import AssignedCards
    from flashgen.store.codec import PackedNote
    from flashgen.store.keyed import Keyed

log = logging.getLogger(__name__)

Clock = Callable[[], float]

REMOVED_TAG = "flashgen::removed"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The cards a build makes, the cards it retires, and its report."""

    cards: AssignedCards
    """Empty when the deck was up to date (`report.up_to_date`) and left as it was. Made
    as they are read: a large vault's cards are never all in memory as records."""
    retired: tuple[CardState, ...]
    report: BuildReport
    root_deck: str
    vault: Path
    """The vault's root folder; media paths are relative to it."""
    state: State
    """The state to save once the deck is written."""
    state_changed: bool
    now: float
    """The build's clock reading: new and changed cards' time, and the package's."""
    note_paths: tuple[str, ...] = ()
    """Vault paths of every note read (after the ignore rules)."""
    clashes: int = 0
    """Cards left out for having the same identity as another."""


NoteOutput = tuple[list["Keyed"], list[Diagnostic]]


@quick_init
@dataclass(frozen=True, slots=True)
class Processed:
    """One note's output and what the cache needs to keep it."""

    output: NoteOutput
    digest: str
    """SHA-256 of the bytes the note was parsed from ("" when it was not read)."""
    reads: Reads
    files: tuple[tuple[str, str], ...]
    """The media its cards show (vault path, name in the deck), sorted."""
    packed: PackedNote | None = None
    """The cards packed (made where the note was processed, in parallel): what a build's
    CardStore holds and the cache keeps. None when neither wants them."""


def _keep(cache: NoteCache, source: SourceFile, processed: Processed) -> None:
    """Keep a freshly processed note's output in the cache, its cards encoded."""
    from flashgen.store.codec import encode_packed

    if processed.packed is None:
        return
    cache.record(
        source,
        encode_packed(processed.packed),
        processed.output[1],
        digest=processed.digest,
        reads=processed.reads,
        files=processed.files,
    )


Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a build goes; for a progress bar. The stages, in order:
"notes" (notes processed), "identities" (0 of 1, then 1 of 1: this build's cards matched
with the last build's), and when a deck is written, "rows" (the collection's rows
written) and "pieces" (the collection compressed into the deck)."""


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
    with _cycle_collection_paused():
        return _plan(_start(config, lint), clock, progress)


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


def _build(
    config: Config, clock: Clock, dry_run: bool, progress: Progress | None
) -> BuildResult:
    started = time.perf_counter()
    session = _start(config, lint=False)
    output = _output(config, session)
    if not dry_run and session.cache is not None:
        record = session.cache.read_record(session.last_deck)
        last = _reuse_deck(session, output, clock, record)
        if last is not None:
            seconds = {"check": time.perf_counter() - started}
            return replace(last, report=replace(last.report, stage_seconds=seconds))
        _check_replaceable(output)
        patched = _patch_deck(session, output, clock, progress, record)
        if patched is not None:
            return patched
    elif not dry_run:
        _check_replaceable(output)
    result = _plan(session, clock, progress)
    if dry_run:
        return result
    _check_something_read(config, result)
    # genanki and sqlite load only when a deck is written.
    from flashgen.anki.deck import AnkiNotes, DeckSettings
    from flashgen.anki.package import write_package

    media = {name: result.vault / path for name, path in result.cards.media().items()}
    started = time.perf_counter()
    settings = DeckSettings(
        root_deck=result.root_deck,
        removed_tag=REMOVED_TAG,
        css=_extra_css(config, result.vault),
        description=_description(config, result.vault, len(result.cards)),
        namespace=config.namespace if config.share else None,
    )
    collection = _collection(session)
    notes = AnkiNotes(result.cards, result.retired, settings)
    # The note type's time comes from the cards themselves (as ids come from the state):
    # the same notes and state give the same bytes, whenever they are built.
    stamp = result.cards.newest() or int(result.now)
    state_file = session.state_file
    # The state is encoded while the deck is compressed (zlib lets go of the GIL); it
    # replaces the old state only once the deck is in place, and the deck replaces the
    # old deck only once the state is staged: a state that cannot be written leaves
    # both as they were.
    staged_or_failed = threading.Event()
    failed = False

    def ready() -> None:
        staged_or_failed.wait()
        if failed:
            raise _StateNotStagedError

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
        staged = None
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
            if staged is not None:
                staged.unlink(missing_ok=True)
            raise
    written = time.perf_counter()
    if staged is not None:
        commit_state(staged, state_file)
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
        patch = None
        if written_deck.kept:
            assert collection is not None
            patch = (collection, written_deck.pieces, top)
        _remember_deck(session, output.resolve(), report, patch, result.clashes)
    return replace(result, report=report)


def _check_replaceable(output: Path) -> None:
    """A deck replaces only a deck: a file at the output path that is not one (a path
    mistyped, or named by someone else's settings) is never replaced."""
    from flashgen.anki.package import is_deck

    if os.path.lexists(output) and not output.is_dir() and not is_deck(output):
        raise OutputError(
            f"{output}: error: is not a deck flashgen wrote, so it was not replaced "
            "(remove it, or choose another path with -o)"
        )


def _check_something_read(config: Config, result: BuildResult) -> None:
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


@dataclass(frozen=True, slots=True)
class _Session:
    """What a build has found before it processes any note."""

    config: Config
    discovery: Discovery
    root_deck: str
    vault_name: str
    lint: bool
    cache: NoteCache | None

    @property
    def state_file(self) -> Path:
        """The personal deck's state file, or the shared deck's (`--share`)."""
        name = SHARED_STATE_FILE if self.config.share else STATE_FILE
        return self.discovery.root / name

    @property
    def last_deck(self) -> Path:
        """The record of the last deck this build wrote (see _remember_deck)."""
        assert self.cache is not None
        return self.cache.folder / _LAST_DECK


def _start(config: Config, lint: bool) -> _Session:
    discovery = discover_notes(config.inputs, config.include, config.exclude)
    if config.share and not config.namespace:
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: --share needs a namespace, so that decks from different "
                'authors never collide (add namespace = "<you>-<vault>" and keep it for '
                "every version you share)",
            )
        )
    _check_css(config, discovery.root)
    discovery = _check_readme(discovery)
    root_deck = config.deck_name or discovery.name
    vault_name = config.vault_name or discovery.root.name
    cache = None
    if config.cache and not lint:
        cache = _open_cache(config, discovery, root_deck, vault_name)
    return _Session(config, discovery, root_deck, vault_name, lint, cache)


def _open_cache(
    config: Config, discovery: Discovery, root_deck: str, vault_name: str
) -> NoteCache:
    settings = {
        name: getattr(config, name)
        for name in Config.__dataclass_fields__
        if name
        not in {"inputs", "output", "output_folder", "jobs", "cache", "config_file"}
    }
    settings.update(root=str(discovery.root), root_deck=root_deck, vault=vault_name)
    media = MediaIndex(discovery.root).fingerprint()
    folder = cache_folder(discovery.root, (path.resolve() for path in config.inputs))
    if config.share:
        # Its own cache: shared and personal builds in turn never undo each other's.
        folder = folder.with_name(f"{folder.name}-shared")
    cache = NoteCache(
        folder,
        settings_key(settings),
        listing_digest(media),
        listing_digest(source.rel for source in discovery.notes),
    )
    cache.check(discovery.notes)
    return cache


_LAST_DECK = "last-deck.json"


def _same_deck(
    session: _Session, output: Path, record: Mapping[str, Any] | None, notes: str
) -> bool:
    """Whether the last deck record is this build's: same settings, output and deck
    and state files as written, the same notes (`notes`: the cache contents it read), and
    the same README and CSS."""
    cache = session.cache
    assert cache is not None
    return (
        record is not None
        and record.get("key") == cache.key
        and record.get("output") == str(output.resolve())
        and record.get("deck") == file_stamp(output)
        and record.get("state") == file_stamp(session.state_file)
        and record.get("notes") == notes
        and record.get("inputs") == _deck_inputs(session)
    )


def _reuse_deck(
    session: _Session, output: Path, clock: Clock, record: Mapping[str, Any] | None
) -> BuildResult | None:
    """The last build's result when no note, setting, deck or state file changed since."""
    cache = session.cache
    assert cache is not None
    if (
        record is None
        or not cache.unchanged
        or not _same_deck(session, output, record, cache.contents())
    ):
        return None
    try:
        cards, decks = int(record["cards"]), int(record["decks"])
        stored = decode_diagnostics(record["diagnostics"])
        left_out = decode_diagnostics(record["left_out"])
    except (KeyError, ValueError, TypeError) as err:
        log.debug("last deck record unreadable: %r", err)
        return None
    discovery = session.discovery
    report = BuildReport(
        output=str(output),
        notes=len(discovery.notes),
        cards=cards,
        decks=decks,
        diagnostics=(*discovery.diagnostics, *stored),
        skipped=discovery.skipped,
        left_out=_split_left_out(discovery, left_out)[1],
        changes=Changes(unchanged=cards),
        up_to_date=True,
        reused=len(discovery.notes),
    )
    from flashgen.store.cardstore import AssignedCards, Assignments, CardStore

    return BuildResult(
        AssignedCards(CardStore(), Assignments()),
        (),
        report,
        session.root_deck,
        discovery.root,
        State(),
        False,
        clock(),
        tuple(source.rel for source in discovery.notes),
    )


_COLLECTION = "collection.anki2"
_PATCH_ANY, _PATCH_SHARE = 50, 20
"""The last deck is patched when at most this many notes changed, or one in this many."""


def _collection(session: _Session) -> Path | None:
    """Where a build keeps its collection for the next build to patch, if it may: whole
    vaults only (note files share a state file with other notes), and never a shared
    deck, which a full build makes the same to the byte on every machine."""
    inputs = session.config.inputs
    whole_vault = len(inputs) == 1 and inputs[0].is_dir()
    if session.cache is None or session.config.share or not whole_vault:
        return None
    return session.cache.folder / _COLLECTION


def _patch_deck(
    session: _Session,
    output: Path,
    clock: Clock,
    progress: Progress | None,
    record: Mapping[str, Any] | None,
) -> BuildResult | None:
    """The deck and state file of a full build, made by changing the last ones where the
    changed notes' cards are: None when that cannot be shown to give the same result,
    or when too many notes changed for it to pay.

    It can when the last build left the collection in the cache, the deck and state file
    are the ones it wrote, the cache holds what that build read, that build had no cards
    with the same identity, and no changed note shares its identity with another note.
    """
    cache = session.cache
    collection = _collection(session)
    if cache is None or collection is None:
        return None
    if (
        record is None
        or not _same_deck(session, output, record, cache.loaded_contents())
        or record.get("clashes") != 0
    ):
        return None
    from flashgen.anki.package import Piece
    from flashgen.state.rows import MappedState

    try:
        kept = record["collection"]
        if kept["stamp"] != file_stamp(collection):
            return None
        pieces = [Piece(str(d), int(o), int(n)) for d, o, n in kept["pieces"]]
        top = int(kept["top_id"])
    except (KeyError, TypeError, ValueError) as err:
        log.debug("cannot patch the last deck: %r", err)
        return None
    mapped = MappedState.open(session.state_file, record["state"])
    if mapped is None:
        return None
    with mapped:
        return _patch(session, output, clock, progress, pieces, top, mapped)


def _patch(
    session: _Session,
    output: Path,
    clock: Clock,
    progress: Progress | None,
    pieces: list[Piece],
    top: int,
    mapped: MappedState,
) -> BuildResult | None:
    started = time.perf_counter()
    cache, discovery, config = session.cache, session.discovery, session.config
    assert cache is not None
    collection = cache.folder / _COLLECTION
    state_file = session.state_file
    fresh = cache.fresh(discovery.notes)
    gone = cache.gone(discovery.notes)
    if len(fresh) + len(gone) > max(_PATCH_ANY, len(discovery.notes) // _PATCH_SHARE):
        # A patch holds the changed notes' cards as records; a full build holds them
        # packed, and writes every row at once: the better way when much changed.
        log.debug("too many notes changed to patch the last deck")
        return None
    import sqlite3

    from flashgen.anki.package import Previous, package_collection

    rows = mapped.rows
    job = _Job(config, session.root_deck, session.vault_name, discovery, False, True)
    outputs: dict[str, NoteOutput] = {}
    for done, (source, processed) in enumerate(
        zip(fresh, _process_notes(job, fresh), strict=True), start=1
    ):
        _keep(cache, source, processed)
        outputs[source.rel] = processed.output
        if progress is not None:
            progress("notes", done, len(fresh))
    notes_done = time.perf_counter()
    if progress is not None:
        progress("identities", 0, 1)
    keyed = [
        item
        for source in discovery.notes
        if source.rel in outputs
        for item in outputs[source.rel][0]
    ]
    if (
        outputs
        and not keyed
        and all(
            any(d.severity is Severity.ERROR for d in output[1])
            for output in outputs.values()
        )
    ):
        return None  # a full build tells whether any note could be read at all
    paths = {*outputs, *gone}
    identities = {item.key[0] for item in keyed}
    explicit = {identity for identity in identities if identity.startswith("id:")}
    refs = rows.notes_of(paths, explicit)
    found = rows.find_refs(refs, retired=True)
    old = rows.cards(found)
    if any(card.note not in paths and card.key[0] in identities for card in old):
        return None  # another note has the same identity: only a full build can tell
    from flashgen.anki.deck import DeckSettings, anki_notes
    from flashgen.anki.patch import patch_collection
    from flashgen.reconcile.assign import reconcile

    now = clock()
    result = reconcile(keyed, State(tuple(old)), int(now), reserved=rows, last_id=top)
    # A note whose line in the state file changes with these rows is written anew too.
    found, written_cards, table = rows.replacement(
        found, old, result.state.cards, refs, session.root_deck
    )
    reconciled = time.perf_counter()
    if progress is not None:
        progress("identities", 1, 1)
    settings = DeckSettings(
        root_deck=session.root_deck,
        removed_tag=REMOVED_TAG,
        css=_extra_css(config, discovery.root),
        namespace=None,
    )
    # From here on the kept collection changes: it is trusted again only once recorded.
    try:
        session.last_deck.unlink(missing_ok=True)
        cards, decks = patch_collection(
            collection,
            anki_notes(result.cards, result.retired, settings),
            settings,
            lambda count: _description(config, discovery.root, count),
            int(now),
        )
    except (OSError, sqlite3.Error, ValueError, KeyError) as err:
        # A cache that cannot be patched: a full build writes the deck instead.
        log.debug("cannot patch the kept collection: %r", err)
        return None
    media = {name: discovery.root / source for name, source in cache.files().items()}
    staged = None
    if result.state_changed:
        staged = mapped.stage_replaced(found, written_cards, table, state_file)
    mapped.close()  # before the file is replaced
    try:
        pieces = package_collection(
            collection, media, output, Previous(output, pieces), progress
        )
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise
    if staged is not None:
        commit_state(staged, state_file)
    written = time.perf_counter()
    cache.save()

    diagnostics = list(discovery.diagnostics)
    for source in discovery.notes:
        if source.rel in outputs:
            diagnostics.extend(outputs[source.rel][1])
        else:
            diagnostics.extend(cache.problems(source.rel))
    diagnostics.extend(result.diagnostics)
    news = tuple(_change_messages(result.cards, result.newly_removed, result.moved))
    diagnostics.extend(news)
    diagnostics, left_out = _split_left_out(discovery, diagnostics)
    statuses = result.cards.statuses()
    changed = statuses["added"] + statuses["updated"] + statuses["rematched"]
    report = BuildReport(
        output=str(output),
        notes=len(discovery.notes),
        cards=cards,
        decks=decks,
        diagnostics=tuple(diagnostics),
        skipped=discovery.skipped,
        left_out=left_out,
        changes=Changes(
            added=statuses["added"],
            updated=statuses["updated"],
            unchanged=cards - changed,
            rematched=statuses["rematched"],
            removed=len(result.newly_removed),
        ),
        stage_seconds={
            "notes": notes_done - started,
            "reconcile": reconciled - notes_done,
            "write": written - reconciled,
        },
        reused=len(discovery.notes) - len(fresh),
        news=news,
        patched=True,
        removed=removed_cards(result.newly_removed),
    )
    top = max([top, *(card.id for card in result.state.cards)])
    patch = (collection, pieces, top)
    _remember_deck(session, output.resolve(), report, patch, len(result.diagnostics))
    return BuildResult(
        result.cards,
        result.retired,
        report,
        session.root_deck,
        discovery.root,
        State(),
        False,
        now,
        tuple(source.rel for source in discovery.notes),
        len(result.diagnostics),
    )


def _deck_inputs(session: _Session) -> list[list[int] | None]:
    """Files the deck reads besides the notes: the vault README (its description, even
    when the README is not built) and the extra CSS."""
    root = session.discovery.root
    css = session.config.css
    return [file_stamp(root / "README.md"), file_stamp(root / css) if css else None]


def _remember_deck(
    session: _Session,
    output: Path,
    report: BuildReport,
    patch: tuple[Path, Sequence[Piece], int] | None,
    clashes: int,
) -> None:
    cache = session.cache
    assert cache is not None
    # What a rebuild with no change would report: not this build's news of changes.
    news = set(report.news)
    stable = [d for d in report.diagnostics if d not in news]
    found = len(session.discovery.diagnostics)
    record: dict[str, Any] = {
        "key": cache.key,
        "output": str(output),
        "deck": file_stamp(output),
        "state": file_stamp(session.state_file),
        "notes": cache.contents(),
        "inputs": _deck_inputs(session),
        "cards": report.cards,
        "decks": report.decks,
        "diagnostics": encode_diagnostics(stable[found:]),
        "left_out": encode_diagnostics(
            d for d in report.left_out if d not in session.discovery.left_out
        ),
        "clashes": clashes,
    }
    if patch is not None:
        collection, pieces, top = patch
        record["collection"] = {
            "stamp": file_stamp(collection),
            "pieces": [[p.digest, p.offset, p.length] for p in pieces],
            "top_id": top,
        }
    cache.write_record(session.last_deck, record)


def _plan(session: _Session, clock: Clock, progress: Progress | None) -> BuildResult:
    started = time.perf_counter()
    discovery, cache = session.discovery, session.cache
    job = _Job(
        session.config,
        session.root_deck,
        session.vault_name,
        discovery,
        session.lint,
        caching=cache is not None,
        packing=True,
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
        loading = reader.submit(_load_state, session)
        reused = cache.reusable() if cache is not None else set()
        outputs = _note_outputs(job, cache, reused)
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
    inputs = session.config.inputs
    whole_vault = len(inputs) == 1 and inputs[0].is_dir()
    built = None if whole_vault else {source.rel for source in discovery.notes}
    result = reconcile(store, previous, int(now), notes=built)
    diagnostics.extend(state_problems)
    diagnostics.extend(result.diagnostics)
    news: tuple[Diagnostic, ...] = ()
    if session.lint:
        diagnostics.extend(lint_cards(result.cards))
    else:
        # Changes since the last build are a build's news, not a lint.
        news = tuple(_change_messages(result.cards, result.newly_removed, result.moved))
        diagnostics.extend(news)
    reconciled = time.perf_counter()
    if progress is not None:
        progress("identities", 1, 1)
    statuses = result.cards.statuses()
    changes = Changes(
        added=statuses["added"],
        updated=statuses["updated"],
        unchanged=statuses["unchanged"],
        rematched=statuses["rematched"],
        removed=len(result.newly_removed),
    )
    diagnostics, left_out = _split_left_out(discovery, diagnostics)
    if session.lint:
        diagnostics.extend(left_out)
    report = BuildReport(
        output=None,
        notes=len(discovery.notes),
        cards=len(result.cards),
        decks=len(result.cards.decks()),
        diagnostics=tuple(diagnostics),
        skipped=discovery.skipped,
        left_out=left_out,
        changes=changes,
        stage_seconds={
            "notes": notes_done - started,
            "reconcile": reconciled - notes_done,
        },
        reused=taken,
        news=news,
        removed=removed_cards(result.newly_removed),
    )
    return BuildResult(
        result.cards,
        result.retired,
        report,
        session.root_deck,
        discovery.root,
        result.state,
        result.state_changed,
        now,
        tuple(source.rel for source in discovery.notes),
        len(result.diagnostics),
    )


def _split_left_out(
    discovery: Discovery, diagnostics: Sequence[Diagnostic]
) -> tuple[list[Diagnostic], tuple[Diagnostic, ...]]:
    """The diagnostics without the reasons notes were left out, and those reasons (the
    walk's and the notes' own), by path: a build shows them only when asked to."""
    left_out = [*discovery.left_out, *(d for d in diagnostics if is_left_out(d))]
    left_out.sort(key=lambda diagnostic: diagnostic.path)
    return [d for d in diagnostics if not is_left_out(d)], tuple(left_out)


def _load_state(session: _Session) -> tuple[State, tuple[Diagnostic, ...]]:
    """The last state of this kind of deck. A shared deck's first state is the personal
    deck's (read, never written): its identities, as shared decks had them before they
    kept a state of their own, so a recipient's earlier import still updates."""
    path = session.state_file
    if session.config.share and not path.exists():
        path = session.discovery.root / STATE_FILE
    return load_state(path)


def _check_css(config: Config, vault: Path) -> None:
    """The css file is read from inside the vault only: a vault's settings may come
    from someone else, and the deck carries the file to whoever imports it."""
    if config.css is None:
        return
    path = vault / config.css
    if path.exists() and not is_inside_vault(path, vault.resolve()):
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: css file '{config.css}' is outside the vault (give "
                "the vault-relative path of a .css file inside the vault)",
            )
        )


def _check_readme(discovery: Discovery) -> Discovery:
    """A README that leads out of the vault is not read for the description: the walk
    says so for a vault; a build of note files, which walks nothing, says so here."""
    readme = discovery.root / _README
    if not os.path.lexists(readme) or _readme_is_inside(discovery.root):
        return discovery
    if any(d.path == _README for d in discovery.diagnostics):
        return discovery
    warning = Diagnostic(
        _README,
        0,
        Severity.WARNING,
        "leads out of the vault and was not read for the deck's description (copy "
        "it into the vault)",
    )
    return replace(discovery, diagnostics=(*discovery.diagnostics, warning))


_README = "README.md"


def _readme_is_inside(vault: Path) -> bool:
    return is_inside_vault(vault / _README, vault.resolve())


def _extra_css(config: Config, vault: Path) -> str:
    if config.css is None:
        return ""
    _check_css(config, vault)
    path = vault / config.css
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: css file '{config.css}' cannot be read ({err}; give a "
                "vault-relative path to a UTF-8 .css file)",
            )
        ) from err


def _description(config: Config, vault: Path, cards: int) -> str:
    """The root deck's description: the config's, or the vault README's opening, and a
    version line."""
    text = config.description
    readme = vault / _README
    if text is None and readme.is_file() and _readme_is_inside(vault):
        paragraphs = readme.read_text(encoding="utf-8", errors="replace").split("\n\n")
        prose = [
            p.strip()
            for p in paragraphs
            if p.strip() and not p.lstrip().startswith(("#", "---"))
        ]
        text = prose[0] if prose else None
    version = f"{cards} cards, built by flashgen {__version__}"
    return f"{html.escape(text)}<br><br>{version}" if text else version


# Below this many notes, starting worker processes costs more than it saves.
_PARALLEL_FROM = 300
_CHUNK = 32


@dataclass(frozen=True, slots=True)
class _Job:
    """What every note's processing needs; sent once to each worker process."""

    config: Config
    root_deck: str
    vault_name: str
    discovery: Discovery
    lint: bool
    caching: bool = False
    """Also pack each note's cards for the cache (in the worker, in parallel)."""
    packing: bool = False
    """Send each note's cards packed for a CardStore, not as records (see packed.py)."""


def _note_outputs(
    job: _Job, cache: NoteCache | None, reused: set[str]
) -> Iterator[tuple[Sequence[Keyed] | PackedNote, list[Diagnostic], bool]]:
    """Every note's cards (packed when the job packs them) and diagnostics, in order,
    and whether they came from the cache (they do when the note is unchanged)."""
    from flashgen.store.codec import decode_packed

    notes = job.discovery.notes
    fresh = _process_notes(job, [s for s in notes if s.rel not in reused])
    for source in notes:
        if source.rel in reused:
            stored = (
                cache.output(source.rel, decode_packed) if cache is not None else None
            )
            if stored is not None:
                yield *stored, True
                continue
            # Unreadable after all: processed here, in this process.
            processed = next(_process_notes(job, [source]))
        else:
            processed = next(fresh)
        if cache is not None:
            _keep(cache, source, processed)
        keyed, diagnostics = processed.output
        yield processed.packed or keyed, diagnostics, False


def _process_notes(job: _Job, notes: Sequence[SourceFile]) -> Iterator[Processed]:
    """Parse, extract and render notes, in order; on all cores when there are many."""
    workers = job.config.jobs or min(os.cpu_count() or 1, 8)
    if workers < 2 or (job.config.jobs is None and len(notes) < _PARALLEL_FROM):
        if notes:
            _start_worker(job)
        yield from (_process_note(source) for source in notes)
        return
    chunks = [notes[i : i + _CHUNK] for i in range(0, len(notes), _CHUNK)]
    # spawn, not fork: `flashgen watch` runs builds beside a file-watching thread.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, _start_worker, (job,)) as pool:
        for outputs in pool.map(_process_chunk, chunks):
            yield from outputs


_worker: tuple[_Job, MediaIndex, NoteLibrary] | None = None


def _start_worker(job: _Job) -> None:
    global _worker
    from flashgen.render.transclude import NoteLibrary

    root = job.discovery.root
    _worker = (job, MediaIndex(root), NoteLibrary(root, job.discovery.notes))


def _process_chunk(sources: Sequence[SourceFile]) -> list[Processed]:
    return [_process_note(source) for source in sources]


def _process_note(source: SourceFile) -> Processed:
    assert _worker is not None
    job, media, library = _worker
    media.consulted = False
    library.start_note()
    output, digest = _note_output(source, job, media, library)
    reads = Reads(
        media.consulted,
        tuple(sorted(library.embedded)) if library.consulted else None,
    )
    keyed, diagnostics = output
    from flashgen.store.keyed import media_files

    files = media_files(keyed)
    if not (job.caching or job.packing):
        return Processed(output, digest, reads, files)
    from flashgen.store.codec import pack_note

    # Packed once, for the build's CardStore and for the cache alike; a packing job
    # sends the cards packed only.
    sent = ([], diagnostics) if job.packing else output
    return Processed(sent, digest, reads, files, pack_note(keyed))


def _note_output(
    source: SourceFile, job: _Job, media: MediaIndex, library: NoteLibrary
) -> tuple[NoteOutput, str]:
    from flashgen.extract import (
        MAX_CARDS_PER_NOTE,
        extract_cards,
        left_out_because,
        makes_cards,
    )
    from flashgen.identity import card_key, note_key
    from flashgen.lint import lint_note
    from flashgen.parse import parse_note
    from flashgen.reconcile.assign import Keyed
    from flashgen.render.card import render_card

    config = job.config
    keyed: list[Keyed] = []
    try:
        note = parse_note(source)
    except OSError as err:
        problem = f"cannot read the note: {err.strerror} (check its permissions)"
        return (keyed, [Diagnostic(source.rel, 0, Severity.ERROR, problem)]), ""
    diagnostics = list(note.diagnostics)
    deck, problems = _deck_for(
        job.root_deck, note.path, note.front_matter, config.deck_layout, config.share
    )
    diagnostics.extend(problems)
    identity = note_key(note.path, note.front_matter)
    link = _source_link(config, job.vault_name, note.path)
    reason = left_out_because(note)
    if reason is not None:
        diagnostics.append(left_out(note.path, reason))
    drafts = extract_cards(note, folder_tags=config.folder_tags)
    if len(drafts) > MAX_CARDS_PER_NOTE:
        diagnostics.append(
            Diagnostic(
                note.path,
                drafts[MAX_CARDS_PER_NOTE].line,
                Severity.WARNING,
                f"note makes {len(drafts)} cards; only the first {MAX_CARDS_PER_NOTE} "
                "were kept (split the note)",
            )
        )
        drafts = drafts[:MAX_CARDS_PER_NOTE]
    drafts = tuple(draft for draft in drafts if draft.kind in config.cards)
    if job.lint and makes_cards(note):
        diagnostics.extend(lint_note(note, drafts, library))
    show_source = _shows_source(config)
    for draft in drafts:
        rendering = render_card(
            draft, deck, media, link, show_source=show_source, library=library
        )
        diagnostics.extend(rendering.diagnostics)
        keyed.append(Keyed.of(rendering.card, card_key(draft, identity)))
    return (keyed, diagnostics), note.digest


def _change_messages(
    cards: AssignedCards,
    removed: tuple[CardState, ...],
    deck_moves: tuple[DeckMove, ...] = (),
) -> list[Diagnostic]:
    messages = []
    # A note moved or renamed with its cards as they were: one message for the note.
    moved: Counter[tuple[str, str]] = Counter()
    for fact, old in cards.taken():
        same = (old.context, old.label) == (fact.context, fact.label)
        if same and old.note != fact.note:
            moved[fact.note, old.note] += 1
            continue
        was = " \u203a ".join((*old.context, old.label))
        now = " \u203a ".join((*fact.context, fact.label))
        where = f" in {old.note}" if old.note != fact.note else ""
        messages.append(
            Diagnostic(
                fact.note,
                fact.line,
                Severity.INFO,
                f"'{now}' keeps the identity (and review history) of '{was}'{where}",
            )
        )
    for (path, was), number in moved.items():
        kept = (
            "its card keeps its identity"
            if number == 1
            else f"its {number} cards keep their identity"
        )
        messages.append(
            Diagnostic(
                path, 0, Severity.INFO, f"was {was}: {kept} (and review history)"
            )
        )
    messages.sort(key=lambda message: (message.path, message.line))
    messages.extend(_moved_messages(deck_moves))
    messages.extend(_removed_messages(removed))
    return messages


def _moved_messages(moved: Sequence[DeckMove]) -> list[Diagnostic]:
    """One warning per deck that cards left for another (naming the note when they all
    come from one): an import never moves a card Anki already has, so it stays in the old
    deck until the user moves it."""
    pairs: dict[tuple[str, str], list[DeckMove]] = {}
    for move in moved:
        pairs.setdefault((move.was, move.now), []).append(move)
    messages = []
    for (was, now), moves in pairs.items():
        cards = sum(move.cards for move in moves)
        which = count(cards, "card")
        if len(moves) > 1:
            which += f" of {count(len(moves), 'note')}"
        verb = "belongs" if cards == 1 else "belong"
        messages.append(
            Diagnostic(
                moves[0].note,
                0,
                Severity.WARNING,
                f"{which} now {verb} to deck '{now}', not '{was}'; importing does not "
                f'move cards Anki already has (in Anki\'s Browser search "deck:{was}", '
                "select them, then Cards > Change Deck)",
            )
        )
    return messages


def _removed_messages(removed: Sequence[CardState]) -> list[Diagnostic]:
    """One warning per note whose cards left the notes: what an import does with them
    (tags them; Anki keeps them where they are, in review) and how to find them."""
    per_note: dict[str, list[CardState]] = {}
    for old in removed:
        per_note.setdefault(old.note, []).append(old)
    messages = []
    for note, cards in sorted(per_note.items()):
        cards.sort(key=lambda old: (old.context, old.label))
        first = " \u203a ".join((*cards[0].context, cards[0].label))
        if len(cards) == 1:
            what = f"card '{first}' is no longer in the notes"
            them, points = "it", "point"
        else:
            what = (
                f"{len(cards)} cards are no longer in the notes ('{first}' and "
                f"{count(len(cards) - 1, 'other')})"
            )
            them, points = "them", "points"
        messages.append(
            Diagnostic(
                note,
                0,
                Severity.WARNING,
                f"{what}; importing the deck tags {them} {REMOVED_TAG}, but Anki keeps "
                f"{them} in review (in Anki's Browser search tag:{REMOVED_TAG}, then "
                f"suspend or delete; or restore the {points} to keep {them})",
            )
        )
    return messages


def removed_cards(removed: Sequence[CardState]) -> tuple[Diagnostic, ...]:
    """Every removed card by name (`--verbose`, `--json`): the warnings name one a note."""
    return tuple(
        Diagnostic(
            old.note,
            0,
            Severity.INFO,
            "card '" + " \u203a ".join((*old.context, old.label)) + "' was removed",
        )
        for old in sorted(removed, key=lambda old: (old.note, old.context, old.label))
    )


def _shows_source(config: Config) -> bool:
    # A shared deck carries no links into the author's own vault, only public templates.
    if config.share and "{path}" not in config.source_link:
        return False
    return config.source_link != "none"


def _source_link(config: Config, vault: str, path: str) -> str | None:
    """obsidian://open?vault=...&file=... opens the note in Obsidian from the card."""
    if "{path}" in config.source_link:
        return config.source_link.replace("{path}", quote(path)).replace(
            "{vault}", quote(vault, safe="")
        )
    if config.source_link != "obsidian":
        return None
    file = path.removesuffix(".md")
    return f"obsidian://open?vault={quote(vault, safe='')}&file={quote(file, safe='')}"


MAX_DECK_DEPTH = 11
"""Levels of a deck name Anki imports: a deck nested deeper makes it refuse the whole
package ("deck nesting level too deep"), as an import into a real collection shows."""
_FOLDED = " / "


def _deck_for(
    root: str, path: str, front_matter: Mapping[str, Any], layout: str, share: bool
) -> tuple[str, list[Diagnostic]]:
    """`deck:` in front matter names the deck; otherwise the folders under the root deck.

    In a shared deck, a named deck stays under the root deck: a recipient's own decks
    (Default, say) are never filled. A deck nested deeper than Anki allows has its
    deepest levels joined into one."""
    problems = []
    named = front_matter.get("deck")
    if isinstance(named, str) and named.strip():
        parts = [part.strip() for part in named.split("::") if part.strip()]
        if share and parts[: len(root.split("::"))] != root.split("::"):
            under = "::".join((root, *parts))
            problems.append(
                Diagnostic(
                    path,
                    0,
                    Severity.WARNING,
                    f"deck '{'::'.join(parts)}' is outside the shared deck '{root}'; "
                    f"its cards go to '{under}' (name a deck under {root}::)",
                )
            )
            parts = under.split("::")
    elif layout == "single":
        parts = root.split("::")
    else:
        parts = [*root.split("::"), *PurePosixPath(path).parts[:-1]]
    deck = "::".join(parts)
    if len(parts) > MAX_DECK_DEPTH:
        kept = MAX_DECK_DEPTH - 1
        folded = _FOLDED.join(parts[kept:])
        problems.append(
            Diagnostic(
                path,
                0,
                Severity.WARNING,
                f"deck '{deck}' is {len(parts)} levels deep, and Anki takes at most "
                f"{MAX_DECK_DEPTH}; its last levels are one deck, '{folded}' (nest "
                "less deeply)",
            )
        )
        deck = "::".join((*parts[:kept], folded))
    return deck, problems


def _output(config: Config, session: _Session) -> Path:
    """Where the deck goes: `output` when set, else `decks/<name>.apkg` in the current
    folder, named after the root deck (a vault) or the note (note files, whose deck
    goes beside the vault's when the vault's settings name its place)."""
    if config.output is not None:
        return config.output
    title = session.discovery.title
    name = _file_name(session.root_deck if title is None else title)
    return (config.output_folder or Path("decks")) / f"{name}.apkg"


def _file_name(deck: str) -> str:
    return re.sub(r"[^\w.-]+", "-", deck).strip("-.") or "deck"
