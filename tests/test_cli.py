"""Command line: exit codes and the exact lines users see."""

from __future__ import annotations

import json

from flashgen.cli import main
from flashgen.report import Diagnostic, Severity


def test_build_writes_a_deck_and_exits_0(runner, examples_vault, tmp_path):
    out = tmp_path / "out" / "deck.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert result.stdout.strip() == (
        "63 cards from 6 notes in 6 decks (63 added, 0 updated, 0 unchanged, "
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
        ".flashgen.toml: error: unknown key 'colour' (known keys: cards, cloze_bold, "
        "cloze_curly, cloze_highlights, css, deck_layout, deck_name, description, "
        "exclude, flashcard_tags, flashcards_in_every_note, folder_tags, include, "
        "multi_line_reversed_separator, multi_line_separator, namespace, output, "
        "preamble, reverse, single_line_reversed_separator, single_line_separator, source_link, "
        "vault_name)",
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
    assert len(cards) == 63
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
    assert len(lines) == 63
    assert lines[6] == (
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
        "- **Detection** - Notice that something is wrong, from alerts, logs or a "
        "user's report.\n",
        "",
    )
    note.write_text(text, encoding="utf-8")

    dry = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--dry-run"])
    assert dry.exit_code == 0
    assert dry.stderr.splitlines() == [
        "Security/Defence Concepts.md:19: info: 'Log Sources \u203a Keep for' keeps the "
        "identity (and review history) of 'Log Sources \u203a Retention'",
        "Security/Defence Concepts.md: warning: card 'Incident Response Phases \u203a "
        "Detection' is no longer in the notes; importing the deck tags it "
        "flashgen::removed, but Anki keeps it in review (in Anki's Browser search "
        "tag:flashgen::removed, then suspend or delete; or restore the point to keep it)",
    ]
    assert dry.stdout.startswith("dry run, nothing written: 62 cards from 6 notes")
    assert "(0 added, 2 updated, 59 unchanged, 1 re-matched, 1 removed)" in dry.stdout

    result = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--json"])
    summary = json.loads(result.stdout)
    assert {
        k: summary[k] for k in ("added", "updated", "unchanged", "rematched", "removed")
    } == {"added": 0, "updated": 2, "unchanged": 59, "rematched": 1, "removed": 1}
    assert summary["output"] == out and summary["dry_run"] is False


def test_a_deleted_note_is_named_once_with_its_count_and_verbose_names_each_card(
    runner, examples_vault, tmp_path
):
    out = str(tmp_path / "d.apkg")
    first = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--json"])
    note = examples_vault / "Security" / "Defence Concepts.md"
    gone = len(
        [
            c
            for c in json.loads(
                runner.invoke(main, ["cards", str(examples_vault), "--json"]).stdout
            )
            if c["note"] == "Security/Defence Concepts.md"
        ]
    )
    assert first.exit_code == 0 and gone > 5
    note.unlink()

    result = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--verbose"])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    assert warnings == [
        f"Security/Defence Concepts.md: warning: {gone} cards are no longer in the notes "
        f"('Defence in Depth' and {gone - 1} others); importing the deck tags them "
        "flashgen::removed, but Anki keeps them in review (in Anki's Browser search "
        "tag:flashgen::removed, then suspend or delete; or restore the points to keep "
        "them)"
    ]
    named = [line for line in lines if line.endswith("' was removed")]
    assert len(named) == gone
    assert all(
        line.startswith("Security/Defence Concepts.md: info: card '") for line in named
    )

    # Restored and deleted again: --json lists every card, the text one line a note.
    note.write_text("# Defence Concepts\n\n**Gone**: soon.\n", encoding="utf-8")
    runner.invoke(main, ["build", str(examples_vault), "-o", out])
    note.unlink()
    quiet = runner.invoke(main, ["build", str(examples_vault), "-o", out, "--json"])
    summary = json.loads(quiet.stdout)
    assert summary["removed_cards"] == [
        {"note": "Security/Defence Concepts.md", "message": "card 'Gone' was removed"}
    ]
    assert "was removed" not in quiet.stderr


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
        "Archive/Defence Concepts.md: warning: 12 cards now belong to deck "
        "'vault::Archive', not 'vault::Security'; importing does not move cards Anki "
        'already has (in Anki\'s Browser search "deck:vault::Security", select them, '
        "then Cards > Change Deck)",
    ]
    assert summary["added"] == summary["removed"] == 0


