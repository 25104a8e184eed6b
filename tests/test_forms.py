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

**Golgi apparatus**: packs proteins for export.
"""


def test_a_reversed_note_makes_a_card_each_way(tmp_path, collection):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Cells.md").write_text(_REVERSED_NOTE, encoding="utf-8")
    result = _build(vault, tmp_path / "deck.apkg")
    assert {item.card.draft.kind for item in result.cards} == {"point-reversed"}
    log = import_deck(collection, tmp_path / "deck.apkg")
    assert len(log.new) == 3
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
    assert len(collection.find_cards("")) == 6
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
    assert second.report.changes.removed == 3
    log = import_deck(collection, tmp_path / "deck.apkg")
    assert len(log.new) == 3 and not log.conflicting
    assert len(collection.find_notes("tag:flashgen::removed")) == 3


def _anki_profile(tmp_path: Path) -> tuple[Path, Path]:
    """Anki's data folder with one profile and its empty collection: (folder, file)."""
    from anki.collection import Collection

    base = tmp_path / "Anki2"
    (base / "User 1").mkdir(parents=True)
    path = base / "User 1" / "collection.anki2"
    Collection(str(path)).close()
    return base, path


def test_sync_moves_and_retires_every_card_of_a_reversed_note(tmp_path):
    from anki.collection import Collection

    from flashgen.anki.sync import Target, sync

    base, path = _anki_profile(tmp_path)
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


def test_regenerating_a_reversed_note_keeps_both_cards_history(tmp_path, collection):
    from .test_regenerate import _edit, _history, _note, _review_everything

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Cells.md"
    note.write_text(_REVERSED_NOTE, encoding="utf-8")
    first = _build(vault, tmp_path / "v1.apkg")
    import_deck(collection, tmp_path / "v1.apkg")
    _review_everything(collection)
    before = _history(collection)
    assert len(before) == len(first.cards) == 3
    assert all(
        len(cards) == 2 and cards[0][4] and cards[1][4] for cards in before.values()
    )
    kept = _note(collection, '"Question:*Golgi apparatus<*"')
    kept["Extra"] = "my own mnemonic"
    collection.update_note(kept)

    _edit(note, "most of the cell's ATP", "most of the ATP a cell uses")  # answer
    _edit(note, "**Ribosome**", "**Ribosomes**")  # label re-worded
    _edit(note, "synthesis.\n", "synthesis.\n\n**Nucleus**: holds the DNA.\n")  # added
    second = _build(vault, tmp_path / "v2.apkg")
    changes = second.report.changes
    assert (changes.added, changes.removed, changes.rematched) == (1, 0, 1)
    log = import_deck(collection, tmp_path / "v2.apkg")
    assert len(log.new) == 1 and not log.conflicting
    after = _history(collection)
    assert {guid: after[guid] for guid in before} == before
    assert (
        "ATP a cell uses" in _note(collection, '"Question:*Mitochondrion<*"')["Answer"]
    )
    assert (
        _note(collection, '"Question:*Golgi apparatus<*"')["Extra"] == "my own mnemonic"
    )
    assert _note(collection, '"Question:*Ribosomes<*"').guid in before
    assert len(collection.find_cards("")) == 8


def test_a_cloze_draft_is_one_draft_per_number():
    from flashgen.extract.draft import CardDraft, one_per_number
    from flashgen.parse import Inline

    def cloze(number: str, text: str) -> Inline:
        return Inline("cloze", "", number, (Inline("text", text),))

    question = (
        cloze("1", "Warfarin"),
        Inline("text", " inhibits "),
        Inline("strong", children=(cloze("2", "vitamin K"),)),
        Inline("text", " and needs "),
        cloze("1", "INR"),
        Inline("text", " checks."),
    )
    draft = CardDraft("cloze", "N.md", "N", (), "Warfarin", question, (), 1, 1)
    first, second = one_per_number(draft)
    assert (first.label, second.label) == ("Warfarin", "vitamin K")
    assert [i.target for i in first.question if i.kind == "cloze"] == ["1", "1"]
    assert first.question[2] == Inline(
        "strong", children=(Inline("text", "vitamin K"),)
    )
    assert [i.kind for i in second.question] == ["text"] * 2 + ["strong"] + ["text"] * 3
    # Each note's cloze is its first card, whatever number the author wrote.
    assert second.question[2].children == (cloze("1", "vitamin K"),)
    point = CardDraft("point", "N.md", "N", (), "X", (Inline("text", "X"),), (), 1, 1)
    assert one_per_number(point) == [point]


