"""State file lines: the only encoding of a card's line and of the notes table above them.

Version 2 of `.flashgen-state.json`: a table of the notes, one a line (its path, its
identity when not its path, its heading paths and its decks), then one card a line in GUID
order. A card's line names its note by a short reference and its heading path and deck by
their place in the note's line, and keeps of its answer only a fingerprint:

    {"version":2,"notes":{
    "k3ab":["Security/Defence.md",null,[["Log Sources"]],["Security"]],
    },"cards":{
    "fg23iq…":["k3ab","point",0,"Retention",0,"<fingerprint><digest>",1700000000,1486,0]
    }}

The number after the label is the card's position among equal labels (or its pin, or its
whole key when it has another shape); the id is written as its difference to the time in
milliseconds (small: an id is the time a card first appeared). A retired card's line ends
with "removed".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flashgen.fingerprint import decode_print, encode_print

VERSION = 2
HEAD = b'{"version":2,"notes":{\n'
MIDDLE = b'},"cards":{\n'
FOOTER = b"}}\n"
REMOVED = b',"removed"]'
"""How a retired card's line ends (a quote is escaped inside a string: never found there)."""

_LARGEST = 2**53
"""Times and ids past this are not flashgen's (Anki's ids are milliseconds)."""
_B32 = "abcdefghijklmnopqrstuvwxyz234567"

Place = tuple[str, str, tuple[str, ...], str]
"""A card's note path, note identity (its key's first part), heading path and deck."""


@dataclass(frozen=True, slots=True)
class NoteEntry:
    """A note's line in the table: what its cards' lines refer to."""

    ref: str
    note: str
    head: str
    """The identity of the note's cards (their key's first part; "" for an empty key)."""
    contexts: tuple[tuple[str, ...], ...]
    """The heading paths of its cards, sorted."""
    decks: tuple[str, ...]
    """The decks of its cards, sorted."""

    def line(self) -> bytes:
        head = None if self.head == f"path:{self.note}" else self.head
        value = [self.note, head, [list(c) for c in self.contexts], list(self.decks)]
        return (_dumps(self.ref) + ":" + _dumps(value)).encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _base_ref(note: str, head: str) -> str:
    digest = hashlib.blake2b(f"{note}\x1f{head}".encode("utf-8", "surrogatepass"))
    number = int.from_bytes(digest.digest()[:4], "big")
    return "".join(_B32[(number >> shift) & 31] for shift in (15, 10, 5, 0))


class NotesTable:
    """The notes table of a set of cards: each note's reference, heading paths and decks.

    References are hashes of the note's path and identity; of two that meet, the note
    first in path order keeps it and the other gets a number after it."""

    def __init__(self, places: Iterable[Place]) -> None:
        found: dict[tuple[str, str], tuple[set[tuple[str, ...]], set[str]]] = {}
        for note, head, context, deck in places:
            contexts, decks = found.setdefault((note, head), (set(), set()))
            contexts.add(context)
            decks.add(deck)
        self.entries: dict[tuple[str, str], NoteEntry] = {}
        self._contexts: dict[tuple[str, str], dict[tuple[str, ...], int]] = {}
        self._decks: dict[tuple[str, str], dict[str, int]] = {}
        taken: set[str] = set()
        for (note, head), (contexts, decks) in sorted(found.items()):
            ref = base = _base_ref(note, head)
            number = 0
            while ref in taken:
                number += 1
                ref = f"{base}{number}"
            taken.add(ref)
            entry = NoteEntry(
                ref, note, head, tuple(sorted(contexts)), tuple(sorted(decks))
            )
            self.entries[note, head] = entry
            self._contexts[note, head] = {c: i for i, c in enumerate(entry.contexts)}
            self._decks[note, head] = {d: i for i, d in enumerate(entry.decks)}

    def head(self) -> bytes:
        """The file up to the first card's line."""
        lines = b",\n".join(
            entry.line() for entry in sorted(self.entries.values(), key=_ref)
        )
        return HEAD + lines + (b"\n" if lines else b"") + MIDDLE

    def line(
        self,
        guid: str,
        key: tuple[str, ...],
        note: str,
        kind: str,
        context: tuple[str, ...],
        label: str,
        answer: int,
        digest: str,
        modified: int,
        removed: bool,
        card_id: int,
        deck: str,
    ) -> bytes:
        """The card's line, without the comma and newline after it."""
        head = key[0] if key else ""
        where = (note, head)
        entry = self.entries[where]
        if len(key) == 2 and key[1].startswith("^"):
            shape: Any = key[1]
        elif key == (head, kind, *context, label, key[-1]) and _is_count(key[-1]):
            shape = int(key[-1])
        else:
            shape = list(key)
        value = [
            entry.ref,
            kind,
            self._contexts[where][context],
            label,
            shape,
            encode_print(answer) + _encode_digest(digest),
            int(modified),
            int(card_id) - 1000 * int(modified),
            self._decks[where][deck],
        ]
        if removed:
            value.append("removed")
        return (_quoted(guid) + ":" + _dumps(value)).encode()


