"""Extract stage: ParsedNote -> CardDraft records.

Reads the structure people already write: bold-labelled points (in paragraphs, list items,
quotes and callouts, at any depth), headings answered by their own prose, and headings whose
section is a list of labelled points (an enumeration card). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from flashgen.parse import Block, Inline, ParsedNote, plain_text, split_block_id


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


@dataclass(frozen=True, slots=True)
class _Label:
    label: tuple[Inline, ...]
    rest: tuple[Inline, ...]
    """Inlines after the separator; for a definition, the whole paragraph."""
    kind: str
    alone: bool
    """True when the answer is in the blocks that follow (the label stands on its own line)."""


# `1. `, `a) `, `iv. ` written inside the bold belong to the list, not to the label.
_ENUMERATOR = re.compile(
    r"^\s*(?:\d{1,3}|[a-zA-Z]|[ivxlcdm]{1,6})[.)]\s+", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^(?:\s*:|\s+-\s|\s*[\u2013\u2014]\s|\s*(?:\u2192|->|=>)\s*)\s*"
)
_DEFINING_VERB = re.compile(
    r"^\s+(?:is|are|was|were|refers to|means|describes|represents|stands for|denotes"
    r"|defines|consists of|can be defined as|is defined as)\b",
    re.IGNORECASE,
)
# Bold words that flag a remark rather than name something to learn.
_NOT_LABELS = frozenset(
    {
        "note",
        "nb",
        "tip",
        "tips",
        "warning",
        "important",
        "caution",
        "attention",
        "danger",
        "info",
        "todo",
        "remember",
        "update",
        "edit",
        "hint",
    }
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
_MAX_LABEL = 80
MAX_CARDS_PER_NOTE = 5000
"""More cards than this from one note are left out, with a warning."""
_METADATA_LINE = re.compile(r"^\s*([A-Za-z][\w .&/-]{0,40}):(.*)$")
_DATE_KEY = re.compile(r"date|created|modified|updated", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w/&#])#([^\s#,.;:!?()\[\]{}<>\"'`|\\=+*^%$@~]+)")


def extract_cards(
    note: ParsedNote, *, folder_tags: bool = False
) -> tuple[CardDraft, ...]:
    """All cards of one note, in source order, each with its occurrence number set."""
    if not makes_cards(note):
        return ()
    tags = note_tags(note, folder_tags=folder_tags)
    footnotes = {b.info: b for b in _walk(note.blocks) if b.kind == "footnote"}
    lines = note.source.split("\n")
    drafts: list[CardDraft] = []
    for heading, path, body in _sections(note, lines):
        drafts.extend(_section_cards(note, heading, path, body))
    counts: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    numbered = []
    for draft in drafts:
        key = (draft.kind, draft.context, draft.label)
        notes = _footnotes_of(draft, footnotes) if footnotes else ()
        numbered.append(
            replace(draft, tags=tags, occurrence=counts[key], footnotes=notes)
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


def _footnotes_of(draft: CardDraft, footnotes: dict[str, Block]) -> tuple[Block, ...]:
    labels: list[str] = []
    pending = [*draft.question]
    for block in _walk(draft.answer):
        pending.extend(block.inlines)
    while pending:
        inline = pending.pop(0)
        if inline.kind == "footnote" and inline.text in footnotes:
            labels.append(inline.text)
        pending.extend(inline.children)
    return tuple(footnotes[label] for label in dict.fromkeys(labels))


def note_tags(note: ParsedNote, *, folder_tags: bool = False) -> tuple[str, ...]:
    """Front-matter tags and inline `#tags` (not in code or headings), as Anki tags."""
    found: list[str] = []
    if folder_tags and "/" in note.path:
        found.append(note.path.rsplit("/", 1)[0])
    raw = note.front_matter.get("tags")
    if isinstance(raw, str):
        raw = re.split(r"[\s,]+", raw)
    if isinstance(raw, list):
        # Only plain values: a YAML alias bomb hides billions of items in nested lists.
        found.extend(
            str(tag) for tag in raw if isinstance(tag, str | int) and tag is not True
        )
    for block in _walk(note.blocks):
        if block.kind != "heading":
            found.extend(
                m.group(1)
                for text in _texts(block.inlines)
                for m in _TAG.finditer(text)
            )
    tags: dict[str, str] = {}
    for tag in found:
        cleaned = tag.strip().lstrip("#").strip("/").replace("/", "::")
        cleaned = re.sub(r"\s+", "_", cleaned)
        # Anki's tags ignore case: `Chemistry` and `chemistry` are one tag; keep the first.
        if cleaned and not cleaned.isdigit():
            tags.setdefault(cleaned.casefold(), cleaned)
    return tuple(tags.values())


def _sections(
    note: ParsedNote, lines: list[str]
) -> Iterator[tuple[Block | None, tuple[str, ...], tuple[Block, ...]]]:
    """(heading, heading path, body) for the text before the first heading and each heading."""
    stack: list[tuple[int, str]] = []
    heading: Block | None = None
    body: list[Block] = []
    for block in _split_label_lines(note.blocks):
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
    is_remark = bool(path) and label.casefold() in _NOT_LABELS  # `## NOTE`
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


def _split_label_lines(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """`**A**: x` and `**B**: y` on consecutive lines are one paragraph in Markdown, but
    two points to the reader (Obsidian shows the line break): split them."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "paragraph":
            result.extend(_split_paragraph(block))
        elif block.children and block.kind in {"list", "item", "quote", "callout"}:
            result.append(replace(block, children=_split_label_lines(block.children)))
        else:
            result.append(block)
    return tuple(result)


