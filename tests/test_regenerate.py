"""Regenerating after edits, checked in a real Anki collection: cards update in place,
review history survives, nothing duplicates, removed points are retired."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from flashgen.config import Config
from flashgen.errors import OutputError
from flashgen.pipeline import REMOVED_TAG, build
from flashgen.state.file import STATE_FILE

from .conftest import FIXED_TIME, import_deck


def _build(vault: Path, out: Path, now: float = FIXED_TIME):
    return build(Config(inputs=(vault,), output=out), clock=lambda: now)


def _review_everything(col) -> None:
    """Answer every card Good, with no daily limit in the way."""
    for deck in col.decks.all_config():
        deck["new"]["perDay"] = 9999
        deck["rev"]["perDay"] = 9999
        col.decks.update_config(deck)
    col.decks.select(col.decks.id_for_name("vault"))
    while (card := col.sched.getCard()) is not None:
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=states, rating=3)
        )


def _history(col) -> dict[str, tuple]:
    """Per note GUID: each of its cards' scheduling and review log, by template or
    cloze number."""
    history = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = []
        for card in sorted(note.cards(), key=lambda card: card.ord):
            reviews = col.db.list(
                "select id from revlog where cid = ? order by id", card.id
            )
            cards.append((card.ivl, card.due, card.reps, card.type, tuple(reviews)))
        history[note.guid] = tuple(cards)
    return history


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _note(col, query: str):
    (nid,) = col.find_notes(query)
    return col.get_note(nid)


def test_edits_update_in_place_and_keep_history(examples_vault, tmp_path, collection):
    first = _build(examples_vault, tmp_path / "v1.apkg")
    import_deck(collection, tmp_path / "v1.apkg")
    _review_everything(collection)
    before = _history(collection)
    assert len(before) == len(first.cards)
    assert all(
        reps == 1 and reviews
        for cards in before.values()
        for _, _, reps, _, reviews in cards
    )
    # An edit made in Anki to a card whose note does not change must survive the update.
    kept = _note(collection, '"Question:*Isolation<*"')
    kept["Extra"] = "my own mnemonic"
    collection.update_note(kept)

    security = examples_vault / "Security" / "Defence Concepts.md"
    containers = examples_vault / "Computing" / "Containers and Virtual Machines.md"
    _edit(security, "90 days hot", "30 days hot")  # answer reworded
    _edit(
        security,
        "- **Retention**:",
        "- **Alerting**: page the on-call analyst.\n- **Retention**:",
    )  # a point added
    _edit(security, "## Incident Response Phases", "## Phases of Incident Response")
    _edit(containers, "**1. Startup time:**", "**1. Start-up speed:**")  # label renamed
    _edit(
        containers,
        "**2. Image size:** Images hold the application and its libraries "
        "only, usually tens of megabytes rather than gigabytes.\n\n",
        "",
    )  # one removed
    (examples_vault / "Hardware").mkdir()
    shutil.move(
        examples_vault / "Storage" / "RAID Levels.md",
        examples_vault / "Hardware" / "RAID Levels.md",
    )  # note moved

    # Rebuilt within the same second as the first build.
    second = _build(examples_vault, tmp_path / "v2.apkg")
    changes = second.report.changes
    assert (changes.added, changes.removed) == (1, 1)
    assert (
        changes.rematched == 1 + 5 + 9
    )  # label; heading (list + 4 points); moved note
    log = import_deck(collection, tmp_path / "v2.apkg")

    assert len(log.new) == 1
    assert len(collection.find_notes("")) == len(first.cards) + 1
    after = _history(collection)
    assert {
        guid: after[guid] for guid in before
    } == before  # history and intervals intact

    assert "30 days hot" in _note(collection, '"Question:*Retention<*"')["Answer"]
    assert "on-call" in _note(collection, '"Question:*Alerting<*"')["Answer"]
    renamed = _note(collection, '"Question:*Start-up speed<*"')
    assert renamed.guid in before
    moved_phase = _note(collection, '"Question:*Containment<*"')
    assert "Phases of Incident Response" in moved_phase["Context"]
    assert moved_phase.guid in before
    assert _note(collection, '"Question:*Isolation<*"')["Extra"] == "my own mnemonic"

    (retired,) = collection.find_notes(f"tag:{REMOVED_TAG}")
    note = collection.get_note(retired)
    assert note["Question"].startswith("Image size<") and note.guid in before
    assert "No longer in" in note["Answer"]

    # Anki does not change an existing card's queue on import (the tag is how users find
    # it), but a fresh import of the deck gets the retired card suspended.
    from anki.collection import Collection

    fresh = Collection(str(tmp_path / "fresh.anki2"))
    try:
        import_deck(fresh, tmp_path / "v2.apkg")
        (retired_fresh,) = fresh.find_cards(f"tag:{REMOVED_TAG}")
        assert fresh.get_card(retired_fresh).queue == -1
        assert len(fresh.find_cards("is:suspended")) == 1
    finally:
        fresh.close()


def test_an_unchanged_rebuild_changes_nothing_in_anki(
    examples_vault, tmp_path, collection
):
    _build(examples_vault, tmp_path / "v1.apkg")
    import_deck(collection, tmp_path / "v1.apkg")
    edited = _note(collection, '"Question:*Retention<*"')
    edited["Answer"] = "my own wording, typed in Anki"
    collection.update_note(edited)
    mods = {
        collection.get_note(n).guid: collection.get_note(n).mod
        for n in collection.find_notes("")
    }
    again = _build(examples_vault, tmp_path / "v2.apkg", now=FIXED_TIME + 3600)
    assert again.report.changes.unchanged == len(again.cards)
    log = import_deck(collection, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated)) == (0, 0)
    assert {
        collection.get_note(n).guid: collection.get_note(n).mod
        for n in collection.find_notes("")
    } == mods
    assert (
        _note(collection, '"Question:*Retention<*"')["Answer"]
        == "my own wording, typed in Anki"
    )


def test_a_changed_note_is_newer_even_within_the_same_second(
    examples_vault, tmp_path, collection
):
    _build(examples_vault, tmp_path / "v1.apkg")
    import_deck(collection, tmp_path / "v1.apkg")
    _edit(examples_vault / "Security" / "Defence Concepts.md", "90 days", "60 days")
    result = _build(examples_vault, tmp_path / "v2.apkg")
    (updated,) = [c for c in result.cards if c.status == "updated"]
    assert updated.modified == int(FIXED_TIME) + 1
    log = import_deck(collection, tmp_path / "v2.apkg")
    assert len(log.updated) == 1
    assert "60 days" in _note(collection, '"Question:*Retention<*"')["Answer"]


def test_block_id_pins_a_card_through_any_rewrite(tmp_path):
    vault = tmp_path / "v"
    vault.mkdir()
    note = vault / "N.md"
    note.write_text("## A\n**Label**: first answer ^pinned\n", encoding="utf-8")
    first = _build(vault, tmp_path / "1.apkg")
    note.write_text(
        "## Other\n**Renamed**: nothing alike at all ^pinned\n", encoding="utf-8"
    )
    second = _build(vault, tmp_path / "2.apkg")
    assert [c.guid for c in first.cards] == [c.guid for c in second.cards]
    assert second.cards[0].status == "updated"
    assert "^pinned" not in second.cards[0].card.answer


def test_dry_run_writes_nothing_and_reports_the_same(examples_vault, tmp_path):
    out = tmp_path / "d.apkg"
    planned = build(
        Config(inputs=(examples_vault,), output=out),
        clock=lambda: FIXED_TIME,
        dry_run=True,
    )
    assert not out.exists() and not (examples_vault / STATE_FILE).exists()
    done = _build(examples_vault, out)
    assert planned.report.changes == done.report.changes
    assert [c.guid for c in planned.cards] == [c.guid for c in done.cards]


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        "",
        '{"version": 1, "cards": {\n"fgA": {"key": ["x"]},\n',  # cut short
        '{"version": 1, "cards": {\n"fgA": [],\n"fgB": 7\n}}\n',
        '{"version": 1, "cards": {\n\n}}\n<<<<<<< HEAD\n',  # more after the end
        # A time no 64-bit integer holds, in flashgen's layout.
        '{"version": 1, "cards": {\n"fgA": {"key": ["x"], "note": "N.md", "kind": "point", '
        '"context": [], "label": "A", "text": "", "digest": "d", "modified": 1e400}\n}}\n',
        '{"version": 1, "cards": {\n"fgA": {"key": ["x"], "note": "N.md", "kind": "point", '
        '"context": [], "label": "A", "text": "", "digest": "d", "modified": '
        + "9" * 30
        + "}\n}}\n",
        # The same in another layout, and a negative id.
        '{"version": 1, "cards": {"fgA": {"key": ["x"], "note": "N.md", "kind": "point", '
        '"context": [], "label": "A", "text": "", "digest": "d", "modified": '
        + "9" * 30
        + "}}}",
        '{"version": 1, "cards": {"fgA": {"key": ["x"], "note": "N.md", "kind": "point", '
        '"context": [], "label": "A", "text": "", "digest": "d", "modified": 1, "id": -4}}}',
        # Version 2, as flashgen lays it out: a card of a note not in the table, a
        # heading path past the note's, a time out of range, cut short.
        '{"version":2,"root":"R","notes":{\n"aaaa":["N.md",null,[[]],[null]]\n},'
        '"cards":{\n"fgA":["bbbb","p",0,"A",0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA",1,0,0]\n}}\n',
        '{"version":2,"root":"R","notes":{\n"aaaa":["N.md",null,[[]],[null]]\n},'
        '"cards":{\n"fgA":["aaaa","p",3,"A",0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA",1,0,0]\n}}\n',
        '{"version":2,"root":"R","notes":{\n"aaaa":["N.md",null,[[]],[null]]\n},'
        '"cards":{\n"fgA":["aaaa","p",0,"A",0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA",'
        + "9" * 30
        + ",0,0]\n}}\n",
        '{"version":2,"root":"R","notes":{\n"aaaa":["N.md",null,[[]],[null]]\n},'
        '"cards":{\n"fgA":["aaaa","p",0,"A",0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA",1,0,0],\n',
    ],
)
def test_a_damaged_state_file_is_reported_and_rebuilt(examples_vault, tmp_path, damage):
    (examples_vault / STATE_FILE).write_text(damage, encoding="utf-8")
    result = _build(examples_vault, tmp_path / "d.apkg")
    (warning,) = [d for d in result.report.diagnostics if d.path == STATE_FILE]
    assert "card identities start afresh" in warning.message
    assert result.report.changes.added == len(result.cards)
    again = _build(examples_vault, tmp_path / "d.apkg")
    assert again.report.changes.unchanged == again.report.cards == len(result.cards)


@pytest.mark.parametrize(
    "newer",
    [
        '{"version": 99, "cards": {}}',
        # Laid out as version 2 is, but of version 3.
        '{"version":3,"root":"vault","notes":{\n"aaaa":["N.md",null,[[]],[null]]\n},'
        '"cards":{\n"fgA":["aaaa","p",0,"A",0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA",1,0,0]\n}}\n',
    ],
)
def test_a_state_file_of_a_newer_version_stops_the_build_and_is_left_as_it_is(
    examples_vault, tmp_path, runner, newer
):
    from flashgen.cli import main

    out = tmp_path / "d.apkg"
    state = examples_vault / STATE_FILE
    for built_before in (False, True):
        if built_before:  # a deck, a cache and a state file from an earlier build
            state.unlink()
            _build(examples_vault, out)
        state.write_text(newer, encoding="utf-8")
        os.utime(state, ns=(1_000_000_000, 1_000_000_000))
        deck = out.read_bytes() if built_before else None
        result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
        assert result.exit_code == 2
        version = json.loads(newer)["version"]
        assert result.stderr.splitlines() == [
            f"{STATE_FILE}: error: the state file is of version {version}, newer than "
            "this flashgen reads (2) (upgrade flashgen to build this vault)"
        ]
        assert state.read_text(encoding="utf-8") == newer
        assert state.stat().st_mtime_ns == 1_000_000_000
        assert (out.read_bytes() if out.exists() else None) == deck
        assert sorted(p.name for p in examples_vault.iterdir() if p.name[0] == ".") == [
            ".flashgen-state.json",
            ".obsidian",
        ]


def test_an_unchanged_rebuild_leaves_the_state_file_untouched(examples_vault, tmp_path):
    _build(examples_vault, tmp_path / "v1.apkg")
    state = examples_vault / STATE_FILE
    before = (state.read_bytes(), state.stat().st_mtime_ns)
    again = _build(examples_vault, tmp_path / "v2.apkg", now=FIXED_TIME + 60)
    assert again.report.changes.unchanged == len(again.cards)
    assert (state.read_bytes(), state.stat().st_mtime_ns) == before
    _edit(examples_vault / "Security" / "Defence Concepts.md", "90 days", "91 days")
    _build(examples_vault, tmp_path / "v3.apkg", now=FIXED_TIME + 120)
    assert state.read_bytes() != before[0]


def test_a_state_file_written_from_reused_lines_equals_one_encoded_afresh(
    examples_vault, tmp_path
):
    from flashgen.state.file import State, load_state, save_state

    _build(examples_vault, tmp_path / "v1.apkg")
    _edit(examples_vault / "Security" / "Defence Concepts.md", "90 days", "91 days")
    last = _build(examples_vault, tmp_path / "v2.apkg", now=FIXED_TIME + 60)
    state, problems = load_state(examples_vault / STATE_FILE)
    assert not problems and state.source is not None
    assert state.source is state.cards and len(state.cards) > 40
    fresh = tmp_path / "fresh.json"
    save_state(State(tuple(state.cards)), fresh, root_deck=last.root_deck)
    written = (examples_vault / STATE_FILE).read_bytes()
    assert fresh.read_bytes() == written


def test_building_one_note_leaves_the_other_notes_of_its_folder_alone(
    tmp_path, collection
):
    from flashgen.state.file import load_state

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "A.md").write_text("**Alpha**: the first answer.\n")
    (folder / "B.md").write_text("**Beta**: the second answer.\n")
    first = _build(folder / "A.md", tmp_path / "a.apkg")
    second = _build(folder / "B.md", tmp_path / "b.apkg", now=FIXED_TIME + 60)
    # B's deck does not retire A's card, and the state file keeps both.
    assert second.retired == () and second.report.changes.removed == 0
    state, _ = load_state(folder / STATE_FILE)
    assert {card.note for card in state.cards} == {"A.md", "B.md"}
    import_deck(collection, tmp_path / "a.apkg")
    import_deck(collection, tmp_path / "b.apkg")
    assert not collection.find_notes(f"tag:{REMOVED_TAG}")
    again = _build(folder / "A.md", tmp_path / "a2.apkg", now=FIXED_TIME + 120)
    assert [c.guid for c in again.cards] == [c.guid for c in first.cards]
    assert again.report.changes.unchanged == 1


def test_a_state_file_larger_than_one_write_batch_reads_back_as_written(tmp_path):
    from flashgen.fingerprint import answer_print
    from flashgen.state.file import State, load_state, save_state
    from flashgen.state.saved import CardState

    cards = tuple(
        CardState(
            guid=f"fg{number:024d}",
            key=("path:N.md", "point", f"Label {number}", "0"),
            note="N.md",
            kind="point",
            context=(),
            label=f"Label {number}",
            answer=answer_print(f"answer \u00e9 {number}"),
            digest=f"{number:024x}",
            modified=int(FIXED_TIME) + number,
            removed=number % 7 == 0,
            id=number * 2 + 1,
            deck="Root" if number % 3 else "Root::Other",
        )
        for number in range(10_001)  # a few write batches, the last one short
    )
    save_state(State(cards), tmp_path / STATE_FILE, root_deck="Root")
    text = (tmp_path / STATE_FILE).read_text(encoding="utf-8")
    # The first line, one note's, the line between notes and cards, one a card, the last.
    assert text.count("\n") == 3 + len(cards) + 1 and ",\n}}" not in text
    loaded, problems = load_state(tmp_path / STATE_FILE)
    assert not problems and tuple(loaded.cards) == cards
    assert loaded.source is not None  # laid out as written: its rows are reused


def _state_of(number: int) -> tuple:
    from flashgen.fingerprint import answer_print
    from flashgen.state.saved import CardState

    return tuple(
        CardState(
            guid=f"fg{n:04d}",
            key=("path:N.md", "point", f"Label {n}", "0"),
            note="N.md",
            kind="point",
            context=("Part",),
            label=f"Label {n}",
            answer=answer_print(f"answer {n}"),
            digest=f"{n:024x}",
            modified=int(FIXED_TIME),
            id=n * 2 + 1,
            deck="Vault",
        )
        for n in range(number)
    )


def _card_lines(text: str) -> list[int]:
    """The numbers of a state file's card lines (after the notes table)."""
    lines = text.split("\n")
    first = lines.index('},"cards":{') + 1
    return list(range(first, len(lines) - 2))


