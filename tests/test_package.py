"""Package stage: reproducible bytes and atomic replacement."""

from __future__ import annotations

import os
import sqlite3
import zipfile

import pytest

from flashgen.config import Config
from flashgen.errors import OutputError
from flashgen.pipeline import build

from .conftest import FIXED_TIME


def test_same_notes_and_clock_give_identical_bytes(examples_vault, tmp_path):
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    build(Config(inputs=(examples_vault,), output=first), clock=lambda: FIXED_TIME)
    build(Config(inputs=(examples_vault,), output=second), clock=lambda: FIXED_TIME)
    assert first.read_bytes() == second.read_bytes()


def test_package_holds_collection_media_map_and_note_times(examples_vault, tmp_path):
    out = tmp_path / "d.apkg"
    build(Config(inputs=(examples_vault,), output=out), clock=lambda: FIXED_TIME + 0.9)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["collection.anki2", "media", "0"]
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        mods = {row[0] for row in db.execute("select mod from notes")}
    assert mods == {int(FIXED_TIME)}


def test_a_failed_write_leaves_what_was_there_and_no_litter(examples_vault, tmp_path):
    # A real failure: the output path is a folder holding a file, so the rename cannot happen.
    out = tmp_path / "d.apkg"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="cannot write the deck"):
        build(Config(inputs=(examples_vault,), output=out), clock=lambda: FIXED_TIME)
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.apkg", "vault"]


def test_a_state_that_cannot_be_written_leaves_the_deck_as_it_was(
    examples_vault, tmp_path
):
    from flashgen.state.file import STATE_FILE

    out = tmp_path / "d.apkg"
    config = Config(inputs=(examples_vault,), output=out, cache=False)
    build(config, clock=lambda: FIXED_TIME)
    deck, state = out.read_bytes(), (examples_vault / STATE_FILE).read_bytes()
    note = examples_vault / "Security" / "Defence Concepts.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n**New**: point.\n")
    # A real failure: a folder stands where the state is staged.
    (examples_vault / f".flashgen-{STATE_FILE}.{os.getpid()}.tmp").mkdir()
    with pytest.raises(OutputError, match="cannot write the state file"):
        build(config, clock=lambda: FIXED_TIME + 60)
    assert out.read_bytes() == deck
    assert (examples_vault / STATE_FILE).read_bytes() == state
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.apkg", "vault"]


def test_parallel_and_single_process_builds_write_the_same_bytes(tmp_path):
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate  # the benchmark's vault generator

    vault = tmp_path / "vault"
    generate(vault, 40, seed=5)
    one, two = tmp_path / "one.apkg", tmp_path / "two.apkg"
    first = build(Config(inputs=(vault,), output=one, jobs=1), clock=lambda: FIXED_TIME)
    (vault / ".flashgen-state.json").unlink()
    second = build(
        Config(inputs=(vault,), output=two, jobs=2), clock=lambda: FIXED_TIME
    )
    assert one.read_bytes() == two.read_bytes()
    assert first.report.diagnostics == second.report.diagnostics


def test_a_damaged_last_deck_is_never_copied_into_a_patched_deck(
    tmp_path, cache_dir, collection
):
    """Pieces copied from the last deck are checked: bytes flipped behind flashgen's back
    (size and time restored) are compressed again, and the deck still imports."""
    from .conftest import import_deck

    vault = tmp_path / "vault"
    for number in range(1500):
        note = vault / f"Topic {number % 4}" / f"Note {number}.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(
            f"# Note {number}\n\n- **Alpha {number}**: the first part of {number}.\n"
            f"- **Beta {number}**: the second part of note {number}, said at length "
            f"{'so that the collection spans several pieces ' * 4}.\n",
            encoding="utf-8",
        )
    deck = tmp_path / "deck.apkg"
    config = Config(inputs=(vault,), output=deck)
    build(config, clock=lambda: FIXED_TIME)
    with zipfile.ZipFile(deck) as archive:
        info = archive.getinfo("collection.anki2")
        assert info.file_size > 2 * (1 << 18)  # several pieces: most are copied
        start, length = info.header_offset + 100, info.compress_size - 200
    stat = deck.stat()
    data = bytearray(deck.read_bytes())
    for at in range(start, start + length, 4096):
        data[at] ^= 0xFF
    deck.write_bytes(bytes(data))
    os.utime(deck, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    note = vault / "Topic 0" / "Note 0.md"
    note.write_text(note.read_text("utf-8").replace("first part", "first piece"))
    result = build(config, clock=lambda: FIXED_TIME + 60)
    assert result.report.patched
    with zipfile.ZipFile(deck) as archive:
        assert archive.testzip() is None
    import_deck(collection, deck)
    assert len(collection.find_notes("")) == 4500


def test_a_cache_that_cannot_be_written_is_a_warning_and_the_build_goes_on(
    runner, examples_vault, tmp_path, monkeypatch
):
    from flashgen.cli import main
    from flashgen.state.file import STATE_FILE

    # A real failure, whoever runs the test: the cache's place is a file, not a folder.
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    monkeypatch.setenv("FLASHGEN_CACHE_DIR", str(blocked))
    out = tmp_path / "deck.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (examples_vault / STATE_FILE).is_file()
    (warning,) = result.stderr.splitlines()
    assert (
        warning.startswith(f"{blocked}")
        and ": warning: cannot write the cache" in warning
    )
    assert warning.endswith("set FLASHGEN_CACHE_DIR to a folder you can write)")
