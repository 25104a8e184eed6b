"""Diagnostics and the build report, and their one-line text form (formatting, not printing)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


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

    def format(self) -> str:
        location = f"{_safe(self.path)}:{self.line}" if self.line else _safe(self.path)
        return f"{location}: {self.severity.value}: {self.message}"


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

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def summary(self) -> str:
        where = f" -> {self.output}" if self.output else ""
        return (
            f"{_count(self.cards, 'card')} from {_count(self.notes, 'note')} in "
            f"{_count(self.decks, 'deck')}{where}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _safe(text: str) -> str:
    """Show control characters escaped so a file name cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