def test_a_state_file_keeps_the_rows_of_unchanged_cards_as_they_were(tmp_path):
    import dataclasses
    import json
    import os

    from flashgen.state.file import (
        State,
        commit_state,
        load_state,
        save_state,
        stage_state,
    )

    path = tmp_path / STATE_FILE
    cards = _state_of(3)
    save_state(State(cards), path, root_deck="Vault")
    # The same entries, spaced otherwise: read row by row, and each row kept as it is.
    lines = path.read_text(encoding="utf-8").split("\n")
    rows = _card_lines("\n".join(lines))
    assert len(rows) == 3
    for number in rows:
        guid, _, entry = lines[number].rstrip(",").partition(":")
        spaced = json.dumps(json.loads(entry), separators=(", ", ": "))
        lines[number] = f"{guid}: {spaced}" + ("," if number < rows[-1] else "")
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded, problems = load_state(path)
    assert not problems and tuple(loaded.cards) == cards and loaded.source is not None
    changed = dataclasses.replace(loaded.cards[1], digest="f" * 24, modified=2)
    state = State((loaded.cards[0], changed, loaded.cards[2]), loaded.source)
    commit_state(stage_state(state, path, root_deck="Vault"), path)
    written = path.read_text(encoding="utf-8").split("\n")
    first, middle, last = rows
    assert written[first] == lines[first] and written[last] == lines[last]  # copied
    assert ", " not in written[middle] and written[middle] != lines[middle]  # anew
    assert tuple(load_state(path)[0].cards) == state.cards
    # A file changed since it was read cannot give its rows back: the build stops with
    # a message, and leaves no temporary file behind.
    again, _ = load_state(path)
    os.utime(path, ns=(0, 0))
    with pytest.raises(OutputError, match=r"state file changed .*\(build again\)"):
        stage_state(again, path, root_deck="Vault")
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE]


