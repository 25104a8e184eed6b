"""How an answer ends: never announcing what it does not hold (`... can be found at:`),
never on the label of what follows (`**Key insight:**`). Blocks in, blocks out."""

from __future__ import annotations

import re
from dataclasses import replace

from flashgen.parse import Block, Inline, plain_text

SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])")
DANGLING_WORDS = 4
"""Words of a label ending with a colon that opens what follows."""


def ends_with_colon(block: Block) -> bool:
    """A paragraph that announces what follows (`... include the following:`)."""
    if block.kind != "paragraph" or not block.inlines:
        return False
    for inline in reversed(block.inlines):
        if inline.kind in {"softbreak", "hardbreak"}:
            continue
        if inline.kind == "text" and not inline.text.strip():
            continue
        if inline.kind in {"text", "strong", "emphasis"}:
            return plain_text((inline,)).rstrip().endswith((":", "\uff1a"))
        return False  # `Syntax: ![[join.png]]`: what it announces is on its line
    return False


def settled(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """An answer that ends announcing what it does not hold (`You pass it the
    configuration file:` over a file left out, `can be found at:` over nothing or over
    web images, which are only links on the card): the sentences before the announcing
    one, or the announcing sentence ended with a full stop when it says something
    itself (`We use wpa_sycophant to connect to the real AP:`); nothing when it only
    announces (`This is a list of endpoints:`)."""
    # Web images after the announcing line are links, not what it announces.
    end = len(blocks)
    while end > 1 and _only_remote_images(blocks[end - 1]):
        end -= 1
    if end < len(blocks) and ends_with_colon(blocks[end - 1]):
        blocks = blocks[:end]
    if not blocks or not ends_with_colon(blocks[-1]):
        return blocks
    last = blocks[-1]
    shorter = _without_last_sentence(last)
    if shorter is not last:
        return (*blocks[:-1], shorter)
    if len(blocks) > 1:
        return blocks[:-1]
    if _announces_only(last):
        return ()
    return (_colon_to_stop(last),)


def without_trailing_label(block: Block) -> Block:
    """A last line that is only a bold label over what follows (`**Key insight:**` right
    under a list item, which Markdown reads as part of it): the opener of the next
    block, not the end of this one."""
    if block.kind in {"list", "item", "quote"} and block.children:
        last = without_trailing_label(block.children[-1])
        if last is block.children[-1]:
            return block
        return replace(block, children=(*block.children[:-1], last))
    if block.kind != "paragraph":
        return block
    inlines = list(block.inlines)
    while inlines and inlines[-1].kind == "text" and not inlines[-1].text.strip():
        inlines.pop()
    if (
        len(inlines) >= 2
        and inlines[-1].kind == "strong"
        and inlines[-2].kind in {"softbreak", "hardbreak"}
        and plain_text(inlines[-1].children).strip().endswith((":", "\uff1a"))
        and len(plain_text(inlines[-1].children).split()) <= DANGLING_WORDS
    ):
        return replace(block, inlines=tuple(inlines[:-2]))
    return block


_ANNOUNCES = re.compile(
    r"^\W*(?:this is (?:a|the) (?:list|table|set)|here(?:'s| is| are)|the following|"
    r"below (?:is|are)|as follows|for example|e\.g\.|examples?\b|it looks like|"
    r"it would look like|run|use|type|enter)\b",
    re.IGNORECASE,
)
_ANNOUNCING_WORDS = 8


def _announces_only(block: Block) -> bool:
    """A line that only says what follows (`This is a list of endpoints ...:`, `Run:`)."""
    text = plain_text(block.inlines).strip()
    return len(text.split()) <= _ANNOUNCING_WORDS or bool(_ANNOUNCES.match(text))


def _colon_to_stop(block: Block) -> Block:
    last = block.inlines[-1] if block.inlines else None
    if last is None or last.kind != "text":
        return block
    ended = re.sub(r"\s*[:\uff1a]\s*$", ".", last.text)
    return replace(block, inlines=(*block.inlines[:-1], Inline("text", ended)))


_LINE_BREAKS = frozenset({"softbreak", "hardbreak"})


def _only_remote_images(block: Block) -> bool:
    """A paragraph of web images only: links on the card, nothing shown."""
    if block.kind != "paragraph" or not block.inlines:
        return False
    shown = [i for i in block.inlines if not (i.kind == "text" and not i.text.strip())]
    return bool(shown) and all(i.kind in _LINE_BREAKS or is_web_image(i) for i in shown)


def is_web_image(inline: Inline) -> bool:
    """An image or embed from the web: a link on the card, as a build fetches nothing."""
    return inline.kind in {
        "image",
        "embed",
    } and inline.target.strip().casefold().startswith(("http://", "https://"))


def _without_last_sentence(block: Block) -> Block:
    """A paragraph without its last sentence, when it has one before it; without its
    colon only, when a whole sentence stands before it (`... satisfy the query. :`)."""
    inlines = block.inlines
    last = inlines[-1] if inlines else None
    if last is not None and last.kind == "text":
        stray = re.search(r"[.!?]\s*[:\uff1a]\s*$", last.text)
        if stray:
            ended = Inline("text", last.text[: stray.start() + 1])
            return replace(block, inlines=(*inlines[:-1], ended))
    breaks = [i for i, inline in enumerate(inlines) if inline.kind in _LINE_BREAKS]
    if breaks:
        # `... \(g_{F}(E)\)` then `Where:` on its own line: the lines before it.
        return replace(block, inlines=inlines[: breaks[-1]])
    for index in range(len(inlines) - 1, -1, -1):
        inline = inlines[index]
        if inline.kind != "text":
            continue
        ends = list(SENTENCE_END.finditer(inline.text))
        if ends:
            kept = (*inlines[:index], Inline("text", inline.text[: ends[-1].end()]))
            return replace(block, inlines=kept)
    return block
