"""Bad, hostile and interrupted input: nothing crashes, nothing leaks, nothing is lost."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flashgen.cli import main
from flashgen.config import Config
from flashgen.pipeline import build

from .conftest import FIXED_TIME, FIXTURES, ROOT

SECRET = "TOP-SECRET-OUTSIDE-THE-VAULT"


@pytest.fixture
def bad_vault(tmp_path: Path) -> Path:
    """The committed bad vault, plus what cannot be committed (names, links, sizes)."""
    vault = tmp_path / "bad"
    shutil.copytree(FIXTURES / "vaults" / "bad", vault)
    (tmp_path / "outside.md").write_text(f"**Secret**: {SECRET}\n")
    (vault / "deep-lists.md").write_text(
        "".join("  " * i + f"- **Level {i}**: item\n" for i in range(1200))
    )
    (vault / "long-line.md").write_text("**Long**: " + "word " * 400_000 + "\n")
    (vault / "many-points.md").write_text(
        "".join(f"**P{i}**: a{i}\n\n" for i in range(6000))
    )
    (vault / "too-big.md").write_bytes(b"**Big**: x\n" + b"y" * (5 * 1024 * 1024))
    for name in (
        "emoji 🧪.md",
        "hash #1.md",
        "100%.md",
        "why?.md",
        "-dash.md",
        "x" * 196 + ".md",
        "esc\x1b[31mred.md",
    ):
        (vault / name).write_text("**Named**: odd file name.\n")
    (vault / "link-out.md").symlink_to(tmp_path / "outside.md")
    (vault / "loop.md").symlink_to(vault / "loop.md")
    (vault / "dir-out").symlink_to(tmp_path, target_is_directory=True)
    return vault


def test_bad_vault_builds_what_it_can_and_says_what_went_wrong(
    bad_vault, tmp_path, runner
):
    out = tmp_path / "bad.apkg"
    result = runner.invoke(main, ["build", str(bad_vault), "-o", str(out)])
    assert result.exit_code == 1
    assert out.is_file()
    assert "Traceback" not in result.output
    errors = result.stderr.splitlines()
    assert all(
        line.isprintable() for line in errors
    )  # no raw escape bytes reach a terminal
    expected = {
        "binary.md: error: not a text file (NUL bytes): no cards",
        "broken-yaml.md:4: warning: front matter is not valid YAML",
        "list-yaml.md:2: warning: front matter is a list, not a mapping",
        "latin1.md:1: warning: note is not UTF-8; read it as Windows-1252",
        "utf16.md:1: warning: note is UTF-16",
        "control-bytes.md:1: warning: control characters removed",
        "deep-quotes.md:1: warning: lists, quotes or emphasis nested more than 32 deep",
        "deep-lists.md:17: warning: lists, quotes or emphasis nested more than 32 deep",
        "many-points.md:10001: warning: note makes 6000 cards; only the first 5000",
        "too-big.md: warning: note is 5.0 MB, over the 4 MB limit",
        "link-out.md: warning: symlink that leads out of the vault (or loops) was not read",
        "loop.md: warning: symlink that leads out of the vault (or loops) was not read",
        "Loop One.md:1: warning: 'Loop Two' embeds itself in a loop",
    }
    for start in expected:
        assert any(line.startswith(start) for line in errors), start
    # Every line is `path[:line]: severity: message (fix)`.
    for line in errors:
        assert ": error: " in line or ": warning: " in line, line
        assert line.endswith(")"), line

    listing = runner.invoke(main, ["cards", str(bad_vault)]).stdout
    assert "esc\\x1b[31mred.md:1: [point]" in listing and "\x1b" not in listing

    planned = build(
        Config(inputs=(bad_vault,), output=out), clock=lambda: FIXED_TIME, dry_run=True
    )
    labels = {item.card.draft.label for item in planned.cards}
    assert {
        "Café",
        "Wide",
        "Still",
        "List front",
        "Bomb",
        "Before",
        "Closed",
        "Shallow",
        "Inside",
        "Windows",
        "Long",
        "Named",
        "P0",
        "P4999",
        "Level 0",
    } <= labels
    assert "P5000" not in labels and "Secret" not in labels
    bell = next(i.card for i in planned.cards if i.card.draft.label == "Bell")
    assert (
        "\x1b" not in bell.answer
        and "\x1f" not in bell.answer
        and "\x07" not in bell.question
    )


def test_nothing_outside_the_vault_reaches_a_deck(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + SECRET.encode())
    (outside / "Secret note.md").write_text(f"# Part\n{SECRET}\n")
    (vault / "shared.png").symlink_to(outside / "secret.png")
    (vault / "N.md").write_text(
        "**Up**: ![a](../outside/secret.png)\n\n"
        f"**Absolute**: ![b]({outside / 'secret.png'})\n\n"
        f"**URL**: ![c](file://{outside / 'secret.png'})\n\n"
        "**Link**: ![[shared.png]]\n\n"
        "**Embed**: ![[../outside/Secret note#Part]]\n\n"
        '**Raw**: <img src="../outside/secret.png">\n'
    )
    out = tmp_path / "d.apkg"
    build(Config(inputs=(vault,), output=out), clock=lambda: FIXED_TIME)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        blobs = [archive.read(name) for name in names]
    assert names == ["collection.anki2", "media"]
    assert all(SECRET.encode() not in blob for blob in blobs)


def test_card_html_never_carries_scripts_or_remote_loads(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "N.md").write_text(
        "**Evil**: <script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)">x</a><iframe src="https://e.org"></iframe>'
        '<span style="display:none">hidden</span><img src="https://e.org/track.png">'
        '<svg onload="alert(1)"></svg>[click](javascript:alert(1))\n'
    )

    planned = build(Config(inputs=(vault,)), clock=lambda: FIXED_TIME, dry_run=True)
    (card,) = [item.card for item in planned.cards]
    html = card.answer.lower()
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "style=",
        "https://e.org",
        "onload",
        "<svg",
    ):
        assert bad not in html, bad
    assert "hidden" in html  # content stays; only what hides or runs goes


def test_check_lints_without_writing_and_exits_1_on_errors(runner, tmp_path):
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "A.md").write_text(
        "## S\n**Point**: ok\n\n**Point**: again\n\n**Empty**:\n## T\n"
        "**Step** the file.\n\nSee [[Nowhere]].\n"
    )
    result = runner.invoke(main, ["check", str(vault)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "A.md:6: warning: label 'Empty' has no answer (write the answer after it, or remove "
        "the bold)",
        "A.md:8: info: 'Step' makes no card: no ':' or ' - ' after the bold (write "
        "`**Step**: answer` to make it one)",
        "A.md:10: info: link to 'Nowhere' does not resolve to a note in the vault (create the "
        "note, or fix the link)",
        "A.md:4: warning: question 'Point' is asked twice in one deck (also at A.md:2; rename "
        "one of them)",
    ]
    assert not any(vault.glob(".flashgen*")) and not (tmp_path / "decks").exists()
    (vault / "B.md").write_bytes(b"**Binary**\x00 file\n")
    assert runner.invoke(main, ["check", str(vault)]).exit_code == 1


def test_killed_builds_leave_the_previous_deck_intact(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate  # the benchmark's vault generator

    vault = tmp_path / "vault"
    generate(vault, 150, seed=3)
    out = tmp_path / "deck.apkg"
    command = [
        sys.executable,
        "-m",
        "flashgen",
        "build",
        str(vault),
        "-o",
        str(out),
    ]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(7)
    for attempt in range(6):
        (vault / "Systems").mkdir(exist_ok=True)
        (vault / "Systems" / f"edit {attempt}.md").write_text(
            f"**Edit {attempt}**: new.\n"
        )
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        with zipfile.ZipFile(out) as archive:
            (tmp_path / "check.anki2").write_bytes(archive.read("collection.anki2"))
            media = json.loads(archive.read("media"))
        with sqlite3.connect(tmp_path / "check.anki2") as db:
            assert db.execute("select count(*) from notes").fetchone()[0] > 1000
        assert isinstance(media, dict)
        state = vault / ".flashgen-state.json"
        assert json.loads(state.read_text(encoding="utf-8"))["version"] == 2
    # Leftovers of killed builds never break the next one.
    subprocess.run(command, check=True, capture_output=True)
    assert out.stat().st_size > 0


def _all_bytes(apkg: Path) -> bytes:
    with zipfile.ZipFile(apkg) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


@pytest.mark.parametrize("where", ["../outside.css", "ABSOLUTE", "link.css"])
def test_a_css_file_outside_the_vault_is_refused(runner, tmp_path, where):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "N.md").write_text("**Q**: a\n")
    outside = tmp_path / "outside.css"
    outside.write_text(f"/* {SECRET} */\n")
    (vault / "link.css").symlink_to(outside)
    where = str(outside) if where == "ABSOLUTE" else where
    (vault / ".flashgen.toml").write_text(f'css = "{where}"\n')
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(vault), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f".flashgen.toml: error: css file '{where}' is outside the vault (give the "
        "vault-relative path of a .css file inside the vault)"
    ]
    assert not out.exists()


def test_a_readme_that_leads_out_of_the_vault_is_not_read(runner, tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "N.md").write_text("**Q**: a\n")
    (tmp_path / "outside.md").write_text(f"{SECRET}\n")
    (vault / "README.md").symlink_to(tmp_path / "outside.md")
    out = tmp_path / "d.apkg"
    for args in ([], ["--no-cache"], ["-v"]):
        result = runner.invoke(main, ["build", str(vault), "-o", str(out), *args])
        assert result.exit_code == 0, result.output
        assert "README.md: warning: symlink that leads out of the vault" in (
            result.stderr
        )
        assert SECRET.encode() not in _all_bytes(out)
    # Built as a note file, the vault is not walked: the README is still not read.
    (vault / ".flashgen.toml").write_text("")
    result = runner.invoke(main, ["build", str(vault / "N.md"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "README.md: warning: leads out of the vault and was not read for the deck's "
        "description (copy it into the vault)"
    ]
    assert SECRET.encode() not in _all_bytes(out)


def _small_vault(tmp_path: Path, settings: str = "") -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "N.md").write_text("**Q**: a\n")
    if settings:
        (vault / ".flashgen.toml").write_text(settings)
    return vault


def test_output_from_the_settings_stays_in_the_vault_or_current_folder(
    runner, tmp_path, monkeypatch
):
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("alias ls='ls -F'\n")
    vault = _small_vault(tmp_path, 'output = "../home/.bashrc"\n')
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(main, ["build", str(vault)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f".flashgen.toml: error: 'output' ({victim}) is outside the vault's folder, "
        "the current folder and decks/ beside the vault (write the deck in one of "
        "them, or name it with -o)"
    ]
    assert victim.read_text() == "alias ls='ls -F'\n"
    # Named on the command line, a path anywhere is the user's own choice.
    chosen = tmp_path / "home" / "deck.apkg"
    result = runner.invoke(main, ["build", str(vault), "-o", str(chosen)])
    assert result.exit_code == 0, result.output
    assert chosen.is_file()
    # Inside the vault's folder or the current folder, the settings may name it.
    (vault / ".flashgen.toml").write_text('output = "../work/decks/mine.apkg"\n')
    result = runner.invoke(main, ["build", str(vault)])
    assert result.exit_code == 0, result.output
    assert (work / "decks" / "mine.apkg").is_file()
    (vault / ".flashgen.toml").write_text('output = "../decks/beside.apkg"\n')
    result = runner.invoke(main, ["build", str(vault)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "decks" / "beside.apkg").is_file()


@pytest.mark.parametrize("content", ["text", "zip"])
def test_a_file_that_is_not_a_deck_is_never_replaced(runner, tmp_path, content):
    vault = _small_vault(tmp_path)
    out = tmp_path / "notes.apkg"
    if content == "zip":
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("thesis.tex", "\\documentclass{article}")
    else:
        out.write_text("my only copy\n")
    before = out.read_bytes()
    result = runner.invoke(main, ["build", str(vault), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{out}: error: is not a deck flashgen wrote, so it was not replaced (remove "
        "it, or choose another path with -o)"
    ]
    assert out.read_bytes() == before
    assert not (vault / ".flashgen-state.json").exists()
    # A deck written before is replaced as ever.
    out.unlink()
    for _ in range(2):
        result = runner.invoke(
            main, ["build", str(vault), "-o", str(out), "--no-cache"]
        )
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)//{path}",
        " JavaScript:alert(1)//{path}",
        "java\\tscript:alert(1)//{path}",
        "data:text/html,{path}",
        "vbscript:{path}",
    ],
)
def test_a_source_link_with_another_scheme_is_a_config_error(runner, tmp_path, link):
    vault = _small_vault(tmp_path, f'source_link = "{link}"\n')
    result = runner.invoke(main, ["check", str(vault)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        ".flashgen.toml: error: 'source_link' must be one of obsidian, path, none, or "
        "a template with {path} whose link starts obsidian:, https:, http: or file: "
        "(or is plain text)"
    ]


@pytest.mark.parametrize(
    "link",
    ["https://example.org/notes/{path}", "obsidian://open?path={path}", "notes/{path}"],
)
def test_allowed_source_links_build(runner, tmp_path, link):
    vault = _small_vault(tmp_path, f'source_link = "{link}"\n')
    result = runner.invoke(main, ["cards", str(vault), "--json"])
    assert result.exit_code == 0, result.output
    (card,) = json.loads(result.stdout)
    assert card["fields"]["Source"].startswith('<a href="')


def test_the_source_field_is_sanitised_like_any_other(tmp_path):
    vault = _small_vault(tmp_path)
    config = Config(inputs=(vault,), source_link="javascript:alert(1)//{path}")
    planned = build(config, clock=lambda: FIXED_TIME, dry_run=True)
    (item,) = list(planned.cards)
    assert "javascript" not in item.card.source.lower()
    assert "N.md" in item.card.source


def test_a_vault_of_embeds_fanning_out_builds_with_a_warning_per_note(runner, tmp_path):
    # 100 notes x 20 points x 4 embeds (118 KB): expanded four deep, gigabytes.
    from .test_render import _fan_out_vault

    vault = _fan_out_vault(tmp_path / "v", 100)
    out = tmp_path / "d.apkg"
    result = runner.invoke(main, ["build", str(vault), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    warned = [
        line for line in result.stderr.splitlines() if "characters in all" in line
    ]
    assert len(warned) == 100
    assert warned[0].startswith("N0.md: warning: embeds expand to more than 500,000 ")
    assert out.stat().st_size < 20_000_000


def test_the_next_build_removes_what_killed_builds_left(
    examples_vault, tmp_path, cache_dir
):
    """A killed build leaves its scratch folder beside the deck and its staged files in
    the cache and beside the state file; the next build removes them once their process
    is gone (a scratch folder: once it is an hour old), and nothing of a live one."""
    import os
    import time

    out = tmp_path / "decks" / "d.apkg"
    out.parent.mkdir()
    config = Config(inputs=(examples_vault,), output=out)
    build(config, clock=lambda: FIXED_TIME)
    (cache,) = [p for p in cache_dir.iterdir() if p.is_dir()]
    gone = 2**22 + 12345  # above Linux's largest pid: no such process
    old_scratch = out.parent / ".flashgen-k1ll3d"
    old_scratch.mkdir()
    (old_scratch / "collection.anki2").write_bytes(b"x" * 1000)
    hours_ago = time.time() - 2 * 3600
    os.utime(old_scratch, (hours_ago, hours_ago))
    young_scratch = out.parent / ".flashgen-packing"
    young_scratch.mkdir()
    dead = [
        cache / f".data.{gone}.tmp",
        examples_vault / f".flashgen-.flashgen-state.json.{gone}.tmp",
    ]
    live = examples_vault / f".flashgen-.flashgen-state.json.{os.getppid()}.tmp"
    for path in (*dead, live):
        path.write_bytes(b"staged")

    build(config, clock=lambda: FIXED_TIME)
    assert not old_scratch.exists()
    assert not any(path.exists() for path in dead)
    assert young_scratch.is_dir() and live.is_file()
