"""A vault with a preamble builds cards whose maths Anki's MathJax renders without errors."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from flashgen.cli import main
from flashgen.render.mathjax_commands import MATHJAX_COMMANDS
from flashgen.render.preamble import read_preamble

from .conftest import FIXTURES
from .mathjax import (
    CHROMIUM,
    COMMANDS_MODULE,
    anki_mathjax,
    commands_module,
    has_mathjax,
    known_commands,
    typeset,
)

# CI installs MathJax and Chromium (.ci/run); elsewhere these tests need them too.
needs_mathjax = pytest.mark.skipif(
    (CHROMIUM is None or not has_mathjax()) and not os.environ.get("CI"),
    reason="MathJax or Chromium is missing (make test installs MathJax with npm)",
)
_MATHS = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
_RED = re.compile(r'<mtext mathcolor="red">(\\[^<]*)</mtext>')


@pytest.fixture
def maths_vault(tmp_path):
    target = tmp_path / "Maths"
    shutil.copytree(FIXTURES / "vaults" / "maths", target)
    return target


def _cards(runner, vault):
    result = runner.invoke(main, ["cards", str(vault), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def _maths(cards) -> list[str]:
    return [
        inline or display
        for card in cards
        for field in card["fields"].values()
        for inline, display in _MATHS.findall(field)
    ]


def test_cards_keep_none_of_the_vault_macros_and_check_finds_none_undefined(
    runner, maths_vault
):
    cards, stderr = _cards(runner, maths_vault)
    assert stderr == ""
    table, problems = read_preamble((maths_vault / "preamble.sty").read_text())
    assert problems == () and len(table.macros) == 19
    maths = _maths(cards)
    assert len(maths) == 15
    used = {name for tex in maths for name in re.findall(r"\\[A-Za-z]+", tex)}
    assert used <= {f"\\{name}" for name in MATHJAX_COMMANDS}
    answers = "".join(card["fields"]["Answer"] for card in cards)
    assert "\\(\\left|H\\right| \\,|\\, \\left|G\\right|\\)" in answers
    check = runner.invoke(main, ["check", str(maths_vault)])
    assert check.exit_code == 0 and "undefined" not in check.output


def test_without_the_preamble_check_names_each_undefined_macro(runner, maths_vault):
    (maths_vault / ".flashgen.toml").write_text("preamble = false\n")
    check = runner.invoke(main, ["check", str(maths_vault)])
    assert check.stdout.splitlines()[0] == (
        "Algebra/Groups.md:3: warning: maths uses the undefined macro \\fa, which "
        "Anki shows in red (define it in preamble.sty at the vault root, or set "
        "preamble in .flashgen.toml)"
    )
    named = set(re.findall(r"\\[A-Za-z]+", check.stdout))
    assert named == {
        "\\fa",
        "\\ord",
        "\\divides",
        "\\sgrp",
        "\\Z",
        "\\gen",
        "\\im",
        "\\Aut",
        "\\catmod",
        "\\cat",
        "\\Rel",
        "\\tpl",
        "\\R",
        "\\ex",
        "\\N",
    }


def test_an_edited_preamble_changes_the_cards_of_unchanged_notes(runner, maths_vault):
    before, _ = _cards(runner, maths_vault)
    preamble = maths_vault / "preamble.sty"
    preamble.write_text(
        preamble.read_text().replace("\\mathbb{R}}", "\\mathbf{R}}"), encoding="utf-8"
    )
    after, _ = _cards(runner, maths_vault)
    changed = [
        (old["label"], new["fields"]["Answer"])
        for old, new in zip(before, after, strict=True)
        if old != new
    ]
    assert [label for label, _ in changed] == ["Pairs of reals"]
    assert "\\mathbf{R}^2" in changed[0][1]


@needs_mathjax
def test_anki_mathjax_renders_every_card_without_an_error(
    runner, maths_vault, tmp_path
):
    cards, _ = _cards(runner, maths_vault)
    html = "".join(
        f"<div>{card['fields']['Question']}<hr>{card['fields']['Answer']}</div>"
        for card in cards
    )
    (maths_vault / ".flashgen.toml").write_text("preamble = false\n")
    unexpanded, _ = _cards(runner, maths_vault)
    raw = "".join(card["fields"]["Answer"] for card in unexpanded)
    with anki_mathjax(tmp_path) as page:
        rendered = typeset(page, html)
        control = typeset(page, raw)
    assert len(rendered) == len(_maths(cards)) == 15
    for mathml in rendered:
        assert "merror" not in mathml and "Undefined" not in mathml, mathml
        assert not _RED.search(mathml), mathml
    # The same cards without the preamble: MathJax shows the macros in red.
    assert {name for mathml in control for name in _RED.findall(mathml)} >= {
        "\\fa",
        "\\ord",
        "\\catmod",
    }


@needs_mathjax
def test_the_known_commands_are_those_of_anki_mathjax(tmp_path, update_goldens):
    with anki_mathjax(tmp_path) as page:
        names = known_commands(page)
    if update_goldens:
        COMMANDS_MODULE.write_text(commands_module(names), encoding="utf-8")
    assert sorted(MATHJAX_COMMANDS) == names


@needs_mathjax
def test_maths_inside_a_cloze_renders_in_anki_whole_and_without_errors(
    tmp_path, collection
):
    from flashgen.config import Config
    from flashgen.pipeline import build

    from .conftest import FIXED_TIME, import_deck

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "preamble.sty").write_text("\\newcommand{\\R}{\\mathbb{R}}\n")
    (vault / "Maths.md").write_text(
        "## Fractions\n\nThe ratio {{c1::$\\frac{a}{b^{2}}$}} is defined on "
        "{{c2::$\\R^{n}$::a space}} here.\n",
        encoding="utf-8",
    )
    config = Config(inputs=(vault,), output=tmp_path / "d.apkg", cards=("cloze",))
    build(config, clock=lambda: FIXED_TIME)
    import_deck(collection, tmp_path / "d.apkg")
    cards = [collection.get_card(c) for c in collection.find_cards("")]
    assert sorted(card.ord for card in cards) == [0, 0]  # a note per number
    sides = [card.question() for card in cards] + [card.answer() for card in cards]
    with anki_mathjax(tmp_path) as page:
        rendered = [typeset(page, side.split("</style>")[-1]) for side in sides]
    fronts, backs = rendered[:2], rendered[2:]
    # Each front hides its own maths and shows the other's; each back shows both.
    assert sorted(len(mathml) for mathml in fronts) == [1, 1]
    assert [len(mathml) for mathml in backs] == [2, 2]
    for mathml in (m for side in rendered for m in side):
        assert "merror" not in mathml and not _RED.search(mathml), mathml
    back = "".join(backs[0])
    assert "<mfrac>" in back and "<msup>" in back and "double-struck" in back


_TEXT_WITH_COMMANDS = (
    "# Cases\n\n"
    "Defined by cases:\n\n"
    "$$\n"
    "f(i) = \\begin{cases} 1 & \\textrm{\\hspace{0.5in}\\textit{if \\,}}i=s\\\\\n"
    "0 & \\textrm{\\textit{else.}} \\end{cases}\n"
    "$$\n\n"
    "Then $a\\ \\ \\textrm{\\textit{and}}\\ \\ b$ hold.\n"
)


@needs_mathjax
def test_commands_inside_text_render_as_anki_mathjax_shows_them(runner, tmp_path):
    # Anki's MathJax lacks the textmacros package: inside \textrm{} it would show
    # `\textit{and}` as text. The cards carry maths forms it renders.
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "Cases.md").write_text(_TEXT_WITH_COMMANDS, encoding="utf-8")
    cards, _ = _cards(runner, vault)
    html = "".join(card["fields"]["Answer"] for card in cards)
    raw = (
        "<p>\\("
        + "\\)</p><p>\\(".join(
            ["\\textrm{\\hspace{0.5in}\\textit{if \\,}}i=s", "\\textrm{\\textit{and}}"]
        )
        + "\\)</p>"
    )
    with anki_mathjax(tmp_path) as page:
        rendered = typeset(page, html)
        control = typeset(page, raw)
    assert len(rendered) == 2
    for mathml in rendered:
        assert "merror" not in mathml and not _RED.search(mathml), mathml
        assert not re.search(r"<mtext[^>]*>[^<]*\\", mathml), mathml
        assert 'mathvariant="italic"' in mathml
    assert all(re.search(r"<mtext[^>]*>[^<]*\\", mathml) for mathml in control)
