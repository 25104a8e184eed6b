"""Reconcile: this build's cards + the last build's state -> GUIDs, ids, times, changes.

A card keeps the GUID of the card with the same structural key. A card whose key is new
inherits the GUID of a vanished card of the same kind from the same note (same note id or
file name) when at least two of these agree: heading path, label, answer (80% similar). The
best-scoring pairs win; ties go to source order (see rematch.py).

No I/O of its own: the last build's cards come as an index object (state/index.py's
CardIndex), asked for what it needs. An index read in place from the state file reads its
rows as they are asked for, and raises OutputError if the file changed during the build;
an index of cards in memory (tests, older files) never does.

The cards are read from a CardStore a note at a time, in a few passes over their facts, and
what each card gets is kept in compact arrays (see store/cardstore.py): a large vault's
cards are never all in memory as records.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections import Counter
from collections.abc import Collection, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import overload

from flashgen.identity import ID_STEP, card_guid
from flashgen.reconcile.rematch import rematch
from flashgen.records import checked
from flashgen.report import Diagnostic, Severity
from flashgen.state.file import State
from flashgen.state.index import CardIndex, card_index
from flashgen.state.saved import CardState, Copied, Fields, dataclass_fields
from flashgen.store.cardstore import (
    STATUSES,
    AssignedCards,
    Assignments,
    CardStore,
    PackedPrevious,
)
from flashgen.store.keyed import Fact, Keyed


@dataclass(frozen=True, slots=True)
class Reconciliation:
    cards: AssignedCards
    retired: tuple[CardState, ...]
    """Cards no longer in the notes, still put in the deck to retire them in Anki."""
    newly_removed: tuple[CardState, ...]
    state: State
    """The cards of the new state: this build's in source order, then the retired and
    the kept ones (state.stage_state writes them in GUID order)."""
    diagnostics: tuple[Diagnostic, ...]
    state_changed: bool = True
    moved: tuple[DeckMove, ...] = ()
    """Cards kept from the last build that now belong to another deck, by note."""


@dataclass(frozen=True, slots=True)
class DeckMove:
    """Cards of one note that the last build put in one deck and this one in another:
    Anki's import never moves a card it already has."""

    note: str
    """The note's vault path now."""
    was: str
    now: str
    cards: int
    """False when `state` is the previous state again (nothing to save)."""


def reconcile(
    keyed: Iterable[Keyed] | CardStore,
    previous: State,
    now: int,
    *,
    notes: Collection[str] | None = None,
    reserved: Container[str] = (),
    last_id: int = 0,
) -> Reconciliation:
    """Give every card its GUID, id and time, and list what changed since `previous`.

    With `notes` (the paths of the notes built, when they are files rather than a whole
    vault), cards of other notes in the state are left as they are: neither re-matched
    nor retired, and kept in the new state. `reserved` and `last_id` are GUIDs and the
    highest id held by cards not in `previous` (a build that reads only part of the
    state): new cards take neither.
    """
    store = keyed if isinstance(keyed, CardStore) else CardStore.of(keyed)
    prev = card_index(previous.cards)
    checks = _check(store, prev)
    claimed = checks.claimed
    rows = array("q", (row for row in range(len(prev)) if not claimed[row]))
    orphans = rows
    if notes is not None:
        pairs = zip(rows, prev.cards(rows), strict=True)
        orphans = array("q", (row for row, old in pairs if old.note in notes))
    rematched = rematch(store, checks.left_out, prev, orphans) if orphans else {}
    for row in rematched.values():
        claimed[row] = 1

    # Every GUID the state knows stays reserved: a card that took over an old key's GUID
    # (a rename) must not meet a new card that brings that key back.
    fresh: set[str] = set()
    ids = _Ids(now, prev.max_id, last_id)
    assigned = Assignments()
    assigned.previous = PackedPrevious(prev.cards, rematched)
    left_out = checks.left_out
    moves: Counter[tuple[str, str, str]] = Counter()
    for note in range(store.notes):
        first = store.first(note)
        for index, fact in enumerate(store.facts(note), start=first):
            if index in left_out:
                assigned.leave_out(index)
                continue
            row = prev.find(fact.key)
            matched = rematched.get(index, -1) if row < 0 else row
            # "" is a deck the state does not know (a state file of version 1).
            if matched >= 0 and prev.deck(matched) not in ("", fact.deck):
                moves[fact.note, prev.deck(matched), fact.deck] += 1
            if row >= 0:
                was = prev.modified(row)
                changed = prev.digest(row) != fact.digest or prev.removed(row)
                modified = max(now, was + 1) if changed else was
                status = "updated" if changed else "unchanged"
                assigned.add(prev.guid(row), modified, status, ids.keep(prev.id(row)))
            elif index in rematched:
                row = rematched[index]
                modified = max(now, prev.modified(row) + 1)
                assigned.add(
                    prev.guid(row), modified, "rematched", ids.keep(prev.id(row))
                )
            else:
                guid = _fresh_guid(fact.key, prev, fresh, reserved, checks.unnormalised)
                assigned.add(guid, now, "added", ids.next())

    retired: list[CardState] = []
    newly_removed: list[CardState] = []
    # The other cards of the new state, and where each is in the previous state when
    # it is kept as it was (-1 when it changed).
    others: list[tuple[int, CardState]] = []
    rest = [row for row in rows if not claimed[row]]  # not re-matched
    for row, old in zip(rest, prev.cards(rest), strict=True):
        if notes is not None and old.note not in notes:
            others.append((row, old))  # another note's card, not built this time
        elif old.removed:
            kept = old if old.id else replace(old, id=ids.next())
            retired.append(kept)
            others.append((row if kept is old else -1, kept))
        else:
            card_id = ids.keep(old.id)
            modified = max(now, old.modified + 1)
            gone = replace(old, modified=modified, removed=True, id=card_id)
            retired.append(gone)
            newly_removed.append(gone)
            others.append((-1, gone))
    cards = AssignedCards(store, assigned)
    statuses = cards.statuses()
    states = _States(store, assigned, prev, others)
    state_changed = (
        previous.outdated
        or states.moved
        or bool(newly_removed)
        or ids.given
        or len(states) != len(prev)
        or statuses["unchanged"] != len(cards)
    )
    return Reconciliation(
        cards=cards,
        retired=tuple(retired),
        newly_removed=tuple(newly_removed),
        state=State(states, previous.source),
        diagnostics=checks.diagnostics,
        state_changed=state_changed,
        moved=tuple(
            DeckMove(note, was, now, count)
            for (note, was, now), count in sorted(moves.items())
        ),
    )


