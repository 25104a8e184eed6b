"""Reconcile: the re-matching rule and the modification-time rule, on plain strings."""

from __future__ import annotations

from flashgen.extract import extract_cards
from flashgen.identity import ID_STEP, card_key, note_key
from flashgen.parse import parse_text
from flashgen.reconcile.assign import reconcile
from flashgen.render.card import render_card
from flashgen.render.media import MediaIndex
from flashgen.state.file import State
from flashgen.store.keyed import Keyed

NOW = 1_700_000_000


def _keyed(notes: dict[str, str], tmp_path) -> list[Keyed]:
    index = MediaIndex(tmp_path)
    keyed = []
    for rel, text in notes.items():
        note = parse_text(rel, text)
        for draft in extract_cards(note):
            card = render_card(draft, "D", index).card
            keyed.append(
                Keyed.of(card, card_key(draft, note_key(rel, note.front_matter)))
            )
    return keyed


def _run(old: dict[str, str], new: dict[str, str], tmp_path, now: int = NOW):
    first = reconcile(_keyed(old, tmp_path), State(), NOW)
    second = reconcile(_keyed(new, tmp_path), first.state, now)
    return first, second


def _by_label(result):
    return {item.card.draft.label: item for item in result.cards}


def test_renamed_label_with_the_same_answer_keeps_its_guid(tmp_path):
    first, second = _run(
        {"N.md": "## H\n**Old**: an answer that stays.\n"},
        {"N.md": "## H\n**New**: an answer that stays.\n"},
        tmp_path,
    )
    (old,), (new,) = first.cards, second.cards
    assert (new.guid, new.status) == (old.guid, "rematched")
    assert new.previous is not None and new.previous.label == "Old"
    assert new.modified == NOW + 1


def test_label_and_answer_both_changed_is_a_new_card(tmp_path):
    _first, second = _run(
        {"N.md": "## H\n**Old**: an answer.\n"},
        {"N.md": "## H\n**New**: something else entirely.\n"},
        tmp_path,
    )
    assert second.cards[0].status == "added"
    assert [c.label for c in second.newly_removed] == ["Old"]


def test_lightly_reworded_answer_with_a_new_label_is_re_matched(tmp_path):
    answer = "Containers share the host kernel and isolate only processes"
    first, second = _run(
        {"N.md": f"## H\n**Old**: {answer}.\n"},
        {"N.md": f"## H\n**New**: {answer}, nothing more.\n"},
        tmp_path,
    )
    assert second.cards[0].guid == first.cards[0].guid


def test_cards_never_jump_to_another_note(tmp_path):
    _first, second = _run(
        {"A.md": "**Term**: same words.\n"},
        {"B.md": "**Term**: same words.\n"},
        tmp_path,
    )
    assert second.cards[0].status == "added"


def test_a_moved_note_keeps_all_its_cards(tmp_path):
    text = "## H\n**A**: one.\n\n**B**: two.\n"
    first, second = _run({"x/N.md": text}, {"y/N.md": text}, tmp_path)
    assert [c.guid for c in second.cards] == [c.guid for c in first.cards]
    assert {c.status for c in second.cards} == {"rematched"}


def test_a_note_with_an_id_keeps_a_renamed_label_under_another_file_name(tmp_path):
    # Same note id, another file name: the label's rename is followed by the id alone.
    front = "---\nid: n1\n---\n"
    first, second = _run(
        {"A.md": front + "**One**: the first answer.\n"},
        {"B.md": front + "**Uno**: the first answer.\n"},
        tmp_path,
    )
    assert second.cards[0].guid == first.cards[0].guid
    assert second.cards[0].status == "rematched"


def test_swapped_answers_match_by_key_not_by_text(tmp_path):
    first, second = _run(
        {"N.md": "**A**: alpha text.\n\n**B**: beta text.\n"},
        {"N.md": "**A**: beta text.\n\n**B**: alpha text.\n"},
        tmp_path,
    )
    assert _by_label(first)["A"].guid == _by_label(second)["A"].guid
    assert {c.status for c in second.cards} == {"updated"}


def test_unchanged_cards_keep_their_time_and_changed_ones_move_forward(tmp_path):
    _first, second = _run(
        {"N.md": "**A**: one.\n\n**B**: two.\n"},
        {"N.md": "**A**: one.\n\n**B**: three.\n"},
        tmp_path,
        now=NOW - 50,
    )
    a, b = second.cards
    assert (a.status, a.modified) == ("unchanged", NOW)
    assert (b.status, b.modified) == (
        "updated",
        NOW + 1,
    )  # newer even with a clock behind


