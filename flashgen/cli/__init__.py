"""Command line: options -> Config, call the library, print the report, pick the exit code.

The commands; their shared options and printing are in common.py, `sync` in sync.py.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flashgen.cli.common import (
    _DEBUG,
    _DECK_NAME,
    _INPUTS,
    _OUTPUT,
    EXIT_CODES,
    _echo_error,
    _echo_json,
    _echo_problem,
    _flag,
    _guarded,
    _planned,
    _print_diagnostics,
    _progress_bar,
    _setup_logging,
    _styled,
)
from flashgen.cli.sync import sync
from flashgen.version import __version__

if TYPE_CHECKING:
    from flashgen.errors import FlashgenError
    from flashgen.pipeline import BuildResult


@click.group(
    epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="flashgen")
@click.pass_context
def main(context: click.Context) -> None:
    """Turn Markdown notes or an Obsidian vault into an Anki deck.

    flashgen reads the structure your notes already have (bold labelled points, headings
    with their prose, lists of points) and writes an .apkg that Anki imports; rebuild after
    editing and the cards update in place.

    On a terminal, errors and warnings are coloured; set NO_COLOR to turn colour off.
    """
    # https://no-color.org: set and not empty means no colour, even on a terminal.
    if os.environ.get("NO_COLOR"):
        context.color = False


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_OUTPUT
@_DECK_NAME
@_flag("--dry-run", "Say what a build would change; write nothing.")
@_flag(
    "--share",
    "Build a deck for others: no links into your vault, GUIDs in the vault's "
    "namespace (set namespace in .flashgen.toml).",
    default=None,
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes for parsing and rendering (default: one per core on large vaults).",
)
@_flag(
    "--no-cache",
    "Process every note afresh and write the deck even when nothing changed.",
)
@_flag("--json as_json", "Print the summary as JSON.")
@_flag("-q --quiet", "Print only warnings and errors.")
@_flag(
    "-v --verbose",
    "Also say why each note left out makes no cards (templates, drawings, "
    "flashgen: false) and name every card no longer in the notes.",
)
@_DEBUG
def build(
    inputs: tuple[Path, ...],
    output: Path | None,
    deck_name: str | None,
    dry_run: bool,
    share: bool | None,
    jobs: int | None,
    no_cache: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build an Anki deck from a vault folder or one or more .md files.

    Cards keep their identity across builds (see .flashgen-state.json at the vault root),
    so importing the new deck updates cards in place and keeps their review history.
    Notes unchanged since the last build come from a cache in your user cache folder;
    when nothing changed, the deck is left as it is. On a terminal, a build that takes
    more than a second (FLASHGEN_PROGRESS_DELAY seconds) shows a progress bar.

    Notes: in a folder, its .md files; a file named here is read as Markdown whatever
    its extension (seed.txt, notes.markdown). A note file is built as part of its vault,
    the nearest folder upwards with .obsidian/, .flashgen.toml or .flashgen-state.json
    (else its own folder): the vault's settings, state file, decks and GUIDs, in a deck
    file named after the note.

    Where the deck goes: a path is read from where it is written. -o and the default
    decks/<deck name>.apkg are read from the current folder; output in .flashgen.toml is
    read from the vault folder. A deck inside the vault is written with a warning (sync
    and git pick it up).
    """
    from flashgen.config import load_config
    from flashgen.pipeline import build as run_build
    from flashgen.progress import ProgressDisplay
    from flashgen.report import build_json

    _setup_logging(debug)
    shows_bar = not (as_json or quiet) and sys.stderr.isatty()

    def run() -> BuildResult:
        config = load_config(inputs, output=output, deck_name=deck_name, share=share)
        # jobs None: one process per core when the vault is large.
        config = replace(config, jobs=jobs, cache=not no_cache)
        return run_build(config, dry_run=dry_run, progress=bar.update)

    with ProgressDisplay(_progress_bar if shows_bar else None) as bar:
        result = _guarded(debug, run)
    report = result.report
    _print_diagnostics(report, quiet=quiet)
    if verbose and not quiet:
        for message in (*report.left_out, *report.removed):
            click.echo(message.format(), err=True)
    if as_json:
        _echo_json(build_json(report, dry_run=dry_run))
    elif not quiet:
        prefix = "dry run, nothing written: " if dry_run else ""
        click.echo(prefix + report.summary())
    sys.exit(1 if report.has_errors else 0)


