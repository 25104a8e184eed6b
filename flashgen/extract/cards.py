"""Extract stage: ParsedNote -> CardDraft records.

Reads the structure people already write (see sections.py and the modules it uses): labelled
points, headings answered by their opening, enumerations, the author's comment prompts,
table rows and titled definition blocks; then words each question for the front. Pure.
"""

from __future__ import annotations

from collections import Counter

from flashgen.extract.draft import CardDraft
from flashgen.extract.questions import ask
from flashgen.extract.sections import merge_exercises, section_cards
from flashgen.extract.tags import note_tags
from flashgen.parse import Block, ParsedNote, walk_blocks

__all__ = ["MAX_CARDS_PER_NOTE", "CardDraft", "extract_cards", "makes_cards"]


_WORDED = frozenset({"point", "heading", "list", "definition"})
"""Kinds whose question is the note's own label or heading, worded by questions.ask."""
MAX_CARDS_PER_NOTE = 5000
"""More cards than this from one note are left out, with a warning."""


def extract_cards(
    note: ParsedNote, *, folder_tags: bool = False
) -> tuple[CardDraft, ...]:
    """All cards of one note, in source order, each with its occurrence number set."""
    if not makes_cards(note):
        return ()
    tags = note_tags(note, folder_tags=folder_tags)
    footnotes = {b.info: b for b in walk_blocks(note.blocks) if b.kind == "footnote"}
    drafts = merge_exercises([_worded(d, note.title) for d in section_cards(note)])
    counts: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    numbered = []
    for draft in drafts:
        key = (draft.kind, draft.context, draft.label)
        notes = _footnotes_of(draft, footnotes) if footnotes else ()
        # Built directly: dataclasses.replace is slow for tens of thousands of cards.
        numbered.append(
            CardDraft(
                draft.kind,
                draft.note_path,
                draft.note_title,
                draft.context,
                draft.label,
                draft.question,
                draft.answer,
                draft.line,
                draft.end_line,
                tags,
                notes,
                draft.pin,
                counts[key],
            )
        )
        counts[key] += 1
    return tuple(numbered)


def makes_cards(note: ParsedNote) -> bool:
    """False for notes left out on purpose: `flashgen: false`, Templater templates."""
    return note.front_matter.get("flashgen") is not False and not _is_templater(
        note.source
    )


def _is_templater(source: str) -> bool:
    """Templater templates (`<% tp.file.title %>`) are code for making notes, not notes."""
    return "<%" in source and "%>" in source


def _worded(draft: CardDraft, title: str) -> CardDraft:
    """The draft with its question worded for the front (see questions.ask)."""
    if draft.kind not in _WORDED:
        return draft
    question = ask(draft.question, draft.label, draft.context, title)
    if question is draft.question:
        return draft
    return CardDraft(
        draft.kind,
        draft.note_path,
        draft.note_title,
        draft.context,
        draft.label,
        question,
        draft.answer,
        draft.line,
        draft.end_line,
        pin=draft.pin,
    )


def _footnotes_of(draft: CardDraft, footnotes: dict[str, Block]) -> tuple[Block, ...]:
    labels: list[str] = []
    pending = [*draft.question]
    for block in walk_blocks(draft.answer):
        pending.extend(block.inlines)
    while pending:
        inline = pending.pop(0)
        if inline.kind == "footnote" and inline.text in footnotes:
            labels.append(inline.text)
        pending.extend(inline.children)
    return tuple(footnotes[label] for label in dict.fromkeys(labels))