def test_a_state_file_in_another_layout_is_read_whole(tmp_path):
    import json

    from flashgen.state.file import State, load_state, save_state

    path = tmp_path / STATE_FILE
    cards = _state_of(4)
    save_state(State(cards), path, root_deck="Vault")
    written = path.read_text(encoding="utf-8")
    lines = written.split("\n")
    rows = _card_lines(written)
    header = "\n".join(lines[: rows[0]])
    rows_text = [lines[number].rstrip(",") for number in rows]
    end = lines[rows[-1] + 1]
    for layout in (
        json.dumps(json.loads(written), indent=2),  # reformatted by a tool
        "\n".join([header, ",\n".join(reversed(rows_text)), end, ""]),  # not by GUID
        written.replace('{"version":2,"root":', '{"version": 2, "root":'),
        "\n".join(
            [header, ", ".join(rows_text[:2]) + ",", ",\n".join(rows_text[2:]), end, ""]
        ),
        # The notes table after the cards, and no root deck (decks in full).
        json.dumps(
            {
                "cards": json.loads(written)["cards"],
                "notes": {
                    ref: [*entry[:3], ["Vault"]]
                    for ref, entry in json.loads(written)["notes"].items()
                },
                "version": 2,
            }
        ),
    ):
        path.write_text(layout, encoding="utf-8")
        loaded, problems = load_state(path)
        assert not problems and loaded.source is None
        assert sorted(loaded.cards, key=lambda card: card.guid) == list(cards)
    empty = tmp_path / "empty.json"
    save_state(State(), empty)
    loaded, problems = load_state(empty)
    assert not problems and not loaded.cards and loaded.source is not None


