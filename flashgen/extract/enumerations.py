"""Enumerations: a section's named points listed as the note lists them ("list the N").

Only one list (or one run of labelled paragraphs) of the section's own points counts, with
all of its items; sub-labels, ids, questions, a recap of the note's sections and names the
heading already says are the note's structure, not facts to list. Pure: blocks in, a list
block out.
"""

from __future__ import annotations

import re

from flashgen.extract.draft import CardDraft
from flashgen.extract.labels import label_of
from flashgen.extract.points import lead_of, starts_with_label
from flashgen.extract.questions import (
    is_generic,
    is_glossary,
    label_number,
    strip_numbering,
)
from flashgen.parse import Block, Inline, plain_text, split_block_id

_MAX_ITEM_WORDS = 6


def name_key(text: str) -> str:
    """A heading or item name as compared: `SPF (Sender Policy Framework)` is *spf*."""
    name = strip_numbering(text).partition(" (")[0]
    return re.sub(r"\W+", " ", name).strip().casefold()


def enumeration(
    body: tuple[Block, ...],
    direct: list[CardDraft],
    asked: str,
    titles: frozenset[str],
    heading: str = "",
) -> tuple[Block, ...]:
    """A list of the section's named points, as the note lists them, or ().

    Only one list (or one run of labelled paragraphs) counts, and all of its items: a count
    that leaves out unlabelled items is wrong. Sub-labels (*Description*, *Advantages*,
    `**Defining formula**` on its own line over its answer), ids (*Theo 1*), questions (an
    FAQ's), the names of the note's own sections (a recap's *SPF, DKIM*) and names the
    heading path already says (`asked`: *Batch vs Online* -> *Batch*, *Online*) are the
    note's structure, not facts to list; so are the points under a `heading` that names
    a kind of statement (*Definitions*, *Theorems*), and values or settings written as
    one word of code (`5w`, `$CHANNEL`) outside a glossary."""
    if len(direct) < 2 or lists_statements(heading):
        return ()
    groups: list[list[tuple[int, tuple[Inline, ...] | None]]] = []
    in_run = False
    for block in body:
        if block.kind == "list" and starts_with_label(block):
            groups.append(_item_names(block))
            in_run = False
        elif block.kind == "paragraph" and (found := label_of(block.inlines)):
            if found.alone:
                return ()
            if (
                found.kind != "point"
            ):  # a definition among the points is not one of them
                in_run = False
                continue
            if not in_run:
                groups.append([])
            groups[-1].append((block.line, found.label))
            in_run = True
        else:
            in_run = False
    if len(groups) != 1 or len(groups[0]) < 2:
        return ()
    names = groups[0]
    if any(name is None for _, name in names):
        return ()
    texts = [plain_text(name or ()).strip() for _, name in names]
    if not _lists_facts(texts, asked, titles):
        return ()
    if not is_glossary(heading) and all(_is_literal(name) for _, name in names):
        return ()
    # Mostly genre words (Description, Location, Analysis) or ids (Theo 1, Theo 2):
    # the note's structure. One genre word among named points (Management) is a point.
    generic = sum(_is_structure(plain_text(name or ()).strip()) for _, name in names)
    if generic * 2 > len(names):
        return ()
    items = tuple(
        Block(
            "item",
            line,
            line,
            children=(Block("paragraph", line, line, _unnumbered(name), tight=True),),
        )
        for line, name in names
    )
    return (Block("list", items[0].line, items[-1].end_line, children=items, start=1),)


def _is_literal(name: tuple[Inline, ...] | None) -> bool:
    """A name written only as one word of code (`5w`, `$CHANNEL`, `ssid`): a value or a
    setting that its own card explains; a list of them asks the note's layout."""
    shown = [
        inline for inline in name or () if inline.kind != "text" or inline.text.strip()
    ]
    if len(shown) != 1 or shown[0].kind != "code":
        return False
    code = shown[0].text.strip()
    return len(code.split()) == 1 and not code.endswith(":")  # `Erosion:` is a label


def _is_structure(text: str) -> bool:
    """A genre word (*Description*) or an id (*Prop 2 (Subgroup)*, *Step 3*)."""
    return is_generic(strip_numbering(text)) or " " in label_number(text)


# Headings over statements of a kind, or over code: their points are the note's results,
# remarks or notes on the code, and "list the theorems" asks for the note's layout.
_STATEMENT_KINDS = frozenset(
    """
    definitions theorems propositions lemmas corollaries axioms remarks notes reminders
    examples and main results basic key important code syntax usage output demo
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def lists_statements(heading: str) -> bool:
    """A heading such as *Definitions* or *Theorems and Lemmas*."""
    words = re.findall(r"\w+", strip_numbering(heading).casefold())
    return bool(words) and all(word in _STATEMENT_KINDS for word in words)


_QUESTION = re.compile(
    r"^(?:what|how|why|when|where|which|who|is|are|can|does|do)\b|\?$", re.IGNORECASE
)


def _lists_facts(texts: list[str], label: str, titles: frozenset[str]) -> bool:
    if any(_QUESTION.search(text) for text in texts):
        return False
    recap = sum(name_key(text) in titles for text in texts)
    if recap * 2 > len(texts):
        return False
    asked = set(re.findall(r"\w+", label.casefold()))
    return not all(set(re.findall(r"\w+", text.casefold())) <= asked for text in texts)


def _unnumbered(name: tuple[Inline, ...] | None) -> tuple[Inline, ...]:
    """An item as the list shows it: `Prop 2 (Subgroup)` reads *Subgroup*."""
    text = plain_text(name or ()).strip()
    stripped = strip_numbering(text)
    return name or () if stripped == text else (Inline("text", stripped),)


def _item_names(block: Block) -> list[tuple[int, tuple[Inline, ...] | None]]:
    """What the items of a list of points name. Among labelled items, a plain item names
    something only when written the same way (`mkdir: makes a folder`); a bare line
    (`Batch = compute in chunks`) is a remark, and the list is no list of names."""
    names = []
    for item in block.children:
        line, name, labelled = _item_name(item)
        names.append((line, name if labelled or _is_named(item) else None))
    return names


def _is_named(item: Block) -> bool:
    """A plain item written as a name: `mkdir: makes a folder`, or `anon_root=YES` in
    code."""
    lead = lead_of(item)
    if lead is None:
        return False
    inlines = [i for i in lead.inlines if i.kind != "text" or i.text.strip()]
    return ":" in plain_text(lead.inlines) or (
        len(inlines) == 1 and inlines[0].kind == "code"
    )


def _item_name(item: Block) -> tuple[int, tuple[Inline, ...] | None, bool]:
    """What a list item names, and whether it is labelled: its label, else its text
    before a colon, else its text when short; None when it is a sentence (the list is
    then not a list of names)."""
    lead = lead_of(item)
    if lead is None:
        return item.line, None, False
    inlines, _ = split_block_id(lead.inlines)
    found = label_of(inlines)
    if found is not None:
        return item.line, found.label if found.kind == "point" else None, True
    text = plain_text(inlines).strip()
    head, colon, _ = text.partition(":")
    name = head.strip() if colon else text
    if name and len(name.split()) <= _MAX_ITEM_WORDS and not name.endswith("."):
        return item.line, (Inline("text", name),), False
    return item.line, None, False
