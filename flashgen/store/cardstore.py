"""A build's cards: each note's keyed cards in, held compactly; the cards with what
reconcile gave them out (AssignedCards), made into records only as they are read.

A large vault makes millions of cards. Each note's rendered cards are kept packed (see
codec.py): their rows, marshalled and compressed, beside a compressed list of the few facts
of each card that reconcile and the state file read (its key, digest, answer text, where it
is). Cards are made into records only while they are read, a note at a time, so a
50,000-note vault's cards are never all in memory as records.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

from flashgen.records import checked, quick_init
from flashgen.state.saved import CardState
from flashgen.store.codec import (
    ROW_DECK,
    ROW_FIELDS,
    ROW_KIND,
    ROW_TAGS,
    PackedNote,
    pack_note,
    pack_states,
    to_rows,
    unpack_facts,
    unpack_keyed,
    unpack_rows,
    unpack_states,
)
from flashgen.store.keyed import Fact, Keyed, NoteSummary, fact_of, summary_of

if TYPE_CHECKING:
    from flashgen.render.card import RenderedCard


@quick_init
@dataclass(frozen=True, slots=True)
class Assigned:
    """A card with the GUID and modification time it gets in the deck."""

    card: RenderedCard
    guid: str
    modified: int
    """Whole seconds; newer than last build's only when the content changed."""
    status: str
    """added, updated, unchanged or rematched."""
    id: int
    """The note's id in the deck: the card's own since it first appeared."""
    previous: CardState | None = None
    """For a re-matched card: the card whose identity it took."""


T = TypeVar("T")


class CardStore:
    """The cards of a build in source order, grouped by note.

    Compact (the default), a note's cards are kept packed and unpacked when read;
    otherwise as they are given (a few cards, as tests and small rebuilds have)."""

    def __init__(self, *, compact: bool = True) -> None:
        self._compact = compact
        self._facts: list[bytes | list[Fact]] = []
        self._cards: list[bytes | list[Keyed]] = []
        self._firsts = array("q")
        self._summaries: list[NoteSummary] = []
        self._total = 0

    @classmethod
    def of(cls, keyed: Iterable[Keyed]) -> CardStore:
        """Cards in memory, a note being each run of cards from the same note file."""
        store = cls(compact=False)
        run: list[Keyed] = []
        for item in keyed:
            if run and run[-1].card.draft.note_path != item.card.draft.note_path:
                store.add(run)
                run = []
            run.append(item)
        if run:
            store.add(run)
        return store

    def add(self, keyed: Sequence[Keyed] | PackedNote) -> None:
        """One note's cards, packed already or not."""
        if isinstance(keyed, PackedNote):
            self._add(keyed.count, keyed.facts, keyed.cards, keyed.summary)
        elif self._compact:
            self.add(pack_note(keyed))
        else:
            facts = [fact_of(item) for item in keyed]
            self._add(len(keyed), facts, list(keyed), summary_of(facts))

    def _add(
        self,
        count: int,
        facts: bytes | list[Fact],
        cards: bytes | list[Keyed],
        summary: NoteSummary,
    ) -> None:
        if not count:
            return
        self._firsts.append(self._total)
        self._total += count
        self._facts.append(facts)
        self._cards.append(cards)
        self._summaries.append(summary)

    def __len__(self) -> int:
        return self._total

    @property
    def notes(self) -> int:
        return len(self._firsts)

    def first(self, note: int) -> int:
        """The source-order index of the note's first card."""
        return self._firsts[note]

    def summary(self, note: int) -> NoteSummary:
        return self._summaries[note]

    def count(self, note: int) -> int:
        end = self._firsts[note + 1] if note + 1 < len(self._firsts) else self._total
        return end - self._firsts[note]

    def facts(self, note: int) -> list[Fact]:
        held = self._facts[note]
        return held if isinstance(held, list) else unpack_facts(held)

    def keyed(self, note: int) -> list[Keyed]:
        held = self._cards[note]
        return held if isinstance(held, list) else unpack_keyed(held)

    def rows(self, note: int) -> Sequence[Sequence[Any]]:
        """The note's cards as codec.to_rows gives them, without making records."""
        held = self._cards[note]
        return to_rows(held) if isinstance(held, list) else unpack_rows(held)

    def note_of(self, index: int) -> int:
        return bisect.bisect_right(self._firsts, index) - 1

    def picked(
        self, indexes: Iterable[int], read: Callable[[int], Sequence[T]]
    ) -> Iterator[tuple[int, T]]:
        """(index, item) for these source-order indexes (in increasing order), the items
        read a note at a time by `read` (facts or keyed): each note unpacked once."""
        held: tuple[int, Sequence[T]] = (-1, [])
        for index in indexes:
            note = self.note_of(index)
            if held[0] != note:
                held = (note, read(note))
            yield index, held[1][index - self._firsts[note]]


