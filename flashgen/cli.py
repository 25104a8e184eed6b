"""Command line: options -> Config, call the library, print the report, pick the exit code."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from flashgen import __version__

EXIT_CODES = """\b
Exit codes:
  0  every note built
  1  deck written (or cards listed), but some notes had errors
  2  nothing written: usage, config or output error"""

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
def main() -> None:
    """Turn Markdown notes or an Obsidian vault into an Anki deck.

    flashgen reads the structure your notes already have (bold labelled points, headings
    with their prose, lists of points) and writes an .apkg that Anki imports; rebuild after
    editing and the cards update in place.
    """


@main.command(epilog=EXIT_CODES)
@_INPUTS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the .apkg (default: decks/<deck name>.apkg).",
)
@click.option(
    "--deck-name", help="Name of the root deck (default: the vault's folder name)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@_DEBUG
def build(
    inputs: tuple[Path, ...],
    output: Path | None,
    deck_name: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Build an Anki deck from a vault folder or one or more .md files."""
    from flashgen.config import load_config
    from flashgen.pipeline import build as run_build

    _setup_logging(debug)
    result = _guarded(
        debug,
        lambda: run_build(load_config(inputs, output=output, deck_name=deck_name)),
    )
    _print_diagnostics(result.report)
    if not quiet:
        click.echo(result.report.summary())
    sys.exit(1 if result.report.has_errors else 0)


@main.command(epilog=EXIT_CODES)
@_INPUTS
@click.option("--json", "as_json", is_flag=True, help="Print the cards as JSON.")
@click.option(
    "--deck-name", help="Name of the root deck (default: the vault's folder name)."
)
@_DEBUG
def cards(
    inputs: tuple[Path, ...], as_json: bool, deck_name: str | None, debug: bool
) -> None:
    """List the cards a build would make, without writing a deck."""
    from flashgen.config import load_config
    from flashgen.pipeline import collect_cards

    _setup_logging(debug)
    result = _guarded(
        debug, lambda: collect_cards(load_config(inputs, deck_name=deck_name))
    )
    _print_diagnostics(result.report)
    if as_json:
        click.echo(
            json.dumps(
                [_card_json(card) for card in result.cards],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for card in result.cards:
            draft = card.draft
            where = " \u203a ".join((draft.note_title, *draft.context))
            click.echo(
                f"{draft.note_path}:{draft.line}: [{draft.kind}] {where} \u203a "
                f"{draft.label}"
            )
        click.echo(result.report.summary(), err=True)
    sys.exit(1 if result.report.has_errors else 0)


def _card_json(card: Any) -> dict[str, Any]:
    draft = card.draft
    return {
        "guid": card.guid,
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
        "media": [item.name for item in card.media],
    }


def _guarded(debug: bool, action: Any) -> Any:
    from flashgen.errors import ConfigError, FlashgenError

    try:
        return action()
    except ConfigError as err:
        if debug:
            raise
        for message in err.messages:
            click.echo(message, err=True)
        _exit_usage()
    except FlashgenError as err:
        if debug:
            raise
        click.echo(str(err), err=True)
        _exit_usage()


def _exit_usage() -> NoReturn:
    sys.exit(2)


def _print_diagnostics(report: Any) -> None:
    for diagnostic in report.diagnostics:
        click.echo(diagnostic.format(), err=True)


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(name)s: %(message)s",
    )
