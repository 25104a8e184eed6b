"""Properties over Markdown nobody writes by hand (Hypothesis)."""

from __future__ import annotations

import re

import ftfy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashgen.extract import extract_cards
from flashgen.extract.answers import is_placeholder
from flashgen.identity import card_key
from flashgen.parse import Block, Inline, decode_note, parse_text
from flashgen.reconcile.assign import reconcile
from flashgen.render.card import render_card
from flashgen.render.media import MediaIndex
from flashgen.state.file import State
from flashgen.store.keyed import Keyed

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
# An answer that only marks the note unfinished (`TODO`, `WIP`) is no answer and makes
# no card, on purpose: a different property.
ANSWER = ANSWER.filter(
    lambda text: not is_placeholder(Block("paragraph", 1, 1, (Inline("text", text),)))
)


@SETTINGS
@given(st.lists(st.lists(ANSWER, min_size=3, max_size=3), min_size=1, max_size=4))
def test_any_sequence_of_answer_edits_keeps_every_guid(tmp_path, edits):
    labels = ("Alpha", "Beta", "Gamma")
    index = MediaIndex(tmp_path)

    def cards(answers):
        text = "## Section\n\n" + "\n\n".join(
            f"**{label}**: {answer}"
            for label, answer in zip(labels, answers, strict=True)
        )
        drafts = extract_cards(parse_text("N.md", text))
        return [
            Keyed.of(render_card(d, "D", index).card, card_key(d, "path:N.md"))
            for d in drafts
        ]

    state = State()
    first = reconcile(cards(["one", "two", "three"]), state, 1)
    guids = {item.card.draft.label: item.guid for item in first.cards}
    state = first.state
    for step, answers in enumerate(edits, start=2):
        result = reconcile(cards(answers), state, step)
        assert {item.card.draft.label: item.guid for item in result.cards} == guids
        assert result.newly_removed == ()
        state = result.state


@SETTINGS
@given(
    st.binary(max_size=400) | MARKDOWN.map(lambda text: text.encode("utf-8", "replace"))
)
def test_any_bytes_parse_extract_and_render_without_raising(tmp_path, data):
    text, _ = decode_note("N.md", data)
    if text is None:
        return
    index = MediaIndex(tmp_path)
    for draft in extract_cards(parse_text("N.md", text)):
        card = render_card(draft, "D", index).card
        assert "\x1f" not in card.question + card.answer + card.context
        assert "<script" not in card.answer.lower()


_TEXTS = st.text(max_size=40)


@given(
    key=st.lists(_TEXTS, max_size=6),
    note=_TEXTS,
    kind=st.sampled_from(["point", "heading", "p", "~p", "cloze"]) | _TEXTS,
    context=st.lists(_TEXTS, max_size=3),
    label=_TEXTS,
    answer=st.integers(0, 2**64 - 1),
    digest=st.sampled_from(["0f" * 12, "short", ""]) | _TEXTS,
    modified=st.integers(0, 2**40),
    removed=st.booleans(),
    card_id=st.integers(0, 2**40),
    root=_TEXTS,
    deck=_TEXTS,
    under_root=st.booleans(),
)
def test_a_state_line_reads_back_as_the_card_it_was_written_from(
    key, note, kind, context, label, answer, digest, modified, removed, card_id,
    root, deck, under_root,
):  # fmt: skip
    import json

    from flashgen.state.lines import NotesTable, decode_line, entry_from_line, root_of
    from flashgen.state.saved import CardState, dataclass_fields

    if under_root:  # a deck of the root deck's, or the root deck itself
        deck = f"{root}::{deck}" if deck else root
    card = CardState(
        "fgabc234", tuple(key), note, kind, tuple(context), label, answer, digest,
        modified, removed, card_id, deck,
    )  # fmt: skip
    place = (note, key[0] if key else "", tuple(context), deck)
    table = NotesTable([place], root)
    head, notes, middle = table.head().split(b"\n", 2)
    assert root_of(head + b"\n") == root and middle == b'},"cards":{\n'
    ((ref, value),) = json.loads(b"{" + notes + b"}").items()
    entries = {ref: entry_from_line(ref, value, root)}
    line = table.line(*dataclass_fields(card))
    assert b"\n" not in line
    ((guid, value),) = json.loads(b"{" + line + b"}").items()
    assert CardState(*decode_line(guid, value, entries).fields) == card
