"""Re-matching: a card whose key is new takes the identity of a vanished card (an orphan).

A new card may take an orphan of the same kind from the same note (same note identity or
file name) when at least two of these agree: heading path, label, answer (80% similar: at
least 80% of the bits of the answers' fingerprints agree, see fingerprint.py). Each pair
scores its number of signals plus the similarity, plus a half when the note file is the
same; the best-scoring pairs win, ties going to source order.

A renamed or moved note makes every card of it new, and a whole vault moved into a folder
makes every card of the vault new: comparing answers is what costs, so it is avoided where
the outcome is already known. A perfect pair (heading path, label and answer fingerprint
all the same) outscores every other pair of either card but a perfect one, or one from the same
file when the perfect pair crosses files; when neither exists, the pair is sure to be
taken, and neither card is compared with anything else. A pair in which neither heading
path nor label agrees can never score two signals, so it is not looked at. These shortcuts
give exactly the pairs comparing everything would.

Orphans are held as 128-bit fingerprints (BLAKE2b) of their heading path, label and answer,
and read in full from the previous state only where a pair must be scored: a vault of
1,850,000 cards moved into a folder makes every one of them an orphan.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Container, Iterator, Sequence

from flashgen.fingerprint import similarity as _similarity
from flashgen.state.index import CardIndex
from flashgen.state.saved import CardState
from flashgen.store.cardstore import CardStore
from flashgen.store.keyed import Fact

SIMILAR_ANSWER = 0.8
SAME_FILE_BONUS = 0.5


def rematch(
    store: CardStore,
    left_out: Container[int],
    prev: CardIndex,
    rows: Sequence[int],
) -> dict[int, int]:
    """New cards that take the identity of an orphan (a card at one of these rows of the
    previous state): the row each takes, by source-order index."""
    orphans = _Orphans(prev, rows)
    match = _Matching(store, left_out, prev, orphans)
    result: dict[int, int] = {}
    # First pass: each new card's perfect pairs, and what could outscore them. By card:
    # the orphan it makes its only perfect pair with (-1: none or several), whether that
    # orphan is of the card's own note file, and whether the card agrees on heading path
    # and label (not answer) with an orphan of its own file. By orphan: how many cards
    # make a perfect pair with it (2: two or more), and whether it agrees on heading path
    # and label (not answer) with a card of its own file.
    sole = array("q", [-1]) * len(store)
    same_file = bytearray(len(store))
    near = bytearray(len(store))
    claims = bytearray(len(rows))
    threat = bytearray(len(rows))
    unsure: set[int] = set()
    marks, size = orphans.marks, 3 * _PRINT
    for note, index, fact, found in match.pending():
        mark = _marks(fact)
        place = mark[: 2 * _PRINT]
        note_at = orphans.note_number(fact.note)
        perfect = []
        for position in found:
            at = position * size
            if marks[at : at + 2 * _PRINT] != place:
                continue
            if marks[at + 2 * _PRINT : at + size] == mark[2 * _PRINT :]:
                perfect.append(position)
                claims[position] = min(claims[position] + 1, 2)
            elif orphans.note[position] == note_at:
                near[index] = threat[position] = 1
        if len(perfect) == 1:
            sole[index] = perfect[0]
            same_file[index] = orphans.note[perfect[0]] == note_at
        else:
            unsure.add(note)
    settled = bytearray(len(rows))
    for index, position in enumerate(sole):
        if position < 0:
            continue
        if claims[position] == 1 and (
            same_file[index] or not (near[index] or threat[position])
        ):
            settled[position] = 1
            result[index] = rows[position]
        else:
            unsure.add(store.note_of(index))
    # Second pass, over the notes with a card not settled: score its other pairs.
    scored: list[tuple[float, int, int]] = []
    for _, index, fact, found in match.pending(unsure):
        if index in result:
            continue
        mark = _marks(fact)
        # Only orphans that agree on heading path or label can score two signals.
        candidates = sorted(
            p for p in found if not settled[p] and orphans.shares_place(p, mark)
        )
        for position, old in zip(candidates, orphans.cards(candidates), strict=True):
            agree = (old.context == fact.context) + (old.label == fact.label)
            if not agree:
                continue
            similarity = _similarity(old.answer, fact.answer)
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
        result[index] = rows[position]
    return result


_PRINT = 16
"""Bytes of a fingerprint: equal fingerprints are equal values, bar a 2**-128 chance."""


def _print(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=_PRINT).digest()


def _marks(item: Fact | CardState) -> bytes:
    """Fingerprints of a card's heading path, label and answer, one after the other."""
    return (
        _print(repr(item.context))
        + _print(item.label)
        + _print(item.answer.to_bytes(8, "big").hex())
    )


class _Orphans:
    """What re-matching reads of each orphan, compactly: a vault moved into a folder
    makes every card an orphan, and its cards are read in full only where a pair must
    be scored."""

    def __init__(self, prev: CardIndex, rows: Sequence[int]) -> None:
        self._prev, self._rows = prev, rows
        self.marks = bytearray()
        """_marks of each orphan."""
        self.note = array("q")
        """Each orphan's note file, numbered."""
        self._notes: dict[str, int] = {}
        self.kinds: list[tuple[str, tuple[str, ...], str]] = []
        """Each orphan's kind, note identity and file name (shared, not copied)."""
        shared: dict[tuple[str, tuple[str, ...], str], tuple[str, tuple[str, ...], str]]
        shared = {}
        for old in prev.cards(rows):
            self.marks += _marks(old)
            self.note.append(self.note_number(old.note, add=True))
            where = (old.kind, old.key[:1], _name(old.note))
            self.kinds.append(shared.setdefault(where, where))

    def note_number(self, path: str, *, add: bool = False) -> int:
        if add:
            return self._notes.setdefault(path, len(self._notes))
        return self._notes.get(path, -1)

    def shares_place(self, position: int, marks: bytes) -> bool:
        """Whether an orphan has a card's heading path or its label (by _marks)."""
        at = position * 3 * _PRINT
        own = self.marks
        return (
            own[at : at + _PRINT] == marks[:_PRINT]
            or own[at + _PRINT : at + 2 * _PRINT] == marks[_PRINT : 2 * _PRINT]
        )

    def cards(self, positions: Sequence[int]) -> list[CardState]:
        """The orphans at these positions (in increasing order), read in full."""
        return list(self._prev.cards([self._rows[p] for p in positions]))


class _Matching:
    """The new cards and, for each, the orphans it may take."""

    def __init__(
        self,
        store: CardStore,
        left_out: Container[int],
        prev: CardIndex,
        orphans: _Orphans,
    ) -> None:
        self._store, self._left_out, self._prev = store, left_out, prev
        # Orphans by kind and note identity, and by kind and file name.
        self._by_note: dict[tuple[str, tuple[str, ...]], array[int]] = {}
        self._by_name: dict[tuple[str, str], array[int]] = {}
        for position, (kind, head, name) in enumerate(orphans.kinds):
            self._by_note.setdefault((kind, head), array("q")).append(position)
            self._by_name.setdefault((kind, name), array("q")).append(position)
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