def test_cards_csv_has_a_row_per_card(runner, examples_vault):
    import csv
    import io

    result = runner.invoke(main, ["cards", str(examples_vault), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 63
    row = next(r for r in rows if r["question"] == "Log Sources - Retention")
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
    assert lines[:6] == [
        "cards per deck:",
        "      19  vault::Medicine",
        "      12  vault::Security",
        "      11  vault::Computing",
        "       9  vault::Storage",
        "       8  vault::Programming",
    ]
    assert "      26  point" in lines and "      14  cloze" in lines
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
    assert added == len(collection.find_notes("")) == 63 + 7
    assert re.search(
        r"examples\.apkg", (ROOT / "README.md").read_text(encoding="utf-8")
    )


def _on_terminal(args, env=None, code=0):
    """Run a command with a pseudo-terminal for its stdin, stdout and stderr; what it
    wrote there, as text (lines end in CR LF on a terminal)."""
    import os
    import subprocess

    import pytest

    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        args,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, **(env or {})},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == code
    return b"".join(chunks).decode("utf-8", "replace")


def _command(*args):
    import sys

    return [sys.executable, "-m", "flashgen", *map(str, args)]


def test_progress_bar_shows_on_a_terminal_whatever_the_speed(examples_vault, tmp_path):
    import os
    import re
    import subprocess

    build = _command(
        "build", examples_vault, "-o", tmp_path / "d.apkg", "-j", "1", "--no-cache"
    )
    # The delay before the bar shows is set to 0: a fast machine shows it too.
    shown = _on_terminal(build, {"FLASHGEN_PROGRESS_DELAY": "0"})
    frames = [frame for frame in re.split(r"[\r\n]+", shown) if "%" in frame]
    labels = [frame.split("  [")[0].split("\x1b[?25l")[-1] for frame in frames]
    # The notes, then the deck being written: full only once the deck is written.
    assert labels == sorted(labels, key=["notes", "identities", "writing deck"].index)
    assert {"notes", "writing deck"} <= set(labels)
    assert [f for f in frames if "100%" in f] == [frames[-1]]
    assert labels[-1] == "writing deck"
    # A build quicker than the delay shows none.
    assert "notes  [" not in _on_terminal(build, {"FLASHGEN_PROGRESS_DELAY": "600"})
    piped = subprocess.run(
        build,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FLASHGEN_PROGRESS_DELAY": "0"},
    )
    assert "[" not in piped.stdout + piped.stderr


def _vault_with_an_error_and_a_warning(tmp_path):
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "bad.md").write_bytes(b"**C**: d\x00\n")  # an error: not a text file
    (vault / "pic.md").write_text("**A**: b ![[gone.png]]\n", encoding="utf-8")
    return vault


def test_errors_and_warnings_are_coloured_on_a_terminal_only(runner, tmp_path):
    import click

    vault = _vault_with_an_error_and_a_warning(tmp_path)
    build = ["build", str(vault), "-o", str(tmp_path / "d.apkg")]
    red = click.style("error", fg="red", bold=True)
    yellow = click.style("warning", fg="yellow", bold=True)

    coloured = runner.invoke(main, build, color=True)
    assert coloured.exit_code == 1
    assert [line.split(": ", 2)[1] for line in coloured.stderr.splitlines()] == [
        red,
        yellow,
    ]
    assert coloured.stderr.startswith(f"bad.md: {red}: not a text file")

    piped = runner.invoke(main, build)
    assert "\x1b[" not in piped.stderr and "bad.md: error: " in piped.stderr
    plain = runner.invoke(main, build, color=True, env={"NO_COLOR": "1"})
    assert plain.stderr == piped.stderr
    # check prints its messages on stdout, coloured the same way.
    assert (
        f"pic.md:1: {yellow}: "
        in runner.invoke(main, ["check", str(vault)], color=True).stdout
    )


def test_a_real_terminal_shows_colour_unless_no_color_is_set(tmp_path):
    vault = _vault_with_an_error_and_a_warning(tmp_path)
    build = _command("build", vault, "-o", tmp_path / "d.apkg")
    on_terminal = _on_terminal(build, {"FLASHGEN_PROGRESS_DELAY": "600"}, code=1)
    assert "bad.md: \x1b[31m\x1b[1merror\x1b[0m: not a text file" in on_terminal
    without = _on_terminal(
        build, {"FLASHGEN_PROGRESS_DELAY": "600", "NO_COLOR": "1"}, code=1
    )
    assert "\x1b[3" not in without and "bad.md: error: not a text file" in without


