"""Re-matching: a card whose key is new takes the identity of a vanished card (an orphan).

A new card may take an orphan of the same kind from the same note (same note identity or
file name) when at least two of these agree: heading path, label, answer (80% similar, by
difflib's ratio). Each pair scores its number of signals plus the similarity, plus a half
when the note file is the same; the best-scoring pairs win, ties going to source order.

A renamed or moved note makes every card of it new, and a whole vault moved into a folder
makes every card of the vault new: comparing answers is what costs, so it is avoided where
the outcome is already known. A perfect pair (heading path, label and answer all the
same) outscores every other pair of either card but a perfect one, or one from the same
file when the perfect pair crosses files; when neither exists, the pair is sure to be
taken, and neither card is compared with anything else. A pair in which neither heading
path nor label agrees can never score two signals, so it is not looked at; one in which
only one agrees is compared only when a cheap upper bound of its similarity reaches 80%.
These shortcuts give exactly the pairs comparing everything would.
"""

from __future__ import annotations

import difflib
from array import array
from collections.abc import Container, Iterator, Sequence

from flashgen.cards import CardStore, Fact
from flashgen.state import CardState
from flashgen.stateindex import CardIndex

SIMILAR_ANSWER = 0.8
SAME_FILE_BONUS = 0.5


def rematch(
    store: CardStore,
    left_out: Container[int],
    prev: CardIndex,
    orphans: Sequence[tuple[int, CardState]],
) -> dict[int, tuple[int, CardState]]:
    """New cards that take the identity of an orphan (its row in the previous state, and
    itself), by source-order index."""
    match = _Matching(store, left_out, prev, orphans)
    result: dict[int, tuple[int, CardState]] = {}
    # First pass: each new card's perfect pairs, and what could outscore them.
    sole = array("q", [-1]) * len(store)
    """The orphan a card makes its only perfect pair with (-1: none or several)."""
    same_file = bytearray(len(store))
    """Whether that orphan comes from the card's own note file."""
    near = bytearray(len(store))
    """Whether a card agrees on heading path and label with an orphan of its own file."""
    claims = bytearray(len(orphans))
    """How many new cards make a perfect pair with each orphan (2: two or more)."""
    threat = bytearray(len(orphans))
    """Whether an orphan agrees on heading path and label with a card of its own file."""
    unsure: set[int] = set()
    for note, index, fact, found in match.pending():
        perfect = []
        for position in found:
            old = orphans[position][1]
            if old.context != fact.context or old.label != fact.label:
                continue
            if old.text == fact.text:
                perfect.append(position)
                claims[position] = min(claims[position] + 1, 2)
            elif old.note == fact.note:
                near[index] = threat[position] = 1
        if len(perfect) == 1:
            sole[index] = perfect[0]
            same_file[index] = orphans[perfect[0]][1].note == fact.note
        else:
            unsure.add(note)
    settled = bytearray(len(orphans))
    for index, position in enumerate(sole):
        if position < 0:
            continue
        if claims[position] == 1 and (
            same_file[index] or not (near[index] or threat[position])
        ):
            settled[position] = 1
            result[index] = orphans[position]
        else:
            unsure.add(store.note_of(index))
    # Second pass, over the notes with a card not settled: score its other pairs.
    scored: list[tuple[float, int, int]] = []
    for _, index, fact, found in match.pending(unsure):
        if index in result:
            continue
        similar = _Similar(fact.text)
        for position in found:
            if settled[position]:
                continue
            old = orphans[position][1]
            agree = (old.context == fact.context) + (old.label == fact.label)
            if not agree or (
                agree == 1 and not similar.may_reach(old.text, SIMILAR_ANSWER)
            ):
                continue
            similarity = similar.to(old.text)
            signals = agree + (similarity >= SIMILAR_ANSWER)
            if signals >= 2:
                bonus = SAME_FILE_BONUS if old.note == fact.note else 0.0
                scored.append((signals + similarity + bonus, index, position))
    scored.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    taken_old: set[int] = set()
    for _, index, position in scored:
        if index in result or position in taken_old:
            continue
        taken_old.add(position)
        result[index] = orphans[position]
    return result


class _Matching:
    """The new cards and, for each, the orphans it may take."""

    def __init__(
        self,
        store: CardStore,
        left_out: Container[int],
        prev: CardIndex,
        orphans: Sequence[tuple[int, CardState]],
    ) -> None:
        self._store, self._left_out, self._prev = store, left_out, prev
        # Orphans by kind and note identity, and by kind and file name.
        self._by_note: dict[tuple[str, tuple[str, ...]], array[int]] = {}
        self._by_name: dict[tuple[str, str], array[int]] = {}
        for position, (_, old) in enumerate(orphans):
            where = (old.kind, old.key[:1])
            self._by_note.setdefault(where, array("q")).append(position)
            named = (old.kind, _name(old.note))
            self._by_name.setdefault(named, array("q")).append(position)
        self._heads = {part for _, first in self._by_note for part in first}
        self._names = {name for _, name in self._by_name}

    def pending(
        self, notes: Container[int] | None = None
    ) -> Iterator[tuple[int, int, Fact, set[int]]]:
        """(note, index, facts, the orphans it may take) of each card whose key is new,
        in the given notes (all when None)."""
        store = self._store
        for note in range(store.notes):
            if notes is not None and note not in notes:
                continue
            # Only a note that shares an identity or a file name with an orphan is read.
            summary = store.summary(note)
            if not summary.heads & self._heads and not any(
                _name(path) in self._names for path in summary.paths
            ):
                continue
            first = store.first(note)
            for index, fact in enumerate(store.facts(note), start=first):
                if index in self._left_out or self._prev.find(fact.key) >= 0:
                    continue
                found = {
                    *self._by_note.get((fact.kind, fact.key[:1]), ()),
                    *self._by_name.get((fact.kind, _name(fact.note)), ()),
                }
                if found:
                    yield note, index, fact, found


def _name(path: str) -> str:
    """A vault-relative POSIX path's file name (PurePosixPath's name, at a tenth of the
    cost: it is asked of every card)."""
    return path.rpartition("/")[2]


class _Similar:
    """How similar answers are to one new card's: difflib's ratio, with the new answer
    as the second sequence (whose index difflib builds once for all the comparisons)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._matcher = difflib.SequenceMatcher(None, "", text, autojunk=False)

    def to(self, old: str) -> float:
        if old == self._text:
            return 1.0
        self._matcher.set_seq1(old)
        return self._matcher.ratio()

    def may_reach(self, old: str, least: float) -> bool:
        """False only when the similarity to `old` is surely below `least`."""
        if old == self._text:
            return True
        matcher = self._matcher
        matcher.set_seq1(old)
        return matcher.real_quick_ratio() >= least and matcher.quick_ratio() >= least
