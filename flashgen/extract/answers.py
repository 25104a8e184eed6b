"""Answers: how much of a section a card takes, and what never joins an answer.

An answer is sized for recall: a long opening keeps its first blocks up to about 80 words
(an opening that ends with a colon keeps what it announces), a paragraph longer than that
keeps its first sentences, and what a line such as *Example:* or *Output:* opens stays out
of an answer that would be too long with it (output always: it is one run of a tool, not a
fact). *Resources* blocks and link lists stay out, and an answer must hold something to
learn (not only links, a remote image or a drawing's file name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from flashgen.extract.endings import (
    DANGLING_WORDS,
    SENTENCE_END,
    ends_with_colon,
    is_web_image,
    settled,
    without_trailing_label,
)
from flashgen.extract.transcripts import trim_transcripts
from flashgen.parse import Block, Inline, plain_text, walk_blocks

MAX_WORDS = 80
"""An answer longer than this is not recalled; the rubric's *too-long*."""
_RESOURCE_WORDS = frozenset(
    {
        "resources",
        "resource",
        "references",
        "reference",
        "sources",
        "source",
        "links",
        "related",
        "see-also",
        "seealso",
        "further-reading",
        "bibliography",
        "citations",
        "credits",
        "my-previous-notes",
    }
)
_DRAWINGS = (".excalidraw", ".excalidraw.md")
_PLACEHOLDER = re.compile(
    r"(?:init|stub|wip|work in progress|todo|to ?do|tbd|tba|tbc|draft|placeholder"
    r"|coming soon|in progress|fill (?:in|me)(?: later)?)",
    re.IGNORECASE,
)
_LONGEST_PLACEHOLDER = 24
# `*Example:*`, `For example:`, `Sample output:`, `Output:` alone on a line: what follows
# shows one case of what the answer already said.
_OPENER = re.compile(
    r"^(?:for\s+)?(?:an?\s+|the\s+|some\s+)?(?:(?:real[- ]life|practical|simple|"
    r"basic|quick|sample|example)\s+)?(?P<what>examples?|e\.?g\.?|usage|outputs?|"
    r"results?|demo)(?:\s+\w+)?\s*[:\uff1a]$",
    re.IGNORECASE,
)
_EXAMPLE_SENTENCE = re.compile(
    r"^(?:as an example|for (?:example|instance)|e\.g\.|let'?s (?:try|run|see))\b.*"
    r"[:\uff1a]$",
    re.IGNORECASE,
)
_EXAMPLE_SENTENCE_WORDS = 25
# `Check out the PowerUp notes.`, `See more in my PNPT notes.`: a pointer to elsewhere.
_POINTER = re.compile(
    r"^(?:see|check\s+out|refer\s+to|look\s+at|read|for\s+more)\b.*\b(?:notes?|page|"
    r"section|docs?|documentation|article|video|link|here|below|above)\b\W*$",
    re.IGNORECASE,
)
_LONGEST_POINTER = 12


def words_of(blocks: Iterable[Block]) -> int:
    """How many words a reader sees in these blocks (code and math included)."""
    count = 0
    for block in walk_blocks(blocks):
        if block.kind in {"code", "html"}:
            count += len(block.text.split())
        elif block.inlines:
            count += len(plain_text(block.inlines).split())
    return count


