"""Sync: a build's cards -> the user's own Anki collection, changed with Anki's library.

What an import cannot do: delete or suspend cards no longer in the notes, move cards to
the deck their note now belongs to. The plan is the build's (the same GUIDs, and the same
state file saved), so builds with imports and syncs can follow each other.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from flashgen.anki.sync.collection import (
    CollectionError,
    Target,
    find_collection,
    require_anki,
)
from flashgen.anki.sync.plan import REMOVED_CHOICES, SyncPlan
from flashgen.config import Config
from flashgen.report import Diagnostic, Severity
from flashgen.state.lock import vault_locked

if TYPE_CHECKING:
    from flashgen.builder.result import BuildResult

__all__ = [
    "REMOVED_CHOICES",
    "CollectionError",
    "SyncChanges",
    "SyncResult",
    "Target",
    "sync",
]


@dataclass(frozen=True, slots=True)
class SyncChanges:
    """What a sync changed in the collection (or would change, in a dry run)."""

    added: int = 0
    updated: int = 0
    moved: int = 0
    retired: int = 0
    """Notes no longer in the notes that were suspended, deleted or tagged."""
    restored: int = 0
    """Notes retired earlier that came back, their tag taken off (and unsuspended)."""
    untouched: int = 0
    removed: str = "suspend"
    """What was done to the retired: suspend, delete or keep."""

    def format(self) -> str:
        verb = {"suspend": "suspended", "delete": "deleted", "keep": "tagged"}
        return (
            f"{self.added} added, {self.updated} updated, {self.moved} moved, "
            f"{self.retired} {verb[self.removed]}, {self.restored} restored, "
            f"{self.untouched} untouched"
        )


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The build's result (its report), and what the sync did to the collection."""

    build: BuildResult
    """The build's plan the sync applied (its report says what changed in the notes)."""
    collection: Path
    changes: SyncChanges
    backup: Path | None
    """Anki's backup of the collection from before the sync changed it."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """What the sync has to say besides the build's messages."""


def sync(
    config: Config,
    target: Target,
    clock: Callable[[], float] = time.time,
    *,
    removed: str = "suspend",
    dry_run: bool = False,
    backup: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> SyncResult:
    """Make the collection hold the build's cards; then save the state as a build does.

    Nothing is written in a dry run. The collection is backed up with Anki's own backup
    call before it is changed (unless `backup` is False)."""
    from flashgen.anki.sync import built
    from flashgen.anki.sync.apply import Applying, apply_plan, note_type_action
    from flashgen.anki.sync.collection import (
        back_up,
        collection_notes,
        note_fields,
        open_collection,
    )
    from flashgen.anki.sync.plan import plan_sync
    from flashgen.pipeline import plan_build

    if removed not in REMOVED_CHOICES:
        raise ValueError(f"removed must be one of {REMOVED_CHOICES}, not {removed!r}")
    require_anki()
    path = find_collection(target)
    # The personal deck's plan: a shared deck is for others' collections.
    config = replace(config, share=False)
    result = plan_build(config, clock, progress=progress)
    if not len(result.cards) and result.report.has_errors:
        lines = [diagnostic.format() for diagnostic in result.report.diagnostics]
        raise CollectionError(
            "\n".join(
                (
                    *lines,
                    f"{path}: error: no note could be read, so the collection was not "
                    "changed (fix the notes named above)",
                )
            )
        )
    if removed == "delete" and result.report.has_errors:
        raise CollectionError(
            f"{path}: error: some notes have errors, so no card was deleted and the "
            "collection was not changed (fix the notes named above, or sync with "
            "--removed suspend)"
        )
    settings = built.deck_settings(config, result)
    note_types = built.note_types(settings)
    retired = [card.guid for card in result.retired if card.note not in _spared(result)]
    # One build or sync of a vault at a time: both write its state file.
    locked = (
        contextlib.nullcontext()
        if dry_run
        else vault_locked(result.vault, str(result.vault))
    )
    with locked:
        col = open_collection(path)
        backup_path = None
        try:
            action = note_type_action(col, note_types)
            existing = collection_notes(col, {t.model_id for t in note_types})
            plan = plan_sync(
                built.planned_notes(result, settings),
                retired,
                existing,
                col.decks.id_for_name,
                lambda ids: note_fields(col, ids),
                removed,
            )
            if not dry_run and (plan.has_changes or action == "update"):
                if backup:
                    backup_path = back_up(col, path)
                applying = Applying(
                    lambda: built.planned_notes(result, settings),
                    built.media_files(result),
                    note_types,
                    settings,
                    result.cards.newest() or int(result.now),
                )
                try:
                    apply_plan(col, plan, applying)
                except CollectionError:
                    raise
                except Exception as err:  # Anki's own errors, stopping part-way
                    raise _stopped(path, backup_path, err) from err
        finally:
            col.close()
        if not dry_run:
            built.save_build_state(result)
    messages = _messages(path, plan)
    return SyncResult(result, path, _changes(plan), backup_path, messages)


def _stopped(path: Path, backup: Path | None, err: Exception) -> CollectionError:
    where = (
        f"; the backup from before is {backup} (in Anki: File > Switch Profile > "
        "Open Backup)"
        if backup is not None
        else ""
    )
    return CollectionError(
        f"{path}: error: the sync stopped part-way: {err} (run sync again to finish{where})"
    )


def _changes(plan: SyncPlan) -> SyncChanges:
    return SyncChanges(
        added=len(plan.add),
        updated=len(plan.update),
        moved=len(plan.move),
        retired=len(plan.retire),
        restored=len(plan.restore),
        untouched=plan.untouched,
        removed=plan.removed,
    )


def _messages(path: Path, plan: SyncPlan) -> tuple[Diagnostic, ...]:
    if not plan.foreign:
        return ()
    return (
        Diagnostic(
            str(path),
            0,
            Severity.WARNING,
            f"{len(plan.foreign)} notes of another note type than flashgen's have the "
            f"GUIDs of cards of these notes (such as {plan.foreign[0]}), and were left "
            "as they are (change their note type back to flashgen's in Anki to sync them)",
        ),
    )


def _spared(result: BuildResult) -> set[str]:
    """Notes whose cards are not retired although they made none this time: a note that
    could not be read, or went past a limit, says so; its points were not deleted."""
    troubled = {
        d.path
        for d in result.report.diagnostics
        if d.severity in (Severity.ERROR, Severity.WARNING)
    } & {card.note for card in result.retired}
    if not troubled:
        return set()
    made = {item.card.draft.note_path for item in result.cards}
    return troubled - made
