"""Command line: options -> Config, call the library, print the report, pick the exit code."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click

from flashgen.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  every note built
  1  deck written (or cards listed), but some notes had errors
  2  nothing written: usage, config or output error, or no note to build"""

_INPUTS = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path)
)
_DEBUG = click.option(
    "--debug", is_flag=True, help="Show tracebacks and debug logging."
)


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
    import os

    # https://no-color.org: set and not empty means no colour, even on a terminal.
    if os.environ.get("NO_COLOR"):
        context.color = False


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the .apkg, read from the current folder (default: output in "
    ".flashgen.toml, read from the vault folder, else decks/<deck name>.apkg).",
)
_DECK_NAME = click.option(
    "--deck-name", help="Name of the root deck (default: the vault's folder name)."
)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_OUTPUT
@_DECK_NAME
@click.option(
    "--dry-run", is_flag=True, help="Say what a build would change; write nothing."
)
@click.option(
    "--share",
    is_flag=True,
    default=None,
    help="Build a deck for others: no links into your vault, GUIDs in the vault's "
    "namespace (set namespace in .flashgen.toml).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes for parsing and rendering (default: one per core on large vaults).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Process every note afresh and write the deck even when nothing changed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also say why each note left out makes no cards (templates, drawings, "
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

    _setup_logging(debug)
    bar = _ProgressBar(enabled=not (as_json or quiet))
    with bar:
        result = _guarded(
            debug,
            lambda: run_build(
                replace(
                    load_config(
                        inputs, output=output, deck_name=deck_name, share=share
                    ),
                    jobs=jobs,  # None: one process per core when the vault is large
                    cache=not no_cache,
                ),
                dry_run=dry_run,
                progress=bar.update,
            ),
        )
    report = result.report
    _print_diagnostics(report, quiet=quiet)
    if verbose and not quiet:
        for message in (*report.left_out, *report.removed):
            click.echo(message.format(), err=True)
    if as_json:
        click.echo(
            json.dumps(_summary_json(report, dry_run), ensure_ascii=False, indent=2)
        )
    elif not quiet:
        prefix = "dry run, nothing written: " if dry_run else ""
        click.echo(prefix + report.summary())
    sys.exit(1 if report.has_errors else 0)


_QUIET_LISTING = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No summary line; messages are warnings and errors only.",
)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@click.option(
    "--json", "as_json", is_flag=True, help="Print the cards as JSON (--format json)."
)
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
    from flashgen.config import load_config
    from flashgen.pipeline import plan_build
    from flashgen.report import printable

    if as_json and output_format not in {None, "json"}:
        raise click.UsageError(
            f"--json and --format {output_format} ask for different outputs "
            "(give one of them)"
        )
    _setup_logging(debug)
    result = _guarded(
        debug, lambda: plan_build(load_config(inputs, deck_name=deck_name))
    )
    _print_diagnostics(result.report, quiet=True)
    if as_json or output_format == "json":
        payload = [_card_json(card) for card in result.cards]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        _write_csv(result.cards)
    else:
        for item in result.cards:
            draft = item.card.draft
            where = " \u203a ".join((draft.note_title, *draft.context, draft.label))
            line = f"{draft.note_path}:{draft.line}: [{draft.kind}] {where}"
            click.echo(printable(line))
        if not quiet:
            click.echo(result.report.summary(), err=True)
    sys.exit(1 if result.report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: notes, cards, counts per severity, and each message "
    "with its path, line, severity and message.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only warnings and errors (no hints), and no count line.",
)
@_DEBUG
def check(inputs: tuple[Path, ...], as_json: bool, quiet: bool, debug: bool) -> None:
    """Lint notes without writing anything.

    Prints every message a build would print, plus bold that makes no card (and why),
    labels with no answer, questions asked twice in one deck, and links that go nowhere.
    Exit status 1 when there are errors.
    """
    from flashgen.config import load_config
    from flashgen.pipeline import plan_build
    from flashgen.report import Severity, count

    _setup_logging(debug)
    result = _guarded(debug, lambda: plan_build(load_config(inputs), lint=True))
    report = result.report
    shown = [
        diagnostic
        for diagnostic in report.diagnostics
        if not (quiet and diagnostic.severity is Severity.INFO)
    ]
    counts = {s: sum(d.severity is s for d in report.diagnostics) for s in Severity}
    if as_json:
        payload = {
            "notes": report.notes,
            "cards": report.cards,
            "counts": {s.value: counts[s] for s in reversed(Severity)},
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "severity": d.severity.value,
                    "message": d.message,
                }
                for d in shown
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        sys.exit(1 if report.has_errors else 0)
    for diagnostic in shown:
        click.echo(_styled(diagnostic))
    if not quiet:
        click.echo(
            f"checked {count(report.notes, 'note')}, {count(report.cards, 'card')}: "
            f"{count(counts[Severity.ERROR], 'error')}, "
            f"{count(counts[Severity.WARNING], 'warning')}, "
            f"{count(counts[Severity.INFO], 'hint')}",
            err=True,
        )
    sys.exit(1 if report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@click.argument("vault", type=click.Path(path_type=Path, exists=True))
@_OUTPUT
@_DECK_NAME
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only warnings and errors: no summary after each build.",
)
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
    import threading

    from flashgen.config import load_config
    from flashgen.watch import watch_vault

    _setup_logging(debug)

    def settings() -> Any:
        return load_config((vault,), output=output, deck_name=deck_name)

    # Read once here, so that settings that cannot be read stop watch from starting;
    # every build reads them again (an edited .flashgen.toml counts from the next one).
    config = _guarded(debug, settings)

    def report(result: Any, error: Any) -> None:
        stamp = time.strftime("%H:%M:%S")
        if error is not None:
            for line in getattr(error, "messages", (str(error),)):
                _echo_problem(line)
            click.echo(f"[{stamp}] build failed; watching for changes", err=True)
            return
        # The same messages as `flashgen build`: what changed (re-matched and removed
        # cards) as well as the notes' problems.
        _print_diagnostics(result.report, quiet=quiet)
        if not quiet:
            click.echo(f"[{stamp}] {result.report.summary()}")

    if not quiet:
        click.echo(f"watching {_shown_path(vault)} for changes (Ctrl-C to stop)")
    stop = threading.Event()
    try:
        watch_vault(config, report, stop, settings=settings)
    except KeyboardInterrupt:
        stop.set()


