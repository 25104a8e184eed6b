"""`flashgen sync`, checked in a real Anki collection in a temporary profile folder:
history survives, removed cards are suspended or deleted, moved cards change deck,
edits made in Anki and notes made by hand are left alone; syncs and imports mix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flashgen.anki.sync import Target, sync
from flashgen.anki.sync.apply import KILL_AFTER
from flashgen.config import Config, load_config
from flashgen.pipeline import REMOVED_TAG, build
from flashgen.state.file import STATE_FILE

from .conftest import FIXED_TIME, ROOT, import_deck
from .test_regenerate import _edit, _history, _note, _review_everything

PROFILE = "User 1"
_NOTE_TYPES = ["flashgen Card (v1)", "flashgen Cloze (v1)", "flashgen Reversed (v1)"]
"""The note types the example vault's cards take (by name, as Anki lists them)."""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """Anki's data folder with one profile and its empty collection."""
    from anki.collection import Collection

    folder = tmp_path / "Anki2"
    (folder / PROFILE).mkdir(parents=True)
    Collection(str(folder / PROFILE / "collection.anki2")).close()
    return folder


def _path(base: Path) -> Path:
    return base / PROFILE / "collection.anki2"


def _sync(vault: Path, base: Path, now: float = FIXED_TIME, **options):
    return sync(
        Config(inputs=(vault,)), Target(base=base), clock=lambda: now, **options
    )


class _Opened:
    def __init__(self, base: Path) -> None:
        self.path = _path(base)

    def __enter__(self):
        from anki.collection import Collection

        self.col = Collection(str(self.path))
        return self.col

    def __exit__(self, *exc_info: object) -> None:
        self.col.close()


def _card(col, query: str):
    (card_id,) = col.find_cards(query)
    return col.get_card(card_id)


def _deck_of(col, query: str) -> str:
    return col.decks.name(_card(col, query).did)


def _flashgen_note_types(col) -> list[str]:
    return [m["name"] for m in col.models.all() if m["name"].startswith("flashgen")]


def _hand_made(col) -> tuple[int, int]:
    """A note the user made in Anki (Basic), and one of flashgen's note type with a
    GUID of their own; returns their ids."""
    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"], basic["Back"] = "my own question", "my own answer"
    col.add_note(basic, col.decks.id_for_name("vault"))
    own = col.new_note(col.models.get(1607392319))
    own["Question"], own["Answer"] = "Retention", "hand-made in Anki"
    col.add_note(own, col.decks.id_for_name("vault::Security"))
    return basic.id, own.id


def _snapshot(col, note_ids) -> list[tuple]:
    rows = []
    for nid in note_ids:
        note = col.get_note(nid)
        (card,) = note.cards()
        rows.append((note.guid, note.fields, note.tags, note.mod, card.did, card.queue))
    return rows


def _edit_notes(vault: Path) -> None:
    """A reworded answer, a new point, a removed point, a renamed label, a note moved
    to another folder and a note given another deck."""
    security = vault / "Security" / "Defence Concepts.md"
    containers = vault / "Computing" / "Containers and Virtual Machines.md"
    _edit(security, "90 days hot", "30 days hot")
    _edit(
        security,
        "- **Retention**:",
        "- **Alerting**: page the on-call analyst.\n- **Retention**:",
    )
    _edit(containers, "**1. Startup time:**", "**1. Start-up speed:**")
    _edit(
        containers,
        "**2. Image size:** Images hold the application and its libraries "
        "only, usually tens of megabytes rather than gigabytes.\n\n",
        "",
    )
    (vault / "Hardware").mkdir()
    shutil.move(
        vault / "Storage" / "RAID Levels.md", vault / "Hardware" / "RAID Levels.md"
    )
    python = vault / "Programming" / "Python Comprehensions.md"
    _edit(python, "---\ntags:", "---\ndeck: Languages::Python\ntags:")


def test_sync_applies_edits_and_keeps_history(examples_vault, base):
    first = _sync(examples_vault, base)
    assert first.changes.added == len(first.build.cards) == 63
    assert first.backup is not None and first.backup.is_file()
    assert first.backup.parent == base / PROFILE / "backups"
    with _Opened(base) as col:
        assert len(col.find_notes("")) == 63
        _review_everything(col)
        before = _history(col)
        # The user's own edits in Anki, to cards whose notes will not change.
        kept = _note(col, '"Question:*Isolation<*"')
        kept["Extra"] = "my own mnemonic"
        kept["Answer"] = "reworded in Anki"
        col.update_note(kept)
        hand_made = _hand_made(col)
        untouched = _snapshot(col, hand_made)

    _edit_notes(examples_vault)
    second = _sync(examples_vault, base)
    changes = second.changes
    assert (changes.added, changes.retired) == (1, 1)
    assert changes.moved == 9 + 8  # RAID Levels to Hardware, Python to its deck
    assert changes.updated >= 2 and changes.restored == 0

    with _Opened(base) as col:
        assert _snapshot(col, hand_made) == untouched
        after = _history(col)
        assert {guid: after[guid] for guid in before} == before
        assert len(col.find_notes("")) == 63 + 1 + 2
        assert _flashgen_note_types(col) == _NOTE_TYPES

        assert "30 days hot" in _note(col, '"Question:*Retention<*"')["Answer"]
        assert "on-call" in _note(col, '"Question:*Alerting<*"')["Answer"]
        renamed = _note(col, '"Question:*Start-up speed<*"')
        assert renamed.guid in before
        isolation = _note(col, '"Question:*Isolation<*"')
        assert (isolation["Answer"], isolation["Extra"]) == (
            "reworded in Anki",
            "my own mnemonic",
        )

        (retired,) = col.find_notes(f"tag:{REMOVED_TAG}")
        note = col.get_note(retired)
        assert (
            note["Question"].startswith("Containers - Image size<")
            and note.guid in before
        )
        (card,) = note.cards()
        assert card.queue == -1  # suspended, its history kept (above)
        assert col.find_cards("is:suspended") == [card.id]

        assert _deck_of(col, '"Question:*RAID 0<*"') == "vault::Hardware"
        assert not col.find_cards('"deck:vault::Storage"')
        assert _deck_of(col, '"Question:*List comprehension<*"') == (
            "Languages::Python"
        )

    third = _sync(examples_vault, base)
    assert third.changes.untouched == 63 and third.backup is None
    assert third.changes.format() == (
        "0 added, 0 updated, 0 moved, 0 suspended, 0 restored, 63 untouched"
    )


def test_removed_delete_deletes_only_flashgen_notes(examples_vault, base):
    _sync(examples_vault, base)
    with _Opened(base) as col:
        hand_made = _hand_made(col)
        untouched = _snapshot(col, hand_made)
    _edit(
        examples_vault / "Security" / "Defence Concepts.md",
        "- **Retention**: 90 days hot, one year archived.\n",
        "",
    )
    result = _sync(examples_vault, base, removed="delete")
    assert result.changes.retired == 2  # the point, and its section's list card
    with _Opened(base) as col:
        assert not col.find_notes('"Question:*Retention<*"')
        assert _snapshot(col, hand_made) == untouched
        assert len(col.find_notes("")) == 61 + 2


def test_removed_keep_tags_and_a_restored_point_comes_back(examples_vault, base):
    _sync(examples_vault, base)
    with _Opened(base) as col:
        _review_everything(col)
        before = _history(col)
    security = examples_vault / "Security" / "Defence Concepts.md"
    text = security.read_text(encoding="utf-8")
    _edit(security, "- **Retention**: 90 days hot, one year archived.\n", "")
    assert _sync(examples_vault, base, removed="keep").changes.retired == 2
    with _Opened(base) as col:
        card = _card(col, f'tag:{REMOVED_TAG} "Question:*Retention<*"')
        assert card.queue != -1  # kept in review
    _sync(examples_vault, base)  # the default suspends it
    with _Opened(base) as col:
        retired = col.find_cards(f"tag:{REMOVED_TAG}")
        assert len(retired) == 2
        assert {col.get_card(c).queue for c in retired} == {-1}

    security.write_text(text, encoding="utf-8")
    result = _sync(examples_vault, base)
    assert result.changes.restored == 2
    with _Opened(base) as col:
        assert not col.find_notes(f"tag:{REMOVED_TAG}")
        assert not col.find_cards("is:suspended")
        assert _history(col) == before


def test_import_first_then_sync(examples_vault, base, tmp_path):
    build(
        Config(inputs=(examples_vault,), output=tmp_path / "v1.apkg"),
        clock=lambda: FIXED_TIME,
    )
    with _Opened(base) as col:
        import_deck(col, tmp_path / "v1.apkg")
        _review_everything(col)
        before = _history(col)
    assert _sync(examples_vault, base).changes.untouched == 63

    _edit_notes(examples_vault)
    # A build and its import leave the removed card tagged but in review, and the moved
    # cards in their old decks: the sync after them finishes the job.
    build(
        Config(inputs=(examples_vault,), output=tmp_path / "v2.apkg"),
        clock=lambda: FIXED_TIME,
    )
    with _Opened(base) as col:
        import_deck(col, tmp_path / "v2.apkg")
        assert _card(col, f"tag:{REMOVED_TAG}").queue != -1
    changes = _sync(examples_vault, base).changes
    assert (changes.added, changes.updated, changes.retired) == (0, 0, 1)
    assert changes.moved == 17
    with _Opened(base) as col:
        after = _history(col)
        assert {guid: after[guid] for guid in before} == before
        assert _card(col, f"tag:{REMOVED_TAG}").queue == -1
        assert _deck_of(col, '"Question:*RAID 0<*"') == "vault::Hardware"
        assert _flashgen_note_types(col) == _NOTE_TYPES


def test_sync_first_then_import_a_later_build(examples_vault, base, tmp_path):
    _sync(examples_vault, base)
    state = (examples_vault / STATE_FILE).read_bytes()
    # The same state file as a build's.
    build(
        Config(inputs=(examples_vault,), output=tmp_path / "v1.apkg"),
        clock=lambda: FIXED_TIME,
    )
    assert (examples_vault / STATE_FILE).read_bytes() == state
    with _Opened(base) as col:
        _review_everything(col)
        before = _history(col)
        notes = len(col.find_notes(""))

    _edit_notes(examples_vault)
    build(
        Config(inputs=(examples_vault,), output=tmp_path / "v2.apkg"),
        clock=lambda: FIXED_TIME,
    )
    with _Opened(base) as col:
        log = import_deck(col, tmp_path / "v2.apkg")
        assert len(log.new) == 1 and len(log.updated) >= 2
        assert len(col.find_notes("")) == notes + 1
        assert "30 days hot" in _note(col, '"Question:*Retention<*"')["Answer"]
        after = _history(col)
        assert {guid: after[guid] for guid in before} == before
        assert _flashgen_note_types(col) == _NOTE_TYPES
    # Only what an import cannot do is left for the next sync.
    changes = _sync(examples_vault, base).changes
    assert (changes.added, changes.updated, changes.retired, changes.moved) == (
        0,
        0,
        1,
        17,
    )


def test_a_shared_deck_stays_importable(examples_vault, base, tmp_path):
    (examples_vault / ".flashgen.toml").write_text(
        'namespace = "ada-examples"\n', encoding="utf-8"
    )
    _sync(examples_vault, base)
    shared = tmp_path / "shared.apkg"
    build(
        replace_share(load_config((examples_vault,)), shared), clock=lambda: FIXED_TIME
    )
    from anki.collection import Collection

    other = Collection(str(tmp_path / "other.anki2"))
    try:
        assert len(import_deck(other, shared).new) == 63
    finally:
        other.close()
    # Synced into the author's collection beside their own cards, without clashes.
    with _Opened(base) as col:
        assert len(import_deck(col, shared).new) == 63


def replace_share(config: Config, output: Path) -> Config:
    from dataclasses import replace

    return replace(config, share=True, output=output)


def test_dry_run_changes_nothing(examples_vault, base, runner):
    from flashgen.cli import main

    result = runner.invoke(
        main, ["sync", str(examples_vault), "--base", str(base), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("dry run, nothing changed: 63 cards from 6 notes")
    assert lines[1] == (
        "dry run, nothing changed: in Anki: 63 added, 0 updated, 0 moved, "
        "0 suspended, 0 restored, 0 untouched"
    )
    assert not (examples_vault / STATE_FILE).exists()
    assert not (base / PROFILE / "backups").exists()
    with _Opened(base) as col:
        assert not col.find_notes("")


def test_json_summary(examples_vault, base, runner):
    import json

    from flashgen.cli import main

    result = runner.invoke(
        main, ["sync", str(examples_vault), "--base", str(base), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["anki"] == {
        "added": 63,
        "updated": 0,
        "moved": 0,
        "retired": 0,
        "restored": 0,
        "untouched": 0,
        "removed": "suspend",
    }
    assert payload["added"] == 63 and payload["collection"] == str(_path(base))
    assert Path(payload["backup"]).is_file()


def _run_cli(*arguments: str, env: dict[str, str] | None = None, code: str = ""):
    program = code + "from flashgen.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", program, *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=120,
    )


def test_sync_refuses_while_anki_has_the_collection_open(examples_vault, base):
    _sync(examples_vault, base)
    _edit_notes(examples_vault)
    state = (examples_vault / STATE_FILE).read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from anki.collection import Collection; "
            f"col = Collection({str(_path(base))!r}); print('open', flush=True); "
            "sys.stdin.read(); col.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        result = _run_cli("sync", str(examples_vault), "--base", str(base))
    finally:
        holder.communicate("", timeout=62)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{_path(base)}: error: the collection is open in Anki, so nothing was changed "
        "(close Anki, or switch it to another profile, then run sync again)"
    )
    assert "Traceback" not in result.stderr
    assert (examples_vault / STATE_FILE).read_bytes() == state
    with _Opened(base) as col:
        assert len(col.find_notes("")) == 63
        assert not col.find_notes(f"tag:{REMOVED_TAG}")
        assert not col.find_cards('"deck:vault::Hardware"')


def test_missing_anki_library_names_the_extra(examples_vault, base):
    # The package hidden from this process only, as if it were not installed.
    hidden = "import sys; sys.modules['anki'] = None; "
    result = _run_cli("sync", str(examples_vault), "--base", str(base), code=hidden)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: sync uses Anki's own library (the anki package), which is not "
        "installed (pip install 'flashgen[anki]')"
    ]


def _contents(base: Path) -> list[tuple]:
    with _Opened(base) as col:
        rows = col.db.all(
            "SELECT n.guid, n.flds, n.tags, n.mod, c.did, c.queue, c.ivl, c.reps "
            "FROM notes n JOIN cards c ON c.nid = n.id ORDER BY n.guid"
        )
        assert col.db.scalar("PRAGMA integrity_check") == "ok"
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
    return [(*row[:4], decks[row[4]], *row[5:]) for row in rows]


# The operations of the second sync below: the media, the package of new and changed
# notes, the moves, the retired card. The sync is killed after each in turn (after the
# last, before it saves the state file).
@pytest.mark.parametrize("kill_after", [1, 2, 3, 4])
def test_a_killed_sync_leaves_a_collection_that_opens_and_the_next_completes(
    examples_vault, base, tmp_path, kill_after
):
    _sync(examples_vault, base)
    with _Opened(base) as col:
        _review_everything(col)
    _edit_notes(examples_vault)
    # What an uninterrupted sync makes, in a copy of the profile and vault.
    reference_base = tmp_path / "reference" / "Anki2"
    shutil.copytree(base, reference_base)
    reference_vault = tmp_path / "reference" / "vault"
    shutil.copytree(examples_vault, reference_vault)
    _sync(reference_vault, reference_base, now=FIXED_TIME + 62)

    killed = _run_cli(
        "sync",
        str(examples_vault),
        "--base",
        str(base),
        env={
            KILL_AFTER: str(kill_after),
            "FLASHGEN_CACHE_DIR": str(tmp_path / "c"),
            # A killed process leaves its scratch folder in the temporary folder.
            "TMPDIR": str(tmp_path),
        },
    )
    assert killed.returncode == -9, killed.stderr
    _contents(base)  # opens, and SQLite finds it whole
    _sync(examples_vault, base, now=FIXED_TIME + 62)
    finished = _contents(base)
    expected = _contents(reference_base)
    # Times may differ where the killed run had already written a note (its clock).
    assert [row[:3] + row[4:] for row in finished] == [
        row[:3] + row[4:] for row in expected
    ]


def test_profiles_are_found_as_anki_finds_them(tmp_path):
    import pickle
    import sqlite3

    from flashgen.anki.sync.collection import (
        CollectionError,
        anki_base,
        find_collection,
    )

    home = Path("/home/ada")
    assert anki_base({}, "linux", home) == home / ".local/share/Anki2"
    assert anki_base({"XDG_DATA_HOME": "/data"}, "linux", home) == Path("/data/Anki2")
    assert anki_base({}, "darwin", home) == home / "Library/Application Support/Anki2"
    assert anki_base({"APPDATA": "C:/Users/ada/AppData/Roaming"}, "win32", home) == (
        Path("C:/Users/ada/AppData/Roaming/Anki2")
    )
    assert anki_base({"ANKI_BASE": "/elsewhere"}, "linux", home) == Path("/elsewhere")

    folder = tmp_path / "Anki2"
    for name in ("User 1", "Ada"):
        (folder / name).mkdir(parents=True)
        (folder / name / "collection.anki2").write_bytes(b"")
    with pytest.raises(
        CollectionError, match=r"cannot tell which profile.*'Ada', 'User 1'"
    ):
        find_collection(Target(base=folder))
    assert find_collection(Target(base=folder, profile="Ada")).parent.name == "Ada"
    with pytest.raises(CollectionError, match="no profile 'Bob'"):
        find_collection(Target(base=folder, profile="Bob"))

    # Anki's own record of the profiles and the one it opened last.
    connection = sqlite3.connect(folder / "prefs21.db")
    connection.execute(
        "CREATE TABLE profiles (name TEXT PRIMARY KEY COLLATE NOCASE, data BLOB NOT NULL)"
    )
    meta = {"ver": 0, "last_loaded_profile_name": "User 1", "created": 1}
    rows = [("_global", pickle.dumps(meta, protocol=4))]
    rows += [(name, pickle.dumps({}, protocol=4)) for name in ("User 1", "Ada")]
    connection.executemany("INSERT INTO profiles VALUES (?, ?)", rows)
    connection.commit()
    connection.close()
    assert find_collection(Target(base=folder)).parent.name == "User 1"

    with pytest.raises(CollectionError, match="no Anki collection here"):
        find_collection(Target(collection=tmp_path / "nothing.anki2"))
    assert find_collection(Target(collection=folder / "Ada")) == (
        folder / "Ada" / "collection.anki2"
    )


def test_the_collection_option_and_no_backup(examples_vault, base, runner):
    from flashgen.cli import main

    result = runner.invoke(
        main,
        ["sync", str(examples_vault), "--collection", str(_path(base)), "--no-backup"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "in Anki: 63 added, 0 updated, 0 moved, 0 suspended, 0 restored, 0 untouched"
    )
    assert not (base / PROFILE / "backups").exists()
    result = runner.invoke(
        main,
        [
            "sync",
            str(examples_vault),
            "--collection",
            str(_path(base)),
            "--profile",
            "x",
        ],
    )
    assert result.exit_code == 2
    assert "--collection names the collection itself" in result.output


def test_the_note_type_is_updated_in_place(examples_vault, base):
    _sync(examples_vault, base)
    (examples_vault / "cards.css").write_text(".fg-question { color: teal; }\n")
    (examples_vault / ".flashgen.toml").write_text('css = "cards.css"\n')
    result = sync(load_config((examples_vault,)), Target(base=base), lambda: FIXED_TIME)
    assert result.changes.untouched == 63
    with _Opened(base) as col:
        models = [m for m in col.models.all() if m["name"].startswith("flashgen")]
        assert [m["name"] for m in models] == _NOTE_TYPES
        assert all("color: teal" in m["css"] for m in models)
        (model,) = [m for m in models if m["id"] == 1607392319]
        assert [f["name"] for f in model["flds"]] == [
            "Question",
            "Answer",
            "Context",
            "Source",
            "Extra",
        ]


def test_a_note_type_with_other_fields_stops_the_sync(examples_vault, base, runner):
    from flashgen.cli import main

    _sync(examples_vault, base)
    with _Opened(base) as col:
        model = col.models.get(1607392319)
        col.models.add_field(model, col.models.new_field("Mnemonic"))
        col.models.update_dict(model)
    _edit_notes(examples_vault)
    state = (examples_vault / STATE_FILE).read_bytes()
    result = runner.invoke(main, ["sync", str(examples_vault), "--base", str(base)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"{_path(base)}: error: the note type 'flashgen Card (v1)' has other fields "
        "(Question, Answer, Context, Source, Extra, Mnemonic) or card types than "
        "flashgen's, so nothing was changed (in Anki's Tools > Manage Note Types, "
        "restore its fields: Question, Answer, Context, Source, Extra, and one card type)"
    )
    assert (examples_vault / STATE_FILE).read_bytes() == state
    assert (
        not (base / PROFILE / "backups").exists()
        or len(list((base / PROFILE / "backups").iterdir())) == 1
    )


def test_a_large_sync_goes_in_several_packages(tmp_path, base):
    from flashgen.anki.sync.apply import PACKAGE_NOTES

    vault = tmp_path / "vault"
    vault.mkdir()
    points = PACKAGE_NOTES // 2 + 1
    for number in range(2):
        lines = [f"# Topic {number}", ""]
        lines += [
            f"**Point {n}**: answer {n} of topic {number}." for n in range(points)
        ]
        (vault / f"Topic {number}.md").write_text("\n\n".join(lines), encoding="utf-8")
    first = _sync(vault, base)
    cards = len(first.build.cards)
    assert first.changes.added == cards > PACKAGE_NOTES
    _edit(vault / "Topic 1.md", f"answer {points - 1} of", "the last answer of")
    second = _sync(vault, base)
    assert (second.changes.updated, second.changes.untouched) == (1, cards - 1)
    with _Opened(base) as col:
        assert len(col.find_notes("")) == cards


def test_notes_that_cannot_be_read_change_nothing(tmp_path, base, runner):
    from flashgen.cli import main

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Photo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = runner.invoke(main, ["sync", str(vault), "--base", str(base)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Photo.md: error: not a text file (NUL bytes): no cards (rename it, or remove "
        "it from the vault)",
        f"{_path(base)}: error: no note could be read, so the collection was not "
        "changed (fix the notes named above)",
    ]
    assert not (vault / STATE_FILE).exists()
    with _Opened(base) as col:
        assert not col.find_notes("")


def test_a_note_that_cannot_be_read_keeps_its_cards(examples_vault, base):
    from flashgen.anki.sync import CollectionError

    _sync(examples_vault, base)
    with _Opened(base) as col:
        _review_everything(col)
        before = _history(col)
    note = examples_vault / "Computing" / "Containers and Virtual Machines.md"
    text = note.read_bytes()
    # Past the size limit (a warning): the note makes no card, its points are not gone.
    note.write_bytes(text + b"x" * (4 * 1024 * 1024 + 1))
    assert _sync(examples_vault, base, removed="delete").changes.retired == 0
    # Not a text file (an error): nothing is deleted, nothing changes.
    note.write_bytes(text + b"\x00")
    with pytest.raises(CollectionError, match="some notes have errors"):
        _sync(examples_vault, base, removed="delete")
    assert _sync(examples_vault, base).changes.retired == 0
    with _Opened(base) as col:
        assert not col.find_cards("is:suspended")
        assert _history(col) == before


def test_sync_waits_for_no_build_a_build_holds_the_vault(runner, examples_vault, base):
    """A sync writes the vault's state file as a build does: while a build holds the
    vault's lock, sync refuses and changes nothing."""
    import os

    from flashgen.cli import main
    from flashgen.state.lock import LOCK_FILE

    _sync(examples_vault, base)
    state = (examples_vault / STATE_FILE).read_bytes()
    with _Opened(base) as col:
        notes = len(col.find_notes(""))
    _edit(
        examples_vault / "Security" / "Defence Concepts.md",
        "90 days hot",
        "30 days hot",
    )
    holder = os.getppid()
    (examples_vault / LOCK_FILE).write_text(f"{holder}\n", encoding="ascii")
    result = runner.invoke(
        main,
        ["sync", str(examples_vault), "--collection", str(_path(base)), "--no-backup"],
    )
    assert result.exit_code == 2, result.output
    assert "another build of this vault is running" in result.stderr
    assert (examples_vault / STATE_FILE).read_bytes() == state
    with _Opened(base) as col:
        assert len(col.find_notes("")) == notes
        assert "90 days hot" in _note(col, '"Question:*Retention<*"')["Answer"]
