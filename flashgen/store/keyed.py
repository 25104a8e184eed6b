"""A rendered card keyed for identity, and what the build reads of it: RenderedCard + key ->
Keyed, Keyed -> Fact (what reconcile and the state file read), Facts -> NoteSummary."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

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
    """The answer's words; a cloze card's are its text's (it has no answer field), so
    re-matching tells two cloze cards of one section apart."""
    text = html.unescape(_TAG.sub(" ", card.answer or card.question))
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


def media_files(keyed: Iterable[Keyed]) -> tuple[tuple[str, str], ...]:
    """The media the cards show (vault path, name in the deck), sorted."""
    return tuple(
        sorted({(m.source, m.name) for item in keyed for m in item.card.media})
    )
