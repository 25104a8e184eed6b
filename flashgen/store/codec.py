"""A note's cards as they leave the worker that rendered them: each card keyed, the few
facts of it that reconcile and the state file read, and the note's cards packed into bytes
(what a build's CardStore holds and what the cache keeps)."""

from __future__ import annotations

import hashlib
import html
import marshal
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from flashgen.cache import card_rows
from flashgen.fingerprint import answer_print
from flashgen.records import quick_init

if TYPE_CHECKING:
    from flashgen.render.card import RenderedCard

_TEXT_LIMIT = 300
_TAG = re.compile(r"<[^>]+>")


@quick_init
@dataclass(frozen=True, slots=True)
class Keyed:
    """A rendered card with its structural key (see identity.card_key)."""

    card: RenderedCard
    key: tuple[str, ...]
    digest: str
    """content_digest(card): whether Anki would see a change."""
    answer: int
    """answer_print(answer_text(card)): what re-matching compares."""

    @classmethod
    def of(cls, card: RenderedCard, key: tuple[str, ...]) -> Keyed:
        """Both are made where the card is rendered: in parallel, and kept in the cache."""
        return cls(card, key, content_digest(card), answer_print(answer_text(card)))


def content_digest(card: RenderedCard) -> str:
    """Hash of what Anki stores for the note (the fields and tags)."""
    fields = (
        card.question,
        card.answer,
        card.context,
        card.source,
        *sorted(card.draft.tags),
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:24]


def answer_text(card: RenderedCard) -> str:
    text = html.unescape(_TAG.sub(" ", card.answer))
    # Runs of whitespace as one space: split() knows the same whitespace as re's \s.
    return " ".join(text.split())[:_TEXT_LIMIT]


class Fact(NamedTuple):
    """What reconcile, the state file and the deck's card rows read of a card."""

    key: tuple[str, ...]
    digest: str
    answer: int
    """The answer's fingerprint (fingerprint.answer_print)."""
    kind: str
    note: str
    context: tuple[str, ...]
    label: str
    line: int
    deck: str
    media: tuple[tuple[str, str], ...]
    """(vault path, name in the deck) of each file the card uses."""


def fact_of(item: Keyed) -> Fact:
    card, draft = item.card, item.card.draft
    return Fact(
        item.key,
        item.digest,
        item.answer,
        draft.kind,
        draft.note_path,
        draft.context,
        draft.label,
        draft.line,
        card.deck,
        tuple((media.source, media.name) for media in card.media),
    )


class NoteSummary(NamedTuple):
    """What a note's cards share, read without unpacking them."""

    heads: frozenset[str]
    """The first parts of the cards' keys (the note's identity)."""
    paths: frozenset[str]
    """The note files the cards come from."""
    decks: frozenset[str]
    media: frozenset[tuple[str, str]]
    """(vault path, name in the deck) of each file the cards use."""


def summary_of(facts: Sequence[Fact]) -> NoteSummary:
    return NoteSummary(
        frozenset(fact.key[0] for fact in facts if fact.key),
        frozenset(fact.note for fact in facts),
        frozenset(fact.deck for fact in facts),
        frozenset(item for fact in facts for item in fact.media),
    )


@dataclass(frozen=True, slots=True)
class PackedNote:
    """One note's cards as a CardStore holds them: made where the note is processed (in
    parallel), and sent as bytes rather than as records. marshal is Python's fastest
    encoding; these bytes are kept only by this build and the user's own cache (whose key
    holds the Python version, see encode_packed), never shared."""

    count: int
    facts: bytes
    """The cards' facts, marshalled and compressed."""
    cards: bytes
    """The cards (cache.card_rows), marshalled and compressed."""
    summary: NoteSummary


def pack_note(keyed: Sequence[Keyed]) -> PackedNote:
    facts = [fact_of(item) for item in keyed]
    return PackedNote(
        len(keyed),
        zlib.compress(marshal.dumps([tuple(fact) for fact in facts]), 1),
        zlib.compress(marshal.dumps(card_rows(keyed)), 1),
        summary_of(facts),
    )


def encode_packed(packed: PackedNote) -> bytes:
    """A packed note as the cache stores it: a CRC-32 of the rest, then the marshalled
    note. marshal's format may change between Python versions: the cache's key holds the
    version, so another Python never reads these bytes."""
    body = marshal.dumps(
        (packed.count, packed.facts, packed.cards, tuple(packed.summary))
    )
    return zlib.crc32(body).to_bytes(4, "big") + body


def decode_packed(payload: bytes) -> PackedNote:
    """The packed note encode_packed stored; ValueError when the bytes are damaged."""
    body = payload[4:]
    if len(payload) < 4 or zlib.crc32(body) != int.from_bytes(payload[:4], "big"):
        raise ValueError("checksum does not match")
    try:
        count, facts, cards, summary = marshal.loads(body)
        heads, paths, decks, media = summary
    except (EOFError, TypeError, ValueError) as err:
        raise ValueError(f"not a packed note: {err}") from err
    parts = (facts, cards, heads, paths, decks, media)
    if type(count) is not int or tuple(map(type, parts)) != _PACKED_TYPES:
        raise ValueError("not a packed note")
    return PackedNote(count, facts, cards, NoteSummary(heads, paths, decks, media))


_PACKED_TYPES = (bytes, bytes, frozenset, frozenset, frozenset, frozenset)