@dataclass(frozen=True, slots=True)
class _Checks:
    """What a first pass over every card finds."""

    left_out: set[int]
    """Cards with the same key as an earlier card."""
    diagnostics: tuple[Diagnostic, ...]
    claimed: bytearray
    """For each previous card, whether a card has it by its key."""
    unnormalised: frozenset[str]
    """Keys (joined, NFC) that some card spells otherwise: their GUIDs may meet."""


def _check(store: CardStore, prev: CardIndex) -> _Checks:
    # Keys of different notes meet only when the notes have the same identity (a key's
    # first part): only such keys are remembered across notes.
    notes_of: dict[str, int] = {}
    for note in range(store.notes):
        for head in store.summary(note).heads:
            notes_of[head] = notes_of.get(head, 0) + 1
    shared: dict[tuple[str, ...], Fact] = {}
    left_out: set[int] = set()
    diagnostics: list[Diagnostic] = []
    claimed = bytearray(len(prev))
    unnormalised: set[str] = set()
    for note in range(store.notes):
        local: dict[tuple[str, ...], Fact] = {}
        for index, fact in enumerate(store.facts(note), start=store.first(note)):
            key = fact.key
            seen = shared if key and notes_of[key[0]] > 1 else local
            first = seen.get(key)
            if first is not None:
                left_out.add(index)
                diagnostics.append(_duplicate(fact, first))
                continue
            seen[key] = fact
            row = prev.find(key)
            if row >= 0:
                claimed[row] = 1
            joined = "\x1f".join(key)
            # ASCII is always in NFC form (and isascii() takes no time).
            if not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
                unnormalised.add(unicodedata.normalize("NFC", joined))
    return _Checks(left_out, tuple(diagnostics), claimed, frozenset(unnormalised))


def _fresh_guid(
    key: tuple[str, ...],
    prev: CardIndex,
    taken: set[str],
    reserved: Container[str],
    unnormalised: frozenset[str],
) -> str:
    """A new card's GUID: from its key, past any GUID already held.

    GUIDs hash the key's NFC form, so two new cards meet only when their keys are spelt
    differently with the same NFC form; only those cards' GUIDs are remembered in `taken`
    (a large vault's new GUIDs are not all kept in a set)."""
    guid = card_guid(key)
    attempt = 1
    while guid in taken or prev.holds(guid) or guid in reserved:
        guid = card_guid((*key, f"~{attempt}"))
        attempt += 1
    if unnormalised and unicodedata.normalize("NFC", "\x1f".join(key)) in unnormalised:
        taken.add(guid)
    return guid