def test_watch_says_what_it_watches_and_prints_what_build_prints(
    examples_vault, tmp_path
):
    import os
    import queue
    import signal
    import subprocess
    import threading
    import time

    watch = subprocess.Popen(
        _command("watch", examples_vault, "-o", tmp_path / "d.apkg"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue = queue.Queue()
    readers = [
        threading.Thread(
            target=lambda s=stream: [lines.put(line.rstrip("\n")) for line in s]
        )
        for stream in (watch.stdout, watch.stderr)
    ]
    for reader in readers:
        reader.start()
    seen = []

    def wait_for(*wanted):
        deadline = time.monotonic() + 30
        while not all(any(w in line for line in seen) for w in wanted):
            seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.1)))

    try:
        wait_for("63 cards from 6 notes")
        assert seen[0] == (
            f"watching {examples_vault.resolve()} for changes (Ctrl-C to stop)"
        )
        seen.clear()
        note = examples_vault / "Security" / "Defence Concepts.md"
        text = note.read_text(encoding="utf-8")
        text = text.replace("- **Retention**", "- **Keep for**")
        text = text.replace(
            "- **Detection** - Notice that something is wrong, from alerts, logs or a "
            "user's report.\n",
            "",
        )
        note.write_text(text, encoding="utf-8")
        # The same news of changes as `flashgen build` prints (see the dry run above).
        wait_for(
            "1 re-matched, 1 removed",
            "Security/Defence Concepts.md:19: info: 'Log Sources \u203a Keep for' keeps "
            "the identity (and review history) of 'Log Sources \u203a Retention'",
            "Security/Defence Concepts.md: warning: card 'Incident Response Phases \u203a "
            "Detection' is no longer in the notes",
        )
    finally:
        watch.send_signal(signal.SIGINT)
        watch.wait(timeout=20)
        for reader in readers:
            reader.join(timeout=20)
        watch.stdout.close()
        watch.stderr.close()
    assert watch.returncode == 0


def _opener(folder, script):
    """A folder for PATH holding an xdg-open that runs `script` (sh)."""
    folder.mkdir()
    opener = folder / "xdg-open"
    opener.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    opener.chmod(0o755)
    return folder


def test_preview_open_without_a_browser_says_where_the_page_is(
    runner, examples_vault, tmp_path
):
    import sys

    import pytest

    if sys.platform in {"win32", "darwin"}:
        pytest.skip("xdg-open opens pages on Linux and BSD only")
    page = tmp_path / "cards.html"
    preview = ["preview", str(examples_vault), "-o", str(page), "--open"]
    warning = (
        f"{page}: warning: no browser could be opened "
        "(open this page in a browser yourself)"
    )
    failing = _opener(tmp_path / "failing", "echo 'no method available' >&2; exit 3")
    for path in (failing, tmp_path / "nothing"):  # xdg-open fails, or is not there
        result = runner.invoke(main, preview, env={"PATH": str(path)})
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == [warning]
        assert result.stdout == f"63 cards -> {page}\n" and page.is_file()

    opened = tmp_path / "opened"
    working = _opener(tmp_path / "working", f"echo \"$1\" > '{opened}'")
    result = runner.invoke(main, preview, env={"PATH": str(working)})
    assert result.exit_code == 0 and result.stderr == ""
    assert opened.read_text(encoding="utf-8").strip() == str(page)


def _vault_for_check(tmp_path):
    vault = _vault_with_an_error_and_a_warning(tmp_path)
    (vault / "pic.md").write_text(
        "**A**: b ![[gone.png]]\n\n**Not a label** just bold.\nSee [[Nowhere]].\n",
        encoding="utf-8",
    )
    return vault


def test_check_json_gives_each_message_and_the_counts(runner, tmp_path):
    vault = _vault_for_check(tmp_path)
    text = runner.invoke(main, ["check", str(vault)])
    result = runner.invoke(main, ["check", str(vault), "--json"])
    assert result.exit_code == text.exit_code == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["notes"] == 2 and report["cards"] == 1
    assert report["counts"] == {"error": 1, "warning": 1, "info": 2}
    assert [
        Diagnostic(d["path"], d["line"], Severity(d["severity"]), d["message"]).format()
        for d in report["diagnostics"]
    ] == text.stdout.splitlines()
    assert report["diagnostics"][0] == {
        "path": "bad.md",
        "line": 0,
        "severity": "error",
        "message": "not a text file (NUL bytes): no cards (rename it, or remove it "
        "from the vault)",
    }


def test_quiet_leaves_out_hints_and_summary_lines_on_every_command(
    runner, tmp_path, examples_vault
):
    vault = _vault_for_check(tmp_path)
    check = runner.invoke(main, ["check", str(vault), "-q"])
    assert check.exit_code == 1 and check.stderr == ""
    assert [line.split(": ")[1] for line in check.stdout.splitlines()] == [
        "error",
        "warning",
    ]
    quiet_json = json.loads(
        runner.invoke(main, ["check", str(vault), "-q", "--json"]).stdout
    )
    assert [d["severity"] for d in quiet_json["diagnostics"]] == ["error", "warning"]
    assert quiet_json["counts"]["info"] == 2

    page = tmp_path / "cards.html"
    for command in (
        ["cards", str(examples_vault)],
        ["stats", str(examples_vault)],
        ["preview", str(examples_vault), "-o", str(page)],
    ):
        loud = runner.invoke(main, command)
        quiet = runner.invoke(main, [*command, "--quiet"])
        assert loud.exit_code == quiet.exit_code == 0, command
        assert loud.stdout + loud.stderr != quiet.stdout + quiet.stderr, command
        assert "63 cards" not in quiet.stdout + quiet.stderr, command
    assert (
        runner.invoke(
            main, ["preview", str(examples_vault), "-o", str(page), "-q"]
        ).output
        == ""
    )


