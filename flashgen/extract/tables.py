"""Tables: a table whose first column names things makes a card per row.

`| Command | Description |` over `| mkdir | creates a directory |`: the row's name, asked
with the other columns' headers (*mkdir - Description*), is the question; the other cells
answer. A table of links, of numbers, or whose first column holds sentences is data, not a
list of named things, and makes no row cards.
"""

from __future__ import annotations

import re

from flashgen.parse import Block, Inline, plain_text

_MAX_NAME_WORDS = 8
_MAX_NAME_CHARS = 80


def row_cards(
    table: Block,
) -> list[tuple[str, Block, tuple[Inline, ...], tuple[Block, ...]]]:
    """(name, row, question, answer) for each body row of a table of named things."""
    head = next((row for row in table.children if row.head), None)
    rows = [row for row in table.children if not row.head]
    if head is None or len(head.children) < 2 or not rows:
        return []
    headers = [plain_text(cell.inlines).strip() for cell in head.children]
    names = [_name(row, headers[0]) for row in rows]
    # A row or two that names nothing (`!` in a table of commands) is left out; a
    # table whose first column mostly names nothing is no table of named things.
    if sum(name is None for name in names) * _NAMELESS > len(names):
        return []
    texts = [plain_text(name).strip().casefold() for name in names if name]
    if len(set(texts)) != len(texts):
        return []
    asked = [header for header in headers[1:] if header]
    cards = []
    for row, name in zip(rows, names, strict=True):
        if name is None:
            continue
        answer = _answer(row, headers)
        if not answer:
            continue
        question = name
        if asked:
            question = (*name, Inline("text", f" - {', '.join(asked)}"))
        cards.append((plain_text(name).strip(), row, question, answer))
    return cards


_NAMELESS = 10
"""At most one row in this many may name nothing."""


def _name(row: Block, header: str) -> tuple[Inline, ...] | None:
    """The row's first cell when it names something: short, with words, not only a link.
    A number is named with its column's header (`| Level | ...` over `| 0 | ...`)."""
    if not row.children:
        return None
    inlines = row.children[0].inlines
    text = plain_text(inlines).strip()
    if len(header) > 2 and re.fullmatch(r"[\d.,]+", text):
        text = f"{header} {text}"
        inlines = (Inline("text", text),)
    if (
        not text
        or len(text) > _MAX_NAME_CHARS
        or len(text.split()) > _MAX_NAME_WORDS
        or text.endswith((".", "!", "?"))
        or not re.search(r"[^\W\d_]", text)
    ):
        return None
    if all(inline.kind in {"link", "wikilink"} for inline in inlines):
        return None
    return inlines


def _answer(row: Block, headers: list[str]) -> tuple[Block, ...]:
    """The other cells: one alone is the answer; several are labelled by their headers."""
    cells = [
        (headers[index] if index < len(headers) else "", cell)
        for index, cell in enumerate(row.children[1:], start=1)
        if plain_text(cell.inlines).strip() or _has_media(cell.inlines)
    ]
    if not cells:
        return ()
    if len(cells) == 1:
        _, cell = cells[0]
        return (Block("paragraph", row.line, row.end_line, cell.inlines),)
    items = []
    for header, cell in cells:
        lead = (
            Inline("strong", children=(Inline("text", header),)),
            Inline("text", ": "),
        )
        inlines = (*lead, *cell.inlines) if header else cell.inlines
        paragraph = Block("paragraph", row.line, row.end_line, inlines, tight=True)
        items.append(Block("item", row.line, row.end_line, children=(paragraph,)))
    return (Block("list", row.line, row.end_line, children=tuple(items)),)


def _has_media(inlines: tuple[Inline, ...]) -> bool:
    return any(inline.kind in {"image", "embed", "math", "code"} for inline in inlines)
