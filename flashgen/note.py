"""One note through the stages: a SourceFile in; its cards rendered and keyed, its
diagnostics, and what the cache keeps of it out. What a worker process runs for each note.

Besides the stages (parse, extract, render, keys) it picks the note's deck (front matter or
folders, within Anki's depth) and the link from each card back to the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flashgen.cacheindex import Reads
from flashgen.config import Config
from flashgen.discover import Discovery, SourceFile
from flashgen.records import quick_init
from flashgen.render.preamble import NO_PREAMBLES, Preambles
from flashgen.report import Diagnostic, Severity, left_out

# The stages are imported where a note is processed, so a build that finds nothing
# changed never loads them.
if TYPE_CHECKING:
    from flashgen.render.media import MediaIndex
    from flashgen.render.transclude import NoteLibrary
    from flashgen.store.codec import PackedNote
    from flashgen.store.keyed import Keyed


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


@dataclass(frozen=True, slots=True)
class NoteJob:
    """What every note's processing needs; sent once to each worker process."""

    config: Config
    root_deck: str
    vault_name: str
    discovery: Discovery
    lint: bool
    caching: bool = False
    """Also pack each note's cards for the cache (in the worker, in parallel)."""
    packing: bool = False
    """Send each note's cards packed for a CardStore, not as records (see store/codec.py)."""
    macros: Preambles = NO_PREAMBLES
    """The vault's LaTeX macros (by preamble), expanded in every maths span."""


def process_note(
    source: SourceFile, job: NoteJob, media: MediaIndex, library: NoteLibrary
) -> Processed:
    """The note's output, what it read besides itself, and its cards packed when the job
    packs them or caches them."""
    from flashgen.store.codec import pack_note
    from flashgen.store.keyed import media_files

    media.consulted = False
    library.start_note()
    output, digest = note_output(source, job, media, library)
    reads = Reads(
        media.consulted,
        tuple(sorted(library.embedded)) if library.consulted else None,
    )
    keyed, diagnostics = output
    files = media_files(keyed)
    if not (job.caching or job.packing):
        return Processed(output=output, digest=digest, reads=reads, files=files)
    # Packed once, for the build's CardStore and for the cache alike; a packing job
    # sends the cards packed only.
    sent: NoteOutput = ([], diagnostics) if job.packing else output
    return Processed(
        output=sent, digest=digest, reads=reads, files=files, packed=pack_note(keyed)
    )


def note_output(
    source: SourceFile, job: NoteJob, media: MediaIndex, library: NoteLibrary
) -> tuple[NoteOutput, str]:
    """The note's keyed cards and diagnostics, and the SHA-256 of its bytes ("" when it
    could not be read)."""
    from flashgen.extract import (
        MAX_CARDS_PER_NOTE,
        base_kind,
        extract_cards,
        left_out_because,
        makes_cards,
        tag_deck,
    )
    from flashgen.identity import card_key, note_key
    from flashgen.lint import lint_note
    from flashgen.parse import parse_note
    from flashgen.render.card import render_card
    from flashgen.store.keyed import Keyed

    config = job.config
    keyed: list[Keyed] = []
    try:
        note = parse_note(source)
    except OSError as err:
        problem = f"cannot read the note: {err.strerror} (check its permissions)"
        return (keyed, [Diagnostic(source.rel, 0, Severity.ERROR, problem)]), ""
    diagnostics = list(note.diagnostics)
    deck, problems = deck_for(
        job.root_deck,
        note.path,
        note.front_matter,
        config.deck_layout,
        config.share,
        tag_deck(note, config.syntax),
    )
    diagnostics.extend(problems)
    identity = note_key(note.path, note.front_matter)
    link = _source_link(config, job.vault_name, note.path)
    reason = left_out_because(note)
    if reason is not None:
        diagnostics.append(left_out(note.path, reason))
    drafts = extract_cards(note, folder_tags=config.folder_tags, syntax=config.syntax)
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
    drafts = tuple(d for d in drafts if base_kind(d.kind) in config.cards)
    if job.lint and makes_cards(note):
        diagnostics.extend(lint_note(note, drafts, library, config.syntax))
    show_source = _shows_source(config)
    for draft in drafts:
        rendering = render_card(
            draft,
            deck,
            media,
            link,
            show_source=show_source,
            library=library,
            macros=job.macros.for_note(note.path),
        )
        diagnostics.extend(rendering.diagnostics)
        keyed.append(Keyed.of(rendering.card, card_key(draft, identity)))
    return (keyed, diagnostics), note.digest


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


def deck_for(
    root: str,
    path: str,
    front_matter: Mapping[str, Any],
    layout: str,
    share: bool,
    sub_deck: str = "",
) -> tuple[str, list[Diagnostic]]:
    """`deck:` in front matter names the deck; otherwise a flashcard sub-tag's deck
    (`#flashcards/biology/cells`: `biology::cells`, see extract.tag_deck) under the root
    deck; otherwise the folders under the root deck.

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
    elif sub_deck:
        parts = [*root.split("::"), *(p for p in sub_deck.split("::") if p.strip())]
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
