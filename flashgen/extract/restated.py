"""What a section's cards would only say again, only show or not answer: recap sections
(*Things to Remember*), points and headings whose answer repeats their label, code under
a label of what the note shows (*Example*, *Output*) rather than states, headings over
remarks (*Notes*) and comparisons answered on one side."""

from __future__ import annotations

import re

from flashgen.extract.answers import words_of
from flashgen.extract.draft import CardDraft
from flashgen.extract.labels import NOT_LABELS
from flashgen.extract.questions import strip_numbering
from flashgen.parse import Block, plain_text, walk_blocks

_RECAP = re.compile(
    r"^(?:things to (?:remember|know|note)|key (?:takeaways?|points?|facts)|summary|"
    r"in summary|recap|tl;?dr|to sum up|conclusions?|in conclusion|final thoughts|"
    r"closing thoughts|wrap[- ]?up)\W*$"
)


def is_recap(label: str) -> bool:
    return bool(_RECAP.match(strip_numbering(label).strip().casefold()))


def only_code(blocks: tuple[Block, ...]) -> bool:
    """Code or images, with at most a line of text: nothing to recall but what is
    shown."""
    shown = [block for block in blocks if _shown(block)]
    prose = [block for block in blocks if not _shown(block)]
    return bool(shown) and len(prose) <= 1 and words_of(tuple(prose)) <= _CODE_CAPTION


def _shown(block: Block) -> bool:
    if block.kind == "code":
        return True
    return (
        block.kind == "paragraph"
        and bool(block.inlines)
        and all(
            inline.kind in {"image", "embed", "softbreak", "hardbreak"}
            or (inline.kind == "text" and not inline.text.strip())
            for inline in block.inlines
        )
    )


_EXAMPLE_VALUE = re.compile(
    r"^(?:e\.?g\.?,?|for example,?|example:?)?\s*[\"'`]?"
    r"(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?"
    r"|[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"[\"'`]?\W*$"
    # `e.g., "Hello"`: one sample written out, nothing more.
    r"|^(?:e\.?g\.?,?|for example,?|example:?)\s*[\"'\u201c][^\"'\u201d]{1,40}"
    r"[\"'\u201d]\W*$",
    re.IGNORECASE,
)


def is_example_value(card: CardDraft) -> bool:
    """An answer that is one sample value (an e-mail address, a URL, an IP address, a
    hash or id), maybe after `e.g.`, or, in an example (`**Example**:` over `- Key: 8`,
    `- Plaintext: "Caesar Cipher in action"`), a number or a quoted text: data of an
    example, nothing to recall."""
    if len(card.answer) != 1 or card.answer[0].kind != "paragraph":
        return False
    text = plain_text(card.answer[0].inlines).strip()
    if _EXAMPLE_VALUE.match(text):
        return True
    in_example = bool(card.context) and shows_code(card.context[-1])
    return in_example and bool(_SAMPLE.fullmatch(text))


_SAMPLE = re.compile(r"-?\d[\d.,]*|[\"\u201c'][^\"\u201d']{1,60}[\"\u201d']")


_CODE_CAPTION = 12
"""Words of text beside a code block that still leave the code all there is to recall."""


_SHOWN = re.compile(
    r"^(?:examples?|sample|samples|output|outputs|results?|code|demo|snippets?|"
    r"illustration)\W*$"
)
"""Labels of what a note shows rather than states (unlike *Syntax* or *Usage*, whose
code is the thing to learn)."""


def shows_code(label: str) -> bool:
    """*Example*, *Output*, *Code*, and labels of a picture (*A Simple Graphic
    Representation*, *Diagram*): what a note shows rather than states."""
    name = strip_numbering(label).strip().casefold()
    if _SHOWN.match(name):
        return True
    said = re.findall(r"[a-z]+", name)
    return any(word in _PICTURE for word in said) and all(
        word in _PICTURE or word in _PICTURE_SMALL for word in said
    )


_PICTURE = frozenset(
    """visual graphic graphical representation diagram diagrams figure figures picture
    pictures image images illustration sketch schematic""".split()  # noqa: SIM905
)
_PICTURE_SMALL = frozenset(["a", "an", "the", "simple", "basic", "quick", "of"])


def is_generic_code(card: CardDraft) -> bool:
    """A point under a label of what the note shows (`**Example:**`, `**Output:**`)
    answered by code or output alone: the card shows what it asks nobody to recall."""
    return shows_code(card.label) and only_code(card.answer)


_STOP = frozenset(
    [
        *("the", "and", "for", "with", "from", "into", "over", "than", "that", "this"),
        *("its", "their", "your", "our", "a", "an", "of", "to", "in", "on", "by"),
        *("or", "as", "at", "be", "is", "are", "it", "can", "may", "more", "less"),
        *("generally", "usually", "often", "very", "also", "much", "s"),
    ]
)


def restates_label(
    card: CardDraft, *, least: int = 2, added: int | None = 2, longest: int = 25
) -> bool:
    """The answer is the label said again: every word of a label of `least` words or
    more says itself in an answer of at most `longest` words with no number in it,
    which adds at most `added` words of its own beyond the label and the headings
    (`Faster Boot Time` under *Advantages of UEFI over BIOS*: "UEFI's boot time is
    generally faster than BIOS"); `added` None: any number of them."""
    if len(card.label.split()) < least or len(card.answer) != 1:
        return False  # a short answer is one block
    # A code in the label (`235`) names the point; its words are what it says.
    label = [w for w in _content(card.label) if not w.isdigit()]
    if len(label) < least:
        return False
    shown = card.answer[0]
    text = shown.text if shown.kind == "code" else plain_text(shown.inlines)
    said = re.findall(r"[a-z0-9]+", text.casefold())
    if len(said) > longest or any(c.isdigit() for c in text):
        return False
    stems = {w[:_STEM] for w in said}
    if not all(w[:_STEM] in stems for w in label):
        return False
    known = {w[:_STEM] for w in label}
    known |= {
        w[:_STEM] for part in (card.note_title, *card.context) for w in _content(part)
    }
    own = {w[:_STEM] for w in _content(text)} - known
    return added is None or len(own) <= added


def _content(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _STOP]


_STEM = 5


def says_only_its_label(card: CardDraft) -> bool:
    """A point or heading whose answer adds at most one word of its own to its label
    (`**235: Authentication succeeded**`: "authentication is successful", `**Subject
    Line**`: "the subject line of the email", `**$CHANNEL**`: "channel of the real
    AP", `### Count + Motion` over `[count] + {motion}`): there is nothing to recall,
    list or no list."""
    return card.kind in {"point", "heading"} and restates_label(card, least=1, added=1)


_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)