def test_the_cycle_collector_is_paused_during_a_build_and_only_then(
    examples_vault, tmp_path
):
    import gc

    from flashgen.errors import ConfigError

    seen = []
    config = Config(inputs=(examples_vault,), output=tmp_path / "g.apkg", cache=False)
    assert gc.isenabled()
    build(config, progress=lambda stage, done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen) and gc.isenabled()
    with pytest.raises(ConfigError):  # --share without a namespace
        build(Config(inputs=(examples_vault,), share=True))
    assert gc.isenabled()
    gc.disable()
    try:
        build(config)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_a_card_retired_from_a_note_with_its_own_deck_lands_in_the_root_deck(
    tmp_path, collection
):
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "A.md"
    note.write_text("---\ndeck: Elsewhere\n---\n**Alpha**: one.\n\n**Beta**: two.\n")
    _build(vault, tmp_path / "a.apkg")
    note.write_text("---\ndeck: Elsewhere\n---\n**Alpha**: one.\n")
    again = _build(vault, tmp_path / "b.apkg", now=FIXED_TIME + 60)
    assert len(again.retired) == 1
    import_deck(collection, tmp_path / "b.apkg")
    (retired,) = collection.find_cards(f"tag:{REMOVED_TAG}")
    assert collection.decks.name(collection.get_card(retired).did) == "vault"


