"""Extract stage: ParsedNote -> CardDraft records (see cards.py); labels and tags apart."""

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
from flashgen.extract.labels import judge_label
from flashgen.extract.tags import note_tags

__all__ = [
    "MAX_CARDS_PER_NOTE",
    "CardDraft",
    "CardSyntax",
    "base_kind",
    "card_form",
    "extract_cards",
    "judge_label",
    "left_out_because",
    "makes_cards",
    "note_tags",
    "unbalanced_clozes",
]
