"""Explicit cards as obsidian-spaced-repetition writes them: `::`, `:::`, `?` and `??`,
their scope (flashcard tags), Dataview fields, review-schedule comments, the settings
that change the syntax (.flashgen.toml and the plugin's data.json), and the deck a
flashcard sub-tag names."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from flashgen.cli import main
from flashgen.config import Config, load_config
from flashgen.errors import ConfigError
from flashgen.extract import CardSyntax, extract_cards
from flashgen.parse import parse_text, plain_text
from flashgen.pipeline import build
from flashgen.render.card import render_card
from flashgen.render.media import MediaIndex
from flashgen.render.place import bare_question
from flashgen.srplugin import PLUGIN_DATA

from .conftest import FIXED_TIME, ROOT

TAGGED = "---\ntags: [flashcards]\n---\n"


def _cards(markdown: str, tmp_path: Path, syntax: CardSyntax | None = None):
    """(kind, question, answer, line) of each card, as the card shows them."""
    note = parse_text("Note.md", markdown)
    drafts = (
        extract_cards(note) if syntax is None else extract_cards(note, syntax=syntax)
    )
    media = MediaIndex(tmp_path)
    found = []
    for draft in drafts:
        card = render_card(draft, "Deck", media).card
        found.append(
            (draft.kind, bare_question(card.question), card.answer, draft.line)
        )
    return found


def test_single_line_cards_one_way_and_both_ways(tmp_path):
    cards = _cards(
        TAGGED + "What is ATP?::the cell's **energy** currency, $\\Delta G < 0$\n"
        "Nucleus:::holds the `DNA`\n",
        tmp_path,
    )
    assert cards == [
        (
            "explicit",
            "What is ATP?",
            "<p>the cell's <strong>energy</strong> currency, \\(\\Delta G &lt; 0\\)</p>",
            4,
        ),
        ("explicit-reversed", "Nucleus", "<p>holds the <code>DNA</code></p>", 5),
    ]


def test_multi_line_cards_end_at_a_blank_line_or_a_heading(tmp_path):
    cards = _cards(
        TAGGED + "# Cells\n\nWhat does the\nribosome do?\n?\nIt makes *proteins*\n"
        "from mRNA\n## Next\nFront side\n??\nBack side\n",
        tmp_path,
    )
    assert [card[:2] for card in cards] == [
        ("explicit", "What does the<br>ribosome do?"),
        ("explicit-reversed", "Front side"),
    ]
    assert cards[0][2] == "<p>It makes <em>proteins</em><br>from mRNA</p>"
    assert cards[1][2] == "<p>Back side</p>"


def test_a_question_right_under_an_answer_starts_the_next_card(tmp_path):
    cards = _cards(TAGGED + "Q1\n?\nA1\nQ2\n?\nA2\n", tmp_path)
    assert [(q, a) for _, q, a, _ in cards] == [
        ("Q1", "<p>A1</p>"),
        ("Q2", "<p>A2</p>"),
    ]


def test_a_heading_right_above_the_separator_is_the_question(tmp_path):
    note = parse_text(
        "Cells.md", TAGGED + "# Cells\n## What is ATP?\n?\nThe energy currency\n"
    )
    (draft,) = extract_cards(note)
    assert (draft.kind, draft.context, draft.label) == ("explicit", (), "What is ATP?")


def test_cards_in_callouts_and_lists_but_not_in_table_rows(tmp_path):
    cards = _cards(
        TAGGED + "> [!note] Cells\n> Q1::A1\n\n- item\n- Q2::A2\n\n| a | b::c |\n"
        "| --- | --- |\n| x | y |\n",
        tmp_path,
    )
    assert [(kind, q, a) for kind, q, a, _ in cards] == [
        ("explicit", "Q1", "<p>A1</p>"),
        ("explicit", "Q2", "<p>A2</p>"),
        ("table", "x - b::c", "<p>y</p>"),
    ]


def test_a_bold_term_written_as_an_explicit_card_is_one_card(tmp_path):
    cards = _cards(
        TAGGED + "## Organelles\n\n**Mitochondria**::the powerhouse of the cell\n",
        tmp_path,
    )
    assert [(kind, q) for kind, q, _, _ in cards] == [
        ("explicit", "<strong>Mitochondria</strong>")
    ]


def test_context_is_the_heading_path_and_the_label_the_plain_question(tmp_path):
    note = parse_text(
        "Cells.md", TAGGED + "# Cells\n## Energy\n\n**ATP** is?::energy ^atp-card\n"
    )
    (draft,) = extract_cards(note)
    assert (draft.context, draft.label, draft.pin) == (
        ("Energy",),
        "ATP is?",
        "atp-card",
    )


def test_separators_in_code_make_no_card(tmp_path):
    cards = _cards(
        TAGGED
        + "## Vectors\n\nUse `std::vector` here.\n\n```cpp\nstd::cout << x;\n```\n",
        tmp_path,
    )
    assert [kind for kind, *_ in cards] == ["heading"]


def test_only_tagged_notes_hold_explicit_cards(tmp_path):
    text = "## Facts\n\nMitochondria::the powerhouse of the cell\nstatus:: done\n"
    assert [kind for kind, *_ in _cards(text, tmp_path)] == ["heading"]
    inline = text + "\n#flashcards/biology/cells\n"
    assert [kind for kind, *_ in _cards(inline, tmp_path)] == ["explicit"]
    everywhere = CardSyntax(every_note=True)
    assert [kind for kind, *_ in _cards(text, tmp_path, everywhere)] == ["explicit"]
    others = CardSyntax(tags=("cards",))
    assert [kind for kind, *_ in _cards(inline, tmp_path, others)] == ["heading"]


@pytest.mark.parametrize(
    "line",
    [
        "status:: done",
        "created:: 2024-01-01",
        "tags:: biology",
        "due-date:: 2024-05-01",
        "- reading_time:: 5 minutes",
        "status::done",
        "The cell was [rating:: 5] today",
        "Seen (mood:: calm) today",
        "project::[[Cells]]",
    ],
)
def test_dataview_fields_in_a_tagged_note_make_no_card(line, tmp_path):
    assert _cards(TAGGED + line + "\n", tmp_path) == []


@pytest.mark.parametrize(
    "line",
    [
        "hund::dog",
        "Status:: done",
        "What is ATP?:: the energy currency",
        "mitochondria:: the organelle that makes most of the cell's ATP",
        "der Hund:: the dog",
    ],
)
def test_questions_that_look_a_little_like_fields_are_cards(line, tmp_path):
    assert [kind for kind, *_ in _cards(TAGGED + line + "\n", tmp_path)] == ["explicit"]


def test_an_explicit_card_with_an_empty_side_makes_no_card(tmp_path):
    cards = _cards(TAGGED + "::no question\nNo answer::\n\nQ\n?\n\n?\nA\n", tmp_path)
    assert cards == []


def test_custom_separators(tmp_path):
    syntax = CardSyntax(
        single_line=";;",
        single_line_reversed=";;;",
        multi_line=",,",
        multi_line_reversed=",,,",
    )
    cards = _cards(
        TAGGED + "Q;;A\nB;;;C\nD::E\n\nF\n,,\nG\n\nH\n?\nI\n", tmp_path, syntax
    )
    assert [(kind, q) for kind, q, _, _ in cards] == [
        ("explicit", "Q"),
        ("explicit-reversed", "B"),
        ("explicit", "F"),
    ]


def test_review_schedules_are_never_shown(tmp_path):
    schedule = "<!--SR:!2024-01-05,3,250-->"
    cards = _cards(
        "## Logs\n\nWhat to keep.\n" + schedule + "\n\n"
        "- **Retention**: 90 days " + schedule + "\n" + schedule + "\n",
        tmp_path,
    )
    assert [kind for kind, *_ in cards] == ["heading", "point"]
    assert all("SR:" not in q + a for _, q, a, _ in cards)
    explicit = _cards(
        TAGGED
        + "Q::A "
        + schedule
        + "\nQ2::A2\n"
        + schedule
        + "\n\nQ3\n?\nA3\n"
        + schedule
        + "\n",
        tmp_path,
    )
    assert [(q, a) for _, q, a, _ in explicit] == [
        ("Q", "<p>A</p>"),
        ("Q2", "<p>A2</p>"),
        ("Q3", "<p>A3</p>"),
    ]


def _vault(tmp_path: Path, notes: dict[str, str]) -> Path:
    vault = tmp_path / "vault"
    for rel, text in notes.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, encoding="utf-8")
    return vault


def _build(vault: Path, out: Path):
    return build(load_config((vault,), output=out), clock=lambda: FIXED_TIME)


def test_a_flashcard_sub_tag_names_the_deck_unless_deck_is_given(tmp_path):
    vault = _vault(
        tmp_path,
        {
            "Bio/Cells.md": "# Cells\n\n#flashcards/biology/cells\n\nQ::A\n",
            "Bio/Named.md": "---\ndeck: Mine\ntags: [flashcards/x]\n---\nQ::A\n",
            "Bio/Plain.md": "---\ntags: [flashcards]\n---\nQ2::A2\n",
        },
    )
    result = _build(vault, tmp_path / "d.apkg")
    decks = {item.card.draft.note_path: item.card.deck for item in result.cards}
    assert decks == {
        "Bio/Cells.md": "vault::biology::cells",
        "Bio/Named.md": "Mine",
        "Bio/Plain.md": "vault::Bio",
    }


def test_a_reworded_explicit_question_keeps_its_guid(tmp_path):
    note = TAGGED + "# Cells\n\nWhat makes ATP?::the mitochondria, by respiration\n"
    vault = _vault(tmp_path, {"Cells.md": note})
    (first,) = _build(vault, tmp_path / "1.apkg").cards
    (vault / "Cells.md").write_text(
        note.replace("What makes ATP?", "Which organelle makes ATP?"), encoding="utf-8"
    )
    (second,) = _build(vault, tmp_path / "2.apkg").cards
    assert second.card.draft.label == "Which organelle makes ATP?"
    assert second.guid == first.guid


def _plugin_data(vault: Path, settings: object) -> None:
    path = vault / PLUGIN_DATA
    path.parent.mkdir(parents=True, exist_ok=True)
    text = settings if isinstance(settings, str) else json.dumps(settings)
    path.write_text(text, encoding="utf-8")


def test_the_plugins_settings_are_read_and_the_toml_overrides_them(tmp_path):
    vault = _vault(tmp_path, {"N.md": "#cards\n\nQ;;A\n"})
    _plugin_data(
        vault,
        {
            "settings": {
                "singleLineCardSeparator": ";;",
                "singleLineReversedCardSeparator": ";;;",
                "multilineCardSeparator": ",,",
                "flashcardTags": ["#cards", "#deck"],
                "convertFoldersToDecks": False,
                "convertBoldTextToClozes": False,
                "convertCurlyBracketsToClozes": True,
            },
            "buryList": [],
        },
    )
    syntax = load_config((vault,)).syntax
    assert syntax == CardSyntax(
        single_line=";;",
        single_line_reversed=";;;",
        multi_line=",,",
        tags=("cards", "deck"),
        cloze_bold=False,
        cloze_curly=True,
    )
    result = _build(vault, tmp_path / "d.apkg")
    assert [item.card.draft.label for item in result.cards] == ["Q"]
    (vault / ".flashgen.toml").write_text(
        'single_line_separator = "::"\nflashcard_tags = ["#flashcards"]\n'
        "flashcards_in_every_note = true\ncloze_curly = false\n"
    )
    syntax = load_config((vault,)).syntax
    assert (syntax.single_line, syntax.single_line_reversed, syntax.tags) == (
        "::",
        ";;;",
        ("flashcards",),
    )
    assert (syntax.every_note, syntax.cloze_curly) == (True, False)


def test_a_damaged_plugin_settings_file_is_a_warning_and_the_defaults(tmp_path, runner):
    vault = _vault(tmp_path, {"N.md": TAGGED + "Q::A\n"})
    _plugin_data(vault, '{"settings": {\n  "singleLineCardSeparator": ";;",\n')
    config = load_config((vault,))
    assert config.syntax == CardSyntax()
    result = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "d.apkg")])
    assert result.exit_code == 0
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning.startswith(
        f"{PLUGIN_DATA}:3: warning: the obsidian-spaced-repetition"
    )
    assert "defaults are used" in warning
    assert "1 cards" in result.stdout or "1 card" in result.stdout


def test_older_plugin_spellings_and_a_string_of_tags_are_read(tmp_path):
    vault = _vault(tmp_path, {"N.md": "x"})
    _plugin_data(
        vault,
        {
            "settings": {
                "singlelineCardSeparator": "=>",
                "singlelineReversedCardSeparator": "<=>",
                "flashcardTags": "#cards  #deck/sub",
            }
        },
    )
    syntax = load_config((vault,)).syntax
    assert (syntax.single_line, syntax.single_line_reversed) == ("=>", "<=>")
    assert syntax.tags == ("cards", "deck/sub")


def test_a_plugin_setting_of_the_wrong_type_keeps_its_default(tmp_path):
    vault = _vault(tmp_path, {"N.md": "x"})
    _plugin_data(
        vault, {"settings": {"convertHighlightsToClozes": "yes", "flashcardTags": 3}}
    )
    config = load_config((vault,))
    assert config.syntax == CardSyntax()
    assert [d.message.split(";")[0] for d in config.notices] == [
        "obsidian-spaced-repetition setting 'convertHighlightsToClozes' is not true or "
        'false ("yes")',
        "obsidian-spaced-repetition setting 'flashcardTags' is not a list of tags (3)",
    ]


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        (
            'single_line_separator = ""',
            "'single_line_separator' must be a non-empty string on one line "
            '(write single_line_separator = "::")',
        ),
        (
            'multi_line_separator = "? ?"',
            "'multi_line_separator' must hold no spaces: it is a whole line "
            '(write multi_line_separator = "?")',
        ),
        (
            'flashcard_tags = "flashcards"',
            "'flashcard_tags' must be a list of strings (write flashcard_tags = [\"...\"])",
        ),
        (
            "cloze_bold = 1",
            "'cloze_bold' must be true or false (write cloze_bold = true)",
        ),
        (
            'single_line_reversed_separator = "::"',
            "'single_line_separator' and 'single_line_reversed_separator' are both '::' "
            "(give them different texts)",
        ),
    ],
)
def test_bad_syntax_settings_are_one_line_errors(toml, error, tmp_path):
    vault = _vault(tmp_path, {"N.md": "x"})
    (vault / ".flashgen.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config((vault,))
    assert caught.value.messages == (f".flashgen.toml: error: {error}",)


def test_check_names_skipped_fields_and_empty_sides(tmp_path, runner):
    vault = _vault(
        tmp_path,
        {
            "N.md": TAGGED + "status:: done\nQuestion::\n\n**Term**::meaning\n",
            "Plain.md": "## Facts\n\nstatus:: done\n",
        },
    )
    result = runner.invoke(main, ["check", str(vault)])
    lines = [line for line in result.stdout.splitlines() if "::" in line]
    assert lines == [
        "N.md:4: warning: 'status:: done' reads as a Dataview field and makes no card (to "
        "make it a card, write the question as a phrase or capitalised: `Status::...`)",
        "N.md:5: warning: explicit card 'Question::' has an empty side and makes no card "
        "(write both: `Question::Answer`, or the question above a `?` line and the "
        "answer below it)",
    ]


def test_the_default_syntax_is_the_plugins(tmp_path):
    assert load_config((tmp_path,)).syntax == CardSyntax()
    assert replace(Config().syntax) == CardSyntax()


def test_the_extraction_docs_example_gives_the_cards_its_table_shows():
    doc = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8")
    section = doc.split("## Explicit cards", 1)[1]
    note = re.search(r"```markdown\n(.*?)```", section, re.DOTALL)
    table = re.search(
        r"\| kind \| question \| answer \|\n\|[-| ]+\|\n(.*?)\n\n", section, re.DOTALL
    )
    assert note and table
    rows = [line.strip("|").split("|") for line in table.group(1).splitlines()]
    expected = [
        (kind.strip(), question.strip().replace(" / ", " "))
        for kind, question, _ in rows
    ]
    drafts = extract_cards(parse_text("Biology/Cells.md", note.group(1)))
    assert [(d.kind, plain_text(d.question)) for d in drafts] == expected


def test_the_configuration_docs_syntax_example_is_valid_and_the_defaults(tmp_path):
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = doc.split("## Explicit cards and the plugin's settings", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example
    (tmp_path / ".flashgen.toml").write_text(example.group(1), encoding="utf-8")
    assert load_config((tmp_path,)).syntax == CardSyntax()
