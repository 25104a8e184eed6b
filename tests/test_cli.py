"""Command line: exit codes and the exact lines users see."""

from __future__ import annotations

import json

from flashgen.cli import main


def test_build_writes_a_deck_and_exits_0(runner, examples_vault, tmp_path):
    out = tmp_path / "out" / "deck.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert result.stdout.strip() == (
        "41 cards from 4 notes in 4 decks (41 added, 0 updated, 0 unchanged, "
        f"0 re-matched, 0 removed) -> {out}"
    )


def test_build_without_output_writes_into_decks(
    runner, examples_vault, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", str(examples_vault)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "decks" / "vault.apkg").is_file()


def test_a_note_with_an_error_still_builds_the_rest_and_exits_1(runner, tmp_path):
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "good.md").write_text("**A**: b\n", encoding="utf-8")
    (vault / "bad.md").write_bytes(b"**C**: d\x00\n")
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(vault), "-o", str(out)])
    assert result.exit_code == 1
    assert out.is_file()
    assert result.stderr.splitlines() == [
        "bad.md: error: not a text file (NUL bytes): no cards (rename it, or remove it "
        "from the vault)"
    ]
    assert result.stdout.strip().startswith("1 card from 2 notes")


def test_missing_input_exits_2_and_writes_nothing(runner, tmp_path):
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(tmp_path / "nope"), "-o", str(out)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"{tmp_path / 'nope'}: error: no such file or folder"
    )
    assert not out.exists()


def test_config_errors_are_listed_together_and_exit_2(runner, examples_vault, tmp_path):
    (examples_vault / ".flashgen.toml").write_text('dek_name = "x"\ncolour = 1\n')
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        ".flashgen.toml: error: unknown key 'dek_name' (did you mean 'deck_name'?)",
        ".flashgen.toml: error: unknown key 'colour' (known keys: cards, css, deck_layout, "
        "deck_name, description, exclude, folder_tags, include, namespace, output, "
        "source_link, vault_name)",
    ]
    assert not out.exists()


def test_config_file_names_the_deck_and_flags_override_it(
    runner, examples_vault, tmp_path
):
    (examples_vault / ".flashgen.toml").write_text('deck_name = "Study"\n')
    result = runner.invoke(main, ["cards", str(examples_vault), "--json"])
    assert {card["deck"].split("::")[0] for card in json.loads(result.stdout)} == {
        "Study"
    }
    result = runner.invoke(
        main, ["cards", str(examples_vault), "--json", "--deck-name", "X"]
    )
    assert {card["deck"].split("::")[0] for card in json.loads(result.stdout)} == {"X"}