_QUIET_LISTING = _flag(
    "-q --quiet", "No summary line; messages are warnings and errors only."
)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_flag("--json as_json", "Print the cards as JSON (--format json).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"]),
    help="text (one line a card; the default), json, or csv (for spreadsheets).",
)
@_DECK_NAME
@_QUIET_LISTING
@_DEBUG
def cards(
    inputs: tuple[Path, ...],
    as_json: bool,
    output_format: str | None,
    deck_name: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """List the cards a build would make, without writing a deck."""
    from flashgen.listing import card_json, card_line, cards_csv

    if as_json and output_format not in {None, "json"}:
        raise click.UsageError(
            f"--json and --format {output_format} ask for different outputs "
            "(give one of them)"
        )
    result = _planned(debug, inputs, deck_name)
    if as_json or output_format == "json":
        _echo_json([card_json(card) for card in result.cards])
    elif output_format == "csv":
        click.echo(cards_csv(result.cards), nl=False)
    else:
        for item in result.cards:
            click.echo(card_line(item))
        if not quiet:
            click.echo(result.report.summary(), err=True)
    sys.exit(1 if result.report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_flag(
    "--json as_json",
    "Print one JSON object: notes, cards, counts per severity, and each message "
    "with its path, line, severity and message.",
)
@_flag("-q --quiet", "Print only warnings and errors (no hints), and no count line.")
@_DEBUG
def check(inputs: tuple[Path, ...], as_json: bool, quiet: bool, debug: bool) -> None:
    """Lint notes without writing anything.

    Prints every message a build would print, plus bold that makes no card (and why),
    labels with no answer, questions asked twice in one deck, and links that go nowhere.
    Exit status 1 when there are errors.
    """
    from flashgen.config import load_config
    from flashgen.pipeline import plan_build
    from flashgen.report import check_json, check_summary, shown

    _setup_logging(debug)
    report = _guarded(debug, lambda: plan_build(load_config(inputs), lint=True)).report
    if as_json:
        _echo_json(check_json(report, quiet=quiet))
    else:
        for diagnostic in shown(report, quiet=quiet):
            click.echo(_styled(diagnostic))
        if not quiet:
            click.echo(check_summary(report), err=True)
    sys.exit(1 if report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@click.argument("vault", type=click.Path(path_type=Path, exists=True))
@_OUTPUT
@_DECK_NAME
@_flag("-q --quiet", "Print only warnings and errors: no summary after each build.")
@_DEBUG
def watch(
    vault: Path,
    output: Path | None,
    deck_name: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Rebuild the deck whenever a note changes (Ctrl-C to stop).

    Builds once at start, then after each burst of changes (200 ms of quiet), one build at
    a time, and prints what each build prints; a failed build is reported and watching
    goes on.
    """
    from flashgen.config import Config, load_config
    from flashgen.watch import shown_path, watch_vault

    _setup_logging(debug)

    def settings() -> Config:
        return load_config((vault,), output=output, deck_name=deck_name)

    # Read once here, so that settings that cannot be read stop watch from starting;
    # every build reads them again (an edited .flashgen.toml counts from the next one).
    config = _guarded(debug, settings)

    def report(result: BuildResult | None, error: FlashgenError | None) -> None:
        stamp = time.strftime("%H:%M:%S")
        if error is not None:
            _echo_error(error)
            click.echo(f"[{stamp}] build failed; watching for changes", err=True)
            return
        assert result is not None
        # The same messages as `flashgen build`: what changed (re-matched and removed
        # cards) as well as the notes' problems.
        _print_diagnostics(result.report, quiet=quiet)
        if not quiet:
            click.echo(f"[{stamp}] {result.report.summary()}")

    if not quiet:
        click.echo(f"watching {shown_path(vault)} for changes (Ctrl-C to stop)")
    stop = threading.Event()
    try:
        watch_vault(config, report, stop, settings=settings)
    except KeyboardInterrupt:
        stop.set()


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_DECK_NAME
@_flag(
    "--json as_json",
    "Print one JSON object: notes, cards, cards_per_deck, cards_per_kind, "
    "cards_per_note and notes_without_cards.",
)
@_QUIET_LISTING
@_DEBUG
def stats(
    inputs: tuple[Path, ...],
    deck_name: str | None,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Count cards per deck, per note and per kind; list notes that make no cards."""
    from flashgen.listing import card_counts

    result = _planned(debug, inputs, deck_name)
    counts = card_counts(result.cards, result.note_paths)
    if as_json:
        _echo_json(counts.to_json(result.report.notes, result.report.cards))
    else:
        click.echo("\n".join(counts.lines()))
        if not quiet:
            click.echo(result.report.summary(), err=True)
    sys.exit(1 if result.report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("cards.html"),
    show_default=True,
    help="Where to write the page.",
)
@_flag(
    "--open open_page",
    "Open the page in the browser (if none opens, say where the page is).",
)
@_DECK_NAME
@_QUIET_LISTING
@_DEBUG
def preview(
    inputs: tuple[Path, ...],
    output: Path,
    open_page: bool,
    deck_name: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Write every card, front and back, to one self-contained HTML page.

    Grouped by deck and note, styled as in Anki, with images, a search box and a day/night
    switch. (Math shows as its TeX source: Anki's MathJax is not in the page.)
    """
    from flashgen.preview import no_browser, open_in_browser, preview_page, write_page

    result = _planned(debug, inputs, deck_name)
    page = preview_page(result.cards, result.vault, result.root_deck)
    _guarded(debug, lambda: write_page(page, output))
    if not quiet:
        click.echo(f"{len(result.cards)} cards -> {output}")
    if open_page and not open_in_browser(output, click.launch):
        # The page is written all the same: say where, and exit as if opened.
        _echo_problem(no_browser(output))
    sys.exit(1 if result.report.has_errors else 0)


main.add_command(sync)
