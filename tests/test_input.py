"""Wrong input through the command line: what is read, what is said, what is written."""

from __future__ import annotations

from pathlib import Path

from flashgen.cli import main

STATE = ".flashgen-state.json"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


def _written(folder: Path) -> list[str]:
    """Every .apkg and state file under the folder."""
    found = [*folder.rglob("*.apkg"), *folder.rglob(STATE)]
    return sorted(p.relative_to(folder).as_posix() for p in found)


def test_a_folder_without_markdown_notes_writes_nothing_and_exits_2(
    runner, tmp_path, monkeypatch
):
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "000_099fe966feba4373.txt").write_text("**A**: b\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "seed/"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "seed/: error: no Markdown notes found (flashgen reads .md files; "
        "1 .txt file was skipped)"
    ]
    assert result.stdout == ""
    assert _written(tmp_path) == []


def test_an_empty_folder_says_so(runner, tmp_path):
    empty = tmp_path / "empty"
    (empty / "attachments").mkdir(parents=True)
    (empty / "attachments" / "a.png").write_bytes(PNG)
    (empty / "b.markdown").write_text("**A**: b\n", encoding="utf-8")
    (empty / "c.txt").write_text("**A**: b\n", encoding="utf-8")
    result = runner.invoke(main, ["build", str(empty), "-o", str(tmp_path / "d.apkg")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{empty}/: error: no Markdown notes found (flashgen reads .md files; "
        "1 .markdown file and 1 .txt file were skipped)"
    ]
    assert _written(tmp_path) == []


def test_a_vault_whose_notes_are_all_left_out_writes_nothing(runner, tmp_path):
    vault = tmp_path / "v"
    (vault / "Templates").mkdir(parents=True)
    (vault / "Templates" / "Daily.md").write_text("**A**: b\n", encoding="utf-8")
    (vault / "Draft.md").write_text("**A**: b\n", encoding="utf-8")
    (vault / ".flashgen.toml").write_text('exclude = ["Draft.md"]\n', encoding="utf-8")
    result = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "d.apkg")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{vault}/: error: no notes to build: all 2 Markdown notes were left out "
        "(by include and exclude in .flashgen.toml, or as templates and drawings)"
    ]
    assert _written(tmp_path) == []


def test_a_txt_note_named_on_the_command_line_is_read_as_markdown(runner, tmp_path):
    note = tmp_path / "seed.txt"
    note.write_text("# Topic\n\n**A**: b\n", encoding="utf-8")
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(note), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 card from 1 note")
    assert out.is_file()


def test_a_picture_named_as_the_note_writes_nothing_and_exits_2(runner, tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG)
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(picture), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "photo.png: error: not a text file (NUL bytes): no cards (rename it, or remove "
        "it from the vault)",
        f"{picture}: error: no note could be read, so nothing was written (name "
        "Markdown notes)",
    ]
    assert _written(tmp_path) == []


def test_a_readable_note_beside_a_picture_still_makes_the_deck(runner, tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG)
    note = tmp_path / "N.md"
    note.write_text("**A**: b\n", encoding="utf-8")
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(note), str(picture), "-o", str(out)])
    assert result.exit_code == 1
    assert out.is_file()


def test_plain_text_between_the_dashes_is_a_warning_and_the_cards_are_made(
    runner, tmp_path
):
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "Java.md").write_text(
        "---\nCreated in August: a note about Java, see [[JVM]]\nmore words\n---\n"
        "# Java\n\n**JVM**: runs bytecode\n",
        encoding="utf-8",
    )
    (vault / "Words.md").write_text(
        "---\njust some words\n---\n**A**: b\n", encoding="utf-8"
    )
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Java.md:4: warning: front matter is not valid YAML: could not find expected "
        "':' (fix the YAML between the --- lines; tags and deck from it are ignored)",
        "Words.md:2: warning: front matter is a str, not a mapping (write it as "
        "`key: value` lines; tags and deck from it are ignored)",
    ]
    assert result.stdout.startswith("2 cards from 2 notes")
