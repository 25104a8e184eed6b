"""Exercises and look-alike questions: a *Given* / *Solution* pair in one place is one
card, and two questions that read the same in one place keep their ids. Drafts in,
drafts out."""

from __future__ import annotations

from flashgen.extract.draft import CardDraft
from flashgen.extract.questions import label_number, numbered, strip_numbering
from flashgen.parse import Block, Inline, plain_text

_GIVEN = frozenset({"given", "problem", "question", "exercise", "task"})
_SOLUTION = frozenset({"solution", "answer", "solutions"})
_WORDED = frozenset({"point", "heading", "list", "definition"})


def merge_exercises(drafts: list[CardDraft]) -> list[CardDraft]:
    """*Given* then *Solution* in one place: one card, the given asks, the solution answers.

    The *Given* card alone has nothing to learn and the *Solution* card does not show the
    problem. The merged card keeps the solution's identity. Worded questions that read
    the same in one place are then told apart by their labels' ids (see _told_apart)."""
    given: dict[tuple[str, ...], int] = {}
    dropped: set[int] = set()
    merged = list(drafts)
    for index, draft in enumerate(drafts):
        name = strip_numbering(draft.label).casefold()
        if draft.kind in {"point", "heading"} and name in _GIVEN:
            given[draft.context] = index
        elif draft.kind in {"point", "heading"} and name in _SOLUTION:
            found = given.pop(draft.context, None)
            asked = _one_paragraph(drafts[found].answer) if found is not None else None
            if found is not None and asked:
                dropped.add(found)
                merged[index] = _with_question(draft, asked)
    return _told_apart([d for index, d in enumerate(merged) if index not in dropped])


def _told_apart(drafts: list[CardDraft]) -> list[CardDraft]:
    """Two cards under one heading whose questions read the same once their ids were
    left off (`Theo 1`, `Theo 2` both asked *Graphs - Theorem*) keep their ids: *Graphs -
    Theorem 1*, *Graphs - Theorem 2*. Only the wording changes, never the identity."""
    seen: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for index, draft in enumerate(drafts):
        if draft.kind in _WORDED:
            asked = plain_text(draft.question).strip().casefold()
            seen.setdefault((draft.context, asked), []).append(index)
    told = list(drafts)
    for indices in seen.values():
        numbers = {label_number(drafts[i].label) for i in indices}
        if len(indices) < 2 or "" in numbers or len(numbers) < len(indices):
            continue  # only ids that tell every one of them apart
        for index in indices:
            draft = drafts[index]
            question = numbered(draft.question, draft.label)
            if question is not draft.question:
                told[index] = draft.with_(question=question)
    return told


def _one_paragraph(blocks: tuple[Block, ...]) -> tuple[Inline, ...] | None:
    if len(blocks) == 1 and blocks[0].kind == "paragraph":
        return blocks[0].inlines
    return None


def _with_question(draft: CardDraft, question: tuple[Inline, ...]) -> CardDraft:
    return draft.with_(question=question)
