"""What a build gives back: the BuildResult record (cards, retired cards, report, state),
the clock and progress callbacks it takes, and its report, assembled from the notes'
messages and the reconciliation in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flashgen.builder.messages import change_messages, removed_cards, split_left_out
from flashgen.discover import Discovery
from flashgen.report import BuildReport, Changes, Diagnostic
from flashgen.state.file import State
from flashgen.state.saved import CardState

if TYPE_CHECKING:
    from flashgen.reconcile.assign import Reconciliation
    from flashgen.store.cardstore import AssignedCards


Clock = Callable[[], float]


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


Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a build goes; for a progress bar. The stages, in order:
"notes" (notes processed), "identities" (0 of 1, then 1 of 1: this build's cards matched
with the last build's), and when a deck is written, "rows" (the collection's rows
written) and "pieces" (the collection compressed into the deck)."""


def assemble_report(
    discovery: Discovery,
    result: Reconciliation,
    diagnostics: Sequence[Diagnostic],
    *,
    stage_seconds: Mapping[str, float],
    reused: int,
    lint: Sequence[Diagnostic] | None = None,
    patched: tuple[str, int, int] | None = None,
) -> BuildReport:
    """A build's report: `diagnostics` (the walk's, the notes', the state file's), then
    reconcile's, then the lint's (`check`) or else the news of what changed.

    `patched`: the deck written by patching the last one, and its numbers of cards and
    decks (which count the cards of notes not read again)."""
    diagnostics = [*diagnostics, *result.diagnostics]
    news: tuple[Diagnostic, ...] = ()
    if lint is not None:
        diagnostics.extend(lint)
    else:
        # Changes since the last build are a build's news, not a lint.
        news = tuple(change_messages(result.cards, result.newly_removed, result.moved))
        diagnostics.extend(news)
    shown, left_out = split_left_out(discovery, diagnostics)
    if lint is not None:
        shown.extend(left_out)
    statuses = result.cards.statuses()
    if patched is None:
        output, cards, decks = None, len(result.cards), len(result.cards.decks())
        unchanged = statuses["unchanged"]
    else:
        output, cards, decks = patched
        changed = statuses["added"] + statuses["updated"] + statuses["rematched"]
        unchanged = cards - changed
    return BuildReport(
        output=output,
        notes=len(discovery.notes),
        cards=cards,
        decks=decks,
        diagnostics=tuple(shown),
        skipped=discovery.skipped,
        left_out=left_out,
        changes=Changes(
            added=statuses["added"],
            updated=statuses["updated"],
            unchanged=unchanged,
            rematched=statuses["rematched"],
            removed=len(result.newly_removed),
        ),
        stage_seconds=stage_seconds,
        reused=reused,
        news=news,
        patched=patched is not None,
        removed=removed_cards(result.newly_removed),
    )
