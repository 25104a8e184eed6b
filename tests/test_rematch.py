"""Re-matching: the shortcuts give exactly the pairs that comparing every pair gives."""

from __future__ import annotations

import random
from pathlib import PurePosixPath

from flashgen.reconcile.assign import reconcile
from flashgen.reconcile.rematch import SAME_FILE_BONUS, SIMILAR_ANSWER, rematch
from flashgen.state.file import State
from flashgen.state.index import card_index
from flashgen.state.saved import CardState
from flashgen.store.cardstore import CardStore

from .test_reconcile import NOW, _keyed

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "kernel",
    "thread",
    "memory",
    "cache",
    "route",
    "shard",
]


def _every_pair(store: CardStore, prev, orphans) -> dict[int, tuple[int, CardState]]:
    """The rule as rematch's docstring states it, every pair compared."""
    scored = []
    for note in range(store.notes):
        for index, fact in enumerate(store.facts(note), start=store.first(note)):
            if prev.find(fact.key) >= 0:
                continue
            for position, (_, old) in enumerate(orphans):
                same_note = old.key[:1] == fact.key[:1]
                same_name = (
                    PurePosixPath(old.note).name == PurePosixPath(fact.note).name
                )
                if old.kind != fact.kind or not (same_note or same_name):
                    continue
                # The share of the answers' fingerprints' 64 bits that agree.
                similarity = 1 - bin(old.answer ^ fact.answer).count("1") / 64
                signals = (
                    (old.context == fact.context)
                    + (old.label == fact.label)
                    + (similarity >= SIMILAR_ANSWER)
                )
                if signals >= 2:
                    bonus = SAME_FILE_BONUS if old.note == fact.note else 0.0
                    scored.append((signals + similarity + bonus, index, position))
    scored.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    result: dict[int, tuple[int, CardState]] = {}
    taken: set[int] = set()
    for _, index, position in scored:
        if index not in result and position not in taken:
            taken.add(position)
            result[index] = orphans[position]
    return result


def _answer(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7)))


def _reworded(rng: random.Random, answer: str) -> str:
    words = answer.split()
    words[rng.randrange(len(words))] = rng.choice(_WORDS)
    return " ".join(words)


def _point(rng: random.Random, label: str, answer: str) -> str:
    pin = f" ^p{rng.randrange(4)}" if rng.random() < 0.3 else ""
    return f"- **{label}**: {answer}{pin}\n"


