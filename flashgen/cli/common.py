"""The command line's shared parts: options, error handling and printing (click only
here and in the commands beside it)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar
    from click.decorators import FC

    from flashgen.errors import FlashgenError
    from flashgen.pipeline import BuildResult
    from flashgen.report import BuildReport, Diagnostic

T = TypeVar("T")

EXIT_CODES = """\b
Exit codes:
  0  every note built
  1  deck written (or cards listed), but some notes had errors
  2  nothing written: usage, config or output error, or no note to build"""


def _flag(names: str, text: str, default: bool | None = False) -> Callable[[FC], FC]:
    """An option that is on when given (`names`: its names and parameter, spaced)."""
    return click.option(*names.split(), is_flag=True, help=text, default=default)


_INPUTS = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path)
)
_DEBUG = _flag("--debug", "Show tracebacks and debug logging.")

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


def _progress_bar(label: str, length: int) -> ProgressBar[int]:
    return click.progressbar(length=length, label=label, file=sys.stderr)


def _echo_json(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _planned(debug: bool, inputs: tuple[Path, ...], deck: str | None) -> BuildResult:
    """The cards a build would make (for a listing), its warnings and errors printed."""
    from flashgen.config import load_config
    from flashgen.pipeline import plan_build

    _setup_logging(debug)
    config = _guarded(debug, lambda: load_config(inputs, deck_name=deck))
    result = _guarded(debug, lambda: plan_build(config))
    _print_diagnostics(result.report, quiet=True)
    return result


def _guarded(debug: bool, action: Callable[[], T]) -> T:
    """The action's value; a FlashgenError is printed and ends the command with exit
    code 2 (raised as it is with --debug)."""
    from flashgen.errors import FlashgenError

    try:
        return action()
    except FlashgenError as err:
        if debug:
            raise
        _echo_error(err)
        sys.exit(2)


def _echo_error(err: FlashgenError) -> None:
    for message in getattr(err, "messages", (str(err),)):
        _echo_problem(message)


def _print_diagnostics(report: BuildReport, *, quiet: bool = False) -> None:
    from flashgen.report import shown

    for diagnostic in shown(report, quiet=quiet):
        click.echo(_styled(diagnostic), err=True)


def _severity(word: str) -> str:
    """The severity word coloured (click drops the colour when the output is not a
    terminal, or NO_COLOR is set)."""
    colour = {"error": "red", "warning": "yellow"}.get(word)
    return click.style(word, fg=colour, bold=True) if colour else word


def _styled(diagnostic: Diagnostic) -> str:
    from flashgen.report import painted

    return painted(diagnostic, _severity)


def _echo_problem(line: str) -> None:
    """Print a message already made into a line on stderr, its severity coloured."""
    from flashgen.report import painted_line

    click.echo(painted_line(line, _severity), err=True)


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(name)s: %(message)s",
    )
