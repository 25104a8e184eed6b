"""Extract stage: ParsedNote -> CardDraft records.

Reads the structure people already write: bold-labelled points (in paragraphs, list items,
quotes and callouts, at any depth), headings answered by their own prose, and headings whose
section is a list of labelled points (an enumeration card). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flashgen.extract.labels import NOT_LABELS, Label, label_of, split_label_lines
from flashgen.extract.tags import note_tags
from flashgen.parse import (
    Block,
    Inline,
    ParsedNote,
    plain_text,
    split_block_id,
    split_front_matter,
    walk_blocks,
)
from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class CardDraft:
    """A card before rendering: what it asks, what it answers, and where it comes from."""

    kind: str
    """point (bold label + answer), definition (`**X** is ...`), heading, or list."""
    note_path: str
    note_title: str
    context: tuple[str, ...]
    """Heading path (and parent labels) under the note's title, outermost first."""
    label: str
    """The question as plain text; part of the card's identity."""
    question: tuple[Inline, ...]
    answer: tuple[Block, ...]
    line: int
    """First line of the source of the card, 1-based."""
    end_line: int
    tags: tuple[str, ...] = ()
    footnotes: tuple[Block, ...] = ()
    """The note's footnote definitions that the question or answer refers to."""
    pin: str = ""
    """The Obsidian block id (`^my-id`) written on the point, if any: it fixes the identity."""
    occurrence: int = 0
    """How many earlier cards of the note share kind, context and label (0 for the first)."""

    def with_(
        self,
        *,
        question: tuple[Inline, ...] | None = None,
        answer: tuple[Block, ...] | None = None,
        tags: tuple[str, ...] | None = None,
        footnotes: tuple[Block, ...] | None = None,
        occurrence: int | None = None,
    ) -> CardDraft:
        """The draft with these fields changed (None: kept): the one way to derive a
        draft, as fast as building it directly (dataclasses.replace is slow for tens of
        thousands of cards). A field that a later stage changes gets a parameter here."""
        return CardDraft(
            self.kind,
            self.note_path,
            self.note_title,
            self.context,
            self.label,
            self.question if question is None else question,
            self.answer if answer is None else answer,
            self.line,
            self.end_line,
            self.tags if tags is None else tags,
            self.footnotes if footnotes is None else footnotes,
            self.pin,
            self.occurrence if occurrence is None else occurrence,
        )


_GENERIC_LABELS = frozenset(
    {
        "advantages",
        "disadvantages",
        "pros",
        "cons",
        "example",
        "examples",
        "syntax",
        "definition",
        "output",
        "usage",
        "benefits",
        "drawbacks",
        "limitations",
        "properties",
    }
)
MAX_CARDS_PER_NOTE = 5000
"""More cards than this from one note are left out, with a warning."""
_METADATA_LINE = re.compile(r"^\s*([A-Za-z][\w .&/-]{0,40}):(.*)$")
_DATE_KEY = re.compile(r"date|created|modified|updated", re.IGNORECASE)


def extract_cards(
    note: ParsedNote, *, folder_tags: bool = False
) -> tuple[CardDraft, ...]:
    """All cards of one note, in source order, each with its occurrence number set."""
    if not makes_cards(note):
        return ()
    tags = note_tags(note, folder_tags=folder_tags)
    footnotes = {b.info: b for b in walk_blocks(note.blocks) if b.kind == "footnote"}
    lines = note.source.split("\n")
    drafts: list[CardDraft] = []
    for heading, path, body in _sections(note, lines):
        drafts.extend(_section_cards(note, heading, path, body))
    counts: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    numbered = []
    for draft in drafts:
        key = (draft.kind, draft.context, draft.label)
        notes = _footnotes_of(draft, footnotes) if footnotes else ()
        numbered.append(draft.with_(tags=tags, footnotes=notes, occurrence=counts[key]))
        counts[key] += 1
    return tuple(numbered)


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


def _sections(
    note: ParsedNote, lines: list[str]
) -> Iterator[tuple[Block | None, tuple[str, ...], tuple[Block, ...]]]:
    """(heading, heading path, body) for the text before the first heading and each heading."""
    stack: list[tuple[int, str]] = []
    heading: Block | None = None
    body: list[Block] = []
    for block in split_label_lines(note.blocks):
        if block.kind == "heading":
            yield heading, tuple(text for _, text in stack), tuple(body)
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            text = _heading_text(block)
            # An H1 that repeats the note's title adds nothing to the context.
            if not (block.level == 1 and text.casefold() == note.title.casefold()):
                stack.append((block.level, text))
            heading, body = block, []
        elif not _is_metadata(block, lines):
            body.append(block)
    yield heading, tuple(text for _, text in stack), tuple(body)


def _section_cards(
    note: ParsedNote,
    heading: Block | None,
    path: tuple[str, ...],
    body: tuple[Block, ...],
) -> Iterator[CardDraft]:
    if heading is None:
        yield from (card for card, _ in _points(note, body, path))
        return
    # A heading that repeats the note's title is not in the path; the title stands for it.
    context, label = (path[:-1], path[-1]) if path else ((), note.title)
    question = (Inline("text", label),)
    intro = _intro(body)
    is_remark = bool(path) and label.casefold() in NOT_LABELS  # `## NOTE`
    if intro and _has_substance(intro) and not is_remark:
        yield CardDraft(
            "heading",
            note.path,
            note.title,
            context,
            label,
            question,
            intro,
            heading.line,
            intro[-1].end_line,
        )
    points = list(_points(note, body, path))
    direct = [card for card, depth in points if depth == 0]
    # "Advantages, Disadvantages" is no list worth learning; named points are.
    if len(direct) >= 2 and not all(
        c.label.casefold() in _GENERIC_LABELS for c in direct
    ):
        items = tuple(
            Block(
                "item",
                c.line,
                c.line,
                children=(Block("paragraph", c.line, c.line, c.question, tight=True),),
            )
            for c in direct
        )
        answer = (
            Block("list", items[0].line, direct[-1].end_line, children=items, start=1),
        )
        yield CardDraft(
            "list",
            note.path,
            note.title,
            context,
            label,
            question,
            answer,
            heading.line,
            direct[-1].end_line,
        )
    yield from (card for card, _ in points)