def test_stats_json_has_the_sections_of_the_text(runner, examples_vault):
    (examples_vault / "Empty thoughts.md").write_text("Just prose, no structure.\n")
    result = runner.invoke(main, ["stats", str(examples_vault), "--json"])
    assert result.exit_code == 0 and result.stderr == ""
    stats = json.loads(result.stdout)
    assert list(stats) == [
        "notes",
        "cards",
        "cards_per_deck",
        "cards_per_kind",
        "cards_per_note",
        "notes_without_cards",
    ]
    assert stats["notes"] == 7 and stats["cards"] == 63
    assert list(stats["cards_per_deck"].items()) == [
        ("vault::Medicine", 19),
        ("vault::Security", 12),
        ("vault::Computing", 11),
        ("vault::Storage", 9),
        ("vault::Programming", 8),
        ("vault::Biology", 4),
    ]
    assert stats["cards_per_kind"]["point"] == 26
    assert sum(stats["cards_per_note"].values()) == 63
    assert stats["notes_without_cards"] == ["Empty thoughts.md"]


def test_cards_json_with_another_format_is_a_usage_error(runner, examples_vault):
    result = runner.invoke(
        main, ["cards", str(examples_vault), "--json", "--format", "csv"]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: --json and --format csv ask for different outputs (give one of them)"
    )
    same = runner.invoke(
        main, ["cards", str(examples_vault), "--json", "--format", "json"]
    )
    assert same.exit_code == 0 and len(json.loads(same.stdout)) == 63


def _left_out_vault(tmp_path):
    vault = tmp_path / "v"
    for rel, text in {
        "Shells.md": '# Shells\n\n**Web shell**: runs commands.\n\n```bash\necho "<% '
        'tp.date.now() %>"\n```\n\nInline `<% x %>` too.\n',
        "Daily.md": "# Daily\n\n<% tp.file.title %>\n\n**Q**: a\n",
        "Off.md": "---\nflashgen: false\n---\n**Q**: a\n",
        "Templates/T.md": "**Q**: a\n",
        "Drawings/D.excalidraw.md": "x\n",
    }.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, encoding="utf-8")
    return vault


_LEFT_OUT = [
    "Daily.md: info: left out as a Templater template: it has <% %> outside code "
    "(write the syntax as `code`, or move the note to the template folder)",
    "Drawings/D.excalidraw.md: info: left out as an Excalidraw drawing",
    "Off.md: info: left out by 'flashgen: false' in its front matter (remove it to "
    "make cards)",
    "Templates/T.md: info: left out as a template: it is in the template folder "
    "(move it out of Templates/ to make cards)",
]


def test_templater_syntax_in_code_is_code_and_left_out_notes_say_why(runner, tmp_path):
    vault = _left_out_vault(tmp_path)
    out = str(tmp_path / "d.apkg")
    listed = runner.invoke(main, ["cards", str(vault), "--json"])
    assert {card["note"] for card in json.loads(listed.stdout)} == {"Shells.md"}

    check = runner.invoke(main, ["check", str(vault)])
    assert [line for line in check.stdout.splitlines() if "left out" in line] == (
        _LEFT_OUT
    )
    plain = runner.invoke(main, ["build", str(vault), "-o", out])
    assert plain.exit_code == 0, plain.output
    assert "left out" not in plain.stderr
    for args in ([], ["--no-cache"]):
        verbose = runner.invoke(main, ["build", str(vault), "-o", out, "-v", *args])
        assert verbose.exit_code == 0, verbose.output
        lines = verbose.stderr.splitlines()
        assert [line for line in lines if "left out" in line] == _LEFT_OUT


def test_a_full_disk_is_one_line_exit_2_and_nothing_replaced(examples_vault, tmp_path):
    """A real failure: a process that may write no file over 30 KB, as a full disk."""
    import resource
    import subprocess
    import sys

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    out = tmp_path / "deck.apkg"
    command = [sys.executable, "-m", "flashgen", "build", str(examples_vault)]
    result = subprocess.run(
        [*command, "-o", str(out), "--no-cache"],
        preexec_fn=limited,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{out}: error: cannot write the deck: ")
    assert line.endswith(
        "(nothing was replaced; free space on its disk, or write it elsewhere with -o)"
    )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault"]
    assert sorted(
        p.name for p in examples_vault.iterdir() if p.name.startswith(".")
    ) == [".obsidian"]
