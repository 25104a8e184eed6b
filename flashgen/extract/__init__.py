"""Extract stage: ParsedNote -> CardDraft records (see cards.py); labels, tags, the deck a
flashcard sub-tag names and explicit cards apart (for lint and the deck)."""

from flashgen.extract.cards import (
    MAX_CARDS_PER_NOTE,
    CardDraft,
    CardSyntax,
    extract_cards,
    left_out_because,
    makes_cards,
)
from flashgen.extract.clozemarks import unbalanced as unbalanced_clozes
from flashgen.extract.draft import base_kind, card_form
from flashgen.extract.explicit import Skipped, read_explicit
from flashgen.extract.labels import judge_label
from flashgen.extract.scope import tag_deck
from flashgen.extract.tags import note_tags

__all__ = [
    "MAX_CARDS_PER_NOTE",
    "CardDraft",
    "CardSyntax",
    "Skipped",
    "base_kind",
    "card_form",
    "extract_cards",
    "judge_label",
    "left_out_because",
    "makes_cards",
    "note_tags",
    "read_explicit",
    "tag_deck",
    "unbalanced_clozes",
]
