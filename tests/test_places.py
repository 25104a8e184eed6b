"""Where a build reads and writes: the vault root, its state file and settings, the deck.

Driven through the command line on real files: a note's identity must not depend on how it
was named, wrong input writes nothing, and a deck inside the vault is warned about.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from flashgen.cli import main

STATE = ".flashgen-state.json"
JAVA = (
    "---\ntags: [lang]\n---\n# Java\n\n"
    "**JVM**: runs bytecode\n\n**JIT**: compiles hot code\n"
)


def deck_cards(apkg: Path) -> dict[str, str]:
    """Each card's GUID and the name of the deck it is in."""
    database = apkg.with_suffix(".anki2")
    with zipfile.ZipFile(apkg) as archive:
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        decks = json.loads(connection.execute("select decks from col").fetchone()[0])
        rows = connection.execute(
            "select notes.guid, cards.did from notes join cards on cards.nid = notes.id"
        ).fetchall()
    finally:
        connection.close()
        database.unlink()
    return {guid: decks[str(did)]["name"] for guid, did in rows}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An Obsidian vault with a note in a sub-folder and one at the top."""
    root = tmp_path / "Vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "Languages").mkdir()
    (root / "Languages" / "03 - Java.md").write_text(JAVA, encoding="utf-8")
    (root / "Other.md").write_text("**Kernel**: runs the machine\n", encoding="utf-8")
    return root


def _build(runner, *args: str) -> dict:
    result = runner.invoke(main, ["build", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _state_files(tmp_path: Path) -> list[str]:
    return sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob(STATE))


def test_a_note_built_after_its_vault_keeps_the_vault_builds_cards(
    runner, vault, tmp_path
):
    whole = tmp_path / "whole.apkg"
    one = tmp_path / "one.apkg"
    _build(runner, str(vault), "-o", str(whole))
    summary = _build(runner, str(vault / "Languages" / "03 - Java.md"), "-o", str(one))

    in_vault, alone = deck_cards(whole), deck_cards(one)
    assert len(alone) == 3
    assert {guid: in_vault[guid] for guid in alone} == alone
    assert set(alone.values()) == {"Vault::Languages"}
    assert (summary["added"], summary["unchanged"]) == (0, 3)
    assert _state_files(tmp_path) == [f"Vault/{STATE}"]


def test_a_vault_built_after_one_of_its_notes_adds_only_the_other_notes(
    runner, vault, tmp_path
):
    one = tmp_path / "one.apkg"
    whole = tmp_path / "whole.apkg"
    _build(runner, str(vault / "Languages" / "03 - Java.md"), "-o", str(one))
    assert _state_files(tmp_path) == [f"Vault/{STATE}"]
    summary = _build(runner, str(vault), "-o", str(whole))

    alone, in_vault = deck_cards(one), deck_cards(whole)
    assert {guid: in_vault[guid] for guid in alone} == alone
    # Only Other.md's card is new: the note's three cards were built already.
    assert (summary["added"], summary["unchanged"]) == (1, 3)
    assert _state_files(tmp_path) == [f"Vault/{STATE}"]


def test_a_note_named_from_inside_its_vault_is_the_same_note(
    runner, vault, tmp_path, monkeypatch
):
    whole = tmp_path / "whole.apkg"
    _build(runner, str(vault), "-o", str(whole))
    monkeypatch.chdir(vault / "Languages")
    summary = _build(runner, "03 - Java.md", "-o", "../../one.apkg")

    alone = deck_cards(tmp_path / "one.apkg")
    assert alone.items() <= deck_cards(whole).items()
    assert summary["unchanged"] == 3
    assert _state_files(tmp_path) == [f"Vault/{STATE}"]


def test_a_note_built_in_a_subprocess_from_the_vault_folder(vault, tmp_path):
    whole = tmp_path / "whole.apkg"
    command = [sys.executable, "-m", "flashgen", "build"]
    subprocess.run([*command, str(vault), "-o", str(whole)], check=True)
    subprocess.run(
        [*command, "Languages/03 - Java.md", "-o", str(tmp_path / "one.apkg")],
        cwd=vault,
        check=True,
        capture_output=True,
    )
    assert deck_cards(tmp_path / "one.apkg").items() <= deck_cards(whole).items()
    assert _state_files(tmp_path) == [f"Vault/{STATE}"]


def test_a_note_build_uses_the_vaults_settings(runner, vault, tmp_path):
    (vault / ".flashgen.toml").write_text('deck_name = "Study"\n', encoding="utf-8")
    one = tmp_path / "one.apkg"
    _build(runner, str(vault / "Languages" / "03 - Java.md"), "-o", str(one))
    assert set(deck_cards(one).values()) == {"Study::Languages"}


def test_the_nearest_marked_folder_is_the_vault(runner, tmp_path):
    """A folder with the settings file or the state file is a vault like one with
    .obsidian/; with none of them above it, a note is its own folder's."""
    outer = tmp_path / "outer"
    (outer / "notes" / "deep").mkdir(parents=True)
    (outer / ".flashgen.toml").write_text('deck_name = "Outer"\n', encoding="utf-8")
    (outer / "notes" / "deep" / "A.md").write_text(JAVA, encoding="utf-8")
    _build(runner, str(outer / "notes" / "deep" / "A.md"), "-o", str(tmp_path / "a"))
    assert _state_files(tmp_path) == [f"outer/{STATE}"]
    assert set(deck_cards(tmp_path / "a").values()) == {"Outer::notes::deep"}

    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "B.md").write_text(JAVA, encoding="utf-8")
    for _ in range(2):  # the second build finds the first one's state file
        _build(runner, str(loose / "B.md"), "-o", str(tmp_path / "b"))
        assert _state_files(tmp_path) == [f"loose/{STATE}", f"outer/{STATE}"]
        assert set(deck_cards(tmp_path / "b").values()) == {"loose"}