def _ref(entry: NoteEntry) -> str:
    return entry.ref


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit() and str(int(text)) == text


def _quoted(guid: str) -> str:
    # flashgen's GUIDs are letters and digits; anything else is quoted by the encoder.
    return f'"{guid}"' if guid.isascii() and guid.isalnum() else _dumps(guid)


def _encode_digest(digest: str) -> str:
    if len(digest) == 24 and digest == digest.lower():
        try:
            return base64.urlsafe_b64encode(bytes.fromhex(digest)).decode()
        except ValueError:
            pass
    return "~" + digest


def _decode_digest(text: str) -> str:
    if text.startswith("~"):
        return text[1:]
    if len(text) != 16:
        raise ValueError(f"not a digest: {text!r}")
    try:
        return base64.urlsafe_b64decode(text).hex()
    except binascii.Error as err:
        raise ValueError(f"not a digest: {text!r}") from err


def entry_from_line(ref: str, value: Any) -> NoteEntry:
    """A note's entry from its line's value; ValueError, TypeError, ... when it is not."""
    note, head, contexts, decks = value
    note = _text(note)
    head = f"path:{note}" if head is None else _text(head)
    return NoteEntry(
        _text(ref),
        note,
        head,
        tuple(tuple(map(_text, context)) for context in contexts),
        tuple(map(_text, decks)),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Decoded:
    """A card's line, decoded: its fields in CardState's order, and where it refers."""

    fields: tuple[Any, ...]
    ref: str
    context: int
    deck: int


def decode_line(guid: str, value: Any, entries: dict[str, NoteEntry]) -> Decoded:
    """A card's line's value, decoded; ValueError, KeyError, ... when it is not one."""
    if not isinstance(value, list) or len(value) not in (9, 10):
        raise ValueError(f"card {guid}: not a card's line")
    ref, kind, context_at, label, shape, prints, modified, id_delta, deck_at = value[:9]
    removed = len(value) == 10
    if removed and value[9] != "removed":
        raise ValueError(f"card {guid}: not a card's line")
    entry = entries[ref]
    if not all(type(n) is int for n in (context_at, modified, id_delta, deck_at)):
        raise TypeError(f"card {guid}: not a number")
    context = entry.contexts[context_at]
    deck = entry.decks[deck_at]
    card_id = id_delta + 1000 * modified
    if not (0 <= modified < _LARGEST and 0 <= card_id < _LARGEST):
        raise ValueError(f"card {guid}: time or id out of range")
    kind, label, prints = _text(kind), _text(label), _text(prints)
    if isinstance(shape, str):
        key: tuple[str, ...] = (entry.head, shape)
    elif isinstance(shape, list):
        key = tuple(map(_text, shape))
    elif type(shape) is int:
        key = (entry.head, kind, *context, label, str(shape))
    else:
        raise TypeError(f"card {guid}: not a key")
    if (key[0] if key else "") != entry.head:
        raise ValueError(f"card {guid}: key of another note")
    fields = (
        guid,
        key,
        entry.note,
        kind,
        context,
        label,
        decode_print(prints[:11]),
        _decode_digest(prints[11:]),
        modified,
        removed,
        card_id,
        deck,
    )
    return Decoded(fields, entry.ref, context_at, deck_at)
