"""Quality: the heuristic checks behind `flashgen check`'s weak-card messages and
bench/quality.py. Drafts in, reason codes out (the codes of the quality rubric). Pure.

A heuristic sees what the text shows, not what a reader understands: it finds the cards
worth a second look (a genre word as the whole question, a section as the answer), and
says what to change in the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashgen.extract import CardDraft
from flashgen.extract.answers import MAX_WORDS, words_of
from flashgen.extract.endings import ends_with_colon
from flashgen.extract.questions import is_generic, strip_numbering
from flashgen.parse import Block, plain_text, walk_blocks
from flashgen.records import quick_init

REASONS = (
    "generic-label",
    "numbering-in-question",
    "too-long",
    "truncated-colon",
    "question-gives-answer",
    "enum-of-sublabels",
    "no-real-question",
    "data-dump",
    "metadata",
    "broken-rendering",
)
"""The codes these checks give, in the order they are tried (the first that fits wins)."""

_FIXES = {
    "generic-label": "name the subject in the label or heading, or nest it under one",
    "numbering-in-question": "the number is left off the question; name the step",
    "too-long": "split it into labelled points, or keep the heading's opening short",
    "truncated-colon": "put the list it announces right under it",
    "question-gives-answer": "ask for what the answer adds, not what the label says",
    "enum-of-sublabels": "list the section's facts, not its sub-labels",
    "no-real-question": "write a label that asks something",
    "data-dump": "keep the command and one line of what its output shows",
    "metadata": "move the field into the front matter",
    "broken-rendering": "close the markup, or embed a file that is in the vault",
}
_NO_QUESTION = frozenset(
    {"notes", "note", "misc", "other", "todo", "output", "remember these key points"}
)
_RAW_MARKUP = re.compile(r"\*\*|!\[\[|\[\[|\[!\w+|(?<![\\\w])\$[^$\s][^$]*\$")
_STAR_PAIR = re.compile(
    r"(?<![\w*])\*\*(?=\S)[^*\n]*?\S(?:\s*\*\*(?![\w*])|\s+\*\*(?=\w))"
)
_METADATA = re.compile(
    r"^\s*(?:related|tags?|aliases|date|created|updated|modified|typora-[\w-]+)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_DUMP_LINES = 15


@quick_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a card looks weak, and what to change in the note."""

    code: str
    detail: str
    fix: str


def judge_draft(draft: CardDraft) -> Verdict | None:
    """The first weakness these heuristics see in a card, or None. They read a question
    and its answer: a cloze's text is a sentence with a gap, judged where it is made
    (extract/cloze.py), so a cloze is never judged here."""
    if draft.kind == "cloze":
        return None
    question = plain_text(draft.question).strip()
    answer_text = " ".join(_texts(draft.answer))
    words = words_of(draft.answer)
    found: tuple[str, str] | None = None
    if draft.kind == "list":
        names = [plain_text(item.children[0].inlines) for item in _items(draft)]
        generic = sum(is_generic(strip_numbering(name)) for name in names)
        if names and generic * 2 > len(names):
            found = (
                "enum-of-sublabels",
                f"{generic} of {len(names)} items are genre words",
            )
    if found is None and strip_numbering(draft.label).casefold() in _NO_QUESTION:
        found = ("no-real-question", f"'{draft.label}' asks nothing")
    # A table row's question is its name and the column headers, not a label.
    if found is None and draft.kind != "table" and is_generic(question):
        found = ("generic-label", f"'{question}' names no subject")
    if found is None and strip_numbering(question) != question:
        found = ("numbering-in-question", f"'{question}'")
    if found is None and _is_dump(draft.answer):
        found = ("data-dump", "the answer is a long block of raw output")
    if found is None and words > MAX_WORDS:
        found = ("too-long", f"{words} words")
    if found is None and draft.answer and ends_with_colon(draft.answer[-1]):
        found = ("truncated-colon", "the answer stops at a colon")
    if found is None and _METADATA.search(answer_text):
        found = ("metadata", "the answer holds a metadata field")
    # Paired stars written as text render as bold (see render/card.py); a lone pair does not.
    shown = _STAR_PAIR.sub("", answer_text) if "**" in answer_text else answer_text
    if found is None and _RAW_MARKUP.search(shown):
        found = ("broken-rendering", "the answer shows raw markup")
    if found is None and _gives_answer(question, answer_text, draft.kind):
        found = ("question-gives-answer", "the answer repeats the question")
    if found is None:
        return None
    code, detail = found
    return Verdict(code, detail, _FIXES[code])


def _items(draft: CardDraft) -> tuple[Block, ...]:
    first = draft.answer[0] if draft.answer else None
    items = first.children if first is not None and first.kind == "list" else ()
    return tuple(item for item in items if item.children)


def _texts(blocks: tuple[Block, ...]) -> list[str]:
    """The answer's visible text, block by block (code and HTML left out: they are shown
    as written, and their `$` or `**` are not markup)."""
    return [
        plain_text(block.inlines)
        for block in walk_blocks(blocks)
        if block.inlines and block.kind not in {"code", "html"}
    ]


def _is_dump(blocks: tuple[Block, ...]) -> bool:
    """The whole answer is one long block of unlabelled code: a transcript or output."""
    code = [block for block in blocks if block.kind == "code"]
    return (
        len(blocks) == 1
        and len(code) == 1
        and code[0].info in {"", "text", "txt", "console", "output", "plaintext"}
        and code[0].text.count("\n") >= _DUMP_LINES
    )


def _gives_answer(question: str, answer: str, kind: str) -> bool:
    """A short answer whose words are nearly all in the question already."""
    if kind not in {"point", "heading"}:
        return False
    asked = set(re.findall(r"\w{3,}", question.casefold()))
    said = re.findall(r"\w{3,}", answer.casefold())
    if not asked or not said or len(said) > 8:
        return False
    return sum(word in asked for word in said) * 2 >= len(said) + 1
