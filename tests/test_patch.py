"""Patching the state file: rows found, kept and replaced as a full write would lay them."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from pathlib import Path

from flashgen.fingerprint import answer_print
from flashgen.state.file import STATE_FILE, State, save_state
from flashgen.state.rows import StateRows
from flashgen.state.saved import CardState

ROOT = "Vault"


def _card(number: int, note: str, removed: bool = False) -> CardState:
    return CardState(
        guid=f"fg{number * 7919 % 100_003:026d}",
        key=(f"path:{note}", "point", f"Label {number}", "0"),
        note=note,
        kind="point",
        context=("Heading",) if number % 3 else ("Other", "Sub"),
        label=f"Label {number}",
        answer=answer_print(f"answer {number} \u00e9"),
        digest=f"{number:024x}",
        modified=1_700_000_000 + number,
        removed=removed,
        id=2 * number + 1,
        deck=ROOT if number % 5 else f"{ROOT}::Deck {number % 2}",
    )


def _save(cards, path: Path) -> None:
    save_state(State(tuple(cards)), path, root_deck=ROOT)


def _replaced(rows: StateRows, source: Path, found, old, new, refs) -> bytes:
    """The file once the rows found are replaced, as a patch writes it."""
    spans, cards, table = rows.replacement(found, old, new, refs, ROOT)
    memory = io.BytesIO()
    rows.write_replaced(spans, cards, table, io.BytesIO(source.read_bytes()), memory)
    return memory.getvalue()


def test_rows_are_found_replaced_and_written_as_a_full_write_would(tmp_path: Path):
    rng = random.Random(5)
    notes = ["A.md", "B b.md", "C/\u00e9.md", 'D "q".md']
    cards = [_card(n, rng.choice(notes), removed=n % 11 == 0) for n in range(600)]
    path = tmp_path / STATE_FILE
    _save(cards, path)
    rows = StateRows(path.read_bytes())
    assert rows.root == ROOT
    assert all(card.guid in rows for card in cards)
    assert "fg" + "9" * 26 not in rows and "fg" not in rows and 1 not in rows
    # The rows of B and C, and every retired row.
    found = rows.find_notes(["B b.md", "C/\u00e9.md"], [])
    wanted = [c for c in cards if c.note in ("B b.md", "C/\u00e9.md") or c.removed]
    old = rows.cards(found)
    assert sorted(old, key=lambda c: c.guid) == sorted(wanted, key=lambda c: c.guid)
    # Their replacement: some changed, some gone, new ones anywhere (first and last too).
    changed = [replace(c, answer=answer_print("new")) for c in wanted[::2]]
    new = [_card(n, "B b.md") for n in range(600, 640)]
    new += [replace(new[0], guid="fg0"), replace(new[1], guid="fz")]
    kept = [c for c in cards if c not in wanted]
    _save(kept + changed + new, tmp_path / "full.json")
    full = (tmp_path / "full.json").read_bytes()
    refs = rows.notes_of(["B b.md", "C/\u00e9.md"], [])
    # Retired cards of A and D are gone: their lines change, their rows are written anew.
    spans, written, table = rows.replacement(found, old, changed + new, refs, ROOT)
    assert set(found) < set(spans) and {c.note for c in written} == set(notes)
    for buffering in (0, -1):
        target = tmp_path / f"patched-{buffering}.json"
        with path.open("rb") as source, target.open("wb", buffering) as out:
            rows.write_replaced(spans, written, table, source, out)
        assert target.read_bytes() == full
    # Where the kernel cannot copy (not Linux, no file descriptors), Python copies.
    assert _replaced(rows, path, found, old, changed + new, refs) == full


def test_a_note_whose_line_changes_is_written_anew_with_the_rows_replaced(
    tmp_path: Path,
):
    # A's retired cards (one with a heading path of its own) are taken back by B's new
    # cards; A's other cards stay as they are, under A's new line.
    notes = ["A.md", "B.md", "C.md"]
    cards = [_card(n, notes[n // 20], removed=n in (10, 12)) for n in range(60)]
    cards[10] = replace(cards[10], context=("Only here",))
    path = tmp_path / STATE_FILE
    _save(cards, path)
    rows = StateRows(path.read_bytes())
    found = rows.find_notes(["B.md"], [])
    old = rows.cards(found)
    taken = [c for c in old if c.note == "A.md"]
    assert len(taken) == 2
    back = [
        replace(c, note="B.md", key=("path:B.md", *c.key[1:]), removed=False)
        for c in taken
    ]
    new = [c for c in old if c.note == "B.md"] + back
    full_cards = [c for c in cards if c not in taken] + back
    _save(full_cards, tmp_path / "full.json")
    refs = rows.notes_of(["B.md"], [])
    expected = (tmp_path / "full.json").read_bytes()
    assert _replaced(rows, path, found, old, new, refs) == expected
    spans, written, table = rows.replacement(found, old, new, refs, ROOT)
    assert {c.note for c in written} == {"A.md", "B.md"}  # A's rows written anew
    (entry,) = [e for e in rows.entries.values() if e.note == "A.md"]
    assert table.entries["A.md", "path:A.md"] != entry
    assert len(spans) == len(found) + sum(
        1 for c in cards if c.note == "A.md" and not c.removed
    )


def test_a_note_whose_reference_a_new_note_takes_is_written_anew(tmp_path: Path):
    from flashgen.state.lines import NotesTable

    def reference(name: str) -> str:
        where = (name, f"path:{name}")
        return NotesTable([(*where, (), ROOT)]).entries[where].ref

    # Two notes with one reference: the first in path order keeps it, the other gets
    # a number after it. The later one is there first; the new one takes its reference.
    seen: dict[str, str] = {}
    for number in range(100_000):
        name = f"n{number}.md"
        if (ref := reference(name)) in seen:
            break
        seen[ref] = name
    first, later = sorted([name, seen[ref]])
    cards = [_card(n, later if n % 2 else "B.md") for n in range(20)]
    path = tmp_path / STATE_FILE
    _save(cards, path)
    rows = StateRows(path.read_bytes())
    assert {e.ref for e in rows.entries.values() if e.note == later} == {ref}
    found = rows.find_notes([first], [])
    old = rows.cards(found)
    fresh = [_card(n, first) for n in range(100, 103)]
    _save(cards + fresh, tmp_path / "full.json")
    refs = rows.notes_of([first], [])
    got = _replaced(rows, path, found, old, old + fresh, refs)
    assert got == (tmp_path / "full.json").read_bytes()
    assert f'"{ref}1":["{later}"'.encode() in got


def test_a_mapped_state_file_is_searched_a_window_at_a_time(tmp_path: Path):
    import mmap

    rng = random.Random(9)
    notes = ["A.md", "B b.md", "C/\u00e9.md"]
    cards = [_card(n, rng.choice(notes), removed=n % 13 == 0) for n in range(400)]
    path = tmp_path / STATE_FILE
    _save(cards, path)
    paths, identities = ["B b.md"], ["path:C/\u00e9.md"]
    whole = StateRows(path.read_bytes()).find_notes(paths, identities)
    wanted = {c.guid for c in cards if c.note != "A.md" or c.removed}
    with path.open("rb") as source:
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        with mapped:
            rows = StateRows(mapped)
            assert all(card.guid in rows for card in cards)
            # Windows smaller than a row and than a needle: matches across their ends;
            # each note searched for, and every row read.
            for window in (7, 100, 4096, 1 << 20):
                for scan_from in (0, 100):
                    found = rows.find_notes(paths, identities, window, scan_from)
                    assert found == whole
                    assert {card.guid for card in rows.cards(found)} == wanted


def test_many_notes_are_found_by_reading_every_row_as_a_few_are_by_search(
    tmp_path: Path,
):
    # Paths and labels that hold what a row's fields look like, quotes and all.
    notes = [f"N{n}.md" for n in range(30)] + [
        'D "q".md',
        'E", "kind": "x.md',
        "F\\g.md",
        "\u00e9/\u00e9.md",
    ]
    rng = random.Random(3)
    cards = []
    for n in range(900):
        card = _card(n, rng.choice(notes), removed=n % 17 == 0)
        if n % 5 == 0:
            card = replace(card, label='x], "note": "N1.md", "kind": "point')
        if n % 7 == 0:
            card = replace(card, key=(f"id:{n % 4}", "point", card.label, "0"))
        if n % 50 == 0:
            card = replace(card, key=(f"id:{n % 4}",))  # one part: no identity row
        cards.append(card)
    path = tmp_path / STATE_FILE
    _save(cards, path)
    rows = StateRows(path.read_bytes())
    for paths, identities in (
        (notes[::2], ["id:1", "id:3"]),
        (notes[-4:], []),
        ([], ["id:0"]),
        (["N1.md"], []),
        (["nowhere.md"], ["id:9"]),
    ):
        wanted = {
            card.guid
            for card in cards
            if card.removed
            or card.note in paths
            or (card.key and card.key[0] in identities)
        }
        for window in (5, 333, 1 << 20):
            searched = rows.find_notes(paths, identities, window, scan_from=100)
            read = rows.find_notes(paths, identities, window, scan_from=0)
            assert read == searched
            assert {card.guid for card in rows.cards(read)} == wanted
