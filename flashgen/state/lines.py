"""State file lines: the only encoding of a card's line and of the notes table above them.

Version 2 of `.flashgen-state.json`: the root deck, a table of the notes, one a line (its
path, its identity when not its path, its heading paths and its decks), then one card a
line in GUID order. A card's line names its note by a short reference, its kind by a
letter, its heading path and deck by their place in the note's line, and keeps of its
answer only a fingerprint:

    {"version":2,"root":"Vault","notes":{
    "k3ab":["Security/Defence.md",null,[["Log Sources"]],[null]]
    },"cards":{
    "fg23iq…":["k3ab","p",0,"Retention",0,"<fingerprint><digest>",1700000000,1486,0]
    }}

Decks are written relative to the root deck: null for the deck of the note's folders
under it (above, "Vault::Security"), "" for the root deck itself, "Topics::Crypto" for
"Vault::Topics::Crypto", "::Elsewhere" for a deck outside it; so a note's line is the
same whatever the vault's folder (which names the root deck) is called.

The number after the label is the card's position among equal labels (or its pin, or its
whole key when it has another shape); the id is written as its difference to the time in
milliseconds (small: an id is the time a card first appeared). A retired card's line
ends with "removed".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from flashgen.fingerprint import decode_print, encode_print

VERSION = 2
BATCH = 4096
"""Lines read or written at a time: a large state is never all in memory as text."""
_HEAD_START = b'{"version":2,"root":'
_HEAD_END = b',"notes":{\n'
MIDDLE = b'},"cards":{\n'
FOOTER = b"}}\n"
REMOVED = b',"removed"]'
"""How a retired card's line ends (a quote is escaped inside a string: never found there)."""

_LARGEST = 2**53
"""Times and ids past this are not flashgen's (Anki's ids are milliseconds)."""
_B32 = "abcdefghijklmnopqrstuvwxyz234567"

Place = tuple[str, str, tuple[str, ...], str]
"""A card's note path, note identity (its key's first part), heading path and deck."""

_CODES = {"point": "p", "definition": "d", "heading": "h", "list": "l"}
"""The letters of the kinds flashgen makes; another kind is written out (after a "~"
when it could be taken for a letter or for a kind written so)."""
_KINDS = {code: kind for kind, code in _CODES.items()}


def head_line(root: str) -> bytes:
    """The file's first line: its version and the root deck its decks are relative to."""
    return _HEAD_START + _dumps(root).encode() + _HEAD_END


def root_of(line: bytes) -> str | None:
    """The root deck named by a first line as head_line writes it; None for another."""
    if not (line.startswith(_HEAD_START) and line.endswith(_HEAD_END)):
        return None
    try:
        root = json.loads(line[len(_HEAD_START) : -len(_HEAD_END)])
    except ValueError:
        return None
    return root if isinstance(root, str) else None


def _stored_deck(deck: str, root: str, note: str) -> str | None:
    if deck == root:
        return ""
    if deck == _folder_deck(root, note):
        return None
    rest = deck[len(root) + 2 :]
    if not root or (deck.startswith(f"{root}::") and rest and rest[:2] != "::"):
        return rest if root else deck
    return f"::{deck}"


def _deck_of(stored: str | None, root: str, note: str) -> str:
    if stored is None:
        return _folder_deck(root, note)
    if not root:
        return stored
    if not stored:
        return root
    return stored[2:] if stored.startswith("::") else f"{root}::{stored}"


def _folder_deck(root: str, note: str) -> str:
    """The deck of a note's folders under the root deck (the "folders" deck layout)."""
    return "::".join((root, *PurePosixPath(note).parts[:-1]))


def _kind_code(kind: str) -> str:
    code = _CODES.get(kind)
    if code is not None:
        return code
    return f"~{kind}" if kind in _KINDS or kind.startswith("~") else kind


def _kind_of(code: str) -> str:
    kind = _KINDS.get(code)
    if kind is not None:
        return kind
    return code[1:] if code.startswith("~") else code


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

    def line(self, root: str) -> bytes:
        """The note's line in a file whose decks are relative to this root deck."""
        head = None if self.head == f"path:{self.note}" else self.head
        decks = [_stored_deck(deck, root, self.note) for deck in self.decks]
        value = [self.note, head, [list(c) for c in self.contexts], decks]
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
    first in path order keeps it and the other gets a number after it. Decks are written
    relative to the root deck."""

    def __init__(self, places: Iterable[Place], root: str = "") -> None:
        self.root = root
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
            entry.line(self.root) for entry in sorted(self.entries.values(), key=_ref)
        )
        return head_line(self.root) + lines + (b"\n" if lines else b"") + MIDDLE

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
        elif (
            key and key == (head, kind, *context, label, key[-1]) and _is_count(key[-1])
        ):
            shape = int(key[-1])
        else:
            shape = list(key)
        value = [
            entry.ref,
            _kind_code(kind),
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


def entry_from_line(ref: str, value: Any, root: str) -> NoteEntry:
    """A note's entry from its line's value in a file whose decks are relative to this
    root deck; ValueError, TypeError, ... when it is not one."""
    note, head, contexts, decks = value
    note = _text(note)
    head = f"path:{note}" if head is None else _text(head)
    return NoteEntry(
        _text(ref),
        note,
        head,
        tuple(tuple(map(_text, context)) for context in contexts),
        tuple(
            _deck_of(None if deck is None else _text(deck), root, note)
            for deck in decks
        ),
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
    kind, label, prints = _kind_of(_text(kind)), _text(label), _text(prints)
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
