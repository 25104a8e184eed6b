"""One card as the last build left it (CardState), and its fields as a plain tuple: what
the state file holds of each card, read by reconcile and written by file.py."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class CardState:
    """One card as the last build left it."""

    guid: str
    key: tuple[str, ...]
    """Structural key (see identity.card_key); a re-matched card keeps its old GUID."""
    note: str
    """Vault-relative path of the note it came from."""
    kind: str
    context: tuple[str, ...]
    label: str
    answer: int
    """A fingerprint of the answer's words (fingerprint.answer_print; for re-matching)."""
    digest: str
    """Hash of everything Anki stores for the note: fields, tags, deck."""
    modified: int
    """The note's modification time in the last deck, in whole seconds."""
    removed: bool = False
    """No longer in the notes; kept to retire the card in Anki."""
    id: int = 0
    """The note's id in the deck (its card's is the next number), given when the card
    first appeared and kept ever since; 0 when not given yet (older state files)."""
    deck: str = ""
    """The Anki deck the card was in; "" when not known (state files of version 1)."""


Fields = tuple[Any, ...]
"""A card's fields in CardState's order, without the record."""

Copied = tuple[str, int]
"""A card's GUID and its position in the file its state was read from (State.source):
its line is copied from there when its note's line in the table is the same."""


def dataclass_fields(card: CardState) -> Fields:
    """The card's fields in order (dataclasses.astuple copies them deeply: slower)."""
    return tuple(getattr(card, name) for name in _FIELDS)


_FIELDS = tuple(field.name for field in dataclasses.fields(CardState))