def test_unwritable_output_exits_2(runner, examples_vault, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(
        main, ["build", str(examples_vault), "-o", str(blocker / "d.apkg")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{blocker / 'd.apkg'}: error: cannot write the deck"
    )
    assert "Traceback" not in result.output


def test_cards_json_lists_cards_without_writing(
    runner, examples_vault, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["cards", str(examples_vault), "--json"])
    assert result.exit_code == 0
    cards = json.loads(result.stdout)
    assert len(cards) == 41
    first = cards[0]
    assert set(first) == {
        "guid",
        "status",
        "kind",
        "deck",
        "note",
        "line",
        "context",
        "label",
        "fields",
        "tags",
        "media",
    }
    assert not (tmp_path / "decks").exists()


def test_cards_text_lists_one_line_per_card(runner, examples_vault):
    result = runner.invoke(main, ["cards", str(examples_vault)])
    lines = result.stdout.splitlines()
    assert len(lines) == 41
    assert lines[2] == (
        "Computing/Containers and Virtual Machines.md:19: [point] Containers and Virtual "
        "Machines \u203a Two ways to isolate software \u203a Containers \u203a Startup time"
    )


def test_help_documents_exit_codes_and_version(runner):
    result = runner.invoke(main, ["--help"])
    assert "Exit codes:" in result.stdout and "2  nothing written" in result.stdout
    for command in ("build", "cards"):
        assert "Exit codes:" in runner.invoke(main, [command, "--help"]).stdout
    assert (
        runner.invoke(main, ["--version"]).stdout.strip() == "flashgen, version 0.1.0"
    )


def test_rebuild_names_re_matches_and_removals_and_json_summarises(
    runner, examples_vault, tmp_path
):
    out = str(tmp_path / "d.apkg")
    assert runner.invoke(main, ["build", str(examples_vault), "-o", out]).exit_code == 0
    note = examples_vault / "Security" / "Defence Concepts.md"
    text = note.read_text(encoding="utf-8")
    text = text.replace("- **Retention**", "- **Keep for**")
    text = text.replace(
        "- **System Used**: Windows Event Log, collected with a forwarder.\n", ""
    )
    note.write_text(text, encoding="utf-8")

    dry = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--dry-run"])
    assert dry.exit_code == 0
    assert dry.stderr.splitlines() == [
        "Security/Defence Concepts.md:19: info: 'Log Sources \u203a Keep for' keeps the "
        "identity (and review history) of 'Log Sources \u203a Retention'",
        "Security/Defence Concepts.md: warning: card 'Log Sources \u203a System Used' is no "
        "longer in the notes; it stays in the deck suspended and tagged flashgen::removed "
        "(delete it in Anki with that tag search, or restore the point to keep it)",
    ]
    assert dry.stdout.startswith("dry run, nothing written: 40 cards from 4 notes")
    assert "(0 added, 1 updated, 38 unchanged, 1 re-matched, 1 removed)" in dry.stdout

    result = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--json"])
    summary = json.loads(result.stdout)
    assert {
        k: summary[k] for k in ("added", "updated", "unchanged", "rematched", "removed")
    } == {"added": 0, "updated": 1, "unchanged": 38, "rematched": 1, "removed": 1}
    assert summary["output"] == out and summary["dry_run"] is False


def test_a_moved_note_is_named_once_with_the_cards_it_keeps(
    runner, examples_vault, tmp_path
):
    out = str(tmp_path / "d.apkg")
    assert runner.invoke(main, ["build", str(examples_vault), "-o", out]).exit_code == 0
    note = examples_vault / "Security" / "Defence Concepts.md"
    (examples_vault / "Archive").mkdir()
    note.rename(examples_vault / "Archive" / note.name)
    text = (examples_vault / "Archive" / note.name).read_text(encoding="utf-8")
    (examples_vault / "Archive" / note.name).write_text(
        text.replace("- **Retention**", "- **Keep for**"), encoding="utf-8"
    )

    result = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    moved = summary["rematched"] - 1
    assert moved > 5
    assert result.stderr.splitlines() == [
        "Archive/Defence Concepts.md: info: was Security/Defence Concepts.md: its "
        f"{moved} cards keep their identity (and review history)",
        "Archive/Defence Concepts.md:20: info: 'Log Sources \u203a Keep for' keeps the "
        "identity (and review history) of 'Log Sources \u203a Retention' in "
        "Security/Defence Concepts.md",
    ]
    assert summary["added"] == summary["removed"] == 0


def test_cards_csv_has_a_row_per_card(runner, examples_vault):
    import csv
    import io

    result = runner.invoke(main, ["cards", str(examples_vault), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 41
    row = next(r for r in rows if r["question"] == "Retention")
    assert row["deck"] == "vault::Security" and row["kind"] == "point"
    assert row["context"] == "Log Sources" and row["answer"].startswith(
        "<p>90 days hot"
    )
    assert set(row["tags"].split()) == {"security", "security::blue-team"}


def test_stats_counts_cards_and_lists_notes_without_cards(runner, examples_vault):
    (examples_vault / "Empty thoughts.md").write_text("Just prose, no structure.\n")
    result = runner.invoke(main, ["stats", str(examples_vault)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "cards per deck:",
        "      13  vault::Security",
        "      12  vault::Computing",
        "       9  vault::Programming",
        "       7  vault::Storage",
    ]
    assert "      25  point" in lines
    assert lines[-2:] == ["notes that make no cards: 1", "  Empty thoughts.md"]


def test_shell_completion_script_is_offered(runner):
    result = runner.invoke(
        main, [], prog_name="flashgen", env={"_FLASHGEN_COMPLETE": "bash_source"}
    )
    assert result.exit_code == 0
    assert "_flashgen_completion" in result.stdout


def test_make_demo_commands_give_decks_that_anki_imports(
    runner, tmp_path, monkeypatch, collection
):
    import re
    import shlex
    import shutil

    from .conftest import ROOT, import_deck

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    commands = [
        shlex.split(line.strip().removeprefix("$(BIN)/flashgen "))
        for line in recipe.splitlines()
        if "$(BIN)/flashgen" in line
    ]
    assert len(commands) == 2
    shutil.copytree(
        ROOT / "examples",
        tmp_path / "examples",
        ignore=shutil.ignore_patterns(".flashgen-state.json"),
    )
    monkeypatch.chdir(tmp_path)
    for command in commands:
        assert runner.invoke(main, command).exit_code == 0, command
    decks = sorted((tmp_path / "decks").glob("*.apkg"))
    assert [d.name for d in decks] == ["examples.apkg", "photosynthesis.apkg"]
    added = sum(len(import_deck(collection, deck).new) for deck in decks)
    assert added == len(collection.find_notes("")) == 41 + 8
    assert re.search(
        r"examples\.apkg", (ROOT / "README.md").read_text(encoding="utf-8")
    )


def test_progress_bar_shows_on_a_terminal_for_long_builds(tmp_path):
    import shutil
    import subprocess
    import sys

    import pytest

    from .conftest import ROOT

    if shutil.which("script") is None:
        pytest.skip("util-linux `script` is needed to give the build a terminal")
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    vault = tmp_path / "vault"
    generate(vault, 250, seed=2)
    build = (
        f"{sys.executable} -m flashgen.cli build {vault} -o {tmp_path / 'd.apkg'} -j 1"
    )
    on_terminal = subprocess.run(
        ["script", "-qc", build, "/dev/null"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "notes  [" in on_terminal.stdout and "100%" in on_terminal.stdout
    piped = subprocess.run(build.split(), capture_output=True, text=True, check=True)
    assert "notes  [" not in piped.stdout + piped.stderr
