"""Reconcile: this build's cards + the last build's state -> GUIDs, times and a change list.

A card keeps the GUID of the card with the same structural key. A card whose key is new
inherits the GUID of a vanished card of the same kind from the same note (same note id or
file name) when at least two of these agree: heading path, label, answer (80% similar). The
best-scoring pairs win; ties go to source order. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from flashgen.identity import card_guid
from flashgen.render import RenderedCard
from flashgen.report import Diagnostic, Severity
from flashgen.state import CardState, State

SIMILAR_ANSWER = 0.8
_TEXT_LIMIT = 300
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Keyed:
    """A rendered card with its structural key (see identity.card_key)."""

    card: RenderedCard
    key: tuple[str, ...]
    digest: str
    """content_digest(card): whether Anki would see a change."""
    text: str
    """answer_text(card): what re-matching compares."""

    @classmethod
    def of(cls, card: RenderedCard, key: tuple[str, ...]) -> Keyed:
        """Both are made where the card is rendered: in parallel, and kept in the cache."""
        return cls(card, key, content_digest(card), answer_text(card))


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


@dataclass(frozen=True, slots=True)
class Reconciliation:
    cards: tuple[Assigned, ...]
    retired: tuple[CardState, ...]
    """Cards no longer in the notes, still put in the deck to retire them in Anki."""
    newly_removed: tuple[CardState, ...]
    state: State
    diagnostics: tuple[Diagnostic, ...]
    state_changed: bool = True
    """False when `state` is the previous state again (nothing to save)."""


def reconcile(
    keyed: Sequence[Keyed],
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
    old_by_key = {card.key: card for card in previous.cards}
    claimed: set[str] = set()
    matched: dict[int, CardState] = {}
    pending: list[int] = []
    diagnostics: list[Diagnostic] = []
    seen_keys: dict[tuple[str, ...], RenderedCard] = {}
    unique: list[Keyed] = []
    for item in keyed:
        if item.key in seen_keys:
            diagnostics.append(_duplicate(item.card, seen_keys[item.key]))
            continue
        seen_keys[item.key] = item.card
        unique.append(item)
    for index, item in enumerate(unique):
        old = old_by_key.get(item.key)
        if old is not None:
            matched[index] = old
            claimed.add(old.guid)
        else:
            pending.append(index)
    orphans = [
        card
        for card in previous.cards
        if card.guid not in claimed and (notes is None or card.note in notes)
    ]
    rematched = _rematch(unique, pending, orphans)
    claimed.update(card.guid for card in rematched.values())

    assigned: list[Assigned] = []
    # Every GUID the state knows stays reserved: a card that took over an old key's GUID
    # (a rename) must not meet a new card that brings that key back.
    taken = {card.guid for card in previous.cards}
    ids = _Ids(now, max((card.id for card in previous.cards), default=0), last_id)
    digests = [item.digest for item in unique]
    for index, item in enumerate(unique):
        digest = digests[index]
        if index in matched:
            old = matched[index]
            changed = old.digest != digest or old.removed
            status = "updated" if changed else "unchanged"
            guid = old.guid
            modified = max(now, old.modified + 1) if changed else old.modified
            assigned.append(
                Assigned(item.card, guid, modified, status, ids.keep(old.id))
            )
        elif index in rematched:
            old = rematched[index]
            modified = max(now, old.modified + 1)
            card_id = ids.keep(old.id)
            assigned.append(
                Assigned(item.card, old.guid, modified, "rematched", card_id, old)
            )
        else:
            guid = _fresh_guid(item.key, taken, reserved)
            taken.add(guid)
            assigned.append(Assigned(item.card, guid, now, "added", ids.next()))

    retired: list[CardState] = []
    newly_removed: list[CardState] = []
    kept: list[CardState] = []
    for old in previous.cards:
        if old.guid in claimed:
            continue
        if notes is not None and old.note not in notes:
            kept.append(old)  # another note's card, not built this time
        elif old.removed:
            retired.append(old if old.id else replace(old, id=ids.next()))
        else:
            card_id = ids.keep(old.id)
            modified = max(now, old.modified + 1)
            gone = replace(old, modified=modified, removed=True, id=card_id)
            retired.append(gone)
            newly_removed.append(gone)
    # An unchanged card's entry is the one it had: same key, text, digest and time.
    states = (
        [
            matched[index]
            if item.status == "unchanged" and matched[index].id
            else _state_of(item, key)
            for index, (item, key) in enumerate(zip(assigned, unique, strict=True))
        ]
        + retired
        + kept
    )
    state_changed = (
        bool(newly_removed)
        or ids.given
        or len(states) != len(previous.cards)
        or any(item.status != "unchanged" for item in assigned)
    )
    return Reconciliation(
        cards=tuple(assigned),
        retired=tuple(retired),
        newly_removed=tuple(newly_removed),
        state=State(tuple(sorted(states, key=lambda card: card.guid)), previous.source),
        diagnostics=tuple(diagnostics),
        state_changed=state_changed,
    )


def _fresh_guid(key: tuple[str, ...], taken: set[str], reserved: Container[str]) -> str:
    guid = card_guid(key)
    attempt = 1
    while guid in taken or guid in reserved:
        guid = card_guid((*key, f"~{attempt}"))
        attempt += 1
    return guid


class _Ids:
    """Note ids for cards that have none yet: Anki shows a note's id as the time it was
    created, so new cards are numbered from this build's time, in source order, past
    every id already given (a note's card takes the next number, hence steps of 2)."""

    def __init__(self, now: int, *known: int) -> None:
        self._next = max(now * 1000, max(known) + 2)
        self.given = False

    def next(self) -> int:
        self.given = True
        given, self._next = self._next, self._next + 2
        return given

    def keep(self, known: int) -> int:
        return known or self.next()


def content_digest(card: RenderedCard) -> str:
    """Hash of what Anki stores for the note (the fields and tags)."""
    fields = (
        card.question,
        card.answer,
        card.context,
        card.source,
        *sorted(card.draft.tags),
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:24]


def answer_text(card: RenderedCard) -> str:
    text = html.unescape(_TAG.sub(" ", card.answer))
    return _SPACE.sub(" ", text).strip()[:_TEXT_LIMIT]


def _rematch(
    unique: Sequence[Keyed], pending: Sequence[int], orphans: Sequence[CardState]
) -> dict[int, CardState]:
    scored: list[tuple[float, int, int]] = []
    for index in pending:
        item = unique[index]
        draft = item.card.draft
        text = item.text
        for position, old in enumerate(orphans):
            if old.kind != draft.kind or not _same_note(old, item):
                continue
            similarity = _similarity(old.text, text)
            signals = (
                (old.context == draft.context)
                + (old.label == draft.label)
                + (similarity >= SIMILAR_ANSWER)
            )
            if signals >= 2:
                bonus = 0.5 if old.note == draft.note_path else 0.0
                scored.append((signals + similarity + bonus, index, position))
    scored.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    result: dict[int, CardState] = {}
    for _, index, position in scored:
        if index in taken_new or position in taken_old:
            continue
        taken_new.add(index)
        taken_old.add(position)
        result[index] = orphans[position]
    return result


def _same_note(old: CardState, item: Keyed) -> bool:
    """Same note id (or path), or the same file name: a note moved to another folder."""
    if old.key[:1] == item.key[:1]:
        return True
    return PurePosixPath(old.note).name == PurePosixPath(item.card.draft.note_path).name


def _similarity(left: str, right: str) -> float:
    if left == right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def _state_of(item: Assigned, keyed: Keyed) -> CardState:
    draft = item.card.draft
    return CardState(
        guid=item.guid,
        key=keyed.key,
        note=draft.note_path,
        kind=draft.kind,
        context=draft.context,
        label=draft.label,
        text=keyed.text,
        digest=keyed.digest,
        modified=item.modified,
        id=item.id,
    )


def _duplicate(card: RenderedCard, first: RenderedCard) -> Diagnostic:
    draft, other = card.draft, first.draft
    return Diagnostic(
        draft.note_path,
        draft.line,
        Severity.ERROR,
        f"card '{draft.label}' has the same identity as {other.note_path}:{other.line} "
        "and was left out (give one of the notes another `id`)",
    )