def test_retired_cards_stay_retired_without_being_touched_again(tmp_path):
    _first, second = _run(
        {"N.md": "**A**: one.\n\n**B**: two.\n"}, {"N.md": "**A**: one.\n"}, tmp_path
    )
    third = reconcile(
        _keyed({"N.md": "**A**: one.\n"}, tmp_path), second.state, NOW + 99
    )
    (gone,) = second.retired
    assert third.newly_removed == () and third.retired == (gone,)
    assert gone.removed and gone.modified == NOW + 1


def test_a_removed_point_that_comes_back_gets_its_identity_back(tmp_path):
    first, second = _run(
        {"N.md": "**A**: one.\n\n**B**: two.\n"}, {"N.md": "**A**: one.\n"}, tmp_path
    )
    back = reconcile(
        _keyed({"N.md": "**A**: one.\n\n**B**: two.\n"}, tmp_path),
        second.state,
        NOW + 5,
    )
    assert _by_label(back)["B"].guid == _by_label(first)["B"].guid
    assert _by_label(back)["B"].status == "updated"
    assert back.retired == ()


def test_the_same_key_twice_is_reported_once_and_built_once(tmp_path):
    keyed = _keyed({"N.md": "**A**: one.\n"}, tmp_path)
    result = reconcile(keyed + keyed, State(), NOW)
    assert len(result.cards) == 1
    (error,) = result.diagnostics
    assert "same identity" in error.message


def test_a_label_that_comes_back_after_a_rename_gets_a_guid_of_its_own(tmp_path):
    first, second = _run(
        {"N.md": "## H\n**Old**: an answer that stays.\n"},
        {"N.md": "## H\n**New**: an answer that stays.\n"},
        tmp_path,
    )
    assert second.cards[0].guid == first.cards[0].guid  # "New" inherited Old's GUID
    third = reconcile(
        _keyed(
            {"N.md": "## H\n**New**: an answer that stays.\n\n**Old**: a new point.\n"},
            tmp_path,
        ),
        second.state,
        NOW + 9,
    )
    new, old = (c for c in third.cards if c.card.draft.kind == "point")
    assert (new.status, old.status) == ("unchanged", "added")
    assert old.guid != new.guid


def test_a_card_keeps_its_note_id_and_new_cards_are_numbered_past_every_id(tmp_path):
    first, second = _run(
        {"N.md": "**A**: one.\n**B**: two.\n**C**: three.\n"},
        {"N.md": "**A**: one, edited.\n**D**: four.\n**Renamed**: two.\n"},
        tmp_path,
        now=NOW,  # the same second again: the clock alone would give taken ids
    )
    ids = {item.card.draft.label: item.id for item in first.cards}
    # Numbered from the build's time in source order, ID_STEP apart (the cards take the
    # next numbers).
    step = ID_STEP
    assert ids == {"A": NOW * 1000, "B": NOW * 1000 + step, "C": NOW * 1000 + 2 * step}
    now = _by_label(second)
    assert now["A"].id == ids["A"]  # updated
    assert now["Renamed"].id == ids["B"]  # re-matched: B's identity, B's id
    assert now["D"].id == NOW * 1000 + 3 * step  # past every id given before
    (gone,) = second.newly_removed
    assert (gone.label, gone.id) == ("C", ids["C"])
    assert {card.guid: card.id for card in second.state.cards} == {
        **{item.guid: item.id for item in second.cards},
        gone.guid: gone.id,
    }


def test_cards_from_a_state_without_ids_are_given_ids_once(tmp_path):
    from dataclasses import replace

    first = reconcile(_keyed({"N.md": "**A**: one.\n"}, tmp_path), State(), NOW)
    old = State(tuple(replace(card, id=0) for card in first.state.cards))
    second = reconcile(_keyed({"N.md": "**A**: one.\n"}, tmp_path), old, NOW + 5)
    (card,) = second.cards
    assert (card.status, card.id) == ("unchanged", (NOW + 5) * 1000)
    assert second.state_changed and second.state.cards[0].id == card.id
    again = _keyed({"N.md": "**A**: one.\n"}, tmp_path)
    third = reconcile(again, second.state, NOW + 9)
    assert third.cards[0].id == card.id and not third.state_changed
