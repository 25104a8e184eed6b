"""Identity: note GUIDs, deck ids and model ids. The only module that hashes for identity.

A GUID hashes a namespaced structural key (the note's id or path, the card's kind, heading
path, label and occurrence), never the card's text, so editing an answer updates the card.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any

from flashgen.extract import CardDraft, card_form

# Bump only with a migration: a new namespace gives every card a new GUID (lost history).
_GUID_NAMESPACE = "flashgen/card/v1"
_UNIT = "\x1f"
# Base32 (RFC 4648, lower case), ten bits at a time: base64.b32encode is pure Python, and
# this makes a GUID in less than half its time (every card of a full build needs one).
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS = tuple(a + b for a in _B32 for b in _B32)
_SHIFTS = tuple(range(110, -1, -10))


ID_STEP = 16
"""Between two new notes' ids: a note's cards take the ids after its own (Anki shows a
card's id as the time it was added), so a note makes at most ID_STEP - 1 cards."""


def note_key(path: str, front_matter: Mapping[str, Any]) -> str:
    """What identifies a note: its front-matter `id` when given, else its vault path."""
    explicit = front_matter.get("id")
    if (
        isinstance(explicit, (str, int))
        and not isinstance(explicit, bool)
        and str(explicit)
    ):
        return f"id:{explicit}"
    return f"path:{path}"


def card_key(draft: CardDraft, note: str) -> tuple[str, ...]:
    """The structural key of a card: where it is, never what it says.

    A block id written on the point (`^my-id`) pins the card: the key is then the note and
    the id alone, whatever the label or heading becomes.
    """
    if draft.pin:
        # A pinned card of another note type than the basic one is another note: Anki
        # skips a note whose GUID it knows under another note type.
        form = card_form(draft.kind)
        return (
            (note, f"^{draft.pin}")
            if form == "basic"
            else (note, f"^{draft.pin}", form)
        )
    return (note, draft.kind, *draft.context, draft.label, str(draft.occurrence))


def card_guid(key: tuple[str, ...]) -> str:
    """A GUID for Anki from a structural key; Unicode-normalised (NFC) first."""
    text = _UNIT.join((_GUID_NAMESPACE, *key))
    number = int.from_bytes(_digest(unicodedata.normalize("NFC", text))[:15], "big")
    return "fg" + "".join([_PAIRS[(number >> shift) & 1023] for shift in _SHIFTS])


def stable_id(kind: str, name: str) -> int:
    """A deck or model id from its name: the same on every machine and every run."""
    digest = _digest(f"flashgen/{kind}/{unicodedata.normalize('NFC', name)}")
    # Anki ids are signed 64-bit; genanki suggests [2^30, 2^31) for model ids. Stay in it.
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()
