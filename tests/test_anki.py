"""Decks imported into a real Anki collection (the `anki` package, Anki's own backend)."""

from __future__ import annotations

import re
from pathlib import Path

from flashgen.anki.model import FIELDS, MODEL_ID, MODEL_NAME, NOTE_TYPES
from flashgen.config import Config
from flashgen.extract import card_form
from flashgen.pipeline import build

from .conftest import FIXED_TIME, import_deck

NAMES = {form: note_type.name for form, note_type in NOTE_TYPES.items()}


def _build(vault: Path, out: Path, now: float = FIXED_TIME):
    return build(Config(inputs=(vault,), output=out), clock=lambda: now)


def _text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_examples_deck_imports_with_notes_fields_tags_decks_and_media(
    examples_vault, tmp_path, collection
):
    result = _build(examples_vault, tmp_path / "examples.apkg")
    log = import_deck(collection, tmp_path / "examples.apkg")

    assert len(log.new) == len(result.cards) >= 40
    note_ids = collection.find_notes("")
    assert len(note_ids) == len(result.cards)
    notetype = collection.models.get(collection.get_note(note_ids[0]).mid)
    assert notetype["name"] == MODEL_NAME
    assert [field["name"] for field in notetype["flds"]] == list(FIELDS)

    decks = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert {
        "vault::Computing",
        "vault::Security",
        "vault::Storage",
        "vault::Programming",
    } <= decks
    assert not any("Templates" in name or "Drawings" in name for name in decks)

    by_guid = {
        collection.get_note(nid).guid: collection.get_note(nid) for nid in note_ids
    }
    for item in result.cards:
        note, card = by_guid[item.guid], item.card
        if card_form(card.draft.kind) == "cloze":
            assert note["Text"] == card.question and not card.answer
        else:
            assert note["Question"] == card.question
            assert note["Answer"] == card.answer
        assert sorted(note.tags) == sorted(card.draft.tags)

    security = collection.find_notes('"deck:vault::Security" tag:security::blue-team')
    assert len(security) == sum(
        1 for c in result.cards if c.card.deck == "vault::Security"
    )
    assert collection.find_notes("tag:📖")

    names = {m.name for item in result.cards for m in item.card.media}
    assert len(names) == 1
    assert {path.name for path in Path(collection.media.dir()).iterdir()} == names
    image_notes = collection.find_notes('"Answer:*<img src=*"')
    assert image_notes, "the RAID image should be on a card"


def test_every_card_renders_a_question_with_context_and_a_nonempty_answer(
    examples_vault, tmp_path, collection
):
    _build(examples_vault, tmp_path / "examples.apkg")
    import_deck(collection, tmp_path / "examples.apkg")
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = _text(card.question()), _text(card.answer())
        note = card.note()
        assert _text(note["Context"]) in question
        if "Text" in note:  # a cloze: the back shows what the front hides
            gap = re.search(r"\[[^\]]*\]", question)
            assert gap and gap.group() not in answer
            continue
        assert answer.startswith(question)
        assert len(answer) > len(question) + len(_text(note["Source"]))


def test_management_under_two_headings_reads_as_two_questions(
    examples_vault, tmp_path, collection
):
    _build(examples_vault, tmp_path / "examples.apkg")
    import_deck(collection, tmp_path / "examples.apkg")
    fronts = {
        _text(collection.get_card(cid).question())
        for cid in collection.find_cards('"Question:*Management<*"')
    }
    assert len(fronts) == 2
    assert any("Containers" in f for f in fronts) and any(
        "Virtual Machines" in f for f in fronts
    )


def test_distinct_cards_never_look_like_duplicates_to_anki(
    examples_vault, tmp_path, collection
):
    """Anki marks a note whose first field matches another's as a duplicate; the
    example vault has *Management*, *Advantages* and *Disadvantages* twice each (asked
    with their subjects, and with their place in the field)."""
    _build(examples_vault, tmp_path / "examples.apkg")
    import_deck(collection, tmp_path / "examples.apkg")
    notes = [collection.get_note(nid) for nid in collection.find_notes("")]
    from anki.notes import NoteFieldsCheckResult

    wrong = {NoteFieldsCheckResult.DUPLICATE, NoteFieldsCheckResult.EMPTY}
    assert [note["Question"] for note in notes if note.fields_check() in wrong] == []
    mid = notes[0].mid
    assert collection.find_notes(f"dupe:{mid},Management") == []
    # The place is in the field for Anki, and hidden on the card by the note type's CSS.
    (nid,) = collection.find_notes('"Question:Log Sources - Retention<*"')
    card = collection.get_note(nid).cards()[0]
    where = "(Defence Concepts \u203a Log Sources \u203a Retention)"
    assert f'<span class="fg-where"> {where}</span>' in card.question()
    assert ".fg-where { display: none; }" in card.css()


def test_importing_the_same_deck_twice_adds_nothing(
    examples_vault, tmp_path, collection
):
    result = _build(examples_vault, tmp_path / "examples.apkg")
    import_deck(collection, tmp_path / "examples.apkg")
    again = import_deck(collection, tmp_path / "examples.apkg")
    assert len(again.new) == 0
    assert len(collection.find_notes("")) == len(result.cards)
    # One note type per card form the deck uses, never a copy ("Name+").
    names = [
        m.name
        for m in collection.models.all_names_and_ids()
        if m.name.startswith("flashgen")
    ]
    assert sorted(names) == sorted(
        {NAMES[card_form(i.card.draft.kind)] for i in result.cards}
    )
    assert not any(name.endswith("+") for name in names)