def _intro(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """The section's opening content, up to the first labelled point or thematic break."""
    taken: list[Block] = []
    for block in body:
        if block.kind == "rule" or _starts_with_label(block):
            break
        if block.kind in {"table", "html", "footnote"} and not taken:
            break
        taken.append(block)
    return tuple(taken)


def _starts_with_label(block: Block) -> bool:
    if block.kind == "paragraph":
        return label_of(block.inlines) is not None
    if block.kind == "list":
        leads = (_lead(item) for item in block.children)
        return any(lead is not None and label_of(lead.inlines) for lead in leads)
    if block.kind in {"quote", "callout"}:
        return any(_starts_with_label(child) for child in block.children)
    return False


def _points(
    note: ParsedNote, blocks: tuple[Block, ...], path: tuple[str, ...], depth: int = 0
) -> Iterator[tuple[CardDraft, int]]:
    """Labelled points in these blocks, with their nesting depth (0: directly in the section)."""
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        inlines, pin = split_block_id(block.inlines)
        if block.kind == "paragraph" and (found := label_of(inlines)):
            answer: list[Block] = []
            if found.rest:
                answer.append(
                    Block("paragraph", block.line, block.end_line, found.rest)
                )
            following: list[Block] = []
            if found.alone:
                while index < len(blocks) and not _ends_answer(blocks[index]):
                    following.append(blocks[index])
                    index += 1
            answer.extend(following)
            card = _point(note, found, path, tuple(answer), block.line, pin)
            if card:
                yield card, depth
                inner_path = (*path, card.label)
                yield from _points(note, tuple(following), inner_path, depth + 1)
        elif block.kind == "list":
            for item in block.children:
                yield from _item_points(note, item, path, depth)
        elif block.kind in {"quote", "callout"}:
            yield from _points(note, block.children, path, depth)


def _item_points(
    note: ParsedNote, item: Block, path: tuple[str, ...], depth: int
) -> Iterator[tuple[CardDraft, int]]:
    lead = _lead(item)
    inlines, pin = split_block_id(lead.inlines) if lead is not None else ((), "")
    found = label_of(inlines) if lead is not None else None
    if lead is None or found is None:
        yield from _points(note, item.children, path, depth + 1)
        return
    rest = item.children[1:]
    answer = (
        (Block("paragraph", lead.line, lead.end_line, found.rest),)
        if found.rest
        else ()
    )
    card = _point(note, found, path, answer + rest, item.line, pin)
    if card is None:
        yield from _points(note, rest, path, depth + 1)
        return
    yield card, depth
    yield from _points(note, rest, (*path, card.label), depth + 1)


def _point(
    note: ParsedNote,
    found: Label,
    path: tuple[str, ...],
    answer: tuple[Block, ...],
    line: int,
    pin: str,
) -> CardDraft | None:
    if not answer or not _has_substance(answer):
        return None
    label = plain_text(found.label).strip()
    end = max(block.end_line for block in answer)
    return CardDraft(
        found.kind,
        note.path,
        note.title,
        path,
        label,
        found.label,
        answer,
        line,
        max(end, line),
        pin=pin,
    )


def _lead(item: Block) -> Block | None:
    first = item.children[0] if item.children else None
    return first if first is not None and first.kind == "paragraph" else None


def _ends_answer(block: Block) -> bool:
    return block.kind in {"heading", "rule"} or (
        block.kind == "paragraph" and label_of(block.inlines) is not None
    )


def _heading_text(block: Block) -> str:
    return plain_text(block.inlines).strip().rstrip(":\uff1a").strip()


def _is_metadata(block: Block, lines: list[str]) -> bool:
    """Template header and footer lines (`Links: [[]]`, `Created Date: ...`) are not content."""
    if block.kind != "paragraph":
        return False
    for line in lines[block.line - 1 : block.end_line]:
        found = _METADATA_LINE.match(line)
        if not found:
            return False
        value = re.sub(r"\[\[[^\]]*\]\]|#\S+", "", found.group(2)).strip()
        if value and not _DATE_KEY.search(found.group(1)):
            return False
    return True


def _has_substance(blocks: tuple[Block, ...]) -> bool:
    """Something to learn: text that is not only links, or code, math or an image."""
    for block in walk_blocks(blocks):
        if block.kind in {"code", "html"} and block.text.strip():
            return True
        if _inline_substance(block.inlines):
            return True
    return False


def _inline_substance(inlines: Iterable[Inline]) -> bool:
    for inline in inlines:
        if inline.kind in {"code", "math", "display_math", "embed", "image"}:
            return True
        if inline.kind == "text" and re.search(r"\w", inline.text):
            return True
        if inline.kind not in {"link", "wikilink"} and _inline_substance(
            inline.children
        ):
            return True
    return False
