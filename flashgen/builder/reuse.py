"""The last deck's record in, the last build's result out when nothing changed since (no
note, setting, deck or state file); and the record itself (LastDeck), which every build
that writes a deck leaves in the cache for the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashgen.builder.messages import split_left_out
from flashgen.builder.result import BuildResult, Clock
from flashgen.builder.session import Session
from flashgen.cachefolder import decode_diagnostics, encode_diagnostics, file_stamp
from flashgen.report import BuildReport, Changes, Diagnostic
from flashgen.state.file import State

if TYPE_CHECKING:
    from flashgen.anki.package import Piece

log = logging.getLogger(__name__)

Stamp = list[int] | None
"""A file's size and modification time (cache.file_stamp); None when it is not there."""


@dataclass(frozen=True, slots=True)
class KeptCollection:
    """The collection a build kept in the cache for the next build to patch."""

    stamp: Stamp
    pieces: tuple[tuple[str, int, int], ...]
    """Where each compressed piece sits in the deck (anki.package.Piece's fields)."""
    top_id: int
    """The highest note id the state holds."""


@dataclass(frozen=True, slots=True)
class LastDeck:
    """What the last build wrote, and what it read to write it."""

    key: str
    """The cache's key: settings, flashgen's code, library versions."""
    output: str
    deck: Stamp
    state: Stamp
    notes: str
    """The cache's contents (NoteCache.contents) when the deck was written."""
    inputs: list[Stamp]
    """Files the deck reads besides the notes (see deck_inputs)."""
    cards: int
    decks: int
    diagnostics: tuple[Diagnostic, ...]
    """What a rebuild with no change reports (not the walk's, not the news)."""
    left_out: tuple[Diagnostic, ...]
    clashes: int
    """Cards left out for having the same identity as another."""
    collection: KeptCollection | None = None

    @classmethod
    def of(cls, record: Mapping[str, Any] | None) -> LastDeck | None:
        """The record as cache.read_record gives it; None when absent or damaged."""
        if record is None:
            return None
        try:
            kept = record.get("collection")
            collection = None
            if kept is not None:
                collection = KeptCollection(
                    kept["stamp"],
                    tuple((str(d), int(o), int(n)) for d, o, n in kept["pieces"]),
                    int(kept["top_id"]),
                )
            return cls(
                key=str(record["key"]),
                output=str(record["output"]),
                deck=record["deck"],
                state=record["state"],
                notes=str(record["notes"]),
                inputs=list(record["inputs"]),
                cards=int(record["cards"]),
                decks=int(record["decks"]),
                diagnostics=tuple(decode_diagnostics(record["diagnostics"])),
                left_out=tuple(decode_diagnostics(record["left_out"])),
                clashes=int(record["clashes"]),
                collection=collection,
            )
        except (KeyError, ValueError, TypeError, AttributeError) as err:
            log.debug("last deck record unreadable: %r", err)
            return None

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "key": self.key,
            "output": self.output,
            "deck": self.deck,
            "state": self.state,
            "notes": self.notes,
            "inputs": self.inputs,
            "cards": self.cards,
            "decks": self.decks,
            "diagnostics": encode_diagnostics(self.diagnostics),
            "left_out": encode_diagnostics(self.left_out),
            "clashes": self.clashes,
        }
        if self.collection is not None:
            kept = self.collection
            record["collection"] = {
                "stamp": kept.stamp,
                "pieces": [list(piece) for piece in kept.pieces],
                "top_id": kept.top_id,
            }
        return record


def read_last_deck(session: Session) -> LastDeck | None:
    """The record the last build left in the cache, if any."""
    assert session.cache is not None
    return LastDeck.of(session.cache.read_record(session.last_deck))


def same_deck(
    session: Session, output: Path, last: LastDeck | None, notes: str
) -> bool:
    """Whether the last deck record is this build's: same settings, output and deck
    and state files as written, the same notes (`notes`: the cache contents it read), and
    the same README and CSS."""
    cache = session.cache
    assert cache is not None
    return (
        last is not None
        and last.key == cache.key
        and last.output == str(output.resolve())
        and last.deck == file_stamp(output)
        and last.state == file_stamp(session.state_file)
        and last.notes == notes
        and last.inputs == deck_inputs(session)
    )


def reuse_deck(
    session: Session, output: Path, clock: Clock, last: LastDeck | None
) -> BuildResult | None:
    """The last build's result when no note, setting, deck or state file changed since."""
    cache = session.cache
    assert cache is not None
    if (
        last is None
        or not cache.unchanged
        or not same_deck(session, output, last, cache.contents())
    ):
        return None
    discovery = session.discovery
    report = BuildReport(
        output=str(output),
        notes=len(discovery.notes),
        cards=last.cards,
        decks=last.decks,
        diagnostics=(*discovery.diagnostics, *last.diagnostics),
        skipped=discovery.skipped,
        left_out=split_left_out(discovery, last.left_out)[1],
        changes=Changes(unchanged=last.cards),
        up_to_date=True,
        reused=len(discovery.notes),
    )
    from flashgen.store.cardstore import AssignedCards

    return BuildResult(
        cards=AssignedCards.empty(),
        retired=(),
        report=report,
        root_deck=session.root_deck,
        vault=discovery.root,
        state=State(),
        state_changed=False,
        now=clock(),
        note_paths=tuple(source.rel for source in discovery.notes),
    )


def deck_inputs(session: Session) -> list[Stamp]:
    """Files the deck reads besides the notes: the vault README (its description, even
    when the README is not built) and the extra CSS."""
    root = session.discovery.root
    css = session.config.css
    return [file_stamp(root / "README.md"), file_stamp(root / css) if css else None]


def remember_deck(
    session: Session,
    output: Path,
    report: BuildReport,
    collection: KeptCollection | None,
    clashes: int,
) -> None:
    """Leave the record of the deck just written (`collection`: the collection kept for
    the next build to patch, if any)."""
    cache = session.cache
    assert cache is not None
    # What a rebuild with no change would report: not this build's news of changes.
    news = set(report.news)
    stable = [d for d in report.diagnostics if d not in news]
    found = len(session.discovery.diagnostics)
    last = LastDeck(
        key=cache.key,
        output=str(output),
        deck=file_stamp(output),
        state=file_stamp(session.state_file),
        notes=cache.contents(),
        inputs=deck_inputs(session),
        cards=report.cards,
        decks=report.decks,
        diagnostics=tuple(stable[found:]),
        left_out=tuple(
            d for d in report.left_out if d not in session.discovery.left_out
        ),
        clashes=clashes,
        collection=collection,
    )
    cache.write_record(session.last_deck, last.to_json())


def kept_collection_of(
    collection: Path, pieces: Iterable[Piece], top_id: int
) -> KeptCollection:
    """The record of a collection kept, with the pieces the deck was written in."""
    return KeptCollection(
        file_stamp(collection),
        tuple((p.digest, p.offset, p.length) for p in pieces),
        top_id,
    )
