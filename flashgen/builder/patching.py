"""The last deck and state file in, the ones a full build would write out, made by
changing only the rows of the cards of the notes that changed: when few did, and when that
can be shown to give the same result.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flashgen.builder.messages import REMOVED_TAG
from flashgen.builder.result import BuildResult, Clock, Progress, assemble_report
from flashgen.builder.reuse import (
    LastDeck,
    kept_collection_of,
    remember_deck,
    same_deck,
)
from flashgen.builder.session import (
    Session,
    deck_description,
    extra_css,
    kept_collection,
)
from flashgen.builder.workers import keep_in_cache, process_notes
from flashgen.cachefolder import file_stamp
from flashgen.note import NoteJob, NoteOutput
from flashgen.report import Severity
from flashgen.state.file import State, StateSwap

if TYPE_CHECKING:
    from flashgen.anki.package import Piece
    from flashgen.state.rows import MappedState

log = logging.getLogger(__name__)

_PATCH_ANY, _PATCH_SHARE = 50, 20
"""The last deck is patched when at most this many notes changed, or one in this many."""


def patch_deck(
    session: Session,
    output: Path,
    clock: Clock,
    progress: Progress | None,
    last: LastDeck | None,
) -> BuildResult | None:
    """The deck and state file of a full build, made by changing the last ones where the
    changed notes' cards are: None when that cannot be shown to give the same result,
    or when too many notes changed for it to pay.

    It can when the last build left the collection in the cache, the deck and state file
    are the ones it wrote, the cache holds what that build read, that build had no cards
    with the same identity, and no changed note shares its identity with another note.
    """
    cache = session.cache
    collection = kept_collection(session)
    if cache is None or collection is None:
        return None
    if (
        last is None
        or not same_deck(session, output, last, cache.loaded_contents())
        or last.clashes != 0
    ):
        return None
    kept = last.collection
    if kept is None or kept.stamp != file_stamp(collection):
        return None
    from flashgen.anki.package import Piece
    from flashgen.state.rows import MappedState

    pieces = [Piece(*piece) for piece in kept.pieces]
    mapped = MappedState.open(session.state_file, last.state)
    if mapped is None:
        return None
    with mapped:
        return _patch(session, output, clock, progress, pieces, kept.top_id, mapped)


def _patch(
    session: Session,
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
    collection = kept_collection(session)
    assert collection is not None
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
    job = NoteJob(
        config=config,
        root_deck=session.root_deck,
        vault_name=session.vault_name,
        discovery=discovery,
        lint=False,
        caching=True,
        macros=session.macros,
    )
    outputs: dict[str, NoteOutput] = {}
    for done, (source, processed) in enumerate(
        zip(fresh, process_notes(job, fresh), strict=True), start=1
    ):
        keep_in_cache(cache, source, processed)
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
        css=extra_css(config, discovery.root),
        namespace=None,
    )
    # From here on the kept collection changes: it is trusted again only once recorded.
    try:
        session.last_deck.unlink(missing_ok=True)
        cards, decks = patch_collection(
            collection,
            anki_notes(result.cards, result.retired, settings),
            settings,
            lambda count: deck_description(config, discovery.root, count),
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
    # The state and the deck are put in place together (see full.write_deck).
    swap = StateSwap(state_file)
    try:
        pieces = package_collection(
            collection,
            media,
            output,
            Previous(output, pieces),
            progress,
            ready=None if staged is None else lambda: swap.commit(staged),
        )
    except BaseException:
        swap.undo(staged)
        raise
    swap.done()
    written = time.perf_counter()
    cache.save()

    diagnostics = list(discovery.diagnostics)
    for source in discovery.notes:
        if source.rel in outputs:
            diagnostics.extend(outputs[source.rel][1])
        else:
            diagnostics.extend(cache.problems(source.rel))
    report = assemble_report(
        discovery,
        result,
        diagnostics,
        stage_seconds={
            "notes": notes_done - started,
            "reconcile": reconciled - notes_done,
            "write": written - reconciled,
        },
        reused=len(discovery.notes) - len(fresh),
        patched=(str(output), cards, decks),
    )
    top = max([top, *(card.id for card in result.state.cards)])
    kept = kept_collection_of(collection, pieces, top)
    remember_deck(session, output.resolve(), report, kept, len(result.diagnostics))
    return BuildResult(
        cards=result.cards,
        retired=result.retired,
        report=report,
        root_deck=session.root_deck,
        vault=discovery.root,
        state=State(),
        state_changed=False,
        now=now,
        note_paths=tuple(source.rel for source in discovery.notes),
        clashes=len(result.diagnostics),
    )
