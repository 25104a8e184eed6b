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
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])")


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


def settled(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """An answer that ends announcing what it does not hold (`You pass it the
    configuration file:` over a file left out, `can be found at:` over nothing or over
    web images, which are only links on the card): the
    sentences before the announcing one, or the announcing sentence ended with a full
    stop when it says something itself (`We use wpa_sycophant to connect to the real
    AP:`); nothing when it only announces (`This is a list of endpoints:`)."""
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
        and len(plain_text(inlines[-1].children).split()) <= _DANGLING_WORDS
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
    return bool(shown) and all(
        i.kind in {"image", "embed", "softbreak", "hardbreak"}
        and (
            i.kind in {"softbreak", "hardbreak"}
            or i.target.strip().casefold().startswith(("http://", "https://"))
        )
        for i in shown
    )


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
        ends = list(_SENTENCE_END.finditer(inline.text))
        if ends:
            kept = (*inlines[:index], Inline("text", inline.text[: ends[-1].end()]))
            return replace(block, inlines=kept)
    return block


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
    return text.endswith((":", "\uff1a")) and len(text.split()) <= _DANGLING_WORDS


_DANGLING_WORDS = 4


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
            for found in _SENTENCE_END.finditer(inline.text):
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
    remote = [
        i
        for i in inlines
        if i.kind in {"embed", "image"}
        and i.target.strip().casefold().startswith(("http://", "https://"))
    ]
    if not remote:
        return False
    text = " ".join(
        plain_text((i,)) for i in inlines if i.kind not in {"embed", "image"}
    ).strip()
    return len(text.split()) <= _OPENER_WORDS and bool(
        re.search(r"(?::|\.\.|\u2026)\W*$", text)
    )


_OPENER_WORDS = 8
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
    target = inline.target.strip().casefold()
    if target.startswith(("http://", "https://")):
        return False
    return not target.split("|", 1)[0].strip().endswith(_DRAWINGS)