_CLOZE_NOTE = """\
# Pulmonary Embolism

## Risk factors

Three things make a thrombus form: {{c1::stasis of blood}}, \
{{c2::injury to the vessel wall}} and {{c3::hypercoagulability}}.

## Treatment

**Warfarin** is the drug of choice for long-term anticoagulation after a PE.

Patients present with **pleuritic chest pain** and ==tachycardia== on arrival at hospital.
"""


def test_regenerating_cloze_cards_keeps_every_history(tmp_path, collection):
    from .test_regenerate import _edit, _history, _review_everything

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "PE.md"
    note.write_text(_CLOZE_NOTE, encoding="utf-8")

    def build_cloze(name: str, now: float):
        config = Config(inputs=(vault,), output=tmp_path / name, cards=("cloze",))
        return build(config, clock=lambda: now)

    first = build_cloze("v1.apkg", FIXED_TIME)
    labels = sorted(item.card.draft.label for item in first.cards)
    assert labels == [
        "Warfarin",
        "hypercoagulability",
        "injury to the vessel wall",
        "pleuritic chest pain",
        "stasis of blood",
        "tachycardia",
    ]
    import_deck(collection, tmp_path / "v1.apkg")
    _review_everything(collection)
    before = _history(collection)
    assert len(before) == 6 and all(cards[0][4] for cards in before.values())

    # A new cloze number in the sentence, a new bold term, the sentence around a
    # deletion re-worded, and one highlight removed.
    _edit(
        note,
        "and {{c3::hypercoagulability}}",
        "and {{c3::hypercoagulability}}, as with {{c4::a high platelet count}}",
    )
    _edit(
        note,
        "on arrival at hospital.\n",
        "on arrival at hospital.\n\nA **CT pulmonary angiogram** confirms the "
        "diagnosis in most patients who can have one.\n",
    )
    _edit(note, "is the drug of choice", "remains the usual drug")
    _edit(note, "==tachycardia==", "tachycardia")
    second = build_cloze("v2.apkg", FIXED_TIME + 60)
    changes = second.report.changes
    assert (changes.added, changes.removed) == (2, 1)
    log = import_deck(collection, tmp_path / "v2.apkg")
    assert len(log.new) == 2 and not log.conflicting
    after = _history(collection)
    gone = {c.guid for c in second.retired}
    assert {c.label for c in second.retired} == {"tachycardia"}
    assert {c.label for c in second.retired} == {"tachycardia"}
    assert {guid: after[guid] for guid in before} == before
    (removed,) = collection.find_notes("tag:flashgen::removed")
    assert collection.get_note(removed).guid in gone
    # What Anki shows: the re-worded sentence, each card its own gap.
    (warfarin,) = collection.find_cards("Warfarin")
    card = collection.get_card(warfarin)
    assert "remains the usual drug" in _text(card.question())
    assert "[...]" in _text(card.question()) and "Warfarin" in _text(card.answer())