def _split_paragraph(block: Block) -> list[Block]:
    lines: list[list[Inline]] = [[]]
    for inline in block.inlines:
        if inline.kind in {"softbreak", "hardbreak"}:
            lines.append([])
        else:
            lines[-1].append(inline)
    if len(lines) == 1:
        return [block]
    parts: list[tuple[int, list[Inline]]] = [(0, [])]
    in_labels = isinstance(judge_label(tuple(lines[0])), _Label)
    for number, line in enumerate(lines):
        judged = judge_label(tuple(line)) if number else None
        # A label line starts a new point. A bold line alone (`**Term**`, its answer on the
        # next line) does so only among label lines, not in the middle of prose.
        if isinstance(judged, _Label) and (in_labels or not judged.alone):
            parts.append((number, list(line)))
            in_labels = True
        else:
            offset, inlines = parts[-1]
            if inlines:
                inlines.append(Inline("softbreak"))
            inlines.extend(line)
    parts = [(offset, inlines) for offset, inlines in parts if inlines]
    if len(parts) == 1:
        return [block]
    split = []
    for index, (offset, inlines) in enumerate(parts):
        end = parts[index + 1][0] - 1 if index + 1 < len(parts) else len(lines) - 1
        # Only the first part sits in a tight list item's line; the others are paragraphs.
        split.append(
            replace(
                block,
                line=block.line + offset,
                end_line=block.line + end,
                inlines=tuple(inlines),
                tight=block.tight and index == 0,
            )
        )
    return split


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
        return _label_of(block.inlines) is not None
    if block.kind == "list":
        leads = (_lead(item) for item in block.children)
        return any(lead is not None and _label_of(lead.inlines) for lead in leads)
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
        if block.kind == "paragraph" and (found := _label_of(inlines)):
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
    found = _label_of(inlines) if lead is not None else None
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
    found: _Label,
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
        block.kind == "paragraph" and _label_of(block.inlines) is not None
    )


def _label_of(inlines: tuple[Inline, ...]) -> _Label | None:
    """The label of a bold-led block, or None when its bold is not a label."""
    judged = judge_label(inlines)
    return judged if isinstance(judged, _Label) else None


def judge_label(inlines: tuple[Inline, ...]) -> _Label | str | None:
    """The label of a block, or why its leading bold is not one (None: it has none)."""
    while inlines and inlines[0].kind == "task":
        inlines = inlines[1:]
    if not inlines or inlines[0].kind != "strong":
        return None
    label = _drop_enumerator(inlines[0].children)
    rest = inlines[1:]
    label_text = plain_text(label).strip()
    if label_text.endswith((":", "\uff1a")):
        label = _trim_end(label, 1)
        kind, alone = "point", _is_line_end(rest)
        rest = _drop_break(_trim_start(rest, 0))
    else:
        head = rest[0].text if rest and rest[0].kind == "text" else ""
        if _is_line_end(rest):
            kind, alone, rest = "point", True, _drop_break(rest)
        elif separator := _SEPARATOR.match(head):
            kind = "point"
            rest = _trim_start(rest, separator.end())
            alone = _is_line_end(rest)
            rest = _drop_break(rest)
        elif _DEFINING_VERB.match(head):
            kind, alone, rest = (
                "definition",
                False,
                (Inline("strong", children=label), *rest),
            )
        else:
            # `**Right-click** the file`: bold that starts a sentence.
            return "no ':' or ' - ' after the bold"
    text = plain_text(label).strip()
    if not text:
        return "the bold is empty"
    if len(text) > _MAX_LABEL:
        return f"the bold is longer than {_MAX_LABEL} characters"
    if text.endswith((".", "!")):
        return "the bold is a whole sentence"
    if text.casefold().rstrip(":") in _NOT_LABELS:
        return f"'{text}' marks a remark"
    return _Label(label, tuple(rest), kind, alone)


def _is_line_end(rest: tuple[Inline, ...]) -> bool:
    head = rest[0] if rest else None
    if head is not None and head.kind == "text" and not head.text.strip():
        head = rest[1] if len(rest) > 1 else None
    return head is None or head.kind in {"softbreak", "hardbreak"}


def _drop_break(rest: tuple[Inline, ...]) -> tuple[Inline, ...]:
    items = list(rest)
    while items and (
        items[0].kind in {"softbreak", "hardbreak"}
        or (items[0].kind == "text" and not items[0].text.strip())
    ):
        items.pop(0)
    return tuple(items)


def _drop_enumerator(label: tuple[Inline, ...]) -> tuple[Inline, ...]:
    if (
        label
        and label[0].kind == "text"
        and (found := _ENUMERATOR.match(label[0].text))
    ):
        stripped = label[0].text[found.end() :]
        return ((Inline("text", stripped),) if stripped else ()) + label[1:]
    return label


def _trim_end(label: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    """Drop the label's trailing colon (and the spaces before it)."""
    if label and label[-1].kind == "text":
        text = label[-1].text.rstrip()[:-count].rstrip()
        return (*label[:-1], Inline("text", text)) if text else label[:-1]
    return label


def _trim_start(rest: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    if rest and rest[0].kind == "text":
        text = rest[0].text[count:].lstrip()
        return ((Inline("text", text),) if text else ()) + rest[1:]
    return rest


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
    for block in _walk(blocks):
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


def _walk(blocks: Iterable[Block]) -> Iterator[Block]:
    for block in blocks:
        yield block
        yield from _walk(block.children)


def _texts(inlines: Iterable[Inline]) -> Iterator[str]:
    for inline in inlines:
        if inline.kind == "text":
            yield inline.text
        elif inline.kind in {"strong", "emphasis", "strikethrough"}:
            yield from _texts(inline.children)
