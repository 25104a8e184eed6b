"""Extract stage: ParsedNote -> CardDraft records.

Reads the structure people already write (see sections.py and the modules it uses): labelled
points, headings answered by their opening, enumerations, the author's comment prompts,
table rows and titled definition blocks; then words each question for the front. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from flashgen.extract.cloze import cloze_cards
from flashgen.extract.clozemarks import anki_clozes as anki_free
from flashgen.extract.clozemarks import unmarked, without_anki_marks
from flashgen.extract.draft import REVERSED, CardDraft, one_per_number
from flashgen.extract.exercises import merge_exercises
from flashgen.extract.explicit import split_explicit
from flashgen.extract.labels import defines_subject
from flashgen.extract.questions import ask
from flashgen.extract.sections import section_cards
from flashgen.extract.syntax import DEFAULT_SYNTAX, CardSyntax
from flashgen.extract.tags import note_tags
from flashgen.parse import (
    Block,
    Inline,
    ParsedNote,
    split_front_matter,
    walk_blocks,
)

__all__ = [
    "MAX_CARDS_PER_NOTE",
    "CardDraft",
    "CardSyntax",
    "extract_cards",
    "left_out_because",
    "makes_cards",
]


_WORDED = frozenset({"point", "heading", "list", "definition"})
"""Kinds whose question is the note's own label or heading, worded by questions.ask."""
MAX_CARDS_PER_NOTE = 5000
"""More cards than this from one note are left out, with a warning."""


def extract_cards(
    note: ParsedNote,
    *,
    folder_tags: bool = False,
    syntax: CardSyntax = DEFAULT_SYNTAX,
) -> tuple[CardDraft, ...]:
    """All cards of one note, in source order, each with its occurrence number set;
    `syntax` says how the vault writes its own cards (explicit cards, cloze)."""
    if not makes_cards(note):
        return ()
    tags = note_tags(note, folder_tags=folder_tags)
    footnotes = {b.info: b for b in walk_blocks(note.blocks) if b.kind == "footnote"}
    note, explicit = split_explicit(note, syntax)
    drafts = explicit.merged(
        merge_exercises([_worded(d, note.title) for d in section_cards(note)])
    )
    drafts = _with_clozes(note, drafts, syntax)
    reversed_kinds = _reversed_kinds(note.front_matter.get("reverse", syntax.reverse))
    if reversed_kinds:
        drafts = [
            d.with_(kind=d.kind + REVERSED) if d.kind in reversed_kinds else d
            for d in drafts
        ]
    drafts = [one for draft in drafts for one in one_per_number(draft)]
    counts: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    numbered = []
    for draft in drafts:
        key = (draft.kind, draft.context, draft.label)
        notes = _footnotes_of(draft, footnotes) if footnotes else ()
        numbered.append(draft.with_(tags=tags, footnotes=notes, occurrence=counts[key]))
        counts[key] += 1
    return tuple(numbered)


def _reversed_kinds(setting: object) -> frozenset[str]:
    """The kinds a note's `reverse:` front matter (or the vault's setting) asks both
    ways: `true` its points and definitions, `definitions` its definitions alone."""
    if setting is True or setting == "all":
        return frozenset({"point", "definition"})
    if isinstance(setting, str) and setting.strip().lower() in {
        "definition",
        "definitions",
    }:
        return frozenset({"definition"})
    return frozenset()


def _with_clozes(
    note: ParsedNote, drafts: list[CardDraft], syntax: CardSyntax
) -> list[CardDraft]:
    """The note's cloze cards among its others, by line. With bold clozes on, a
    definition that does not say what its term is (`**X** is found in ...`) gives way
    to the cloze of its sentence; `{{c1::text}}` in other cards reads as its text."""
    if syntax.cloze_bold:
        drafts = [d for d in drafts if d.kind != "definition" or _defines(d)]
    if "{{" in note.source:
        drafts = [_unmarked(draft) for draft in drafts]
    clozes = cloze_cards(note, syntax)
    if not clozes:
        return drafts
    merged: list[CardDraft] = []
    pending = iter(clozes)
    waiting = next(pending, None)
    for draft in drafts:
        while waiting is not None and waiting.line < draft.line:
            merged.append(waiting)
            waiting = next(pending, None)
        merged.append(draft)
    if waiting is not None:
        merged.append(waiting)
    merged.extend(pending)
    return merged


def _defines(draft: CardDraft) -> bool:
    lead = draft.answer[0] if draft.answer else None
    return lead is None or defines_subject(lead.inlines)


def _unmarked(draft: CardDraft) -> CardDraft:
    question = unmarked(anki_free(draft.question))
    answer = without_anki_marks(draft.answer)
    if question == draft.question and answer is draft.answer:
        return draft
    return draft.with_(question=question, answer=answer)


def makes_cards(note: ParsedNote) -> bool:
    """False for notes left out on purpose: `flashgen: false`, Templater templates."""
    return left_out_because(note) is None


def left_out_because(note: ParsedNote) -> str | None:
    """Why a note makes no cards on purpose (what follows "left out"), or None."""
    if note.front_matter.get("flashgen") is False:
        return "by 'flashgen: false' in its front matter (remove it to make cards)"
    if _is_templater(note):
        return (
            "as a Templater template: it has <% %> outside code (write the syntax "
            "as `code`, or move the note to the template folder)"
        )
    return None


def _is_templater(note: ParsedNote) -> bool:
    """Templater templates (`<% tp.file.title %>`) are code for making notes, not notes.
    The same syntax in a code block or `code` is code shown in a note (an ASP web shell,
    a shell line that calls Templater): it does not make the note a template."""
    source = note.source
    if "<%" not in source or "%>" not in source:
        return False
    # The front matter is not in the blocks: a template's `created: <% tp.date.now() %>`.
    texts = [split_front_matter(source)[0] or ""]
    for block in walk_blocks(note.blocks):
        if block.kind == "html":
            texts.append(block.text)
        texts.extend(_prose(block.inlines))
    prose = "\n".join(texts)
    return "<%" in prose and "%>" in prose


def _prose(inlines: Iterable[Inline]) -> Iterator[str]:
    """The text of inlines as written, leaving out code and math."""
    for inline in inlines:
        if inline.kind in {"text", "html"}:
            yield inline.text
        elif inline.kind in {"link", "image", "wikilink", "embed"}:
            yield inline.target
        yield from _prose(inline.children)


def _worded(draft: CardDraft, title: str) -> CardDraft:
    """The draft with its question worded for the front (see questions.ask)."""
    if draft.kind not in _WORDED:
        return draft
    question = ask(
        draft.question,
        draft.label,
        draft.context,
        title,
        short_needs_subject=draft.kind != "definition",
    )
    if question is draft.question:
        return draft
    return draft.with_(question=question)


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
