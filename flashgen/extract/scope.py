"""Scope of explicit cards: which notes hold them (a flashcard tag, or every note), the
deck a flashcard sub-tag names, and which `key:: value` lines are Dataview fields.

A ParsedNote or a line and the vault's CardSyntax in; a yes or no, or a deck path, out.
Pure.
"""

from __future__ import annotations

import re

from flashgen.extract.syntax import CardSyntax
from flashgen.extract.tags import note_tags
from flashgen.parse import ParsedNote

LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[.\][ \t]+)?")
_DATAVIEW_KEY = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_BRACKET_FIELD = re.compile(r"[\[(][\w .-]+::[^\[\]()]*[\])]")
_DATA_VALUE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}\S*|\[\[[^\]]*\]\]|#\S+|true|false|-?\d+(?:\.\d+)?)$"
)
_FIELD_KEY = re.compile(
    r"^(?:tags?|alias(?:es)?|status|created|updated|modified|date|due|type|categor(?:y|ies)"
    r"|authors?|sources?|rating|priority|project|area|topic|related|up|parent|cssclass(?:es)?"
    r"|publish|id|title|url|link|year|progress|completed|start|end|scheduled)$"
)
"""Keys that are a note's data whatever follows them (`status::done`)."""
_MAX_FIELD_WORDS = 5
_MAX_FIELD_CHARS = 60


def is_scoped(note: ParsedNote, syntax: CardSyntax) -> bool:
    """Whether the note may hold explicit cards: every note may, or it has a flashcard tag."""
    return syntax.every_note or bool(_flashcard_tags(note, syntax))


def tag_deck(note: ParsedNote, syntax: CardSyntax) -> str:
    """The deck under the root deck that the note's first flashcard sub-tag names
    (`#flashcards/biology/cells`: `biology::cells`), or ""."""
    for _, sub in _flashcard_tags(note, syntax):
        if sub:
            return sub
    return ""


def tag_key(tag: str) -> str:
    """A tag as note_tags writes it, case folded: `#a/b` -> `a::b`."""
    cleaned = tag.strip().lstrip("#").strip("/").replace("/", "::")
    return re.sub(r"\s+", "_", cleaned).casefold()


def _flashcard_tags(note: ParsedNote, syntax: CardSyntax) -> list[tuple[str, str]]:
    """The note's flashcard tags, each with its sub-path (`flashcards::a::b`: `a::b`)."""
    wanted = [key for key in map(tag_key, syntax.tags) if key]
    # Most notes never name a flashcard tag: their text says so without reading tags.
    text = note.source.casefold()
    if not any(key.split("::")[0] in text for key in wanted):
        return []
    found = []
    for tag in note_tags(note):
        key = tag.casefold()
        for root in wanted:
            if key == root or key.startswith(f"{root}::"):
                found.append((tag, tag[len(root) + 2 :]))
                break
    return found


def is_dataview_field(text: str, separator: str) -> bool:
    """Whether a line with `::` is a Dataview inline field rather than a card.

    A field is a key that is one lower-case word, kebab-case or snake_case (`status`,
    `due-date`), then `::` and a short value (at most five words and 60 characters):
    written `key:: value` (Dataview's own style), or with a key that is always data
    (`status`, `created`, `tags`, ...), or with a value that is data (a date, a number,
    a `[[link]]`, a `#tag`, true or false). `[key:: value]` and `(key:: value)` in a
    sentence are fields too. A lower-case question written tight (`hund::dog`) is a card."""
    body = LIST_MARKER.sub("", text, count=1).lstrip()
    if separator == "::" and "::" not in _BRACKET_FIELD.sub("", body):
        return True
    key, found, value = body.partition(separator)
    if not found or not _DATAVIEW_KEY.match(key):
        return False
    value = value.strip()
    if len(value) > _MAX_FIELD_CHARS or len(value.split()) > _MAX_FIELD_WORDS:
        return False
    spaced = body[len(key) + len(separator) : len(key) + len(separator) + 1] == " "
    return (
        spaced
        or bool(_FIELD_KEY.match(key))
        or not value
        or bool(_DATA_VALUE.match(value))
    )
