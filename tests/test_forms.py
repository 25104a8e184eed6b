"""The three card forms (basic, reversed, cloze) as a real Anki collection takes them: note
types pinned, a reversed note's two cards, a deck of every form patched and re-imported."""

from __future__ import annotations

import re
from pathlib import Path

from flashgen.anki.model import (
    CLOZE_FIELDS,
    CLOZE_ID,
    CLOZE_NAME,
    FIELDS,
    MODEL_ID,
    REVERSED_ID,
    REVERSED_NAME,
)
from flashgen.config import Config
from flashgen.pipeline import build

from .conftest import FIXED_TIME, import_deck


def _build(vault: Path, out: Path, now: float = FIXED_TIME):
    # Points alone: the note's two points would also make a list card.
    config = Config(inputs=(vault,), output=out, cards=("point", "cloze", "explicit"))
    return build(config, clock=lambda: now)


def _text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_note_types_are_pinned():
    assert (REVERSED_ID, REVERSED_NAME) == (1607392321, "flashgen Reversed (v1)")
    assert (CLOZE_ID, CLOZE_NAME) == (1607392322, "flashgen Cloze (v1)")
    assert CLOZE_FIELDS == ("Text", "Context", "Source", "Extra")
    assert len({MODEL_ID, REVERSED_ID, CLOZE_ID}) == 3


_REVERSED_NOTE = """\
---
reverse: true
---
# Cell Biology

**Mitochondrion**: the organelle that makes most of the cell's ATP.

**Ribosome**: the site of protein synthesis.
"""


def test_a_reversed_note_makes_a_card_each_way(tmp_path, collection):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Cells.md").write_text(_REVERSED_NOTE, encoding="utf-8")
    result = _build(vault, tmp_path / "deck.apkg")
    assert {item.card.draft.kind for item in result.cards} == {"point-reversed"}
    log = import_deck(collection, tmp_path / "deck.apkg")
    assert len(log.new) == 2
    (note_id,) = collection.find_notes("Mitochondrion")
    notetype = collection.models.get(collection.get_note(note_id).mid)
    assert notetype["id"] == REVERSED_ID and notetype["name"] == REVERSED_NAME
    assert [field["name"] for field in notetype["flds"]] == list(FIELDS)
    cards = [collection.get_card(c) for c in collection.find_cards("Mitochondrion")]
    assert sorted(card.ord for card in cards) == [0, 1]
    forward, backward = sorted(cards, key=lambda card: card.ord)
    assert "Mitochondrion" in _text(forward.question())
    assert "ATP" not in _text(forward.question())
    assert "ATP" in _text(backward.question())
    assert "Mitochondrion" not in _text(backward.question())
    assert "Mitochondrion" in _text(backward.answer())
    assert len(collection.find_cards("")) == 4
    # Both cards are in the note's deck, numbered after the note.
    assert {card.did for card in cards} == {forward.did}
    assert {card.id - card.nid for card in cards} == {1, 2}


def test_turning_reverse_on_makes_new_notes_and_the_old_cards_are_reported(
    tmp_path, collection
):
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Cells.md"
    note.write_text(_REVERSED_NOTE.replace("reverse: true", "tags: [x]"), "utf-8")
    first = _build(vault, tmp_path / "deck.apkg")
    assert {item.card.draft.kind for item in first.cards} == {"point"}
    import_deck(collection, tmp_path / "deck.apkg")
    note.write_text(_REVERSED_NOTE, encoding="utf-8")
    second = _build(vault, tmp_path / "deck.apkg", FIXED_TIME + 60)
    # Another note type under one GUID would make Anki skip the note: new GUIDs.
    assert not {i.guid for i in first.cards} & {i.guid for i in second.cards}
    assert second.report.changes.removed == 2
    log = import_deck(collection, tmp_path / "deck.apkg")
    assert len(log.new) == 2 and not log.conflicting
    assert len(collection.find_notes("tag:flashgen::removed")) == 2


def test_sync_moves_and_retires_every_card_of_a_reversed_note(tmp_path):
    from anki.collection import Collection

    from flashgen.anki.sync import Target, sync

    base = tmp_path / "Anki2"
    (base / "User 1").mkdir(parents=True)
    path = base / "User 1" / "collection.anki2"
    Collection(str(path)).close()
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Cells.md"
    note.write_text(_REVERSED_NOTE, encoding="utf-8")

    def run(now: float) -> None:
        config = Config(inputs=(vault,), cards=("point",))
        sync(config, Target(base=base), clock=lambda: now)

    run(FIXED_TIME)
    moved = _REVERSED_NOTE.replace("reverse: true", "reverse: true\ndeck: Biology")
    note.write_text(moved, encoding="utf-8")
    run(FIXED_TIME + 60)
    col = Collection(str(path))
    try:
        cards = [col.get_card(c) for c in col.find_cards("Ribosome")]
        assert sorted(card.ord for card in cards) == [0, 1]
        assert {col.decks.name(card.did) for card in cards} == {"Biology"}
    finally:
        col.close()
    note.write_text(moved.replace("**Ribosome**", "Ribosome"), encoding="utf-8")
    run(FIXED_TIME + 120)
    col = Collection(str(path))
    try:
        cards = [col.get_card(c) for c in col.find_cards("tag:flashgen::removed")]
        assert len(cards) == 2 and all(card.queue == -1 for card in cards)
    finally:
        col.close()
