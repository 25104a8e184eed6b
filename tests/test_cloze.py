"""Cloze cards: the switches, their identity, their field text and Anki's own reading of it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from flashgen.config import Config
from flashgen.extract import CardSyntax, extract_cards
from flashgen.identity import card_guid, card_key, note_key
from flashgen.lint import lint_note
from flashgen.parse import parse_text
from flashgen.pipeline import build
from flashgen.render.card import render_card
from flashgen.render.media import MediaIndex
from flashgen.render.place import bare_question
from flashgen.render.transclude import NoteLibrary

from .conftest import FIXED_TIME

NOTE = """# Pulmonary Embolism

## Treatment

**Warfarin** is the drug of choice for long-term anticoagulation after a PE.

Patients present with **pleuritic chest pain** and ==tachycardia== on arrival.

Write the dose as {{the INR target}} on the chart.
"""


DEFAULT = CardSyntax()


def _drafts(markdown: str, syntax: CardSyntax = DEFAULT):
    return extract_cards(parse_text("Note.md", markdown), syntax=syntax)


def _clozes(markdown: str, syntax: CardSyntax = DEFAULT) -> list[str]:
    return [d.label for d in _drafts(markdown, syntax) if d.kind == "cloze"]


def _question(markdown: str, tmp_path: Path, label: str) -> str:
    (draft,) = [d for d in _drafts(markdown) if d.kind == "cloze" and d.label == label]
    return render_card(draft, "Deck", MediaIndex(tmp_path)).card.question


def test_each_switch_turns_its_clozes_on_and_off():
    assert _clozes(NOTE) == ["Warfarin", "tachycardia", "pleuritic chest pain"]
    assert _clozes(NOTE, CardSyntax(cloze_highlights=False)) == [
        "Warfarin",
        "pleuritic chest pain",
    ]
    assert _clozes(NOTE, CardSyntax(cloze_bold=False)) == ["tachycardia"]
    assert _clozes(NOTE, CardSyntax(cloze_curly=True))[-1] == "the INR target"
    off = CardSyntax(cloze_bold=False, cloze_highlights=False)
    assert _clozes(NOTE + "\nThe {{c1::INR}} is 2-3.\n", off) == ["INR"]


def test_with_bold_clozes_off_a_fact_is_what_it_was():
    fact = "**Stasis** is found in immobile patients after surgery.\n"
    assert [d.kind for d in _drafts(fact)] == ["cloze"]
    assert [d.kind for d in _drafts(fact, CardSyntax(cloze_bold=False))] == [
        "definition"
    ]


def _guids(markdown: str) -> dict[str, str]:
    key = note_key("N.md", {})
    return {
        d.label: card_guid(card_key(d, key))
        for d in extract_cards(parse_text("N.md", markdown))
        if d.kind == "cloze"
    }


def test_a_new_bold_term_never_shifts_another_clozes_identity():
    before = _guids(NOTE)
    after = _guids(
        NOTE.replace("and ==tachycardia==", "and ==tachycardia== and **fever**")
    )
    assert {label: after[label] for label in before} == before
    assert set(after) - set(before) == {"fever"}
    reworded = _guids(NOTE.replace("on arrival", "when they arrive at hospital"))
    assert reworded == before


def test_a_term_twice_in_one_section_is_two_cards():
    twice = "## S\nThe **INR** is checked weekly at first.\n\nThe **INR** target is two to three.\n"
    drafts = [d for d in _drafts(twice) if d.kind == "cloze"]
    assert [(d.label, d.occurrence) for d in drafts] == [("INR", 0), ("INR", 1)]


def test_braces_and_colons_inside_a_cloze_never_end_it_even_through_the_sanitiser(
    tmp_path,
):
    note = "## Maths\nThe {{c1::ratio $\\frac{a}{b^{2}}$ a::b}} holds {{c2::x}}.<br>\n"
    field = _question(note, tmp_path, "ratio \\frac{a}{b^{2}} a")
    text = bare_question(field)
    # A card per number, each its note's first: c2's deletion reads as its text on
    # c1's card, and is c1 on its own.
    assert text == "The {{c1::ratio \\(\\frac{a}{b^{2&#125;}\\) a::b}} holds x.<br>"
    assert bare_question(_question(note, tmp_path, "x")) == (
        "The ratio \\(\\frac{a}{b^{2}}\\) a holds {{c1::x}}.<br>"
    )
    # The place that every question ends with, without the hidden term.
    assert field.endswith('<span class="fg-where"> (Note › Maths)</span>')
    # Anki's hint is what follows the first `::`; one written with `::` stays whole.
    colons = "## S\nThe {{c1::a::b::c}} here.\n"
    assert bare_question(_question(colons, tmp_path, "a")) == (
        "The {{c1::a::b&#58;:c}} here."
    )


def test_a_hidden_term_is_never_in_the_place(tmp_path):
    field = _question(NOTE, tmp_path, "Warfarin")
    assert field == (
        "{{c1::Warfarin}} is the drug of choice for long-term anticoagulation after a "
        'PE.<span class="fg-where"> (Note › Pulmonary Embolism › Treatment)</span>'
    )


def test_anki_shows_the_gap_the_hint_and_the_maths_whole(tmp_path, collection):
    from .conftest import import_deck

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Note.md").write_text(
        "## Maths\nThe {{c1::ratio $\\frac{a}{b^{2}}$::a fraction}} is "
        "{{c2::**small**}} here, {{c1::always}}.\n",
        encoding="utf-8",
    )
    config = Config(inputs=(vault,), output=tmp_path / "d.apkg", cards=("cloze",))
    build(config, clock=lambda: FIXED_TIME)
    import_deck(collection, tmp_path / "d.apkg")
    notes = [collection.get_note(n) for n in collection.find_notes("")]
    assert len(notes) == 2
    assert {note.note_type()["name"] for note in notes} == {"flashgen Cloze (v1)"}
    assert all(note.fields_check() == 0 for note in notes)
    cards = [card for note in notes for card in note.cards()]
    # A note per number, each one card (the first): the author's c2 is its note's c1.
    assert sorted(card.ord for card in cards) == [0, 0]
    # The author's c1 (two deletions) and c2 (bold), each on its own note.
    first, second = sorted(
        cards, key=lambda card: "{{c1::ratio" not in card.note()["Text"]
    )
    front = html.unescape(first.question())
    # Both c1 deletions hidden on one card, the first with its hint.
    visible = re.sub(r"<[^>]+>", " ", front.split("</style>")[-1])
    assert "[a fraction]" in visible and "[...]" in visible and "always" not in visible
    assert "<strong>small</strong>" in front
    back = html.unescape(first.answer())
    assert re.search(r"ratio \\\(\\frac\{a\}\{b\^\{2\}\}\\\)", back)
    assert "always" in back and "[...]" not in back
    assert "[...]" in html.unescape(second.question())
    assert "\\(\\frac{a}{b^{2}}\\)" in html.unescape(second.question())
    assert "small" in html.unescape(second.answer())


def test_check_names_an_unbalanced_cloze_and_its_line(tmp_path):
    note = parse_text(
        "N.md", "# T\n\nA {{c1::open cloze.\n\nA stray }} here, `}}` not.\n"
    )
    library = NoteLibrary(tmp_path, ())
    messages = [d.format() for d in lint_note(note, extract_cards(note), library)]
    clozes = [m for m in messages if "cloze" in m]
    assert clozes == [
        "N.md:3: warning: unbalanced cloze: '{{c1::' is never closed (write '}}' "
        "after the hidden text)",
        "N.md:5: warning: unbalanced cloze: '}}' closes no cloze (remove it, open the "
        "cloze with '{{c1::', or write it as `code`)",
    ]


def test_a_removed_cloze_is_a_removed_card(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "PE.md").write_text(NOTE, encoding="utf-8")
    out = tmp_path / "deck.apkg"
    first = build(Config(inputs=(vault,), output=out), clock=lambda: FIXED_TIME)
    (vault / "PE.md").write_text(NOTE.replace("**Warfarin**", "Warfarin"), "utf-8")
    second = build(Config(inputs=(vault,), output=out), clock=lambda: FIXED_TIME)
    assert len(second.cards) == len(first.cards) - 1
    assert second.report.changes.removed == 1


def test_check_does_not_judge_a_cloze_by_the_rules_for_questions(tmp_path):
    note = parse_text(
        "N.md", "## Ulcers\nStage II represents **partial thickness loss** of skin.\n"
    )
    drafts = extract_cards(note)
    assert [d.kind for d in drafts] == ["heading", "cloze"]
    messages = [d.message for d in lint_note(note, drafts, NoteLibrary(tmp_path, ()))]
    assert not [m for m in messages if "cloze" in m]


def test_the_notes_title_names_its_topic_which_a_term_may_share_where_a_heading_may_not():
    body = (
        "## {heading}\n\nWithout a chancre or a rash, the patient is classified as"
        " having **latent syphilis** today.\n"
    )
    staging = parse_text("Syphilis.md", body.format(heading="Staging"))
    assert [d.label for d in extract_cards(staging) if d.kind == "cloze"] == [
        "latent syphilis"
    ]
    latent = parse_text("Stages.md", body.format(heading="Latent forms"))
    assert [d.label for d in extract_cards(latent) if d.kind == "cloze"] == []