def test_the_vaults_reverse_setting_and_a_notes_own(tmp_path):
    import pytest

    from flashgen.config import load_config
    from flashgen.errors import ConfigError
    from flashgen.pipeline import plan_build

    vault = tmp_path / "vault"
    vault.mkdir()
    text = (
        "# Cells\n\n**Mitochondrion**: makes ATP.\n\n"
        "**Osmosis** is the movement of water across a membrane.\n"
    )
    (vault / "A.md").write_text(text, encoding="utf-8")
    (vault / "B.md").write_text("---\nreverse: false\n---\n" + text, encoding="utf-8")

    def kinds(setting: str) -> dict[str, list[str]]:
        (vault / ".flashgen.toml").write_text(setting, encoding="utf-8")
        result = plan_build(load_config((vault,)), clock=lambda: FIXED_TIME)
        found: dict[str, list[str]] = {}
        for item in result.cards:
            draft = item.card.draft
            found.setdefault(draft.note_path, []).append(draft.kind)
        return found

    assert kinds("reverse = true\n")["A.md"] == [
        "point-reversed",
        "definition-reversed",
    ]
    assert kinds('reverse = "definitions"\n')["A.md"] == [
        "point",
        "definition-reversed",
    ]
    assert kinds("reverse = true\n")["B.md"] == ["point", "definition"]
    with pytest.raises(ConfigError, match="'reverse' must be true, false or"):
        kinds('reverse = "points"\n')


def test_sync_updates_reversed_and_cloze_notes_in_place(tmp_path):
    from anki.collection import Collection

    from flashgen.anki.sync import Target, sync

    base, path = _anki_profile(tmp_path)
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Cells.md"
    text = _REVERSED_NOTE + "\nCells make {{c1::ATP}} in {{c2::mitochondria}} mostly.\n"
    note.write_text(text, encoding="utf-8")

    def run(now: float):
        config = Config(inputs=(vault,), cards=("point", "cloze"))
        return sync(config, Target(base=base), clock=lambda: now)

    run(FIXED_TIME)
    edited = text.replace("most of the cell's ATP", "most ATP").replace(
        "mostly", "above all"
    )
    note.write_text(edited, encoding="utf-8")
    second = run(FIXED_TIME + 60)
    assert second.changes.updated == 3  # a reversed note and both cloze notes
    col = Collection(str(path))
    try:
        (mito,) = col.find_notes('"Question:*Mitochondrion<*"')
        assert "most ATP" in col.get_note(mito)["Answer"]
        clozes = [col.get_note(n) for n in col.find_notes("Text:_*")]
        assert len(clozes) == 2 and all("above all" in n["Text"] for n in clozes)
        assert {n.note_type()["name"] for n in clozes} == {"flashgen Cloze (v1)"}
    finally:
        col.close()


def test_a_pinned_point_asked_both_ways_is_a_new_note(tmp_path, collection):
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Cells.md"
    pinned = "# Cells\n\n**Mitochondrion**: makes most of the ATP. ^mito\n"
    note.write_text(pinned, encoding="utf-8")
    first = _build(vault, tmp_path / "a.apkg")
    import_deck(collection, tmp_path / "a.apkg")
    note.write_text("---\nreverse: true\n---\n" + pinned, encoding="utf-8")
    second = _build(vault, tmp_path / "b.apkg", FIXED_TIME + 60)
    assert {i.guid for i in first.cards}.isdisjoint(i.guid for i in second.cards)
    log = import_deck(collection, tmp_path / "b.apkg")
    assert not log.conflicting and len(log.new) == 1


def test_a_removed_cloze_number_retires_its_own_card_and_adds_none(
    tmp_path, collection
):
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "PE.md"
    note.write_text(_CLOZE_NOTE, encoding="utf-8")
    config = Config(inputs=(vault,), output=tmp_path / "a.apkg", cards=("cloze",))
    build(config, clock=lambda: FIXED_TIME)
    import_deck(collection, tmp_path / "a.apkg")
    cards_before = len(collection.find_cards(""))
    note.write_text(
        _CLOZE_NOTE.replace(" and {{c3::hypercoagulability}}", ""), encoding="utf-8"
    )
    config = Config(inputs=(vault,), output=tmp_path / "b.apkg", cards=("cloze",))
    build(config, clock=lambda: FIXED_TIME + 60)
    log = import_deck(collection, tmp_path / "b.apkg")
    assert not log.new and len(collection.find_cards("")) == cards_before
    (retired,) = collection.find_cards("tag:flashgen::removed")
    card = collection.get_card(retired)
    assert card.ord == 0 and "hypercoagulability" in _text(card.answer())