def fit(
    blocks: tuple[Block, ...], budget: int = MAX_WORDS, *, settle: bool = True
) -> tuple[Block, ...]:
    """The leading blocks that fit in `budget` words (the first with something to learn
    always does); a paragraph
    that ends with a colon keeps the block it announces. Pasted terminal output is cut
    to its commands first (see transcripts.py)."""
    blocks = trim_transcripts(blocks)
    taken: list[Block] = []
    used = 0
    long = words_of(blocks) > budget
    for index, block in enumerate(blocks):
        opener = opens_example(block)
        if taken and has_substance(taken) and opener and (long or opener == "output"):
            break
        size = words_of((block,))
        # Only images so far (no words): the paragraph after them is the opening.
        if used == 0 and size > budget and block.kind == "paragraph":
            block = first_sentences(block, budget)
            size = words_of((block,))
        if taken and has_substance(taken) and too_big(block):
            break  # a 25-row table, a whole JSON response: its own cards, or none
        # What a colon announces comes along, unless the answer would run to twice
        # its length with it.
        announced = (
            index > 0
            and ends_with_colon(blocks[index - 1])
            and used + size <= 2 * budget
        )
        # An image link or a heading line alone is no answer yet: the block after it fits.
        if taken and used + size > budget and not announced and has_substance(taken):
            # A short opening then a long paragraph: the paragraph's first sentences
            # that fit (`Unlike NSAIDs, glucocorticoids may modify the disease.` alone
            # leaves out what follows).
            if used < _SHORT_OPENING and block.kind == "paragraph":
                cut = first_sentences(block, budget - used)
                if cut is not block and words_of((cut,)) <= budget - used:
                    taken.append(cut)
            break
        taken.append(block)
        used += size
        if used > budget and not ends_with_colon(block):
            break
    # `Example`, `Key insight:` last: the opener of what the answer leaves out; so is a
    # line that announces what was too big to take (`The server returns:` over a whole
    # JSON response).
    while len(taken) > 1 and _dangles(taken[-1]):
        taken.pop()
    if taken:
        taken[-1] = without_trailing_label(taken[-1])
    # `settle` False: the caller takes what the last colon announces itself.
    return settled(tuple(taken)) if settle else tuple(taken)


def too_big(block: Block) -> bool:
    """More than anyone recalls at once, whatever the words: over twice an answer's
    words, or more than _MOST_LINES lines of code, rows of a table or items of a list."""
    if words_of((block,)) > 2 * MAX_WORDS:
        return True
    if block.kind == "code":
        return len(block.text.strip().splitlines()) > _MOST_LINES
    if block.kind in {"table", "list"}:
        return len(block.children) > _MOST_LINES + (block.kind == "table")
    return False


_MOST_LINES = 12


def _dangles(block: Block) -> bool:
    """A line that opens what should follow it: an example's or output's opener, or a
    short label ending with a colon."""
    if block.kind != "paragraph":
        return False
    if opens_example(block):
        return True
    text = plain_text(block.inlines).strip().strip("*_ ")
    return text.endswith((":", "\uff1a")) and len(text.split()) <= DANGLING_WORDS


def opens_example(block: Block) -> str:
    """ "output" for a line that opens a tool's output (`Output:`), "example" for one that
    opens an example (`*Example:*`, `For example:`), else ""."""
    if block.kind != "paragraph":
        return ""
    text = plain_text(block.inlines).strip()
    if _EXAMPLE_SENTENCE.match(text) and len(text.split()) <= _EXAMPLE_SENTENCE_WORDS:
        return "example"  # `As an example, let's run icacls on httpd.exe:`
    if len(block.inlines) > 3:
        return ""
    found = _OPENER.match(text.strip("*_ ").strip())
    if not found:
        return ""
    return (
        "output" if found.group("what").casefold().startswith("output") else "example"
    )


def first_sentences(block: Block, budget: int) -> Block:
    """A long paragraph cut after its last whole sentence within `budget` words (its
    first sentence at least); the paragraph as it is when it has no sentence break."""
    inlines = block.inlines
    used = 0
    cut: tuple[int, int] | None = None  # (inline index, end in its text)
    for index, inline in enumerate(inlines):
        if inline.kind == "text":
            for found in SENTENCE_END.finditer(inline.text):
                before = used + len(inline.text[: found.end()].split())
                if cut is not None and before > budget:
                    break
                cut = (index, found.end())
        used += len(plain_text((inline,)).split())
        if cut is not None and used > budget:
            break
    if cut is None:
        return block
    index, end = cut
    kept = (*inlines[:index], Inline("text", inlines[index].text[:end]))
    return replace(block, inlines=kept)


