"""The state file as users commit it: small, one card a line, older versions upgraded."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from flashgen.config import Config
from flashgen.pipeline import build
from flashgen.state.file import STATE_FILE

from .conftest import CORPUS, FIXED_TIME, FIXTURES, ROOT

BYTES_A_CARD = 150
"""The most a card may take in the state file, on average."""
LONG_NAME = "My Study Vault 2026"
"""A vault folder's name longer than most: the root deck's name is the folder's."""


def _build(vault: Path, out: Path, now: float = FIXED_TIME, *, cache: bool = False):
    config = Config(inputs=(vault,), output=out, cache=cache)
    return build(config, clock=lambda: now)


def _bytes_a_card(vault: Path, cards: int) -> float:
    return (vault / STATE_FILE).stat().st_size / cards


def test_the_examples_take_at_most_150_bytes_a_card(examples_vault, tmp_path):
    result = _build(examples_vault, tmp_path / "d.apkg")
    assert result.report.cards > 40
    assert _bytes_a_card(examples_vault, result.report.cards) <= BYTES_A_CARD


@pytest.mark.parametrize("name", ["vault", LONG_NAME])
def test_a_generated_vault_takes_at_most_150_bytes_a_card(tmp_path, name):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate  # the benchmark's vault generator

    vault = tmp_path / name
    generate(vault, 40, seed=2)
    result = _build(vault, tmp_path / "d.apkg")
    assert result.report.cards > 1000
    assert _bytes_a_card(vault, result.report.cards) <= BYTES_A_CARD


@pytest.mark.parametrize("name", ["corpus", LONG_NAME])
def test_the_corpus_takes_at_most_150_bytes_a_card_whatever_its_folder_is_called(
    tmp_path, name
):
    if not CORPUS.is_dir():
        pytest.skip("development corpus not available (../shared is absent)")
    vault = tmp_path / name
    shutil.copytree(CORPUS, vault, ignore=shutil.ignore_patterns(STATE_FILE))
    result = _build(vault, tmp_path / "d.apkg")
    assert result.report.cards > 1000
    assert _bytes_a_card(vault, result.report.cards) <= BYTES_A_CARD


def test_a_state_file_of_version_1_is_read_and_upgraded_in_place(tmp_path):
    # Written by flashgen 0.x, which kept each answer's text: three notes (one with an
    # id and a deck of its own, one pinned point) and a retired card. Its digests are
    # those of the cards as this version renders them (it adds each card's place to its
    # question), so that only the file's layout is new to the build.
    vault = tmp_path / "upgrade"
    shutil.copytree(FIXTURES / "vaults" / "upgrade", vault)
    old = json.loads((vault / STATE_FILE).read_text(encoding="utf-8"))
    assert old["version"] == 1
    old_cards = old["cards"]
    retired = {guid for guid, entry in old_cards.items() if entry.get("removed")}
    assert len(retired) == 1 and len(old_cards) == 16

    # This version no longer makes a list card of one point and a definition (the
    # old version's "Routing (list the 2)"): that card is retired, nothing else changes.
    (no_list,) = (
        g for g, e in old_cards.items() if e["key"][1:3] == ["list", "Routing"]
    )
    later = FIXED_TIME + 3600
    result = _build(vault, tmp_path / "d.apkg", later)
    changes = result.report.changes
    assert (changes.added, changes.updated, changes.rematched, changes.removed) == (
        0,
        0,
        0,
        1,
    )
    assert changes.unchanged == result.report.cards == 14
    assert {card.guid for card in result.cards} == set(old_cards) - retired - {no_list}
    retired.add(no_list)
    assert not [d for d in result.report.diagnostics if d.path == STATE_FILE]

    # Written back as version 2, every card (the retired one too) with its GUID, key,
    # note, note id and time as they were.
    text = (vault / STATE_FILE).read_text(encoding="utf-8")
    assert text.startswith('{"version":2,"root":"upgrade","notes":{\n')
    assert "fine grounds" not in text and "Dijkstra" not in text  # no answer's text
    from flashgen.state.file import load_state

    state, problems = load_state(vault / STATE_FILE)
    assert not problems and not state.outdated and state.source is not None
    cards = {card.guid: card for card in state.cards}
    assert set(cards) == set(old_cards)
    for guid, entry in old_cards.items():
        card = cards[guid]
        assert (card.key, card.note, card.kind, card.id, card.modified) == (
            tuple(entry["key"]),
            entry["note"],
            entry["kind"],
            entry["id"],
            # A card retired by this build is newer: Anki takes its removed tag.
            later if guid == no_list else entry["modified"],
        )
        assert card.removed == (guid in retired)
    decks = {cards[guid].deck for guid in set(cards) - retired}
    assert decks == {
        "upgrade",
        "upgrade::Biology::Cells",
        "Networking Basics",
    }

    # Nothing left to upgrade: the next build leaves the file as it is.
    before = (vault / STATE_FILE).read_bytes()
    again = _build(vault, tmp_path / "d.apkg", later + 60)
    assert again.report.changes.unchanged == 14 and again.report.changes.updated == 0
    assert (vault / STATE_FILE).read_bytes() == before


def _card_note(line: str, notes: dict[str, str]) -> str:
    """The note path of a card's line (by its note's reference)."""
    ((_, value),) = json.loads("{" + line.rstrip(",") + "}").items()
    return notes[value[0]]


def _lines_by_note(text: str) -> list[tuple[str, str]]:
    """Each line of a state file with the path of the note it is about ("" for the
    lines that open and close the notes table and the cards)."""
    lines = text.split("\n")
    middle = lines.index('},"cards":{')
    notes = {}
    for line in lines[1:middle]:
        ((ref, value),) = json.loads("{" + line.rstrip(",") + "}").items()
        notes[ref] = value[0]
    about = [("", lines[0])]
    about += [(notes[line.split('"')[1]], line) for line in lines[1:middle]]
    about.append(("", lines[middle]))
    about += [(_card_note(line, notes), line) for line in lines[middle + 1 : -2]]
    about += [("", line) for line in lines[-2:]]
    return about