class PackedPrevious(Mapping[int, CardState]):
    """The card each re-matched card took the identity of, by source-order index.

    Read from the previous state while it is at hand, and kept packed, in runs of source
    order: a vault moved into a folder re-matches every card of it."""

    def __init__(
        self,
        read: Callable[[Sequence[int]], Iterable[CardState]],
        rows: Mapping[int, int],
        run: int = 4096,
    ) -> None:
        """`rows`: by source-order index, the row in the previous state of the card
        taken; `read` reads rows (given in increasing order)."""
        self._indexes = array("q", sorted(rows))
        self._run = run
        self._runs: list[bytes] = []
        for start in range(0, len(self._indexes), run):
            indexes = self._indexes[start : start + run]
            wanted = sorted({rows[index] for index in indexes})
            by_row = dict(zip(wanted, read(wanted), strict=True))
            self._runs.append(pack_states(by_row[rows[index]] for index in indexes))
        self._held: tuple[int, list[CardState]] = (-1, [])

    def __getitem__(self, index: int) -> CardState:
        at = bisect.bisect_left(self._indexes, index)
        if at == len(self._indexes) or self._indexes[at] != index:
            raise KeyError(index)
        run, offset = divmod(at, self._run)
        if self._held[0] != run:
            self._held = (run, unpack_states(self._runs[run]))
        return self._held[1][offset]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indexes)

    def __len__(self) -> int:
        return len(self._indexes)


STATUSES = ("", "added", "updated", "unchanged", "rematched")
"""Status codes; 0 is a card left out (same identity as an earlier one)."""


