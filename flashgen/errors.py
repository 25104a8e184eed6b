"""Exception hierarchy: every error flashgen raises on purpose is a FlashgenError."""

from __future__ import annotations


class FlashgenError(Exception):
    """Base of every error flashgen reports to the user."""


class ConfigError(FlashgenError):
    """A configuration file or option is invalid; nothing is written."""

    def __init__(self, messages: tuple[str, ...]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class NoteError(FlashgenError):
    """A problem in one note; the rest of the vault still builds."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class FrontMatterError(NoteError):
    """The note's YAML front matter cannot be read."""


class OutputError(FlashgenError):
    """The deck cannot be written where it was asked for; nothing is written."""
