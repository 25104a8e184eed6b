"""Obsidian content as Anki shows it: media, math, code, links, callouts, tags and decks.

Built from tests/fixtures/vaults/content and imported into a real Anki collection.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from flashgen.config import load_config
from flashgen.pipeline import build

from .conftest import FIXED_TIME, FIXTURES, import_deck


@pytest.fixture
def imported(tmp_path, collection):
    vault = tmp_path / "vaults" / "content"
    shutil.copytree(FIXTURES / "vaults" / "content", vault)
    shutil.copytree(FIXTURES / "vaults" / "outside", tmp_path / "vaults" / "outside")
    result = build(
        load_config((vault,), output=tmp_path / "c.apkg"), clock=lambda: FIXED_TIME
    )
    import_deck(collection, tmp_path / "c.apkg")
    return vault, result, collection


def _note(col, label: str, context: str = "*"):
    # A cloze card of the same line holds the label too: the card asked is not one.
    query = f'"Question:*{label}<*" "Context:{context}" -"Question:*{{{{c*"'
    (nid,) = col.find_notes(query)
    return col.get_note(nid)


def _media_dir(col) -> Path:
    return Path(col.media.dir())


def test_images_are_imported_once_each_under_content_names(imported):
    _, _, col = imported
    files = {path.name: path.read_bytes() for path in _media_dir(col).iterdir()}
    # Four distinct images and the audio file; the twice-embedded image is stored once.
    assert len(files) == 5
    for name, data in files.items():
        assert (
            name.startswith("fg-")
            and name[3:23] == hashlib.sha256(data).hexdigest()[:20]
        )
    for label in ("Outer membrane", "Cristae", "Matrix", "Ribosomes", "Ionic"):
        answer = _note(col, label)["Answer"]
        (src,) = re.findall(r'<img src="([^"]+)"', answer)
        assert src in files, label
    assert _note(col, "Cristae")["Answer"].count("<img") == 1
    cristae = re.search(r'src="([^"]+)"', _note(col, "Cristae")["Answer"]).group(1)
    ribosomes = _note(col, "Ribosomes")["Answer"]
    assert f'src="{cristae}"' in ribosomes and 'width="100" height="80"' in ribosomes
    assert 'width="300"' in _note(col, "Outer membrane")["Answer"]


def test_same_named_images_resolve_to_the_closest_file(imported):
    vault, _, col = imported
    src = re.search(r'src="([^"]+)"', _note(col, "Ionic")["Answer"]).group(1)
    chemistry = (vault / "Chemistry" / "img" / "diagram.png").read_bytes()
    assert (_media_dir(col) / src).read_bytes() == chemistry
    src = re.search(r'src="([^"]+)"', _note(col, "Outer membrane")["Answer"]).group(1)
    biology = (vault / "Biology" / "Cells" / "diagram.png").read_bytes()
    assert (_media_dir(col) / src).read_bytes() == biology


def test_missing_and_outside_files_are_placeholders_with_warnings(imported):
    vault, result, col = imported
    assert "[missing: not-here.png]" in _note(col, "Missing")["Answer"]
    assert "outside the vault" in _note(col, "Escape")["Answer"]
    secret = (vault.parent / "outside" / "secret.png").read_bytes()
    assert all(path.read_bytes() != secret for path in _media_dir(col).iterdir())
    lines = [
        d.format() for d in result.report.diagnostics if "embedded file" in d.message
    ]
    assert lines == [
        "Biology/Cells/Mitochondria.md:24: warning: embedded file 'not-here.png' not found "
        "in the vault (check the name, or add the file to the vault)",
        "Biology/Cells/Mitochondria.md:26: warning: embedded file '../../../outside/secret.png'"
        " is outside the vault and was left out (move the file into the vault)",
    ]


def test_remote_images_stay_links_audio_plays_pdf_is_named(imported):
    _, _, col = imported
    remote = _note(col, "Remote")["Answer"]
    assert (
        '<a href="https://example.org/logo.png">logo</a>' in remote
        and "<img" not in remote
    )
    assert re.search(r"\[sound:fg-[0-9a-f]{20}\.mp3\]", _note(col, "Sound")["Answer"])
    assert 'class="fg-embed">paper.pdf<' in _note(col, "Paper")["Answer"]


def test_math_code_callouts_footnotes_and_highlights_render(imported):
    _, _, col = imported
    assert "\\(30\\)" in _note(col, "ATP yield")["Answer"]
    assert "\\[\\Delta G = -30.5\\,kJ/mol\\]" in _note(col, "ATP yield")["Answer"]
    code = _note(col, "Python")["Answer"]
    assert (
        '<pre class="fg-code"><code class="language-python"><span class="k">def</span>'
        in code
    )
    card = col.get_card(_note(col, "Python").card_ids()[0])
    css = card.note_type()["css"]
    assert ".fg-code .k {" in css and ".nightMode .fg-code .k" in css
    assert "<mark>remember this</mark>" in _note(col, "Pseudo")["Answer"]
    footnoted = _note(col, "Footnoted")["Answer"]
    assert "<sup>[1]</sup>" in footnoted and "endosymbiotic theory" in footnoted
    trap = _note(col, "Not the nucleus")
    assert trap["Answer"] == "<p>mitochondrial DNA is inherited from the mother.</p>"


def test_no_card_shows_raw_obsidian_syntax_or_scripts(imported):
    _, _, col = imported
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        text = "".join(note.values())
        assert "![[" not in text and "[[" not in text, note["Question"]
        assert not re.search(r"(?<![\\\w])\$[^$\s][^$]*\$", text), note["Question"]
        assert "<script" not in text.lower()


def test_tags_and_decks_as_anki_shows_them(imported):
    _, _, col = imported
    mito = _note(col, "Cristae")
    assert sorted(mito.tags) == sorted(
        ["Biology::Cells", "biology", "cells::organelles", "細胞", "exam::unit-1", "🧬"]
    )
    assert _note(col, "Ionic").tags == ["Chemistry"]  # Anki tags ignore case
    decks = {d.name for d in col.decks.all_names_and_ids()}
    assert {"Science::Cell Biology", "Content::Chemistry"} <= decks
    assert not any(
        name.endswith("Bonds") or name.endswith("Mitochondria") for name in decks
    )
    (card,) = _note(col, "Cristae").cards()
    assert col.decks.name(card.did) == "Science::Cell Biology"


def test_source_links_open_the_note_in_obsidian(imported):
    _, _, col = imported
    source = _note(col, "Ionic")["Source"]
    assert source == (
        '<a href="obsidian://open?vault=My%20Vault&amp;file=Chemistry%2FBonds">'
        "Chemistry/Bonds.md</a>"
    )


@pytest.mark.parametrize(
    ("setting", "expected"), [("path", "Chemistry/Bonds.md"), ("none", "")]
)
def test_source_link_can_be_plain_or_off(tmp_path, setting, expected):
    vault = tmp_path / "v"
    shutil.copytree(FIXTURES / "vaults" / "content" / "Chemistry", vault / "Chemistry")
    (vault / ".flashgen.toml").write_text(f'source_link = "{setting}"\n')
    result = build(
        load_config((vault,), output=tmp_path / "d.apkg"), clock=lambda: FIXED_TIME
    )
    assert {item.card.source for item in result.cards} == {expected}


def test_transclusion_inserts_sections_and_blocks_and_stops_loops(imported):
    _, result, col = imported
    organelle = _note(col, "Organelle", context="Mitochondria*")
    assert organelle["Answer"].startswith(
        '<div><div class="fg-transclusion"><h2>Organelle</h2><p>A specialised structure'
    )
    assert re.search(
        r'<img src="fg-[0-9a-f]{20}\.png" alt="" width="120">', organelle["Answer"]
    )
    assert _note(col, "Energy carrier")["Answer"] == (
        '<div><div class="fg-transclusion"><p>ATP carries energy between reactions in the '
        "cell.</p></div></div>"
    )
    assert _note(col, "Ghost")["Answer"] == (
        '<p><span class="fg-embed">Nowhere note</span> and '
        '<span class="fg-embed">Glossary#No such part</span></p>'
    )
    alpha = _note(col, "Alpha")["Answer"]
    assert (
        "<strong>Beta</strong>" in alpha
        and '<span class="fg-embed">Loop A</span>' in alpha
    )
    messages = [d.format() for d in result.report.diagnostics if "embed" in d.message]
    assert messages[2:] == [
        "Biology/Cells/Mitochondria.md:34: warning: embedded note 'Nowhere note' not found in "
        "the vault (check the name); shown as its name",
        "Biology/Cells/Mitochondria.md:34: warning: embedded note 'Biology/Cells/Glossary.md' "
        "has no heading 'No such part' (check the link); shown as its name",
        "Loops/Loop B.md:1: warning: 'Loop A' embeds itself in a loop; shown as its name "
        "(remove one of the embeds)",
        "Loops/Loop A.md:1: warning: 'Loop B' embeds itself in a loop; shown as its name "
        "(remove one of the embeds)",
    ]
