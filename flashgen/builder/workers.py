"""Notes to process in, each note's output out, in order: from the cache when the note is
unchanged, else from worker processes (all cores on a large vault) running note.py.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from flashgen.cache import NoteCache
from flashgen.discover import SourceFile
from flashgen.note import NoteJob, Processed, process_note
from flashgen.render.media import MediaIndex
from flashgen.report import Diagnostic

if TYPE_CHECKING:
    from flashgen.render.transclude import NoteLibrary
    from flashgen.store.codec import PackedNote
    from flashgen.store.keyed import Keyed


def keep_in_cache(cache: NoteCache, source: SourceFile, processed: Processed) -> None:
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


# Below this many notes, starting worker processes costs more than it saves.
_PARALLEL_FROM = 300
_CHUNK = 32


def note_outputs(
    job: NoteJob, cache: NoteCache | None, reused: set[str]
) -> Iterator[tuple[Sequence[Keyed] | PackedNote, list[Diagnostic], bool]]:
    """Every note's cards (packed when the job packs them) and diagnostics, in order,
    and whether they came from the cache (they do when the note is unchanged)."""
    from flashgen.store.codec import decode_packed

    notes = job.discovery.notes
    fresh = process_notes(job, [s for s in notes if s.rel not in reused])
    for source in notes:
        if source.rel in reused:
            stored = (
                cache.output(source.rel, decode_packed) if cache is not None else None
            )
            if stored is not None:
                yield *stored, True
                continue
            # Unreadable after all: processed here, in this process.
            processed = next(process_notes(job, [source]))
        else:
            processed = next(fresh)
        if cache is not None:
            keep_in_cache(cache, source, processed)
        keyed, diagnostics = processed.output
        yield processed.packed or keyed, diagnostics, False


def process_notes(job: NoteJob, notes: Sequence[SourceFile]) -> Iterator[Processed]:
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


_worker: tuple[NoteJob, MediaIndex, NoteLibrary] | None = None


def _start_worker(job: NoteJob) -> None:
    global _worker
    from flashgen.render.transclude import NoteLibrary

    root = job.discovery.root
    _worker = (job, MediaIndex(root), NoteLibrary(root, job.discovery.notes))


def _process_chunk(sources: Sequence[SourceFile]) -> list[Processed]:
    return [_process_note(source) for source in sources]


def _process_note(source: SourceFile) -> Processed:
    """What a worker process runs for each note, with what it was started with."""
    assert _worker is not None
    return process_note(source, *_worker)
