"""A vault's LaTeX macros: the preamble read, and expanded in maths (never elsewhere)."""

from __future__ import annotations

import re

import pytest

from flashgen.config import load_config
from flashgen.errors import ConfigError
from flashgen.extract import extract_cards
from flashgen.parse import parse_text
from flashgen.render.card import render_card
from flashgen.render.macros import DEFAULT_PREAMBLE, NO_MACROS, expand_maths
from flashgen.render.media import MediaIndex
from flashgen.render.preamble import load_preamble, read_preamble

from .conftest import FIXTURES


def _cases() -> list[tuple[str, dict[str, str]]]:
    text = (FIXTURES / "macros" / "expand.txt").read_text(encoding="utf-8")
    cases = []
    for chunk in re.split(r"^=== ", text, flags=re.MULTILINE)[1:]:
        title, _, body = chunk.partition("\n")
        parts = re.split(r"^--- (\w+)\n", body, flags=re.MULTILINE)[1:]
        sections = {
            name: value.strip("\n")
            for name, value in zip(parts[::2], parts[1::2], strict=True)
        }
        cases.append((title.strip(), sections))
    return cases


@pytest.mark.parametrize(
    ("title", "case"), _cases(), ids=[title for title, _ in _cases()]
)
def test_expansion(title, case):
    table, problems = read_preamble(case["preamble"])
    assert problems == ()
    expanded = expand_maths(case["maths"], table)
    assert expanded.tex == case["expect"]
    wanted = [line for line in case.get("problems", "").splitlines() if line]
    assert len(expanded.problems) == len(wanted), expanded.problems
    for problem, part in zip(expanded.problems, wanted, strict=True):
        assert part in problem


def test_preamble_lines_that_define_nothing_or_cannot_be_read_are_warnings():
    text = "\n".join(
        [
            r"% a comment, then a blank line",
            "",
            r"\newcommand{\R}{\mathbb{R}} % a comment after a definition",
            r"\usepackage{amsmath}",
            r"\newcommand{\bad}[x]{y}",
            r"\newcommand{\open}{\left(",
            r"\newcommand{\Z}{\mathbb{Z}}",
            r"\def\delimited#1.{#1}",
            r"\newcommand{\extra}[1]{#2}",
            r"\newcommand{noslash}{x}",
            r"\newcommand{\multi}[1]{",
            r"  \left\{#1\right\}}",
        ]
    )
    table, problems = read_preamble(text, "tex/macros.sty")
    assert sorted(table.macros) == ["\\R", "\\Z", "\\multi"]
    assert table.macros["\\multi"].line == 11
    assert [problem.format() for problem in problems] == [
        "tex/macros.sty:4: warning: '\\usepackage' is not a macro definition and was "
        "ignored (flashgen reads \\newcommand, \\renewcommand, \\providecommand, "
        "\\DeclareMathOperator, \\def and \\let)",
        "tex/macros.sty:5: warning: cannot read this \\newcommand definition: '[x]' "
        "must be a number of arguments, 0 to 9 (write it as "
        "\\newcommand{\\name}[2]{... #1 ... #2 ...})",
        "tex/macros.sty:6: warning: cannot read this \\newcommand definition: '}' "
        "missing (write it as \\newcommand{\\name}[2]{... #1 ... #2 ...})",
        "tex/macros.sty:8: warning: cannot read this \\def definition: only the "
        "parameters #1, #2, ... in order are read, not delimited ones (write it as "
        "\\newcommand{\\name}[2]{... #1 ... #2 ...})",
        "tex/macros.sty:9: warning: cannot read this \\newcommand definition: '#2' is "
        "not one of its 1 parameters (write it as "
        "\\newcommand{\\name}[2]{... #1 ... #2 ...})",
        "tex/macros.sty:10: warning: cannot read this \\newcommand definition: the "
        "macro's name must start with a backslash (write it as "
        "\\newcommand{\\name}[2]{... #1 ... #2 ...})",
    ]


def test_an_unclosed_definition_does_not_swallow_the_lines_after_it():
    table, problems = read_preamble("\\newcommand{\\a}{x\n\\newcommand{\\b}{y}\n")
    # TeX would read on to the end; a warning and the next line is the kinder choice.
    assert [p.line for p in problems] == [1]
    assert list(table.macros) == ["\\b"]


def test_the_digest_changes_with_what_a_macro_stands_for():
    one, _ = read_preamble(r"\newcommand{\R}{\mathbb{R}}")
    same, _ = read_preamble("\n\n\\newcommand{\\R}{\\mathbb{R}}")
    other, _ = read_preamble(r"\newcommand{\R}{\mathbf{R}}")
    assert one.digest == same.digest != other.digest


def _rendered(markdown: str, tmp_path, preamble: str = r"\newcommand{\R}{\mathbb{R}}"):
    table, _ = read_preamble(preamble)
    (draft,) = extract_cards(parse_text("Algebra.md", markdown))
    return render_card(draft, "Maths", MediaIndex(tmp_path), macros=table)


