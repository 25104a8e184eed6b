"""Parse stage: decoding, mojibake repair, front matter, and the block tree."""

from __future__ import annotations

import pytest

from flashgen.discover import SourceFile
from flashgen.parse import parse_note, parse_text, plain_text
from flashgen.report import Severity


def test_mojibake_is_repaired_and_reported_with_its_line():
    note = parse_text("A.md", "---\ntags: [x]\n---\nok\nSearch Tag: #ðŸ“–\n")
    assert "#📖" in note.source and "ð" not in note.source
    (warning,) = note.diagnostics
    assert warning.severity is Severity.WARNING
    assert warning.format().startswith("A.md:5: warning: repaired mis-encoded text")


def test_correct_non_ascii_text_is_left_alone():
    text = "# Café\n\nnaïve “quotes” — ½ ™ 日本語 🟩\n"
    note = parse_text("A.md", text)
    assert note.source == text
    assert note.diagnostics == ()


def test_bom_and_crlf_are_read(tmp_path):
    path = tmp_path / "n.md"
    path.write_bytes("\ufeff# Title\r\n\r\n**A**: b\r\n".encode())
    note = parse_note(SourceFile(str(path), "n.md"))
    assert [b.kind for b in note.blocks] == ["heading", "paragraph"]
    assert note.blocks[1].line == 3
    assert "\r" not in note.source


def test_invalid_utf8_is_a_warning_with_a_line(tmp_path):
    path = tmp_path / "n.md"
    path.write_bytes(b"ok\n\ncaf\xe9\n")
    note = parse_note(SourceFile(str(path), "n.md"))
    (warning,) = note.diagnostics
    assert warning.line == 3 and "not UTF-8; read it as Windows-1252" in warning.message
    assert "café" in note.source


def test_front_matter_errors_name_the_line():
    note = parse_text("A.md", "---\ntitle: ok\nbad: [unclosed\n---\ntext\n")
    (problem,) = note.diagnostics
    # A warning: Obsidian still shows the note, and its cards are still made.
    assert problem.severity is Severity.WARNING
    assert problem.line >= 3
    assert "front matter is not valid YAML" in problem.message
    assert note.front_matter == {}


def test_front_matter_that_is_not_a_mapping():
    note = parse_text("A.md", "---\n- a\n- b\n---\ntext\n")
    assert "not a mapping" in note.diagnostics[0].message


def test_front_matter_keeps_line_numbers_of_the_body():
    note = parse_text("A.md", "---\na: 1\nb: 2\n---\n# H\n")
    assert note.front_matter == {"a": 1, "b": 2}
    assert note.blocks[0].line == 5


def test_rules_in_the_middle_are_rules_not_front_matter():
    note = parse_text("A.md", "text\n\n---\nkey: value\n\n---\nmore\n")
    assert note.front_matter == {}
    assert [b.kind for b in note.blocks] == [
        "paragraph",
        "rule",
        "paragraph",
        "rule",
        "paragraph",
    ]


def test_nested_two_space_lists_keep_their_items():
    note = parse_text(
        "A.md", "- **Advantages**:\n  1. Improved read and write speeds.\n"
    )
    (lst,) = note.blocks
    (item,) = lst.children
    assert [c.kind for c in item.children] == ["paragraph", "list"]
    assert plain_text(item.children[1].children[0].children[0].inlines) == (
        "Improved read and write speeds."
    )


def test_callout_keeps_type_title_and_body():
    note = parse_text("A.md", "> [!tip]- Remember\n> **Key**: value\n")
    (callout,) = note.blocks
    assert callout.kind == "callout" and callout.info == "tip"
    assert plain_text(callout.inlines) == "Remember"
    assert plain_text(callout.children[0].inlines) == "Key: value"


def test_code_blocks_hold_their_text_verbatim():
    note = parse_text("A.md", "```bash\n# comment\n**x**\n```\n")
    (code,) = note.blocks
    assert (code.kind, code.info, code.text) == ("code", "bash", "# comment\n**x**\n")


def test_wikilinks_and_embeds():
    note = parse_text("A.md", "See [[Note|alias]] and ![[img.png|300]]\n")
    kinds = [(i.kind, i.target) for i in note.blocks[0].inlines if i.kind != "text"]
    assert kinds == [("wikilink", "Note"), ("embed", "img.png")]


def _build_seconds(tmp_path, text: str) -> float:
    """The least CPU time of three plans of a vault holding one note: the process's own
    time, which other processes on the machine disturb least."""
    import time

    from flashgen.config import Config
    from flashgen.pipeline import plan_build

    vault = tmp_path / f"v{len(text)}"
    vault.mkdir()
    (vault / "N.md").write_text(text, encoding="utf-8")
    config = Config(inputs=(vault,), cache=False)
    times = []
    for _ in range(3):
        started = time.process_time()
        plan_build(config)
        times.append(time.process_time() - started)
    return min(times)


@pytest.mark.parametrize("unit", ["[", "<", "![[", "**x "])
def test_a_note_builds_in_time_linear_in_its_size(tmp_path, unit):
    # pyromark splits such text into a piece per character or two: joined one by one,
    # a 4 MB note took minutes. Doubling the note may at most about double the time.
    size = 400_000
    small = _build_seconds(tmp_path, unit * (size // len(unit)))
    large = _build_seconds(tmp_path, unit * (2 * size // len(unit)))
    assert large / small < 3.5, (small, large)