@pytest.mark.parametrize("cache", [False, True])
def test_editing_one_note_changes_only_its_lines_in_the_state_file(
    examples_vault, tmp_path, cache
):
    _build(examples_vault, tmp_path / "d.apkg", cache=cache)
    before = (examples_vault / STATE_FILE).read_text(encoding="utf-8")
    note = examples_vault / "Security" / "Defence Concepts.md"
    text = note.read_text(encoding="utf-8")
    # An answer reworded, a point gone (retired), a section with a new point.
    text = text.replace("90 days hot", "60 days hot", 1)
    text = text.replace("- **Recovery** — Restore", "- Recovery: restore", 1)
    text += (
        "\n## Hunting\n\n**Hypothesis**: a guess about an attacker, tested in logs.\n"
    )
    note.write_text(text, encoding="utf-8")
    result = _build(examples_vault, tmp_path / "d.apkg", FIXED_TIME + 60, cache=cache)
    changes = result.report.changes
    assert changes.updated >= 1 and changes.added >= 1 and changes.removed == 1
    assert result.report.patched == cache
    after = (examples_vault / STATE_FILE).read_text(encoding="utf-8")

    edited = "Security/Defence Concepts.md"
    # Commas aside: the last line of the notes or the cards has none after it.
    old_lines = [(path, line.rstrip(",")) for path, line in _lines_by_note(before)]
    new_lines = [(path, line.rstrip(",")) for path, line in _lines_by_note(after)]
    changed = set(old_lines) ^ set(new_lines)
    assert {path for path, _ in changed} == {edited}
    added = set(new_lines) - set(old_lines)
    # Its line in the notes table (a new heading path) and lines of its cards.
    assert sum(not line.startswith('"fg') for _, line in added) == 1
    assert sum(line.startswith('"fg') for _, line in added) >= 3
    # The other notes' lines are all there, in the same order.
    others = [line for path, line in old_lines if path != edited]
    assert others == [line for path, line in new_lines if path != edited]


def test_a_guid_twice_in_the_state_file_is_named_and_never_shared(tmp_path):
    """A merge gone wrong left one GUID on two notes' cards: one warning names it and
    both notes; the first keeps it, the second's card never takes its history."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "A.md").write_text("**Alpha**: the first.\n", encoding="utf-8")
    (vault / "B.md").write_text("**Beta**: the second.\n", encoding="utf-8")
    config = Config(inputs=(vault,), output=tmp_path / "deck.apkg", cache=False)
    first = build(config, clock=lambda: FIXED_TIME)
    guids = {a.card.draft.note_title: a.guid for a in first.cards}
    state = vault / STATE_FILE
    lines = state.read_text(encoding="utf-8").splitlines(keepends=True)
    # B's card row takes A's GUID, as a bad merge of two branches would leave it.
    at = next(n for n, line in enumerate(lines) if line.startswith(f'"{guids["B"]}"'))
    lines[at] = lines[at].replace(guids["B"], guids["A"])
    state.write_text("".join(lines), encoding="utf-8")
    second = build(config, clock=lambda: FIXED_TIME + 60)
    warnings = [d for d in second.report.diagnostics if guids["A"] in d.message]
    assert len(warnings) == 1, second.report.diagnostics
    (warning,) = warnings
    assert warning.path == STATE_FILE and warning.severity.value == "warning"
    assert "A.md" in warning.message and "B.md" in warning.message
    after = {a.card.draft.note_title: a.guid for a in second.cards}
    assert after["A"] == guids["A"] and after["B"] != guids["A"]


def test_a_lost_or_unreadable_state_file_warns_that_edits_in_anki_are_at_risk(
    examples_vault, tmp_path
):
    config = Config(inputs=(examples_vault,), output=tmp_path / "deck.apkg")
    assert not [d for d in build(config).report.diagnostics if d.path == STATE_FILE]
    state = examples_vault / STATE_FILE
    state.unlink()
    (lost,) = [d for d in build(config).report.diagnostics if d.path == STATE_FILE]
    assert lost.message.startswith("state file is missing though the deck was built")
    assert "overwrite edits made in Anki" in lost.message
    assert "restore it from version control or a backup" in lost.message
    state.write_text("{not json", encoding="utf-8")
    (bad,) = [d for d in build(config).report.diagnostics if d.path == STATE_FILE]
    assert "overwrite edits made in Anki" in bad.message


def test_a_state_put_in_place_is_taken_back_when_its_deck_is_not(tmp_path):
    """The state file goes in place just before the deck: if the deck then cannot be
    put in place, the old state comes back (or, with none before, none stays)."""
    from flashgen.state.file import StateSwap

    state = tmp_path / STATE_FILE
    state.write_text("old", encoding="utf-8")
    staged = tmp_path / "staged"
    staged.write_text("new", encoding="utf-8")
    swap = StateSwap(state)
    swap.commit(staged)
    assert state.read_text(encoding="utf-8") == "new"
    swap.undo(None)  # the deck was not put in place
    assert state.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE]

    staged.write_text("new", encoding="utf-8")
    swap = StateSwap(state)
    swap.commit(staged)
    swap.done()  # the deck is in place: the new state stays, the old one goes
    assert state.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE]

    state.unlink()
    staged.write_text("first", encoding="utf-8")
    swap = StateSwap(state)
    swap.commit(staged)
    swap.undo(None)
    assert not state.exists()