def test_macros_are_expanded_in_maths_only_never_in_code_or_text(tmp_path):
    rendering = _rendered(
        "## Fields\n\nIn $\\R$, `\\R` and \\R differ:\n\n$$\\R^n$$\n\n"
        "```tex\n\\R\n```\n",
        tmp_path,
    )
    answer = rendering.card.answer
    assert "\\(\\mathbb{R}\\)" in answer and "\\[\\mathbb{R}^n\\]" in answer
    assert "<code>\\R</code>" in answer and " and \\R differ" in answer
    assert '<span class="k">\\R</span>\n</code></pre>' in answer
    assert rendering.diagnostics == ()


def test_an_undefined_macro_is_a_warning_at_its_line(tmp_path):
    rendering = _rendered("## Fields\n\nFirst line\nthen $\\Q$ here.\n", tmp_path)
    assert [d.format() for d in rendering.diagnostics] == [
        "Algebra.md:4: warning: maths uses the undefined macro \\Q, which Anki shows "
        "in red (define it in preamble.sty at the vault root, or set preamble in "
        ".flashgen.toml)"
    ]


def test_without_a_preamble_maths_is_as_written(tmp_path):
    (draft,) = extract_cards(parse_text("A.md", "**Q:** $\\alpha \\le 1$\n"))
    rendering = render_card(draft, "D", MediaIndex(tmp_path))
    assert "\\(\\alpha \\le 1\\)" in rendering.card.answer
    assert expand_maths("x \\le y", NO_MACROS).tex == "x \\le y"


def _vault(tmp_path, settings: str | None = None):
    vault = tmp_path / "vault"
    (vault / "tex").mkdir(parents=True)
    (vault / "preamble.sty").write_text(r"\newcommand{\R}{\mathbb{R}}")
    (vault / "tex" / "macros.sty").write_text(r"\newcommand{\R}{\mathbf{R}}")
    if settings is not None:
        (vault / ".flashgen.toml").write_text(settings)
    return vault


def test_the_preamble_is_preamble_sty_or_the_one_set_or_none(tmp_path):
    vault = _vault(tmp_path)
    assert load_config((vault,)).preamble is None
    table, _ = load_preamble(vault, None)
    assert table.path == DEFAULT_PREAMBLE and "\\R" in table.macros
    for setting, body in (("tex/macros.sty", ("\\mathbf", "{", "R", "}")),):
        table, _ = load_preamble(vault, setting)
        assert table.path == setting and table.macros["\\R"].body == body
    assert load_preamble(vault, False)[0] is NO_MACROS
    assert load_preamble(vault, "")[0] is NO_MACROS
    assert load_preamble(tmp_path / "elsewhere", None)[0] is NO_MACROS


def test_preamble_settings_are_read_from_the_vault_file(tmp_path):
    config = load_config((_vault(tmp_path, 'preamble = "tex/macros.sty"\n'),))
    assert config.preamble == "tex/macros.sty"
    config = load_config((_vault(tmp_path / "b", "preamble = false\n"),))
    assert config.preamble is False
    with pytest.raises(ConfigError) as raised:
        load_config((_vault(tmp_path / "c", "preamble = 3\n"),))
    assert raised.value.messages == (
        ".flashgen.toml: error: 'preamble' must be a path or false (write "
        'preamble = "preamble.sty")',
    )


def test_a_preamble_outside_the_vault_or_missing_is_a_config_error(tmp_path):
    vault = _vault(tmp_path)
    (tmp_path / "secret.sty").write_text(r"\newcommand{\x}{y}")
    with pytest.raises(ConfigError) as raised:
        load_preamble(vault, "../secret.sty", ".flashgen.toml")
    assert raised.value.messages == (
        ".flashgen.toml: error: preamble '../secret.sty' is outside the vault (give "
        "the vault-relative path of a .sty file inside the vault)",
    )
    with pytest.raises(ConfigError) as raised:
        load_preamble(vault, "missing.sty", ".flashgen.toml")
    assert raised.value.messages == (
        ".flashgen.toml: error: preamble 'missing.sty' not found (give the "
        "vault-relative path of a .sty file, or preamble = false)",
    )


def test_each_folder_s_preamble_serves_the_notes_below_it(tmp_path):
    from flashgen.render.preamble import load_preambles

    (tmp_path / "A" / "deep").mkdir(parents=True)
    (tmp_path / "B").mkdir()
    (tmp_path / "preamble.sty").write_text("\\newcommand{\\R}{\\mathbb{R}}\n")
    (tmp_path / "A" / "preamble.sty").write_text("\\newcommand{\\R}{\\mathbf{R}}\n")
    preambles, problems = load_preambles(tmp_path, None)
    assert problems == ()
    expanded = {
        note: expand_maths("\\R", preambles.for_note(note)).tex
        for note in ("top.md", "A/a.md", "A/deep/d.md", "B/b.md")
    }
    assert expanded == {
        "top.md": "\\mathbb{R}",
        "A/a.md": "\\mathbf{R}",
        "A/deep/d.md": "\\mathbf{R}",
        "B/b.md": "\\mathbb{R}",
    }
    # A preamble named in the settings serves every note.
    named, _ = load_preambles(tmp_path, "A/preamble.sty")
    assert expand_maths("\\R", named.for_note("B/b.md")).tex == "\\mathbf{R}"
    none, _ = load_preambles(tmp_path, False)
    assert expand_maths("\\R", none.for_note("A/a.md")).tex == "\\R"
