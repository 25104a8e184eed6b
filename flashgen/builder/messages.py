"""What changed since the last build in, one message a change out: identities kept
(renames, moves), cards that left a deck, cards no longer in the notes; and the reasons
notes were left out, set apart from the other messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flashgen.discover import Discovery
from flashgen.report import Diagnostic, Severity, count, is_left_out
from flashgen.state.saved import CardState

if TYPE_CHECKING:
    from flashgen.reconcile.assign import DeckMove
    from flashgen.store.cardstore import AssignedCards


REMOVED_TAG = "flashgen::removed"


def split_left_out(
    discovery: Discovery, diagnostics: Sequence[Diagnostic]
) -> tuple[list[Diagnostic], tuple[Diagnostic, ...]]:
    """The diagnostics without the reasons notes were left out, and those reasons (the
    walk's and the notes' own), by path: a build shows them only when asked to."""
    left_out = [*discovery.left_out, *(d for d in diagnostics if is_left_out(d))]
    left_out.sort(key=lambda diagnostic: diagnostic.path)
    return [d for d in diagnostics if not is_left_out(d)], tuple(left_out)


def change_messages(
    cards: AssignedCards,
    removed: tuple[CardState, ...],
    deck_moves: tuple[DeckMove, ...] = (),
) -> list[Diagnostic]:
    """This build's news: identities kept by renamed or moved cards, cards that now
    belong to another deck, and cards no longer in the notes."""
    messages = []
    # A note moved or renamed with its cards as they were: one message for the note.
    moved: Counter[tuple[str, str]] = Counter()
    for fact, old in cards.taken():
        same = (old.context, old.label) == (fact.context, fact.label)
        if same and old.note != fact.note:
            moved[fact.note, old.note] += 1
            continue
        was = " \u203a ".join((*old.context, old.label))
        now = " \u203a ".join((*fact.context, fact.label))
        where = f" in {old.note}" if old.note != fact.note else ""
        messages.append(
            Diagnostic(
                fact.note,
                fact.line,
                Severity.INFO,
                f"'{now}' keeps the identity (and review history) of '{was}'{where}",
            )
        )
    for (path, was), number in moved.items():
        kept = (
            "its card keeps its identity"
            if number == 1
            else f"its {number} cards keep their identity"
        )
        messages.append(
            Diagnostic(
                path, 0, Severity.INFO, f"was {was}: {kept} (and review history)"
            )
        )
    messages.sort(key=lambda message: (message.path, message.line))
    messages.extend(_moved_messages(deck_moves))
    messages.extend(_removed_messages(removed))
    return messages


def _moved_messages(moved: Sequence[DeckMove]) -> list[Diagnostic]:
    """One warning per deck that cards left for another (naming the note when they all
    come from one): an import never moves a card Anki already has, so it stays in the old
    deck until the user moves it."""
    pairs: dict[tuple[str, str], list[DeckMove]] = {}
    for move in moved:
        pairs.setdefault((move.was, move.now), []).append(move)
    messages = []
    for (was, now), moves in pairs.items():
        cards = sum(move.cards for move in moves)
        which = count(cards, "card")
        if len(moves) > 1:
            which += f" of {count(len(moves), 'note')}"
        verb = "belongs" if cards == 1 else "belong"
        messages.append(
            Diagnostic(
                moves[0].note,
                0,
                Severity.WARNING,
                f"{which} now {verb} to deck '{now}', not '{was}'; importing does not "
                f'move cards Anki already has (in Anki\'s Browser search "deck:{was}", '
                "select them, then Cards > Change Deck)",
            )
        )
    return messages


def _removed_messages(removed: Sequence[CardState]) -> list[Diagnostic]:
    """One warning per note whose cards left the notes: what an import does with them
    (tags them; Anki keeps them where they are, in review) and how to find them."""
    per_note: dict[str, list[CardState]] = {}
    for old in removed:
        per_note.setdefault(old.note, []).append(old)
    messages = []
    for note, cards in sorted(per_note.items()):
        cards.sort(key=lambda old: (old.context, old.label))
        first = " \u203a ".join((*cards[0].context, cards[0].label))
        if len(cards) == 1:
            what = f"card '{first}' is no longer in the notes"
            them, points = "it", "point"
        else:
            what = (
                f"{len(cards)} cards are no longer in the notes ('{first}' and "
                f"{count(len(cards) - 1, 'other')})"
            )
            them, points = "them", "points"
        messages.append(
            Diagnostic(
                note,
                0,
                Severity.WARNING,
                f"{what}; importing the deck tags {them} {REMOVED_TAG}, but Anki keeps "
                f"{them} in review (in Anki's Browser search tag:{REMOVED_TAG}, then "
                f"suspend or delete; or restore the {points} to keep {them})",
            )
        )
    return messages


def removed_cards(removed: Sequence[CardState]) -> tuple[Diagnostic, ...]:
    """Every removed card by name (`--verbose`, `--json`): the warnings name one a note."""
    return tuple(
        Diagnostic(
            old.note,
            0,
            Severity.INFO,
            "card '" + " \u203a ".join((*old.context, old.label)) + "' was removed",
        )
        for old in sorted(removed, key=lambda old: (old.note, old.context, old.label))
    )