def _shown_path(path: Path) -> str:
    """The absolute path, with the home folder as ~."""
    absolute = path.resolve()
    try:
        return str(Path("~") / absolute.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # outside the home folder, or no home folder
        return str(absolute)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@_DECK_NAME
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: notes, cards, cards_per_deck, cards_per_kind, "
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
    from collections import Counter

    from flashgen.config import load_config
    from flashgen.pipeline import plan_build
    from flashgen.report import printable

    _setup_logging(debug)
    config = _guarded(debug, lambda: load_config(inputs, deck_name=deck_name))
    result = _guarded(debug, lambda: plan_build(config))
    _print_diagnostics(result.report, quiet=True)
    drafts = [item.card.draft for item in result.cards]
    sections = {
        "cards per deck": Counter(item.card.deck for item in result.cards),
        "cards per kind": Counter(draft.kind for draft in drafts),
        "cards per note": Counter(draft.note_path for draft in drafts),
    }
    ordered = {
        title: sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        for title, counts in sections.items()
    }
    with_cards = {draft.note_path for draft in drafts}
    empty = [rel for rel in result.note_paths if rel not in with_cards]
    if as_json:
        payload: dict[str, Any] = {
            "notes": result.report.notes,
            "cards": result.report.cards,
        }
        for title, pairs in ordered.items():
            payload[title.replace(" ", "_")] = dict(pairs)
        payload["notes_without_cards"] = empty
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for title, pairs in ordered.items():
            click.echo(f"{title}:")
            for name, number in pairs:
                click.echo(printable(f"  {number:6}  {name}"))
        click.echo(f"notes that make no cards: {len(empty)}")
        for rel in empty:
            click.echo(printable(f"  {rel}"))
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
@click.option(
    "--open",
    "open_page",
    is_flag=True,
    help="Open the page in the browser (if none opens, say where the page is).",
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
    from flashgen.config import load_config
    from flashgen.pipeline import plan_build
    from flashgen.preview import preview_page

    _setup_logging(debug)
    result = _guarded(
        debug, lambda: plan_build(load_config(inputs, deck_name=deck_name))
    )
    _print_diagnostics(result.report, quiet=True)
    page = preview_page(result.cards, result.vault, result.root_deck)
    staged = output.with_name(f".{output.name}.tmp")
    try:
        staged.write_text(page, encoding="utf-8")
        staged.replace(output)
    except OSError as err:
        staged.unlink(missing_ok=True)
        if debug:
            raise
        _echo_problem(f"{output}: error: cannot write the page: {err.strerror or err}")
        _exit_usage()
    if not quiet:
        click.echo(f"{len(result.cards)} cards -> {output}")
    if open_page and not _open_in_browser(output):
        # The page is written all the same: say where, and exit as if opened.
        _echo_problem(
            f"{output.resolve()}: warning: no browser could be opened "
            "(open this page in a browser yourself)"
        )
    sys.exit(1 if result.report.has_errors else 0)


_OPENER_WAIT = 3.0
"""Seconds to wait for xdg-open to fail before taking the page as opened."""


def _open_in_browser(page: Path) -> bool:
    """Whether the page was (as far as can be told) handed to a browser."""
    import shutil
    import subprocess

    if sys.platform in {"win32", "darwin"}:
        try:
            return click.launch(str(page)) == 0
        except OSError:
            return False
    # click.launch does not wait for xdg-open, which fails only after it has looked for
    # a browser (on a server, over SSH); it may also wait for the browser to close.
    opener = shutil.which("xdg-open")
    if opener is None:
        return False
    try:
        process = subprocess.Popen(
            [opener, str(page)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    try:
        return process.wait(timeout=_OPENER_WAIT) == 0
    except subprocess.TimeoutExpired:
        return True


PROGRESS_DELAY = 1.0
"""Seconds a build runs before its progress bar shows (FLASHGEN_PROGRESS_DELAY sets it)."""


def _progress_delay() -> float:
    """The bar's delay: a quick build shows none. The environment may set it (tests set
    0, so that a bar shows whatever the machine's speed); a value that is not a number of
    seconds leaves the default."""
    import math
    import os

    try:
        delay = float(os.environ.get("FLASHGEN_PROGRESS_DELAY", PROGRESS_DELAY))
    except ValueError:
        return PROGRESS_DELAY
    return delay if math.isfinite(delay) and delay >= 0 else PROGRESS_DELAY


_BAR_STAGES = {
    # The bar's span for each stage of a build (in thousandths), and its label. A full
    # build spends about half its time on the notes and half on the identities, the deck
    # and the state file; 100% is shown only once the build has returned.
    "notes": (0, 500, "notes"),
    "identities": (500, 560, "identities"),
    "rows": (560, 800, "writing deck"),
    "pieces": (800, 990, "writing deck"),
}
_BAR_LENGTH = 1000


class _ProgressBar:
    """A bar on stderr for builds that take more than a second, on a terminal only: the
    notes, then the deck being written; full once the build is done."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._delay = _progress_delay()
        self._started = time.monotonic()
        self._bar: Any = None
        self._done = 0

    def update(self, stage: str, done: int, total: int) -> None:
        if not self._enabled or stage not in _BAR_STAGES:
            return
        start, end, label = _BAR_STAGES[stage]
        position = start + (end - start) * min(done, total) // max(total, 1)
        if self._bar is None:
            if time.monotonic() - self._started < self._delay:
                return
            self._bar = click.progressbar(
                length=_BAR_LENGTH, label=label, file=sys.stderr
            )
            self._bar.__enter__()
        if label != self._bar.label:
            self._bar.label = label
            self._bar.render_progress()
        self._advance(position)

    def _advance(self, position: int) -> None:
        if position > self._done:
            self._bar.update(position - self._done)
            self._done = position

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if self._bar is not None:
            if exc_type is None:
                self._advance(_BAR_LENGTH)
            self._bar.__exit__(None, None, None)


def _write_csv(cards: Any) -> None:
    import csv
    import io

    from flashgen.render.card import bare_question

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "guid",
            "deck",
            "kind",
            "note",
            "line",
            "context",
            "question",
            "answer",
            "tags",
        ]
    )
    for item in cards:
        card, draft = item.card, item.card.draft
        writer.writerow(
            [
                item.guid,
                card.deck,
                draft.kind,
                draft.note_path,
                draft.line,
                " \u203a ".join(draft.context),
                bare_question(card.question),
                card.answer,
                " ".join(draft.tags),
            ]
        )
    click.echo(buffer.getvalue(), nl=False)


def _summary_json(report: Any, dry_run: bool) -> dict[str, Any]:
    changes = report.changes
    return {
        "output": report.output,
        "dry_run": dry_run,
        "notes": report.notes,
        "cards": report.cards,
        "decks": report.decks,
        "added": changes.added,
        "updated": changes.updated,
        "unchanged": changes.unchanged,
        "rematched": changes.rematched,
        "removed": changes.removed,
        "up_to_date": report.up_to_date,
        "reused_notes": report.reused,
        "patched": report.patched,
        "diagnostics": [diagnostic.format() for diagnostic in report.diagnostics],
        "left_out": [
            {"note": left.path, "message": left.message} for left in report.left_out
        ],
        "removed_cards": [
            {"note": removed.path, "message": removed.message}
            for removed in report.removed
        ],
    }


def _card_json(item: Any) -> dict[str, Any]:
    card = item.card
    draft = card.draft
    return {
        "guid": item.guid,
        "status": item.status,
        "kind": draft.kind,
        "deck": card.deck,
        "note": draft.note_path,
        "line": draft.line,
        "context": list(draft.context),
        "label": draft.label,
        "fields": {
            "Question": card.question,
            "Answer": card.answer,
            "Context": card.context,
            "Source": card.source,
        },
        "tags": list(draft.tags),
        "media": [media.name for media in card.media],
    }


def _guarded(debug: bool, action: Any) -> Any:
    from flashgen.errors import ConfigError, FlashgenError

    try:
        return action()
    except ConfigError as err:
        if debug:
            raise
        for message in err.messages:
            _echo_problem(message)
        _exit_usage()
    except FlashgenError as err:
        if debug:
            raise
        _echo_problem(str(err))
        _exit_usage()


def _exit_usage() -> NoReturn:
    sys.exit(2)


def _print_diagnostics(report: Any, *, quiet: bool = False) -> None:
    from flashgen.report import Severity

    for diagnostic in report.diagnostics:
        if quiet and diagnostic.severity is Severity.INFO:
            continue
        click.echo(_styled(diagnostic), err=True)


_SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


def _styled(diagnostic: Any) -> str:
    """The diagnostic's line with its severity coloured (click drops the colour when the
    output is not a terminal, or NO_COLOR is set)."""
    word = diagnostic.severity.value
    return f"{diagnostic.location}: {_severity(word)}: {diagnostic.message}"


def _severity(word: str) -> str:
    colour = _SEVERITY_COLOURS.get(word)
    return click.style(word, fg=colour, bold=True) if colour else word


def _echo_problem(line: str) -> None:
    """Print a message already made into a line (`where: error: what (fix)`) on stderr,
    its severity coloured."""
    import re

    found = re.search(r": (error|warning): ", line)
    if found:
        word = found.group(1)
        line = f"{line[: found.start()]}: {_severity(word)}: {line[found.end() :]}"
    click.echo(line, err=True)


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(name)s: %(message)s",
    )


if __name__ == "__main__":
    main()