def _vaults(rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    """Two versions of a small vault: notes moved (often to a file of the same name),
    points renamed, reworded, duplicated and pinned; few words, so answers are alike."""
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for number in range(rng.randint(2, 4)):
        name = rng.choice(["a.md", "b.md"])
        path = f"{rng.choice(['', 'F/', 'G/'])}{rng.choice(['', f'{number}-'])}{name}"
        points = [
            (rng.choice(["H1", "H2"]), rng.choice(["L1", "L2", "L3"]), _answer(rng))
            for _ in range(rng.randint(2, 6))
        ]
        before = after = ""
        for heading, label, answer in sorted(points):
            before += f"## {heading}\n" + _point(rng, label, answer)
            if rng.random() < 0.1:
                before += f"## {heading}\n" + _point(rng, label, answer)
            change = rng.random()
            if change < 0.2:
                label = rng.choice(["L1", "L2", "L3", "L4"])
            elif change < 0.4:
                answer = _reworded(rng, answer)
            elif change < 0.5:
                heading = rng.choice(["H1", "H2", "H3"])
            elif change < 0.6:
                after += f"## {heading}\n" + _point(rng, label, answer)
            after += f"## {heading}\n" + _point(rng, label, answer)
        old[path] = old.get(path, "") + before
        moved = rng.choice([path, f"M/{number}-{name}", f"M/{name}", name])
        new[moved] = new.get(moved, "") + after
    return old, new


def test_rematching_takes_the_pairs_comparing_every_pair_takes(tmp_path):
    matched = 0
    for seed in range(150):
        rng = random.Random(seed)
        old_notes, new_notes = _vaults(rng)
        first = reconcile(_keyed(old_notes, tmp_path), State(), NOW)
        prev = card_index(first.state.cards)
        store = CardStore.of(_keyed(new_notes, tmp_path))
        keys = {fact.key for note in range(store.notes) for fact in store.facts(note)}
        orphans = [
            (row, card)
            for row, card in enumerate(first.state.cards)
            if card.key not in keys
        ]
        expected = _every_pair(store, prev, orphans)
        rows = [row for row, _ in orphans]
        taken = rematch(store, set(), prev, rows)
        assert taken == {index: row for index, (row, _) in expected.items()}, seed
        matched += len(expected)
    assert matched > 300  # the vaults do re-match, and often


def _guids(result) -> dict[str, tuple[str, str]]:
    return {a.card.draft.note_path: (a.guid, a.status) for a in result.cards}


def test_a_close_pair_in_the_same_file_outscores_a_perfect_pair_across_files(
    tmp_path,
):
    # The old card's own file holds a card with its heading and label, reworded (a new
    # pin, so a new key); another file of that name holds it word for word.
    old = {"X/n.md": "## H\n- **L**: alpha beta gamma delta kernel ^p1\n"}
    new = {
        "X/n.md": "## H\n- **L**: alpha beta gamma delta thread ^p2\n",
        "Y/n.md": "## H\n- **L**: alpha beta gamma delta kernel\n",
    }
    first = reconcile(_keyed(old, tmp_path), State(), NOW)
    second = reconcile(_keyed(new, tmp_path), first.state, NOW + 10)
    assert _guids(second)["X/n.md"] == (first.cards[0].guid, "rematched")
    assert _guids(second)["Y/n.md"][1] == "added"


def test_a_perfect_pair_across_files_loses_to_a_close_pair_of_its_own_file(tmp_path):
    # The new card matches X's old card word for word, and its own file's old card
    # (same heading and label) nearly: its own file's wins, and X's card is retired.
    old = {
        "X/n.md": "## H\n- **L**: alpha beta gamma delta kernel ^p1\n",
        "Y/n.md": "## H\n- **L**: alpha beta gamma delta thread ^p3\n",
    }
    new = {"Y/n.md": "## H\n- **L**: alpha beta gamma delta kernel ^p4\n"}
    first = reconcile(_keyed(old, tmp_path), State(), NOW)
    second = reconcile(_keyed(new, tmp_path), first.state, NOW + 10)
    was = {card.note: card.guid for card in first.state.cards}
    assert _guids(second)["Y/n.md"] == (was["Y/n.md"], "rematched")
    assert [card.note for card in second.newly_removed] == ["X/n.md"]


def test_a_renamed_label_is_re_matched_on_an_answer_just_80_percent_alike(tmp_path):
    old = {"N.md": "## H\n**Old**: alpha beta gamma delta kernel\n"}
    new = {"N.md": "## H\n**New**: alpha beta gamma delta thread\n"}  # 83% alike
    first = reconcile(_keyed(old, tmp_path), State(), NOW)
    second = reconcile(_keyed(new, tmp_path), first.state, NOW + 10)
    assert _guids(second)["N.md"] == (first.cards[0].guid, "rematched")


def test_the_same_answer_under_another_label_is_not_a_perfect_pair(tmp_path):
    # Moved, the card is B with A's answer: B's own old card (same label, an answer
    # 83% alike) scores 3.83, A's (same answer, another label) only 3.
    old = {
        "X/n.md": "## H\n- **A**: alpha beta gamma delta kernel\n"
        "- **B**: alpha beta gamma delta thread\n"
    }
    new = {"Y/n.md": "## H\n- **B**: alpha beta gamma delta kernel\n"}
    first = reconcile(_keyed(old, tmp_path), State(), NOW)
    second = reconcile(_keyed(new, tmp_path), first.state, NOW + 10)
    was = {card.label: card.guid for card in first.state.cards}
    assert _guids(second)["Y/n.md"] == (was["B"], "rematched")