class Assignments:
    """The GUID, time, status and id of each card of a store, by source-order index."""

    def __init__(self) -> None:
        self._guids = bytearray()
        self._ends = array("q")
        self.modified = array("q")
        self.ids = array("q")
        self.status = bytearray()
        self.previous: Mapping[int, CardState] = {}
        """Re-matched cards: the card whose identity each took."""
        self.left_out: list[int] = []
        """Cards left out for having the same identity as an earlier one, in order."""

    def add(self, guid: str, modified: int, status: str, card_id: int) -> None:
        self._guids += guid.encode()
        self._ends.append(len(self._guids))
        self.modified.append(modified)
        self.ids.append(card_id)
        self.status.append(STATUSES.index(status))

    def leave_out(self, index: int) -> None:
        self.left_out.append(index)
        self.add("", 0, "", 0)

    def guid(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._guids[start : self._ends[index]].decode()

    def index_of(self, position: int) -> int:
        """The source-order index of the card at this position among those kept."""
        for skipped in self.left_out:
            if skipped <= position:
                position += 1
        return position


class AssignedCards(Sequence[Assigned]):
    """The cards a build puts in the deck, in source order, made as they are read."""

    def __init__(self, store: CardStore, assignments: Assignments) -> None:
        self._store = store
        self._assigned = assignments
        self._held: tuple[int, list[Keyed]] = (-1, [])

    @classmethod
    def empty(cls) -> AssignedCards:
        """No cards (a deck left as it was)."""
        return cls(CardStore(), Assignments())

    def __len__(self) -> int:
        return len(self._store) - len(self._assigned.left_out)

    @overload
    def __getitem__(self, index: int) -> Assigned: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Assigned]: ...

    def __getitem__(self, index: int | slice) -> Assigned | Sequence[Assigned]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = self._assigned.index_of(checked(index, len(self)))
        note = self._store.note_of(index)
        if self._held[0] != note:
            self._held = (note, self._store.keyed(note))
        item = self._held[1][index - self._store.first(note)]
        return self._made(index, item)

    def __iter__(self) -> Iterator[Assigned]:
        store, status = self._store, self._assigned.status
        for note in range(store.notes):
            first = store.first(note)
            for offset, item in enumerate(store.keyed(note)):
                if status[first + offset]:
                    yield self._made(first + offset, item)

    def _made(self, index: int, item: Keyed) -> Assigned:
        assigned = self._assigned
        return Assigned(
            item.card,
            assigned.guid(index),
            assigned.modified[index],
            STATUSES[assigned.status[index]],
            assigned.ids[index],
            assigned.previous.get(index),
        )

    def fields(
        self,
    ) -> Iterator[tuple[str, str, tuple[str, ...], tuple[str, ...], int, int, str]]:
        """(GUID, deck, fields, tags, modified, id, kind) of every card in the deck,
        read without making cards: what the deck's note rows hold."""
        store, assigned = self._store, self._assigned
        status, modified, ids = assigned.status, assigned.modified, assigned.ids
        for note in range(store.notes):
            for index, row in enumerate(store.rows(note), start=store.first(note)):
                if status[index]:
                    yield (
                        assigned.guid(index),
                        row[ROW_DECK],
                        (*row[ROW_FIELDS], ""),
                        tuple(row[ROW_TAGS]),
                        modified[index],
                        ids[index],
                        row[ROW_KIND],
                    )

    def decks(self) -> set[str]:
        decks: set[str] = set()
        for facts in self._notes():
            decks.update(
                facts.decks
                if isinstance(facts, NoteSummary)
                else (f.deck for f in facts)
            )
        return decks

    def media(self) -> dict[str, str]:
        """Deck file name -> vault path of every file the cards use."""
        files: set[tuple[str, str]] = set()
        for facts in self._notes():
            if isinstance(facts, NoteSummary):
                files.update(facts.media)
            else:
                files.update(item for fact in facts for item in fact.media)
        return {name: source for source, name in sorted(files)}

    def _notes(self) -> Iterator[NoteSummary | list[Fact]]:
        """Each note's summary; the facts of its cards in the deck instead, when some of
        its cards were left out."""
        store, status = self._store, self._assigned.status
        partial = {store.note_of(index) for index in self._assigned.left_out}
        for note in range(store.notes):
            if note not in partial:
                yield store.summary(note)
                continue
            first = store.first(note)
            facts = store.facts(note)
            yield [fact for n, fact in enumerate(facts, first) if status[n]]

    def light(self) -> Iterator[tuple[int, str, int]]:
        """(id, deck, modified) of every card in the deck, without making cards."""
        ids, modified, status = (
            self._assigned.ids,
            self._assigned.modified,
            self._assigned.status,
        )
        store = self._store
        for note in range(store.notes):
            first = store.first(note)
            decks = store.summary(note).decks
            if len(decks) == 1:
                (deck,) = decks
                for index in range(first, first + store.count(note)):
                    if status[index]:
                        yield ids[index], deck, modified[index]
                continue
            for index, fact in enumerate(store.facts(note), first):
                if status[index]:
                    yield ids[index], fact.deck, modified[index]

    def statuses(self) -> Counter[str]:
        counts = Counter(STATUSES[code] for code in self._assigned.status)
        del counts[""]
        return counts

    def ids(self) -> array[int]:
        return self._assigned.ids

    def newest(self) -> int | None:
        """The latest modification time of any card, None when there are none."""
        pairs = zip(self._assigned.modified, self._assigned.status, strict=True)
        return max((time for time, status in pairs if status), default=None)

    def taken(self) -> Iterator[tuple[Fact, CardState]]:
        """The facts of each re-matched card, and the card whose identity it took, in
        source order, without making the cards."""
        store, previous = self._store, self._assigned.previous
        for index, fact in store.picked(sorted(previous), store.facts):
            yield fact, previous[index]

    def rematched(self) -> Iterator[Assigned]:
        """The cards that took the identity of a card no longer in the notes, in
        source order."""
        store = self._store
        for index, item in store.picked(sorted(self._assigned.previous), store.keyed):
            yield self._made(index, item)
