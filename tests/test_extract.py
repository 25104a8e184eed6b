"""Extraction rules, one case per block of text in tests/fixtures/extract/*.md."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flashgen.extract import extract_cards, note_tags
from flashgen.parse import parse_text
from flashgen.render.card import render_card
from flashgen.render.media import MediaIndex
from flashgen.render.place import bare_question

from .conftest import FIXTURES


def _cases() -> list[tuple[str, str, list[dict[str, object]]]]:
    cases = []
    for path in sorted((FIXTURES / "extract").glob("*.md")):
        for chunk in path.read_text(encoding="utf-8").split("=== ")[1:]:
            title, _, rest = chunk.partition("\n")
            markdown, _, expected = rest.partition("--- expect\n")
            cases.append(
                (f"{path.stem}: {title.strip()}", markdown, yaml.safe_load(expected))
            )
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("markdown", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_extraction_case(
    markdown: str, expected: list[dict[str, object]], tmp_path: Path
):
    note = parse_text("Note.md", markdown)
    media = MediaIndex(tmp_path)
    got = []
    for draft in extract_cards(note):
        card = render_card(draft, "Deck", media).card
        got.append(
            {
                "kind": draft.kind,
                "context": list(draft.context),
                "label": draft.label,
                "answer": card.answer,
                "question": bare_question(card.question),
            }
        )
    # Each expected card names the keys it checks; the rest are free.
    trimmed = [
        {key: card[key] for key in want}
        for card, want in zip(got, expected, strict=False)
    ]
    assert len(got) == len(expected), got
    assert trimmed == expected


def test_there_are_cases_for_every_rule_file():
    files = {name.split(":")[0] for name, _, _ in CASES}
    assert files == {
        "answers",
        "blocks",
        "cloze",
        "definitions",
        "headings",
        "labels",
        "lists",
        "noise",
        "prompts",
        "questions",
        "render",
        "tables",
    }
    assert len(CASES) >= 30


def test_occurrence_numbers_tell_repeated_labels_apart():
    note = parse_text("Note.md", "**Step**: one\n\n**Step**: two\n\n**Other**: three\n")
    assert [(d.label, d.occurrence) for d in extract_cards(note)] == [
        ("Step", 0),
        ("Step", 1),
        ("Other", 0),
    ]


def test_card_lines_point_at_the_source():
    note = parse_text("Note.md", "# T\n\nIntro.\n\n- **A**: one\n- **B**: two\n")
    assert [(d.kind, d.line) for d in extract_cards(note)] == [
        ("heading", 1),
        ("list", 1),
        ("point", 5),
        ("point", 6),
    ]


@pytest.mark.parametrize(
    ("markdown", "tags"),
    [
        ("---\ntags: [a, b/c]\n---\ntext\n", ("a", "b::c")),
        ("---\ntags: one two\n---\ntext\n", ("one", "two")),
        ("---\ntags:\n  - '#x'\n---\ntext\n", ("x",)),
        ("---\ntags: #📖\n---\nSearch Tag: #📖\n", ("📖",)),
        (
            "Text with #inline and #nested/tag, not #123 or a#b.\n",
            ("inline", "nested::tag"),
        ),
        ("`#code` and\n\n```\n#block\n```\n# Heading #h\n", ()),
    ],
)
def test_tags(markdown: str, tags: tuple[str, ...]):
    assert note_tags(parse_text("Note.md", markdown)) == tags


def test_a_block_titled_with_the_start_of_the_notes_name_is_asked_by_that_name():
    from flashgen.parse import parse_text, plain_text

    note = parse_text(
        "Axiom Schema of Replacement.md",
        "``` ad-Axiom\ntitle: Axiom Schema.\n\nThe image of a set under a class "
        "function is a set.\n```\n",
    )
    (card,) = [d for d in extract_cards(note) if d.kind == "callout"]
    assert plain_text(card.question) == "Axiom: Axiom Schema of Replacement"


def test_a_generic_label_in_a_note_named_by_a_long_file_name_is_asked_by_its_last_words():
    note = parse_text(
        "DSA_Arrays_Binary_Search_Questions_peak_index_in_mountain_array.md",
        "## Code\n```python\nprint(max(xs))\n```\n- **Space Complexity**: $O(1)$\n",
    )
    (card,) = [d for d in extract_cards(note) if d.label == "Space Complexity"]
    assert bare_question(render_card(card, "D", MediaIndex(Path())).card.question) == (
        "peak index in mountain array - Space Complexity"
    )


@pytest.mark.parametrize(
    ("label", "question"),
    [
        ("Config files", "FTP Enumeration - Config files"),
        ("Security Considerations", "FTP Enumeration - Security Considerations"),
        ("Advantages of SEMs", "Advantages of SEMs"),  # an acronym names its subject
        ("Kernel", "Kernel"),  # a term of the note's own
    ],
)
def test_a_label_with_a_genre_word_right_under_the_title_is_asked_with_the_title(
    label, question
):
    note = parse_text("FTP Enumeration.md", f"## {label}\nSettings live in a file.\n")
    (card,) = extract_cards(note)
    shown = render_card(card, "D", MediaIndex(Path())).card.question
    assert bare_question(shown) == question