def test_a_change_of_deck_is_said_since_an_import_leaves_cards_where_they_were(
    runner, examples_vault, tmp_path, collection
):
    from flashgen.cli import main

    out = tmp_path / "d.apkg"

    def build_messages() -> list[str]:
        result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
        assert result.exit_code == 0, result.output
        return [line for line in result.stderr.splitlines() if "now belong" in line]

    assert build_messages() == []
    import_deck(collection, out)
    # A note moved to another folder, and another given a deck in its front matter.
    (examples_vault / "Archive").mkdir()
    (examples_vault / "Security" / "Defence Concepts.md").rename(
        examples_vault / "Archive" / "Defence Concepts.md"
    )
    raid = examples_vault / "Storage" / "RAID Levels.md"
    raid.write_text("---\ndeck: Exams::Storage\n---\n" + raid.read_text(), "utf-8")
    assert build_messages() == [
        "Archive/Defence Concepts.md: warning: 12 cards now belong to deck "
        "'vault::Archive', not 'vault::Security'; importing does not move cards Anki "
        'already has (in Anki\'s Browser search "deck:vault::Security", select them, '
        "then Cards > Change Deck)",
        "Storage/RAID Levels.md: warning: 9 cards now belong to deck 'Exams::Storage', "
        "not 'vault::Storage'; importing does not move cards Anki already has (in "
        'Anki\'s Browser search "deck:vault::Storage", select them, then Cards > '
        "Change Deck)",
    ]
    # What the message says: Anki's import leaves the cards in their old deck.
    import_deck(collection, out)
    assert len(collection.find_cards('"deck:vault::Security"')) == 12
    assert collection.find_cards('"deck:vault::Archive"') == []
    # Said once: the state file records the new decks.
    assert build_messages() == []

    # One deck for the whole vault: one line per deck the cards leave.
    (examples_vault / ".flashgen.toml").write_text('deck_layout = "single"\n')
    assert build_messages() == [
        "Archive/Defence Concepts.md: warning: 12 cards now belong to deck 'vault', not "
        "'vault::Archive'; importing does not move cards Anki already has (in Anki's "
        'Browser search "deck:vault::Archive", select them, then Cards > Change Deck)',
        "Biology/Cell Organelles.md: warning: 4 cards now belong to deck 'vault', not "
        "'vault::Biology'; importing does not move cards Anki already has (in Anki's "
        'Browser search "deck:vault::Biology", select them, then Cards > Change Deck)',
        "Computing/Containers and Virtual Machines.md: warning: 11 cards now belong "
        "to deck 'vault', not 'vault::Computing'; importing does not move cards Anki "
        'already has (in Anki\'s Browser search "deck:vault::Computing", select them, '
        "then Cards > Change Deck)",
        "Medicine/Pulmonary Embolism.md: warning: 19 cards now belong to deck "
        "'vault', not 'vault::Medicine'; importing does not move cards Anki already "
        'has (in Anki\'s Browser search "deck:vault::Medicine", select them, then '
        "Cards > Change Deck)",
        "Programming/Python Comprehensions.md: warning: 8 cards now belong to deck "
        "'vault', not 'vault::Programming'; importing does not move cards Anki already "
        'has (in Anki\'s Browser search "deck:vault::Programming", select them, then '
        "Cards > Change Deck)",
    ]