class _Ids:
    """Note ids for cards that have none yet: Anki shows a note's id as the time it was
    created, so new cards are numbered from this build's time, in source order, past
    every id already given (a note's cards take the next numbers, see ID_STEP)."""

    def __init__(self, now: int, *known: int) -> None:
        self._next = max(now * 1000, max(known) + ID_STEP)
        self.given = False

    def next(self) -> int:
        self.given = True
        given, self._next = self._next, self._next + ID_STEP
        return given

    def keep(self, known: int) -> int:
        return known or self.next()


class _States(Sequence[CardState]):
    """The new state's cards, made as they are read: this build's cards in source order
    (an unchanged card's entry is the one it had: same key, text, digest and time), then
    the others."""

    def __init__(
        self,
        store: CardStore,
        assigned: Assignments,
        prev: CardIndex,
        others: list[tuple[int, CardState]],
    ) -> None:
        self._store, self._assigned, self._prev = store, assigned, prev
        self._others = others
        self._count = len(store) - len(assigned.left_out)
        self.moved = any(
            prev.deck(prev.find(fact.key)) != fact.deck
            for index, fact in _unchanged(store, assigned)
        )
        """Whether an unchanged card is in another deck than the state says."""

    def __len__(self) -> int:
        return self._count + len(self._others)

    @overload
    def __getitem__(self, index: int) -> CardState: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[CardState]: ...

    def __getitem__(self, index: int | slice) -> CardState | Sequence[CardState]:
        if isinstance(index, slice):
            return list(self)[index]
        index = checked(index, len(self))
        if index >= self._count:
            return self._others[index - self._count][1]
        index = self._assigned.index_of(index)
        note = self._store.note_of(index)
        fact = self._store.facts(note)[index - self._store.first(note)]
        kept = self._kept(index, fact)
        return self._prev[kept] if kept >= 0 else self._state(index, fact)

    def __iter__(self) -> Iterator[CardState]:
        """For a few cards (a large state is written from `encoded`)."""
        store, status = self._store, self._assigned.status
        for note in range(store.notes):
            for index, fact in enumerate(store.facts(note), start=store.first(note)):
                if status[index]:
                    kept = self._kept(index, fact)
                    yield self._prev[kept] if kept >= 0 else self._state(index, fact)
        for _, card in self._others:
            yield card

    def encoded(self) -> Iterator[CardState | Fields | Copied]:
        """The cards as __iter__ gives them, but a card kept as it was as its place in
        the previous state (its row is copied), and a new or changed card as its
        fields: a large build makes no record of each card for its state file."""
        store, assigned, prev = self._store, self._assigned, self._prev
        status, modified, ids = assigned.status, assigned.modified, assigned.ids
        for note in range(store.notes):
            for index, fact in enumerate(store.facts(note), start=store.first(note)):
                if not status[index]:
                    continue
                kept = self._kept(index, fact)
                if kept >= 0:
                    yield prev.kept(kept)
                    continue
                yield (
                    assigned.guid(index),
                    fact.key,
                    fact.note,
                    fact.kind,
                    fact.context,
                    fact.label,
                    fact.answer,
                    fact.digest,
                    modified[index],
                    False,
                    ids[index],
                    fact.deck,
                )
        for row, card in self._others:
            yield prev.kept(row) if row >= 0 else dataclass_fields(card)

    def _kept(self, index: int, fact: Fact) -> int:
        """The card's place in the previous state when its entry is kept as it was."""
        if self._assigned.status[index] != _UNCHANGED:
            return -1
        row = self._prev.find(fact.key)
        return row if self._prev.id(row) and self._prev.deck(row) == fact.deck else -1

    def _state(self, index: int, fact: Fact) -> CardState:
        assigned = self._assigned
        return CardState(
            guid=assigned.guid(index),
            key=fact.key,
            note=fact.note,
            kind=fact.kind,
            context=fact.context,
            label=fact.label,
            answer=fact.answer,
            digest=fact.digest,
            modified=assigned.modified[index],
            id=assigned.ids[index],
            deck=fact.deck,
        )


_UNCHANGED = STATUSES.index("unchanged")


def _unchanged(store: CardStore, assigned: Assignments) -> Iterator[tuple[int, Fact]]:
    status = assigned.status
    for note in range(store.notes):
        for index, fact in enumerate(store.facts(note), start=store.first(note)):
            if status[index] == _UNCHANGED:
                yield index, fact


def _duplicate(fact: Fact, first: Fact) -> Diagnostic:
    return Diagnostic(
        fact.note,
        fact.line,
        Severity.ERROR,
        f"card '{fact.label}' has the same identity as {first.note}:{first.line} "
        "and was left out (give one of the notes another `id`)",
    )
