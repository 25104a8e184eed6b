"""A build's cards held note by note (store/cardstore.py): reconcile over a compact store gives what
it gives over cards in memory, and a large state is written in sorted runs."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from flashgen.fingerprint import answer_print
from flashgen.reconcile.assign import reconcile
from flashgen.state.file import State, commit_state, load_state, save_state, stage_state
from flashgen.store.cardstore import CardStore

from .test_reconcile import NOW, _keyed

OLD = {
    "A.md": "# Part\n\n**One**: first answer.\n\n**Two**: second answer.\n",
    "B.md": "---\nid: shared\n---\n**Three**: third.\n\n**Gone**: removed later.\n",
    "C.md": "**Four**: fourth.\n",
}
NEW = {
    # A renamed label (re-matched), a new card, a removed one (retired), and a note
    # with the same id as another (its card with the same key is left out).
    "A.md": "# Part\n\n**Uno**: first answer.\n\n**Two**: second answer, longer.\n",
    "B.md": "---\nid: shared\n---\n**Three**: third.\n",
    "D.md": "---\nid: shared\n---\n**Three**: again.\n\n**Five**: fifth.\n",
    "C.md": "**Four**: fourth.\n\n**Café**: composed.\n\n"
    + unicodedata.normalize("NFD", "**Café**: decomposed.\n"),
}


def _notes(keyed):
    """Cards grouped as the pipeline adds them: one note at a time."""
    groups: dict[str, list] = {}
    for item in keyed:
        groups.setdefault(item.card.draft.note_path, []).append(item)
    return list(groups.values())


@pytest.mark.parametrize("compact", [True, False])
def test_a_store_reconciles_as_the_cards_in_memory(tmp_path, compact):
    first = reconcile(_keyed(OLD, tmp_path), State(), NOW)
    keyed = _keyed(NEW, tmp_path)
    store = CardStore(compact=compact)
    for note in _notes(keyed):
        store.add(note)
    expected = reconcile(keyed, first.state, NOW + 60)
    got = reconcile(store, first.state, NOW + 60)
    assert list(got.cards) == list(expected.cards)
    assert [got.cards[i] for i in range(len(got.cards))] == list(expected.cards)
    assert got.cards[-1] == list(expected.cards)[-1]
    with pytest.raises(IndexError):
        got.cards[len(got.cards)]
    assert list(got.state.cards) == list(expected.state.cards)
    assert [got.state.cards[i] for i in range(len(got.state.cards))] == list(
        got.state.cards
    )
    assert got.retired == expected.retired and got.diagnostics == expected.diagnostics
    # What the fixture sets out to hold: each kind of card is there.
    statuses = got.cards.statuses()
    assert statuses["rematched"] == 1 and statuses["added"] >= 3
    assert [old.label for old in got.newly_removed] == ["Gone"]
    assert len(got.diagnostics) == 1 and "same identity" in got.diagnostics[0].message
    assert [card.card.draft.label for card in got.cards.rematched()] == ["Uno"]
    assert [(fact.label, old.label) for fact, old in got.cards.taken()] == [
        ("Uno", "One")
    ]


def test_two_spellings_of_one_label_get_two_guids(tmp_path):
    result = reconcile(_keyed(NEW, tmp_path), State(), NOW)
    cafes = [c for c in result.cards if c.card.draft.label.startswith("Caf")]
    assert len(cafes) == 2 and cafes[0].guid != cafes[1].guid
    guids = [card.guid for card in result.cards]
    assert len(set(guids)) == len(guids)


def _state(count: int):
    from .test_regenerate import _state_of

    return _state_of(count)


@pytest.mark.parametrize("run", [1, 3, 4, 1000])
def test_a_large_state_is_written_in_sorted_runs_to_the_same_bytes(tmp_path, run):
    path = tmp_path / "state.json"
    save_state(State(_state(10)), path)
    loaded, _ = load_state(path)
    assert loaded.source is not None
    cards = list(loaded.cards)
    cards[4] = dataclasses.replace(cards[4], digest="f" * 24, modified=2)
    new = dataclasses.replace(cards[0], guid="fg9999", key=("path:N.md", "new"))
    # Out of GUID order, as a build gives them: read, changed and new cards.
    shuffled = State((*cards[::-1], new), loaded.source)
    commit_state(stage_state(shuffled, path, run=run), path)
    expected = tmp_path / "expected.json"
    save_state(State(sorted((*cards, new), key=lambda card: card.guid)), expected)
    assert path.read_bytes() == expected.read_bytes()


def test_rows_read_are_copied_as_they_were_from_sorted_runs_too(tmp_path):
    path = tmp_path / "state.json"
    save_state(State(_state(6)), path)
    # Spaced otherwise: a row copied from the file keeps its spacing.
    text = path.read_text(encoding="utf-8").replace(',"p",', ', "p", ')
    path.write_text(text, encoding="utf-8")
    loaded, _ = load_state(path)
    assert loaded.source is not None
    changed = dataclasses.replace(loaded.cards[2], answer=answer_print("changed"))
    state = State((*loaded.cards[:2], changed, *loaded.cards[3:]), loaded.source)
    commit_state(stage_state(state, path, run=2), path)
    lines = path.read_text(encoding="utf-8").split("\n")
    rows = [line for line in lines if line.startswith('"fg')]
    assert [(', "p", ' in row) for row in rows] == [True, True, False, True, True, True]
    assert tuple(load_state(path)[0].cards) == state.cards


def test_decks_media_and_card_rows_leave_out_what_is_left_out(tmp_path):
    from flashgen.anki.deck import AnkiNotes, DeckSettings, anki_notes, card_rows_of
    from flashgen.render.media import MediaFile

    def moved(item, deck, media=()):
        card = dataclasses.replace(item.card, deck=deck, media=media)
        return dataclasses.replace(item, card=card)

    keyed = _keyed(NEW, tmp_path)
    # D.md's "Three" has the identity of B.md's and is left out: its own deck and image
    # must not reach the deck. C.md's cards go to two decks.
    image = MediaFile("only.png", "0123.png")
    keyed = [
        moved(item, "Only here", (image,))
        if (item.card.draft.note_path, item.card.draft.label) == ("D.md", "Three")
        else moved(item, "Second")
        if (item.card.draft.note_path, item.card.draft.label) == ("C.md", "Four")
        else item
        for item in keyed
    ]
    store = CardStore()
    for note in _notes(keyed):
        store.add(note)
    cards = reconcile(store, State(), NOW).cards
    assert len(cards) == len(keyed) - 1
    assert cards.decks() == {"D", "Second"}
    assert cards.media() == {}
    settings = DeckSettings(root_deck="D", removed_tag="gone")
    deck_ids = {"D": 1, "Second": 2}
    rows = list(AnkiNotes(cards, (), settings).card_rows(deck_ids))
    assert rows == list(card_rows_of(anki_notes(cards, (), settings), deck_ids))
    assert {row[2] for row in rows} == {1, 2}


def test_a_state_read_in_place_answers_as_the_cards_in_memory(tmp_path):
    from flashgen.state.index import MemoryIndex, StateIndex

    cards = list(_state(6))
    # Written by hand: a digest of another length, two cards with one key (the last
    # in GUID order is the one found, as a dict of the cards by key would have it).
    cards[1] = dataclasses.replace(cards[1], digest="short", removed=True)
    cards[4] = dataclasses.replace(cards[4], key=cards[2].key)
    # Decks under the root deck, outside it, and a kind flashgen does not make.
    cards[3] = dataclasses.replace(cards[3], deck="Vault::Other", kind="p")
    cards[5] = dataclasses.replace(cards[5], deck="Elsewhere", kind="cloze")
    path = tmp_path / "state.json"
    save_state(State(tuple(cards)), path, root_deck="Vault")
    with path.open("rb") as stream:
        index = StateIndex.read(stream, path)
    assert index is not None
    memory = MemoryIndex(cards)
    assert list(index) == cards and len(index) == 6 and index.max_id == memory.max_id
    assert [index[i] for i in range(6)] == cards and index[-1] == cards[-1]
    assert list(index.cards([1, 3, 5])) == [cards[1], cards[3], cards[5]]
    for number, card in enumerate(cards):
        assert index.find(card.key) == memory.find(card.key)
        assert index.holds(card.guid) and index.position(card) == number
        assert (
            index.guid(number),
            index.digest(number),
            index.modified(number),
            index.id(number),
            index.removed(number),
            index.deck(number),
        ) == (card.guid, card.digest, card.modified, card.id, card.removed, card.deck)
    assert index.find(cards[2].key) == 4
    assert index.find(("path:N.md", "none")) == -1
    assert not index.holds("fg0000x") and not index.holds("a")
    other = dataclasses.replace(cards[0], answer=answer_print("other"))
    assert index.position(other) == -1
    assert index.position(dataclasses.replace(cards[0], deck="Vault::Else")) == -1


def test_re_matched_cards_keep_what_they_took_once_the_state_file_is_gone(tmp_path):
    from flashgen.state.index import StateIndex

    first = reconcile(_keyed(OLD, tmp_path), State(), NOW)
    path = tmp_path / "state.json"
    save_state(first.state, path)
    with path.open("rb") as stream:
        index = StateIndex.read(stream, path)
    assert index is not None
    got = reconcile(_keyed(NEW, tmp_path), State(index, index), NOW + 60)
    path.unlink()  # as when the build has written the state file anew
    expected = reconcile(_keyed(NEW, tmp_path), first.state, NOW + 60)
    assert [card.previous for card in got.cards.rematched()] == [
        card.previous for card in expected.cards.rematched()
    ]
    assert list(got.cards) == list(expected.cards)


def test_the_cards_taken_are_packed_in_runs_and_read_back_as_they_were():
    from flashgen.store.cardstore import PackedPrevious

    cards = list(_state(9))
    rows = {40: 3, 7: 0, 12: 8, 3: 5, 99: 3, 50: 1, 8: 2}  # a row taken twice too
    read: list[list[int]] = []

    def reader(wanted):
        read.append(list(wanted))
        return [cards[row] for row in wanted]

    for run in (1, 3, 100):
        read.clear()
        packed = PackedPrevious(reader, rows, run)
        assert list(packed) == sorted(rows) and len(packed) == len(rows)
        assert {index: packed[index] for index in rows} == {
            index: cards[row] for index, row in rows.items()
        }
        assert dict(packed) == {index: cards[row] for index, row in rows.items()}
        assert packed.get(41) is None and 41 not in packed and 99 in packed
        with pytest.raises(KeyError):
            packed[100]
        assert all(wanted == sorted(set(wanted)) for wanted in read)
        assert len(read) == -(-len(rows) // run)


def test_a_packed_note_is_stored_and_read_back_and_damage_is_caught(tmp_path):
    import marshal
    import zlib

    from flashgen.store.codec import decode_packed, encode_packed, pack_note

    keyed = _keyed(OLD, tmp_path)
    packed = pack_note(keyed)
    payload = encode_packed(packed)
    back = decode_packed(payload)
    assert back == packed
    store = CardStore()
    store.add(back)
    assert store.keyed(0) == keyed and store.summary(0).paths == set(OLD)
    damaged = [payload[:cut] for cut in range(len(payload))]
    for at in range(len(payload)):
        flipped = bytearray(payload)
        flipped[at] ^= 0x10
        damaged.append(bytes(flipped))
    # A checksum that matches, over bytes that are not a packed note.
    for body in (
        marshal.dumps((1, 2)),
        marshal.dumps((1, b"", b"", (1, 2, 3, 4))),
        b"x",
    ):
        damaged.append(zlib.crc32(body).to_bytes(4, "big") + body)
    for bad in damaged:
        with pytest.raises(ValueError):
            decode_packed(bad)


def test_answer_text_is_the_answer_s_words_with_whitespace_runs_as_one_space(tmp_path):
    import re
    import sys

    from flashgen.store.keyed import answer_text

    card = _keyed(OLD, tmp_path)[0].card
    spaces = "".join(
        chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))
    )
    words = [f"w{n}&amp;" for n in range(len(spaces))]
    inner = "".join(w + s + s for w, s in zip(words, spaces, strict=True))
    answer = f"<p>{spaces}{inner}</p><ul><li>a\u00a0\u00a0b</li></ul>{'x ' * 200}"
    text = answer_text(dataclasses.replace(card, answer=answer))
    expected = " ".join(w.replace("&amp;", "&") for w in words) + " a b " + "x " * 200
    assert text == expected.strip()[:300]
    assert len(text) == 300