def test_an_edited_answer_updates_its_note_in_place(
    examples_vault, tmp_path, collection
):
    _build(examples_vault, tmp_path / "v1.apkg")
    import_deck(collection, tmp_path / "v1.apkg")
    before = len(collection.find_notes(""))

    note_path = examples_vault / "Security" / "Defence Concepts.md"
    text = note_path.read_text(encoding="utf-8")
    note_path.write_text(text.replace("90 days hot", "30 days hot"), encoding="utf-8")
    _build(examples_vault, tmp_path / "v2.apkg", now=FIXED_TIME + 60)
    log = import_deck(collection, tmp_path / "v2.apkg")

    assert len(log.new) == 0
    assert len(collection.find_notes("")) == before
    (nid,) = collection.find_notes('"Question:Log Sources - Retention<*"')
    assert "30 days hot" in collection.get_note(nid)["Answer"]


def test_note_type_keeps_its_id(examples_vault, tmp_path, collection):
    _build(examples_vault, tmp_path / "examples.apkg")
    import_deck(collection, tmp_path / "examples.apkg")
    assert collection.models.get(MODEL_ID) is not None


def test_seed_note_gives_the_described_cards(seed_vault, tmp_path, collection):
    result = _build(seed_vault, tmp_path / "seed.apkg")
    import_deck(collection, tmp_path / "seed.apkg")

    cards = [item.card for item in result.cards]
    points = [c for c in cards if c.draft.kind == "point"]
    by_section: dict[str, list[str]] = {}
    for card in points:
        by_section.setdefault(card.draft.context[-1], []).append(card.draft.label)
    assert by_section == {
        "Containers": [
            "Lightweight",
            "Speed",
            "Portability",
            "Efficiency",
            "Management",
        ],
        "Virtual Machines": ["Full Isolation", "Diverse OS", "Overhead", "Management"],
        "Some Key Takeaways": [
            "Use Case Specific",
            "Layer of Virtualization",
            "Combining Both",
        ],
    }
    headings = [c for c in cards if c.draft.kind == "heading"]
    assert [c.draft.label for c in headings] == ["Containers vs. Virtualization"]
    assert headings[0].answer.startswith("<p>Both containers and virtual machines")
    lists = [c.draft.label for c in cards if c.draft.kind == "list"]
    assert lists == ["Containers", "Virtual Machines", "Some Key Takeaways"]
    assert len(result.cards) == 16

    # Every point's answer is its explanation, as Anki shows it.
    lightweight = collection.find_notes('"Question:Containers - Lightweight<*"')
    assert (
        "virtualize at the application layer"
        in collection.get_note(lightweight[0])["Answer"]
    )
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        assert note.tags == ["📖"]
        text = _text(note["Question"] + " " + note["Answer"]).lower()
        assert not re.search(
            r"created date|modified date|resources|hyperlink|primary categ", text
        )
        assert "ð" not in note["Question"] + note["Answer"] + note["Context"]
    repaired = [d for d in result.report.diagnostics if "mis-encoded" in d.message]
    assert [d.line for d in repaired] == [5]


def test_decks_nested_deeper_than_anki_allows_are_folded_and_import(
    tmp_path, collection
):
    vault = tmp_path / "v"
    deep = vault.joinpath(*(f"F{i}" for i in range(11)))
    deep.mkdir(parents=True)
    (deep / "Deep.md").write_text("**Q1**: a\n")
    named = "::".join(f"D{i}" for i in range(13))
    (vault / "Named.md").write_text(f"---\ndeck: {named}\n---\n**Q2**: b\n")
    (vault / "Fits.md").write_text(
        "---\ndeck: " + "::".join(f"E{i}" for i in range(11)) + "\n---\n**Q3**: c\n"
    )
    out = tmp_path / "d.apkg"
    result = _build(vault, out)
    warnings = sorted(d.format() for d in result.report.diagnostics)
    folders = "/".join(f"F{i}" for i in range(11))
    assert warnings == [
        f"{folders}/Deep.md: warning: deck 'v::F0::F1::F2::F3::F4::F5::F6::F7::F8::F9"
        "::F10' is 12 levels deep, and Anki takes at most 11; its last levels are one "
        "deck, 'F9 / F10' (nest less deeply)",
        "Named.md: warning: deck 'D0::D1::D2::D3::D4::D5::D6::D7::D8::D9::D10::D11::"
        "D12' is 13 levels deep, and Anki takes at most 11; its last levels are one "
        "deck, 'D10 / D11 / D12' (nest less deeply)",
    ]
    log = import_deck(collection, out)
    assert len(log.new) == 3
    names = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert "v::F0::F1::F2::F3::F4::F5::F6::F7::F8::F9 / F10" in names
    assert "D0::D1::D2::D3::D4::D5::D6::D7::D8::D9::D10 / D11 / D12" in names
    assert "::".join(f"E{i}" for i in range(11)) in names
