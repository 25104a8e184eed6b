"""The weak-card heuristics of `flashgen check` and bench/quality.py."""

from __future__ import annotations

import pytest

from flashgen.extract import extract_cards
from flashgen.lint import lint_note
from flashgen.parse import parse_text
from flashgen.quality import judge_draft
from flashgen.render.transclude import NoteLibrary

LONG = " ".join(["word"] * 90)


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        (f"## Topic\n{LONG}.\n", "too-long"),
        ("**Overview**: a summary of it.\n", None),  # asked as *Note - Overview*
        ("## Misc\nSome remark.\n", "no-real-question"),
        ("## Topic\n- related: [[Other]]\n- A fact of the topic.\n", "metadata"),
        ("## Topic\nAn unclosed **bold and `code`.\n", "broken-rendering"),
        ("## Alerts and Reports Panel\nAlerts and reports.\n", "question-gives-answer"),
        ("## Scan results\n```\n" + "line\n" * 20 + "```\n", "data-dump"),
        ("## Port scanning\nFinds open ports with nmap.\n", None),
    ],
)
def test_heuristics_name_the_rubric_reason(markdown, code):
    drafts = extract_cards(parse_text("Note.md", markdown))
    assert drafts
    verdict = judge_draft(drafts[0])
    assert (verdict.code if verdict else None) == code


def test_check_names_the_weak_card_and_the_line_to_fix(tmp_path):
    note = parse_text("Note.md", f"# Note\n\n## Scanning\n{LONG}.\n")
    (message,) = [
        d.format()
        for d in lint_note(note, extract_cards(note), NoteLibrary(tmp_path, ()))
        if "weak" in d.message
    ]
    assert message.startswith("Note.md:3: info: weak heading card 'Scanning': too-long")


@pytest.mark.parametrize(
    ("markdown", "why"),
    [
        ("", "it is empty"),
        ("- [[One]]\n- [[Two]]\n", "it has no heading"),
        ("# Links\n[[One]]\n", "it holds only links"),
    ],
)
def test_check_says_why_a_note_makes_no_cards(tmp_path, markdown, why):
    note = parse_text("Note.md", markdown)
    messages = [d.message for d in lint_note(note, (), NoteLibrary(tmp_path, ()))]
    assert any(m.startswith(f"note makes no cards: {why}") for m in messages)


def test_a_genus_is_no_numbering_and_a_cloze_is_not_judged_as_a_question():
    from flashgen.extract.questions import strip_numbering

    assert strip_numbering("G. vaginalis symptoms") == "G. vaginalis symptoms"
    assert strip_numbering("E. coli") == "E. coli"
    assert strip_numbering("A. Introduction") == "Introduction"
    assert strip_numbering("b) second step") == "second step"
    note = parse_text(
        "N.md",
        "# Vaginosis\n\n## G. vaginalis symptoms\n\nA thin grey discharge with a fishy "
        "odour.\n\n## Stages\n\nStage II ulcers are treated with **occlusive dressings** "
        "in most patients.\n",
    )
    drafts = extract_cards(note)
    assert {d.kind for d in drafts} >= {"heading", "cloze"}
    assert [judge_draft(d) for d in drafts] == [None] * len(drafts)


def test_an_answer_that_stops_at_a_colon_is_named():
    (draft,) = extract_cards(parse_text("Note.md", "## Topic\nA first fact.\n"))
    stopped = parse_text("Note.md", "The steps are the following:\n").blocks
    verdict = judge_draft(draft.with_(answer=stopped))
    assert verdict is not None and verdict.code == "truncated-colon"


def test_no_card_stops_at_a_colon():
    drafts = extract_cards(
        parse_text("Note.md", "## Topic\nThe steps are the following:\n")
    )
    assert not drafts
