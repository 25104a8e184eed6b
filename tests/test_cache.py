"""Build cache: a rebuild redoes only what changed, and gives the deck a full build gives."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from flashgen.config import Config
from flashgen.pipeline import build, plan_build
from flashgen.state.file import STATE_FILE

from .conftest import FIXED_TIME, FIXTURES

LATER = FIXED_TIME + 3600


def _config(vault: Path, out: Path, *, cache: bool = True, jobs: int = 1) -> Config:
    return Config(inputs=(vault,), output=out, cache=cache, jobs=jobs)


def _incremental_equals_full(
    vault: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    jobs: int = 1,
    *,
    patched: bool = True,
):
    """Build, change the vault, rebuild (from the cache, patching the last deck); then
    build the same change again from scratch (same state, same clock): the decks must
    hold the same and the state files must be identical."""
    build(_config(vault, tmp_path / "deck.apkg", jobs=jobs), clock=lambda: FIXED_TIME)
    return _step(vault, tmp_path, change, LATER, jobs, patched=patched)


def _step(
    vault: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    when: float,
    jobs: int = 1,
    *,
    patched: bool = True,
):
    """One change and rebuild of the deck at tmp_path/deck.apkg, checked against a full
    build; the vault is left as the rebuild left it, for the next step."""
    deck = tmp_path / "deck.apkg"
    state_file = vault / STATE_FILE
    state = state_file.read_bytes()
    change(vault)
    incremental = build(_config(vault, deck, jobs=jobs), clock=lambda: when)
    written = state_file.read_bytes(), state_file.stat()
    state_file.write_bytes(state)
    full = build(
        _config(vault, tmp_path / "full.apkg", cache=False), clock=lambda: when
    )
    assert incremental.report.patched == patched
    assert deck_content(deck) == deck_content(tmp_path / "full.apkg")
    assert state_file.read_bytes() == written[0]
    for field in ("cards", "decks", "diagnostics", "changes", "news"):
        assert getattr(incremental.report, field) == getattr(full.report, field)
    assert full.report.reused == 0
    # As the rebuild left it, time included: the next step may patch again.
    os.utime(state_file, ns=(written[1].st_atime_ns, written[1].st_mtime_ns))
    return incremental


def deck_content(apkg: Path) -> dict[str, object]:
    """Everything an .apkg holds: each file, and the collection's schema and rows, in a
    form that does not depend on where SQLite put them in the file."""
    content: dict[str, object] = {}
    with zipfile.ZipFile(apkg) as archive:
        assert archive.testzip() is None  # every entry's CRC checks out
        for name in archive.namelist():
            if name != "collection.anki2":
                content[name] = archive.read(name)
                continue
            database = apkg.with_suffix(".anki2")
            database.write_bytes(archive.read(name))
            connection = sqlite3.connect(database)
            try:
                content[name] = list(connection.iterdump())
            finally:
                connection.close()
            database.unlink()
    return content


@pytest.fixture
def content_vault(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "vaults" / "content", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_editing_one_note_reprocesses_only_that_note(examples_vault, tmp_path):
    note = examples_vault / "Storage" / "RAID Levels.md"

    def change(vault: Path) -> None:
        text = note.read_text(encoding="utf-8")
        note.write_text(text.replace(".", ", as edited.", 1), encoding="utf-8")

    result = _incremental_equals_full(examples_vault, tmp_path, change)
    assert result.report.reused == result.report.notes - 1
    assert result.report.changes.updated >= 1


def test_worker_processes_fill_and_use_the_cache_the_same_way(tmp_path):
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate  # the benchmark's vault generator

    vault = tmp_path / "vault"
    generate(vault, 40, seed=7)
    note = sorted(vault.rglob("*.md"))[20]

    def change(vault: Path) -> None:
        _edit(note, ".", ", as edited.")

    result = _incremental_equals_full(vault, tmp_path, change, jobs=2)
    assert result.report.reused == result.report.notes - 1


def test_editing_an_embedded_note_reprocesses_the_notes_embedding_it(
    content_vault, tmp_path
):
    glossary = content_vault / "Biology" / "Cells" / "Glossary.md"

    def change(vault: Path) -> None:
        _edit(glossary, "with its own membrane", "wrapped in a membrane of its own")

    result = _incremental_equals_full(content_vault, tmp_path, change)
    # Glossary itself and Mitochondria, which embeds it; nothing else.
    assert result.report.reused == result.report.notes - 2
    assert any(
        "wrapped in a membrane" in item.card.answer
        and item.card.draft.note_path.endswith("Mitochondria.md")
        for item in result.cards
    )


def test_a_changed_image_renames_it_in_every_card_that_shows_it(
    content_vault, tmp_path
):
    def change(vault: Path) -> None:
        image = vault / "Chemistry" / "img" / "diagram.png"
        image.write_bytes(image.read_bytes() + b"\0")

    result = _incremental_equals_full(content_vault, tmp_path, change)
    assert result.report.reused < result.report.notes


def test_a_new_note_resolves_an_embed_that_was_missing(content_vault, tmp_path):
    def change(vault: Path) -> None:
        (vault / "Nowhere note.md").write_text("Found after all.\n", encoding="utf-8")

    result = _incremental_equals_full(content_vault, tmp_path, change)
    assert not any(
        "'Nowhere note' not found" in d.message for d in result.report.diagnostics
    )


def test_a_same_size_edit_in_the_same_second_is_seen(examples_vault, tmp_path):
    note = examples_vault / "Storage" / "RAID Levels.md"
    os.utime(note)  # just written, as when the first build reads it
    stat = note.stat()

    def change(vault: Path) -> None:
        text = note.read_text(encoding="utf-8")
        swapped = text.replace("a", "e", 1)
        assert swapped != text and len(swapped) == len(text)
        note.write_text(swapped, encoding="utf-8")
        # As if written within the same clock tick: same size, same time.
        os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    result = _incremental_equals_full(examples_vault, tmp_path, change)
    assert result.report.reused == result.report.notes - 1


def test_touching_a_note_without_changing_it_reuses_it(examples_vault, tmp_path):
    def change(vault: Path) -> None:
        for note in vault.rglob("*.md"):
            os.utime(note, ns=(0, 10**18))

    result = _incremental_equals_full(examples_vault, tmp_path, change, patched=False)
    assert result.report.reused == result.report.notes
    assert result.report.up_to_date


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not json\n", b'{"format": 1, "key": "x"}\n', None],
    ids=["empty", "not-json", "other-key", "truncated"],
)
def test_a_corrupt_cache_is_rebuilt_never_an_error(
    examples_vault, tmp_path, cache_dir, garbage
):
    def change(vault: Path) -> None:
        files = [file for file in cache_dir.rglob("*") if file.is_file()]
        assert len(files) == 5  # index, data, last deck, collection, key
        for file in files:
            data = file.read_bytes()
            file.write_bytes(data[: len(data) // 2] if garbage is None else garbage)

    result = _incremental_equals_full(examples_vault, tmp_path, change, patched=False)
    assert not result.report.up_to_date
    assert (
        result.report.diagnostics
        == build(
            _config(examples_vault, tmp_path / "again.apkg", cache=False),
            clock=lambda: LATER,
        ).report.diagnostics
    )


def test_a_damaged_byte_in_a_stored_note_costs_that_note_only(
    examples_vault, tmp_path, cache_dir
):
    def change(vault: Path) -> None:
        (data,) = cache_dir.rglob("notes-*.data")
        stored = bytearray(data.read_bytes())
        stored[len(stored) // 2] ^= 0x01
        data.write_bytes(bytes(stored))
        # Without the last deck's record and collection, every stored note is read.
        for file in cache_dir.rglob("*"):
            if file.is_file() and not file.name.startswith(("notes-", "key")):
                file.unlink()

    result = _incremental_equals_full(examples_vault, tmp_path, change, patched=False)
    assert result.report.reused == result.report.notes - 1


def test_nothing_changed_leaves_the_deck_as_it_was(examples_vault, tmp_path):
    out = tmp_path / "deck.apkg"
    first = build(_config(examples_vault, out), clock=lambda: FIXED_TIME)
    written = out.stat().st_mtime_ns, out.read_bytes()
    again = build(_config(examples_vault, out), clock=lambda: LATER)
    assert again.report.up_to_date
    assert (out.stat().st_mtime_ns, out.read_bytes()) == written
    assert again.report.cards == first.report.cards
    assert again.report.decks == first.report.decks
    assert again.report.diagnostics == tuple(
        d for d in first.report.diagnostics if d not in first.report.news
    )
    assert again.report.changes.unchanged == first.report.cards
    assert "up to date" in again.report.summary()


@pytest.mark.parametrize("what", ["deck deleted", "deck replaced", "state restored"])
def test_a_deck_or_state_changed_behind_the_cache_is_rebuilt(
    examples_vault, tmp_path, what
):
    out = tmp_path / "deck.apkg"
    build(_config(examples_vault, out), clock=lambda: FIXED_TIME)
    state = (examples_vault / STATE_FILE).read_bytes()
    note = examples_vault / "Storage" / "RAID Levels.md"
    _edit(note, ".", ", as edited.")
    build(_config(examples_vault, out), clock=lambda: LATER)
    if what == "deck deleted":
        out.unlink()
    elif what == "deck replaced":
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("collection.anki2", b"someone else's deck")
    else:
        (examples_vault / STATE_FILE).write_bytes(state)
    result = build(_config(examples_vault, out), clock=lambda: LATER + 60)
    assert not result.report.up_to_date
    assert result.report.reused == result.report.notes
    assert out.stat().st_size > 1000


def test_planning_after_an_edit_does_not_hide_it_from_the_next_build(
    examples_vault, tmp_path
):
    out = tmp_path / "deck.apkg"
    build(_config(examples_vault, out), clock=lambda: FIXED_TIME)
    note = examples_vault / "Storage" / "RAID Levels.md"
    _edit(note, ".", ", as edited.")
    # `flashgen cards` plans a build: it fills the cache but writes no deck.
    plan_build(_config(examples_vault, out))
    result = build(_config(examples_vault, out), clock=lambda: LATER)
    assert not result.report.up_to_date
    assert result.report.changes.updated >= 1


def test_the_command_line_says_when_a_deck_is_up_to_date(examples_vault, tmp_path):
    from click.testing import CliRunner

    from flashgen.cli import main

    runner = CliRunner()
    out = str(tmp_path / "deck.apkg")
    first = runner.invoke(main, ["build", str(examples_vault), "-o", out])
    again = runner.invoke(main, ["build", str(examples_vault), "-o", out])
    forced = runner.invoke(
        main, ["build", str(examples_vault), "-o", out, "--no-cache", "--json"]
    )
    assert (first.exit_code, again.exit_code, forced.exit_code) == (0, 0, 0)
    assert "up to date" not in first.stdout
    assert again.stdout.strip().endswith(f"-> {out} (up to date, left as it was)")
    summary = json.loads(forced.stdout)
    assert (summary["up_to_date"], summary["reused_notes"]) == (False, 0)


@pytest.mark.parametrize("changed", ["README.md", ".obsidian/snippets/cards.css"])
def test_files_the_deck_reads_besides_the_notes_are_watched_too(
    examples_vault, tmp_path, changed
):
    # The README gives the deck its description even when it is not built as a note; the
    # extra CSS may sit in a hidden folder, where no image is looked up.
    (examples_vault / "README.md").write_text("Notes on systems.\n", encoding="utf-8")
    css = examples_vault / ".obsidian" / "snippets" / "cards.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(".card { color: navy; }\n", encoding="utf-8")
    config = Config(
        inputs=(examples_vault,),
        output=tmp_path / "deck.apkg",
        exclude=("README.md",),
        css=".obsidian/snippets/cards.css",
    )
    build(config, clock=lambda: FIXED_TIME)
    before = (tmp_path / "deck.apkg").read_bytes()
    assert build(config, clock=lambda: FIXED_TIME).report.up_to_date
    target = examples_vault / changed
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("systems", "networks").replace("navy", "teal"))
    result = build(config, clock=lambda: FIXED_TIME)
    assert not result.report.up_to_date
    assert (tmp_path / "deck.apkg").read_bytes() != before


def test_single_notes_from_one_folder_keep_caches_of_their_own(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("A", "B"):
        (folder / f"{name}.md").write_text(f"**Point {name}**: an answer.\n")
    configs = [
        Config(inputs=(folder / f"{name}.md",), output=tmp_path / f"{name}.apkg")
        for name in ("A", "B")
    ]
    # They share the folder's state file: each build keeps the other's cards in it, so
    # from the second round on, neither has anything to do.
    for _ in range(2):
        for config in configs:
            build(config, clock=lambda: FIXED_TIME)
    assert all(build(c, clock=lambda: FIXED_TIME).report.up_to_date for c in configs)


def test_a_run_of_edits_patches_the_deck_each_time_as_a_full_build_would(
    examples_vault, tmp_path
):
    vault = examples_vault
    raid = vault / "Storage" / "RAID Levels.md"
    build(_config(vault, tmp_path / "deck.apkg"), clock=lambda: FIXED_TIME)

    def delete_point(vault: Path) -> None:
        _edit(
            raid,
            "- **Disadvantages**:\n  1. One failed",
            "- Disadvantages:\n  1. One failed",
        )

    def restore_point(vault: Path) -> None:
        _edit(
            raid,
            "- Disadvantages:\n  1. One failed",
            "- **Disadvantages**:\n  1. One failed",
        )

    def rename_label(vault: Path) -> None:
        _edit(raid, "**Advantages**:\n  1. Improved", "**Benefits**:\n  1. Improved")

    def move_note(vault: Path) -> None:
        (vault / "Archive").mkdir()
        raid.rename(vault / "Archive" / raid.name)

    defence = vault / "Security" / "Defence Concepts.md"
    kept = defence.read_text(encoding="utf-8")

    def delete_note(vault: Path) -> None:
        defence.unlink()

    def note_back_elsewhere(vault: Path) -> None:
        # Its retired cards come back by file name, though no note at the old path.
        (vault / "Archive" / defence.name).write_text(kept, encoding="utf-8")

    def own_deck(vault: Path) -> None:
        note = vault / "Programming" / "Python Comprehensions.md"
        note.write_text("---\ndeck: Elsewhere\n---\n" + note.read_text("utf-8"))

    def new_note(vault: Path) -> None:
        (vault / "New.md").write_text("**Fresh**: a point that was not there.\n")

    steps = [
        (delete_point, lambda r: r.changes.removed >= 1),
        (restore_point, lambda r: r.changes.rematched + r.changes.updated >= 1),
        (rename_label, lambda r: r.changes.rematched == 1),
        (move_note, lambda r: r.changes.removed == 0 and r.changes.rematched > 1),
        (delete_note, lambda r: r.changes.removed >= 1),
        (note_back_elsewhere, lambda r: r.changes.added == 0),
        (own_deck, lambda r: r.changes.removed == 0),
        (new_note, lambda r: r.changes.added == 1),
    ]
    for number, (change, expected) in enumerate(steps, start=1):
        result = _step(vault, tmp_path, change, LATER + 60 * number)
        assert expected(result.report), change.__name__
    assert result.report.reused == result.report.notes - 1


def test_a_note_taking_another_notes_identity_is_built_in_full(
    examples_vault, tmp_path
):
    raid = examples_vault / "Storage" / "RAID Levels.md"
    other = examples_vault / "Security" / "Defence Concepts.md"
    for note in (raid, other):
        text = note.read_text(encoding="utf-8")
        name = "raid" if note == raid else "defence"
        note.write_text(f"---\nid: {name}\n---\n" + text, encoding="utf-8")

    def change(vault: Path) -> None:
        _edit(other, "id: defence", "id: raid")

    # Checked against a full build, which sees both notes' cards.
    _incremental_equals_full(examples_vault, tmp_path, change, patched=False)


def test_a_patched_deck_updates_the_edited_note_in_anki(
    examples_vault, tmp_path, collection
):
    from .conftest import import_deck

    out = tmp_path / "deck.apkg"
    build(_config(examples_vault, out), clock=lambda: FIXED_TIME)
    import_deck(collection, out)
    before = {
        nid: collection.get_note(nid).fields[1] for nid in collection.find_notes("")
    }
    _edit(examples_vault / "Storage" / "RAID Levels.md", ".", ", as edited.")
    result = build(_config(examples_vault, out), clock=lambda: LATER)
    assert result.report.patched and result.report.changes.updated == 1
    import_deck(collection, out)
    after = {
        nid: collection.get_note(nid).fields[1] for nid in collection.find_notes("")
    }
    assert after.keys() == before.keys()  # no note added: matched by GUID
    changed = [nid for nid in after if after[nid] != before[nid]]
    assert len(changed) == 1 and "as edited" in after[changed[0]]


def test_a_kept_collection_sqlite_cannot_read_gives_a_full_build(
    examples_vault, tmp_path, cache_dir
):
    def change(vault: Path) -> None:
        (kept,) = cache_dir.rglob("collection.anki2")
        stat = kept.stat()
        kept.write_bytes(b"x" * stat.st_size)  # same size and time: it looks untouched
        os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        _edit(vault / "Storage" / "RAID Levels.md", ".", ", as edited.")

    result = _incremental_equals_full(examples_vault, tmp_path, change, patched=False)
    assert result.report.changes.updated >= 1


def test_outputs_outgrown_by_edits_are_compacted_and_still_read(
    examples_vault, tmp_path, cache_dir
):
    raid = examples_vault / "Storage" / "RAID Levels.md"
    build(_config(examples_vault, tmp_path / "deck.apkg"), clock=lambda: FIXED_TIME)
    sizes = []
    for number in range(1, 13):

        def change(vault: Path, number: int = number) -> None:
            _edit(raid, "Data", f"Data ({number})")

        result = _step(examples_vault, tmp_path, change, LATER + 60 * number)
        assert result.report.reused == result.report.notes - 1
        (data,) = cache_dir.rglob("notes-*.data")
        sizes.append(data.stat().st_size)
    # New outputs go at the end of the data file, until it is written afresh with only
    # what is still in use (the outputs of the other notes copied from the old file).
    grew = [later > earlier for earlier, later in itertools.pairwise(sizes)]
    assert True in grew and False in grew
    # A deck elsewhere is a full build from the cache: every stored output is read.
    other = build(_config(examples_vault, tmp_path / "other.apkg"), clock=lambda: LATER)
    assert not other.report.patched and other.report.reused == other.report.notes
    assert deck_content(tmp_path / "other.apkg") == deck_content(tmp_path / "deck.apkg")


def test_a_stored_output_that_cannot_be_read_is_processed_again(
    examples_vault, tmp_path, cache_dir
):
    def change(vault: Path) -> None:
        # The index still takes the data file, but every note's stored output in it is
        # damaged; and the last deck's record is gone, so the deck is written again.
        (data,) = cache_dir.rglob("notes-*.data")
        raw = bytearray(data.read_bytes())
        token_end = raw.index(b"\n") + 1
        raw[token_end:] = bytes(len(raw) - token_end)
        data.write_bytes(bytes(raw))
        (record,) = cache_dir.rglob("last-deck.json")
        record.unlink()

    result = _incremental_equals_full(examples_vault, tmp_path, change, patched=False)
    assert result.report.reused == 0
    assert not any(d.severity.value == "error" for d in result.report.diagnostics)


def _many_notes(vault: Path, count: int) -> None:
    for number in range(count):
        note = vault / f"Topic {number % 3}" / f"Note {number}.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(
            f"# Note {number}\n\n## Parts\n\n"
            f"- **Alpha {number}**: the first part of note {number}.\n"
            f"- **Beta**: the second part, the same in every note.\n\n"
            f"## Notes\n\n**Gamma** is what note {number} says last.\n",
            encoding="utf-8",
        )


def test_many_changed_notes_are_built_in_full_and_a_moved_vault_keeps_its_cards(
    tmp_path,
):
    vault = tmp_path / "vault"
    _many_notes(vault, 60)
    first = build(_config(vault, tmp_path / "deck.apkg"), clock=lambda: FIXED_TIME)
    guids = {(a.card.draft.note_title, a.card.draft.label): a.guid for a in first.cards}

    def edit(count: int) -> Callable[[Path], None]:
        def change(vault: Path) -> None:
            for note in sorted(vault.rglob("*.md"))[:count]:
                _edit(note, "the first part", "the first piece")

        return change

    # 20 notes: each note's rows found in one reading of the state file.
    result = _step(vault, tmp_path, edit(20), LATER)
    assert result.report.changes.updated == 20

    # Every note moved into a folder: too many to patch; each card keeps its identity.
    def move_all(vault: Path) -> None:
        (vault / "Moved").mkdir()
        for topic in sorted(vault.glob("Topic *")):
            topic.rename(vault / "Moved" / topic.name)

    result = _step(vault, tmp_path, move_all, LATER + 60, patched=False)
    assert result.report.changes.rematched == len(guids) == 60 * 4
    assert result.report.changes.added == 0
    assert {
        (a.card.draft.note_title, a.card.draft.label): a.guid for a in result.cards
    } == guids


def test_a_crafted_cache_entry_is_a_miss_never_taken(
    examples_vault, tmp_path, cache_dir
):
    """Cached cards are not sanitised again: an entry is taken only when signed with
    the cache folder's own key (a file only its owner reads)."""
    config = _config(examples_vault, tmp_path / "deck.apkg")
    first = build(config, clock=lambda: FIXED_TIME)
    truth = sorted(
        (item.card.draft.note_path, item.card.answer) for item in first.cards
    )
    (key,) = cache_dir.rglob("key")
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    (index,) = cache_dir.rglob("notes-*.json")
    header = json.loads(index.read_text(encoding="utf-8"))
    # Every note's row given the first note's stored cards (offset and length).
    for row in header["entries"]:
        row[6:8] = header["entries"][0][6:8]
    index.write_text(json.dumps(header), encoding="utf-8")

    planned = plan_build(config)
    assert planned.report.reused == 1  # the first note's own row, as written
    assert truth == sorted(
        (item.card.draft.note_path, item.card.answer) for item in planned.cards
    )
    # Signed with another key (a cache copied from elsewhere): the same.
    build(config, clock=lambda: FIXED_TIME)
    key.write_bytes(os.urandom(32))
    assert plan_build(config).report.reused == 0