def compares_one_side(label: str, answer: tuple[Block, ...]) -> bool:
    """A heading that compares (`Reverse Shells vs. Bind Shells`) whose opening speaks of
    one side only: the card would ask a difference its answer does not give (the
    sub-sections say each side)."""
    sides = _VERSUS.split(strip_numbering(label))
    if len(sides) != 2:
        return False
    said = {
        word[:_STEM] for word in re.findall(r"\w+", _answer_text(answer).casefold())
    }
    # Each side by the words the other does not share (`reverse`, `bind`).
    words = [
        {w[:_STEM] for w in re.findall(r"\w{3,}", side.casefold())} for side in sides
    ]
    own = [words[0] - words[1], words[1] - words[0]]
    found = [bool(side & said) for side in own if side]
    return len(found) == 2 and found.count(True) == 1


def _answer_text(blocks: tuple[Block, ...]) -> str:
    return " ".join(
        block.text if block.kind in {"code", "html"} else plain_text(block.inlines)
        for block in walk_blocks(blocks)
    )


_SETTINGS = frozenset({"scenario", "briefing", "intelligence briefing", "lab scenario"})
"""Headings over an exercise's setting: its points are the lab's data (`Domain Name:
redhunt.net`), nothing to learn; its sub-headings go on with the lesson."""
_REMARK_TITLES = NOT_LABELS | {"notes", "side note", "side notes"} | _SETTINGS
"""Headings over remarks or an exercise's setting: a card would ask *Notes*."""


def _heading_name(label: str) -> str:
    """A heading as its words say it: no numbering, emphasis marks or colon."""
    return strip_numbering(label).strip().strip("*_").rstrip(":").strip().casefold()


def is_setting_title(label: str) -> bool:
    """`## Scenario`, `## **Intelligence Briefing**`."""
    return _heading_name(label) in _SETTINGS


def is_remark_title(label: str, title: str) -> bool:
    """`## NOTE`, `# Notes:`, `## Scenario`; not a heading that is the note's title."""
    name = _heading_name(label)
    return name in _REMARK_TITLES and name != strip_numbering(title).casefold()


_MEASURED = re.compile(
    r"^(?P<name>[^:>]{2,60}?)\s*(?::|->|=>|\u2192|=)\s*~?(?P<value>\d[\d.,]*\s*"
    r"(?:%|ms|s|sec|min|h|hrs?|kb|mb|gb|tb|x)?)\s*$",
    re.IGNORECASE,
)
_FEWEST_MEASURES = 3


def reads_measurements(answer: tuple[Block, ...]) -> bool:
    """A list of one run's measurements (`Accuracy -> 88.5%`, `Memory usage -> 1.5GB`):
    numbers with a unit, a percent or a decimal point, nothing to recall. Plain whole
    numbers (`SSH: 22`) are facts and stay."""
    if len(answer) != 1 or answer[0].kind != "list":
        return False
    items = answer[0].children
    if len(items) < _FEWEST_MEASURES:
        return False
    for item in items:
        text = plain_text(item.children[0].inlines).strip() if item.children else ""
        found = _MEASURED.match(text)
        if found is None:
            return False
        value = found.group("value").strip()
        if value.isdigit():
            return False
    return True
