"""`flashgen sync`: options -> a build's plan applied to an Anki collection (sync/), its
report printed, the exit code picked."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flashgen.cli.common import (
    _DEBUG,
    _DECK_NAME,
    _INPUTS,
    EXIT_CODES,
    _echo_json,
    _flag,
    _guarded,
    _print_diagnostics,
    _progress_bar,
    _setup_logging,
    _styled,
)

if TYPE_CHECKING:
    from flashgen.anki.sync import SyncResult


@click.command(epilog=EXIT_CODES)
@_INPUTS
@click.option(
    "--profile",
    help="The Anki profile whose collection to change (default: the profile Anki "
    "opened last, or the only one).",
)
@click.option(
    "--collection",
    type=click.Path(path_type=Path),
    help="The collection file (collection.anki2) to change, wherever it is.",
)
@click.option(
    "--base",
    type=click.Path(path_type=Path, file_okay=False),
    help="Anki's data folder, where the profiles are (default: ANKI_BASE, else "
    "Anki's own: ~/.local/share/Anki2, ~/Library/Application Support/Anki2 or "
    "%APPDATA%\\Anki2).",
)
@click.option(
    "--removed",
    type=click.Choice(["suspend", "delete", "keep"]),
    default="suspend",
    show_default=True,
    help="What to do with cards no longer in the notes: suspend them (history kept), "
    "delete them (and their history; refused while a note has errors), or keep them "
    "in review; all are tagged flashgen::removed.",
)
@_flag("--dry-run", "Say what would change in the collection; change nothing.")
@_flag("--no-backup", "Change the collection without backing it up first.")
@_DECK_NAME
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes for parsing and rendering (default: one per core on large vaults).",
)
@_flag("--no-cache", "Process every note afresh, without the cache.")
@_flag("--json as_json", "Print the summary as JSON.")
@_flag("-q --quiet", "Print only warnings and errors.")
@_flag(
    "-v --verbose",
    "Also say why each note left out makes no cards and name every card no longer "
    "in the notes.",
)
@_DEBUG
def sync(
    inputs: tuple[Path, ...],
    profile: str | None,
    collection: Path | None,
    base: Path | None,
    removed: str,
    dry_run: bool,
    no_backup: bool,
    deck_name: str | None,
    jobs: int | None,
    no_cache: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Put the cards straight into your Anki collection, with Anki's own library.

    Does what importing a deck cannot: cards no longer in the notes are suspended (or
    deleted, --removed delete), and cards whose note moved go to its new deck. New cards
    are added and changed ones updated; an edit made in Anki to a card whose note did not
    change is kept. Scheduling and review history are never touched (but --removed
    delete deletes the removed cards' notes, with their history), nor any note flashgen
    did not make. The same state file as `build` is saved, so builds (with
    imports) and syncs can follow each other.

    Anki must be closed (it locks the collection): sync then backs the collection up with
    Anki's own backup (in the profile's backups/ folder) and changes it. Needs Anki's
    library: pip install 'flashgen[anki]'. Changes reach your other devices with Anki's
    own sync, as edits made in Anki do.
    """
    from flashgen.anki.sync import Target
    from flashgen.anki.sync import sync as run_sync
    from flashgen.config import load_config
    from flashgen.progress import ProgressDisplay

    _setup_logging(debug)
    if collection is not None and (profile is not None or base is not None):
        raise click.UsageError(
            "--collection names the collection itself (give it without --profile "
            "and --base)"
        )
    target = Target(collection=collection, profile=profile, base=base)
    shows_bar = not (as_json or quiet) and sys.stderr.isatty()

    def run() -> SyncResult:
        config = load_config(inputs, deck_name=deck_name)
        config = replace(config, jobs=jobs, cache=not no_cache)
        return run_sync(
            config,
            target,
            removed=removed,
            dry_run=dry_run,
            backup=not no_backup,
            progress=bar.update,
        )

    with ProgressDisplay(_progress_bar if shows_bar else None) as bar:
        result = _guarded(debug, run)
    _print(result, dry_run=dry_run, as_json=as_json, quiet=quiet, verbose=verbose)
    sys.exit(1 if result.build.report.has_errors else 0)


def _print(
    result: SyncResult, *, dry_run: bool, as_json: bool, quiet: bool, verbose: bool
) -> None:
    from flashgen.report import Severity, build_json

    report = replace(result.build.report, output=str(result.collection))
    # The build's warnings about what an import leaves undone (cards that stay in their
    # old deck, removed cards kept in review) are what sync does.
    undone = {news for news in report.news if news.severity is Severity.WARNING}
    kept = tuple(d for d in report.diagnostics if d not in undone)
    _print_diagnostics(replace(report, diagnostics=kept), quiet=quiet)
    for message in result.diagnostics:
        click.echo(_styled(message), err=True)
    if verbose and not quiet:
        for message in (*report.left_out, *report.removed):
            click.echo(message.format(), err=True)
    changes = result.changes
    if as_json:
        payload = build_json(report, dry_run=dry_run)
        payload["collection"] = str(result.collection)
        payload["backup"] = None if result.backup is None else str(result.backup)
        payload["anki"] = {
            "added": changes.added,
            "updated": changes.updated,
            "moved": changes.moved,
            "retired": changes.retired,
            "restored": changes.restored,
            "untouched": changes.untouched,
            "removed": changes.removed,
        }
        _echo_json(payload)
    elif not quiet:
        prefix = "dry run, nothing changed: " if dry_run else ""
        click.echo(prefix + report.summary())
        backup = "" if result.backup is None else f" (backup: {result.backup})"
        click.echo(f"{prefix}in Anki: {changes.format()}{backup}")