def test_notes_from_two_vaults_are_refused(runner, vault, tmp_path):
    other = tmp_path / "Other"
    (other / ".obsidian").mkdir(parents=True)
    (other / "X.md").write_text("**X**: y\n", encoding="utf-8")
    out = tmp_path / "d.apkg"
    result = runner.invoke(
        main, ["build", str(vault / "Other.md"), str(other / "X.md"), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "error: notes from two vaults" in result.stderr
    assert not out.exists()


INSIDE = (
    "warning: the deck is written inside the vault, where sync and git pick it up "
    "(write it elsewhere with -o)"
)


def test_a_deck_written_inside_the_vault_is_warned_about(runner, vault, monkeypatch):
    monkeypatch.chdir(vault / "Languages")
    result = runner.invoke(main, ["build", "03 - Java.md"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"decks/03---Java.apkg: {INSIDE}"]
    assert (vault / "Languages" / "decks" / "03---Java.apkg").is_file()
    assert result.stdout.rstrip().endswith("-> decks/03---Java.apkg")

    result = runner.invoke(main, ["build", "..", "-o", "../Vault.apkg"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"../Vault.apkg: {INSIDE}"]


def test_a_deck_outside_the_vault_is_not_warned_about(runner, vault, tmp_path):
    """As `make demo` builds examples/vault into ./decks: the default place, outside."""
    result = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "v.apkg")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_output_in_the_settings_is_read_from_the_vault_folder(
    runner, vault, tmp_path, monkeypatch
):
    (vault / ".flashgen.toml").write_text(
        'output = "../built/study.apkg"\n', encoding="utf-8"
    )
    # Run from the folder the vault is in: read from there, the path would name
    # ../built beside it. (Outside the vault's folder and the current folder, the
    # settings may not name a deck; see test_robustness.py.)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", str(vault)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "built" / "study.apkg").is_file()
    # A note's deck goes beside the vault's, named after the note: it never replaces it.
    result = runner.invoke(main, ["build", str(vault / "Other.md")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "built").iterdir()) == [
        "Other.apkg",
        "study.apkg",
    ]
    assert len(deck_cards(tmp_path / "built" / "study.apkg")) == 4


def test_output_in_the_settings_inside_the_vault_is_warned_about(
    runner, vault, tmp_path, monkeypatch
):
    (vault / ".flashgen.toml").write_text('output = "decks/v.apkg"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "Vault"])
    assert result.exit_code == 0, result.output
    assert (vault / "decks" / "v.apkg").is_file()
    assert result.stderr.splitlines() == [f"{vault / 'decks' / 'v.apkg'}: {INSIDE}"]
