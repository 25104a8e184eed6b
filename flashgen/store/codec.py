"""The only encoding of a build's cards: Keyed records <-> rows <-> bytes.

A note's cards leave the worker that rendered them packed (PackedNote): its cards as rows
(lists of strings and numbers) and their facts, each marshalled and compressed. A build's
CardStore holds them so, and the cache keeps them so (encode_packed, decode_packed).
marshal is Python's fastest encoding; these bytes are kept only by this build and the
user's own cache (whose key holds the Python version), never shared.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from flashgen.state.saved import CardState
from flashgen.store.keyed import Fact, Keyed, NoteSummary, fact_of, summary_of

if TYPE_CHECKING:
    pass


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
    """The cards (to_rows), marshalled and compressed."""
    summary: NoteSummary


def pack_note(keyed: Sequence[Keyed]) -> PackedNote:
    facts = [fact_of(item) for item in keyed]
    return PackedNote(
        len(keyed),
        zlib.compress(marshal.dumps([tuple(fact) for fact in facts]), 1),
        zlib.compress(marshal.dumps(to_rows(keyed)), 1),
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


def to_rows(keyed: Iterable[Keyed]) -> list[list[Any]]:
    """Keyed cards as lists of strings, numbers and lists of them: for marshal."""
    rows = []
    for item in keyed:
        card, draft = item.card, item.card.draft
        rows.append(
            [
                item.key,
                item.digest,
                item.answer,
                card.deck,
                card.question,
                card.answer,
                card.context,
                card.source,
                [[media.source, media.name] for media in card.media],
                draft.kind,
                draft.note_path,
                draft.note_title,
                draft.context,
                draft.label,
                draft.line,
                draft.end_line,
                draft.tags,
                draft.pin,
                draft.occurrence,
            ]
        )
    return rows


# Where a row holds the deck, the fields (question, answer, context, source), the kind
# and the tags.
ROW_DECK, ROW_FIELDS, ROW_KIND, ROW_TAGS = 3, slice(4, 8), 9, 16


def from_rows(rows: Iterable[Sequence[Any]]) -> list[Keyed]:
    """The cards to_rows gave (after a round trip through marshal)."""
    # Loaded here: a build that finds nothing changed never needs the card records.
    from flashgen.extract import CardDraft
    from flashgen.render.card import RenderedCard
    from flashgen.render.media import MediaFile

    keyed = []
    # What a note's cards repeat is kept once, as when the note is rendered (see render/card.py).
    shared: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        return shared.setdefault(value, value)

    for (
        key,
        digest,
        fingerprint,
        deck,
        question,
        answer,
        context,
        source,
        media,
        kind,
        note_path,
        note_title,
        heading_path,
        label,
        line,
        end_line,
        tags,
        pin,
        occurrence,
    ) in rows:
        # Rendered cards keep no trees (see RenderedCard.draft).
        draft = CardDraft(
            kind=kind,
            note_path=one(note_path),
            note_title=one(note_title),
            context=one(tuple(heading_path)),
            label=label,
            question=(),
            answer=(),
            line=line,
            end_line=end_line,
            tags=one(tuple(tags)),
            pin=pin,
            occurrence=occurrence,
        )
        files = tuple(MediaFile(path, name) for path, name in media)
        card = RenderedCard(
            draft=draft,
            deck=one(deck),
            question=question,
            answer=answer,
            context=one(context),
            source=one(source),
            media=files,
        )
        keyed.append(Keyed(card, tuple(key), digest, fingerprint))
    return keyed


def unpack_facts(data: bytes) -> list[Fact]:
    """The facts pack_note packed of a note's cards."""
    return list(map(Fact._make, marshal.loads(zlib.decompress(data))))


def unpack_rows(data: bytes) -> Sequence[Sequence[Any]]:
    """The rows (to_rows) pack_note packed of a note's cards, without making records."""
    rows: Sequence[Sequence[Any]] = marshal.loads(zlib.decompress(data))
    return rows


def unpack_keyed(data: bytes) -> list[Keyed]:
    """The cards pack_note packed, as records."""
    return from_rows(unpack_rows(data))


_CARD_STATE = [field.name for field in fields(CardState)]


def pack_states(cards: Iterable[CardState]) -> bytes:
    """Cards of a state, packed (a run of them, kept compactly in memory)."""
    values = [[getattr(card, name) for name in _CARD_STATE] for card in cards]
    return zlib.compress(marshal.dumps(values), 1)


def unpack_states(data: bytes) -> list[CardState]:
    """The cards pack_states packed."""
    return [CardState(*values) for values in marshal.loads(zlib.decompress(data))]
