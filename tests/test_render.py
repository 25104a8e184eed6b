"""Render stage: media from the vault, placeholders, sanitising, context."""

from __future__ import annotations

from pathlib import Path

from flashgen.extract import extract_cards
from flashgen.media import MediaIndex
from flashgen.parse import parse_text
from flashgen.render import render_card, sanitise

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def _render(vault: Path, rel: str, markdown: str):
    note = parse_text(rel, markdown)
    index = MediaIndex(vault)
    return [render_card(draft, "D", index) for draft in extract_cards(note)]


def test_embeds_resolve_like_obsidian_and_are_stored_by_content(tmp_path):
    (tmp_path / "a" / "img").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "img" / "x.png").write_bytes(PNG)
    (tmp_path / "b" / "x.png").write_bytes(PNG + b"other")
    (tmp_path / "shared.png").write_bytes(PNG)
    markdown = (
        "**One**: ![[x.png|300]]\n\n**Two**: ![alt](img/x.png)\n\n"
        "**Three**: ![[shared.png]] ![[b/x.png|20x10]]\n"
    )
    cards = [r.card for r in _render(tmp_path, "a/Note.md", markdown)]
    one, two, three = cards
    # By name anywhere: the file closest to the note wins (a/img/x.png over b/x.png).
    assert one.media[0].source == "a/img/x.png" and 'width="300"' in one.answer
    assert two.media[0].source == "a/img/x.png" and 'alt="alt"' in two.answer
    assert [m.source for m in three.media] == ["shared.png", "b/x.png"]
    assert 'width="20" height="10"' in three.answer
    # Same bytes, same name; different bytes, different names.
    assert one.media[0].name == two.media[0].name == three.media[0].name
    assert three.media[1].name != three.media[0].name
    assert all(
        m.name.startswith("fg-") and m.name.endswith(".png")
        for c in cards
        for m in c.media
    )


def test_missing_or_escaping_embeds_become_placeholders_and_warnings(tmp_path):
    (tmp_path.parent / "secret.png").write_bytes(PNG)
    rendered = _render(
        tmp_path, "Note.md", "**A**: x\n![[gone.png]]\n\n**B**: ![s](../secret.png)\n"
    )
    (a, b) = rendered
    assert "[missing: gone.png]" in a.card.answer and not a.card.media
    assert [d.format() for d in a.diagnostics] == [
        "Note.md:2: warning: embedded file 'gone.png' not found in the vault "
        "(check the name, or add the file to the vault)"
    ]
    assert "[outside the vault: ../secret.png]" in b.card.answer and not b.card.media
    assert [d.message for d in b.diagnostics] == [
        "embedded file '../secret.png' is outside the vault and was left out "
        "(move the file into the vault)"
    ]


def test_remote_images_stay_links(tmp_path):
    text = (
        "**A**: the logo ![logo](https://example.org/l.png) ![](https://e.org/m.png)\n"
    )
    (card,) = _render(tmp_path, "N.md", text)
    assert card.card.answer == (
        '<p>the logo <a href="https://example.org/l.png">logo</a> '
        '<a href="https://e.org/m.png">(image)</a></p>'
    )


def test_an_answer_of_remote_images_only_makes_no_card(tmp_path):
    assert (
        _render(tmp_path, "N.md", "**A**: ![logo](https://example.org/l.png)\n") == []
    )


def test_note_embeds_show_their_name(tmp_path):
    (card,) = _render(tmp_path, "N.md", "**A**: ![[Other note#Part]]\n")
    assert '<span class="fg-embed">Other note#Part</span>' in card.card.answer


def test_context_names_note_and_heading_path(tmp_path):
    cards = _render(tmp_path, "Dir/Topic.md", "## A\n### B\n**Label**: x\n")
    assert cards[-1].card.context == "Topic \u203a A \u203a B"
    assert cards[-1].card.source == "Dir/Topic.md"


def test_sanitiser_drops_scripts_handlers_and_javascript_urls():
    dirty = (
        '<a href="javascript:alert(1)" onclick="x()">l</a>'
        '<iframe src="x"></iframe><img src=x onerror=y>'
    )
    clean = sanitise(dirty)
    assert (
        "javascript" not in clean and "onclick" not in clean and "iframe" not in clean
    )
    assert "onerror" not in clean


def test_a_note_is_found_by_its_file_name_as_a_path_would_name_it():
    from pathlib import PurePosixPath

    from flashgen.transclude import _stem

    names = ["a.md", "b/c.md", ".md", "x/.md", "a.b.md", "x/y.", "x/y..md", "é/ü.MD"]
    names += ["no-suffix", "x/.hidden.md", "a/b/c.tar.gz", ".."]
    assert [_stem(name) for name in names] == [PurePosixPath(n).stem for n in names]


def test_maths_gets_the_macros_of_the_nearest_preamble(tmp_path):
    (tmp_path / "Maths").mkdir()
    (tmp_path / "Maths" / "preamble.sty").write_text(
        "% sets\n\\newcommand{\\pow}{\\mathcal{P}}  % power set\n", encoding="utf-8"
    )
    (card,) = _render(tmp_path, "Maths/N.md", "**Power set**: $\\pow(X)$\n")
    defined = '<span class="fg-preamble">\\(\\newcommand{\\pow}{\\mathcal{P}}\\)</span>'
    assert card.card.answer.startswith(defined)
    assert card.card.question.startswith(defined)
    (plain,) = _render(tmp_path, "Other.md", "**Power set**: $P(X)$\n")
    assert "fg-preamble" not in plain.card.answer
