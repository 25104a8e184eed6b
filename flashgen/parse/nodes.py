"""The block tree the parse stage hands on: Block and Inline records and helpers on them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Inline:
    """One inline element.

    kind is one of: text, code, math, display_math, strong, emphasis, strikethrough, link,
    wikilink, image, embed, html, softbreak, hardbreak, footnote, task; and cloze, which
    the parse stage never makes: the extract stage marks a cloze deletion so (its number
    as text in `target`, its hint in `text`, what it hides in `children`).
    """

    kind: str
    text: str = ""
    """Literal content: the text, code or math source; "x" or "" for a task marker."""
    target: str = ""
    """Destination of a link, wikilink, image or embed."""
    children: tuple[Inline, ...] = ()
    line: int = 0
    """1-based line of a link, image or embed (for messages); 0 for other inlines."""


@quick_init
@dataclass(frozen=True, slots=True)
class Block:
    """One block of the note.

    kind is one of: heading, paragraph, list, item, quote, callout, code, table, row, cell,
    html, rule, footnote.
    """

    kind: str
    line: int
    """First line of the block, 1-based."""
    end_line: int
    """Last line of the block, 1-based, inclusive."""
    inlines: tuple[Inline, ...] = ()
    children: tuple[Block, ...] = ()
    level: int = 0
    """Heading level (1-6)."""
    start: int | None = None
    """First number of an ordered list; None for a bullet list."""
    info: str = ""
    """Code block language, callout type, or footnote label."""
    text: str = ""
    """Code or HTML block content."""
    tight: bool = False
    """A paragraph written directly in a tight list item (rendered without <p>)."""
    head: bool = False
    """A table's header row."""


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text a reader sees, without markup (wikilinks show their alias or target)."""
    parts: list[str] = []
    for inline in inlines:
        if inline.kind in {"text", "code", "math", "display_math"}:
            parts.append(inline.text)
        elif inline.kind in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif inline.kind == "wikilink" and not inline.children:
            parts.append(inline.target)
        elif inline.kind in {"embed", "image", "html", "footnote", "task"}:
            continue
        else:
            parts.append(plain_text(inline.children))
    return "".join(parts)


_BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$|^\^([A-Za-z0-9-]+)\s*$")


def split_block_id(inlines: tuple[Inline, ...]) -> tuple[tuple[Inline, ...], str]:
    """Split off an Obsidian block id (`text ^my-id`) written at the end of a block."""
    last = inlines[-1] if inlines else None
    # A `^` is what the search needs, checked first: most text has none.
    if (
        last is None
        or last.kind != "text"
        or "^" not in last.text
        or not (found := _BLOCK_ID.search(last.text))
    ):
        return inlines, ""
    text = last.text[: found.start()].rstrip()
    kept = (*inlines[:-1], Inline("text", text)) if text else inlines[:-1]
    return kept, found.group(1) or found.group(2)


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block, depth first, in source order."""
    for block in blocks:
        yield block
        yield from walk_blocks(block.children)


def shifted(blocks: tuple[Block, ...], offset: int) -> tuple[Block, ...]:
    """Blocks parsed from part of a note (a fenced block's body, a card's side), with
    their lines and their inlines' lines counted in the note."""
    return tuple(
        replace(
            block,
            line=block.line + offset,
            end_line=block.end_line + offset,
            inlines=_shifted_inlines(block.inlines, offset),
            children=shifted(block.children, offset),
        )
        for block in blocks
    )


def _shifted_inlines(inlines: tuple[Inline, ...], offset: int) -> tuple[Inline, ...]:
    if not any(inline.line or inline.children for inline in inlines):
        return inlines
    return tuple(
        replace(
            inline,
            line=inline.line + offset if inline.line else 0,
            children=_shifted_inlines(inline.children, offset),
        )
        for inline in inlines
    )
