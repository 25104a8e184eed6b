"""Diagnostics and the build report in, their one-line text and JSON forms out (formatting,
not printing)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flashgen.records import quick_init


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@quick_init
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A user-facing message about one place in the vault."""

    path: str
    """Vault-relative POSIX path of the file the message is about."""
    line: int
    """1-based line; 0 when the message is about the whole file."""
    severity: Severity
    message: str
    """Lowercase, no trailing period; the fix in parentheses."""

    @property
    def location(self) -> str:
        """`path:line`, or the path alone for a message about the whole file."""
        return (
            f"{printable(self.path)}:{self.line}" if self.line else printable(self.path)
        )

    def format(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message}"


@dataclass(frozen=True, slots=True)
class Changes:
    """How this build's cards compare with the last build's (from the state file)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rematched: int = 0
    """Cards whose key changed (a renamed label or heading, a moved note) that kept their
    identity."""
    removed: int = 0
    """Cards of the last build that are no longer in the notes."""

    def format(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rematched} re-matched, {self.removed} removed"
        )


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: where the deck went and what each stage had to say."""

    output: str | None
    """Path of the .apkg written, or None when nothing was written."""
    notes: int
    """Notes read (after ignore rules)."""
    cards: int
    decks: int
    diagnostics: tuple[Diagnostic, ...]
    skipped: tuple[str, ...] = ()
    """Vault-relative paths of notes left out on purpose (templates, drawings)."""
    changes: Changes = Changes()
    stage_seconds: Mapping[str, float] = field(default_factory=dict)
    """Wall-clock seconds per stage (notes, reconcile, write, state), for --debug and bench/."""
    up_to_date: bool = False
    """Nothing changed since the deck at `output` was written, so it was left as it is."""
    reused: int = 0
    """Notes whose cards came from the build cache, unchanged since an earlier build."""
    news: tuple[Diagnostic, ...] = ()
    """The messages (also in `diagnostics`) about what changed since the last build."""
    patched: bool = False
    """The last deck was patched: only the rows of the changed notes' cards were written."""
    removed: tuple[Diagnostic, ...] = ()
    """Every card no longer in the notes, by name (the warnings in `diagnostics` name one
    a note): for `--verbose` and `--json`."""
    left_out: tuple[Diagnostic, ...] = ()
    """Why each note left out on purpose (templates, drawings, `flashgen: false`, include
    and exclude) makes no cards: for `--verbose` and `--json` (`check` shows them among
    its diagnostics)."""

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def summary(self) -> str:
        where = f" -> {self.output}" if self.output else ""
        if self.up_to_date:
            where += " (up to date, left as it was)"
        return (
            f"{count(self.cards, 'card')} from {count(self.notes, 'note')} in "
            f"{count(self.decks, 'deck')} ({self.changes.format()}){where}"
        )


_LEFT_OUT = "left out "


def left_out(path: str, reason: str) -> Diagnostic:
    """The info message that says why a note was left out on purpose (`reason` follows
    "left out": "as a template: ...")."""
    return Diagnostic(path, 0, Severity.INFO, _LEFT_OUT + reason)


def is_left_out(diagnostic: Diagnostic) -> bool:
    """Whether the message is one that left_out made."""
    return (
        diagnostic.severity is Severity.INFO
        and diagnostic.line == 0
        and diagnostic.message.startswith(_LEFT_OUT)
    )


def count(number: int, noun: str) -> str:
    """`1 card`, `2 cards`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def printable(text: str) -> str:
    """Show control characters escaped so a file name cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def build_json(report: BuildReport, *, dry_run: bool) -> dict[str, object]:
    """`flashgen build --json`: the report as one JSON object."""
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


def shown(report: BuildReport, *, quiet: bool) -> list[Diagnostic]:
    """The report's messages as a listing shows them: without hints (info) when quiet."""
    return [
        diagnostic
        for diagnostic in report.diagnostics
        if not (quiet and diagnostic.severity is Severity.INFO)
    ]


def check_json(report: BuildReport, *, quiet: bool) -> dict[str, object]:
    """`flashgen check --json`: counts per severity and each message shown."""
    counts = _counts(report)
    return {
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
            for d in shown(report, quiet=quiet)
        ],
    }


def check_summary(report: BuildReport) -> str:
    """`flashgen check`'s last line: notes, cards and messages by severity."""
    counts = _counts(report)
    return (
        f"checked {count(report.notes, 'note')}, {count(report.cards, 'card')}: "
        f"{count(counts[Severity.ERROR], 'error')}, "
        f"{count(counts[Severity.WARNING], 'warning')}, "
        f"{count(counts[Severity.INFO], 'hint')}"
    )


def _counts(report: BuildReport) -> dict[Severity, int]:
    return {s: sum(d.severity is s for d in report.diagnostics) for s in Severity}


def painted(diagnostic: Diagnostic, paint: Callable[[str], str]) -> str:
    """The diagnostic's line with its severity word passed through `paint` (colour)."""
    word = paint(diagnostic.severity.value)
    return f"{diagnostic.location}: {word}: {diagnostic.message}"


_SEVERITY_IN_LINE = re.compile(r": (error|warning): ")


def painted_line(line: str, paint: Callable[[str], str]) -> str:
    """A message already made into a line (`where: error: what (fix)`), its severity
    word passed through `paint`."""
    found = _SEVERITY_IN_LINE.search(line)
    if not found:
        return line
    return f"{line[: found.start()]}: {paint(found.group(1))}: {line[found.end() :]}"