def is_resources(block: Block) -> bool:
    """A *Resources* / *References* callout or quote: links for later, not an answer."""
    if block.kind == "callout":
        return _is_resource_word(block.info) or _is_resource_word(
            plain_text(block.inlines)
        )
    if block.kind == "quote" and block.children:
        first = block.children[0]
        text = plain_text(first.inlines).strip() if first.kind == "paragraph" else ""
        if text.startswith("[!"):
            return _is_resource_word(text[2:].partition("]")[0])
    return False


def is_resources_title(text: str) -> bool:
    """A heading or label that opens a block of resources (`## Resources:`)."""
    return _is_resource_word(text)


def _is_resource_word(text: str) -> bool:
    word = re.sub(r"[\s_]+", "-", text.strip().strip(":").strip().casefold())
    return word in _RESOURCE_WORDS


def is_placeholder(block: Block) -> bool:
    """A paragraph that only marks a note as unfinished (`Init`, `WIP`, `TODO`)."""
    if block.kind != "paragraph":
        return False
    text = plain_text(block.inlines).strip().strip(".:!").strip()
    return len(text) < _LONGEST_PLACEHOLDER and bool(_PLACEHOLDER.fullmatch(text))


def is_pointer(block: Block) -> bool:
    """A short line that only sends the reader elsewhere (`Check out the PowerUp notes.`)."""
    if block.kind != "paragraph":
        return False
    text = plain_text(block.inlines).strip()
    return len(text.split()) <= _LONGEST_POINTER and bool(_POINTER.match(text))


def is_long_code(blocks: tuple[Block, ...]) -> bool:
    """Only code, longer than an answer: a whole program or listing nobody recalls."""
    return (
        bool(blocks)
        and all(block.kind == "code" for block in blocks)
        and words_of(blocks) > MAX_WORDS
    )


def has_substance(blocks: Iterable[Block]) -> bool:
    """Something to learn: text that is not only links, or code, math or a local image;
    not a placeholder (`Init`, `TBD`) nor a pointer to other notes (`See my X notes`)."""
    blocks = tuple(blocks)
    if len(blocks) == 1 and (is_placeholder(blocks[0]) or is_pointer(blocks[0])):
        return False
    if _opens_remote_images(blocks):
        return False
    for block in walk_blocks(blocks):
        if block.kind in {"code", "html"} and block.text.strip():
            if block.kind == "html" and block.text.lstrip().startswith("<!--"):
                continue
            return True
        if inline_substance(block.inlines):
            return True
    return False


def _opens_remote_images(blocks: tuple[Block, ...]) -> bool:
    """A few words that open what remote images show (`Layers of epidermis:..` over a
    web image): the card would show the opener and a link, not the answer."""
    inlines = [i for block in walk_blocks(blocks) for i in block.inlines]
    if any(block.kind in {"code", "html", "table"} for block in walk_blocks(blocks)):
        return False
    if not any(is_web_image(i) for i in inlines):
        return False
    text = " ".join(
        plain_text((i,)) for i in inlines if i.kind not in {"embed", "image"}
    ).strip()
    return len(text.split()) <= _OPENER_WORDS and bool(
        re.search(r"(?::|\.\.|\u2026)\W*$", text)
    )


_OPENER_WORDS = 8
_SHORT_OPENING = 25
"""Words of an opening short enough to take the next paragraph's first sentences."""
_BARE_URL = re.compile(r"https?://\S+")
"""An address written out as text: a link for later, like a link."""


def inline_substance(inlines: Iterable[Inline]) -> bool:
    for inline in inlines:
        if inline.kind in {"code", "math", "display_math"}:
            return True
        if inline.kind in {"embed", "image"} and _shows_something(inline):
            return True
        if (
            inline.kind == "text"
            and re.search(r"\w", inline.text)
            and not _BARE_URL.fullmatch(inline.text.strip())
        ):
            return True
        if inline.kind not in {"link", "wikilink", "image", "embed"} and (
            inline_substance(inline.children)
        ):
            return True
    return False


def _shows_something(inline: Inline) -> bool:
    """A remote image is only a link on the card, and a drawing only its file name."""
    if is_web_image(inline):
        return False
    target = inline.target.strip().casefold()
    return not target.split("|", 1)[0].strip().endswith(_DRAWINGS)
