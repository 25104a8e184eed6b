"""Properties over Markdown nobody writes by hand (Hypothesis)."""

from __future__ import annotations

import re

import ftfy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashgen.extract import extract_cards
from flashgen.identity import card_guid, card_key
from flashgen.media import MediaIndex
from flashgen.parse import parse_text
from flashgen.render import render_card

PIECES = st.sampled_from(
    [
        "**",
        "*",
        "`",
        "```",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "  ",
        "> ",
        "> [!note] ",
        "# ",
        "## ",
        ":",
        " - ",
        " is ",
        "$",
        "$$",
        "[[",
        "]]",
        "![[",
        "|",
        "---\n",
        "<script>",
        "<b>",
        "&",
        "<",
        "#tag ",
        "\t",
        "label",
        "text",
        "Ünïcödé",
        "🟩",
        "\r\n",
        "| a | b |\n|---|---|\n",
    ]
)
MARKDOWN = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60).map("".join)
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(MARKDOWN)
def test_extraction_and_rendering_never_raise_and_never_emit_scripts(
    tmp_path, markdown
):
    note = parse_text("N.md", markdown)
    index = MediaIndex(tmp_path)
    for draft in extract_cards(note):
        card = render_card(draft, "D", index).card
        for html in (card.question, card.answer, card.context):
            assert not re.search(
                r"<script|onerror=|onclick=|javascript:", html, re.IGNORECASE
            )


# Answers made of words (any script) and punctuation; markup is covered by the test above.
ANSWER = st.text(
    alphabet=st.characters(
        whitelist_categories=["L", "N", "Zs", "Po", "Pd", "So"],
        blacklist_characters="*_`$[]<>&#\\|:!",
    ),
    min_size=1,
    max_size=20,
).filter(lambda text: re.search(r"\w", text) is not None)
# Text that ftfy would take for mojibake (`Ë¦`) is repaired first: a different property.
ANSWER = ANSWER.filter(lambda text: ftfy.fix_encoding(text) == text)


@SETTINGS
@given(st.lists(ANSWER, min_size=1, max_size=5))
def test_editing_answers_never_changes_a_guid(answers):
    labels = [f"Label {i}" for i in range(len(answers))]
    original = "\n\n".join(f"**{label}**: first" for label in labels)
    edited = "\n\n".join(
        f"**{label}**: {answer}" for label, answer in zip(labels, answers, strict=True)
    )

    def guids(text: str) -> list[str]:
        drafts = extract_cards(parse_text("N.md", text))
        return [
            card_guid(card_key(d, "path:N.md")) for d in drafts if d.kind == "point"
        ]

    before, after = guids(original), guids(edited)
    assert before and after == before
