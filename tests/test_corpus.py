"""The development corpus (../shared/corpus, real vaults; skipped where it is absent)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flashgen.config import Config
from flashgen.pipeline import build
from flashgen.report import Severity

from .conftest import CORPUS, FIXED_TIME, import_deck

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is absent"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the corpus: a build writes its state file into the vault, and
    ../shared stays as it was laid (read-only in CI)."""
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


def _text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_corpus_builds_and_real_anki_imports_every_card(tmp_path, collection, corpus):
    out = tmp_path / "corpus.apkg"
    result = build(Config(inputs=(corpus,), output=out), clock=lambda: FIXED_TIME)

    assert result.report.notes >= 75
    errors = [
        d.format() for d in result.report.diagnostics if d.severity is Severity.ERROR
    ]
    assert errors == []
    assert len(result.cards) >= 300

    log = import_deck(collection, out)
    assert len(log.new) == len(result.cards)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = _text(card.question()), _text(card.answer())
        assert question, card.note()["Source"]
        assert len(answer) > len(question), card.note()["Source"]
    # Distinct cards never look like duplicates to Anki (the same first field).
    from anki.notes import NoteFieldsCheckResult

    duplicates = [
        note["Question"]
        for note in map(collection.get_note, collection.find_notes(""))
        if note.fields_check() == NoteFieldsCheckResult.DUPLICATE
    ]
    assert duplicates == []
    # Every embedded image that exists in the corpus made it into Anki's media folder.
    media = {m.name for item in result.cards for m in item.card.media}
    assert media
    assert media <= {path.name for path in Path(collection.media.dir()).iterdir()}


def test_corpus_notes_never_leave_mis_encoded_text(tmp_path, corpus):
    result = build(
        Config(inputs=(corpus,), output=tmp_path / "c.apkg"), clock=lambda: FIXED_TIME
    )
    for card in (item.card for item in result.cards):
        for field in (card.question, card.answer, card.context):
            assert "ðŸ" not in field and "â€" not in field, card.source


def test_corpus_cards_show_no_raw_obsidian_syntax_and_report_the_missing_embeds(
    tmp_path, corpus
):
    result = build(
        Config(inputs=(corpus,), output=tmp_path / "c.apkg"), clock=lambda: FIXED_TIME
    )
    for item in result.cards:
        card = item.card
        text = card.question + card.answer + card.context
        # Code shows what the author typed; everywhere else the syntax must be rendered.
        text = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", text, flags=re.DOTALL)
        where = f"{card.draft.note_path}:{card.draft.line}"
        assert "![[" not in text and "[[" not in text, where
        assert not re.search(r"(?<![\\\w])\$[^$\s][^$]*\$", text), where
        assert "<script" not in text.lower(), where
    media = [d for d in result.report.diagnostics if "embedded file" in d.message]
    assert [
        (d.path.rsplit("/", 1)[-1], d.line, d.message.split(" not found")[0])
        for d in media
    ] == [
        # The one image the corpus lacks (its vault never held it).
        (
            "🟩2 @ Mathematical Expectation.md",
            5,
            "embedded file 'Pasted image 20220118142243.png'",
        ),
        # Two embeds of a note outside the copied notes.
        (
            "SMTP.md",
            115,
            "embedded file '../../OSCP/enum-and-info-gathering/active/SMTP-enum.md#`VRFY`'",
        ),
        (
            "SMTP.md",
            118,
            "embedded file '../../OSCP/enum-and-info-gathering/active/SMTP-enum.md#`EXPN`'",
        ),
        # An image of the book the note was copied from (a path outside the vault),
        # closing the section of FTP commands, whose points are now cards.
        (
            "03 - FTP Enumeration.md",
            165,
            "embedded file '../../.gitbook/assets/image (227).png'",
        ),
    ]
    embedded = sum(len(item.card.media) for item in result.cards)
    assert embedded >= 50


def test_the_corpus_note_with_asp_in_code_makes_cards(tmp_path):
    # Its ASP web shell (`<% eval request("cmd") %>`) is in a code block: code, not a
    # Templater template.
    vault = tmp_path / "v"
    vault.mkdir()
    note = CORPUS / "TrshPuppy__obsidian-notes" / "PNPT" / "PEH" / "exploit-basics"
    shutil.copyfile(note / "shells.md", vault / "shells.md")
    result = build(Config(inputs=(vault,), output=tmp_path / "d.apkg"))
    assert len(result.cards) >= 5
    assert result.report.left_out == ()
