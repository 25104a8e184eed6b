"""Cloze cards: a note's blocks in, drafts of kind "cloze" out.

Anki's own `{{c1::text}}` (always read) makes one card per paragraph, list item or table
cell that holds it, numbered as written. `==highlights==` and bold key terms inside a
sentence (the vault's cloze switches, see syntax.CardSyntax) make one card per term: the
sentence, list item or short paragraph that holds it, with the term hidden as c1. A card's
identity is its heading path and the hidden term, so other clozes never shift it. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flashgen.extract.answers import is_resources, is_resources_title
from flashgen.extract.clozemarks import (
    CLOZE,
    anki_clozes,
    clozes_in,
    curly_clozes,
    highlights,
    number_one,
)
from flashgen.extract.clozeterms import (
    aside,
    blank,
    clause,
    given,
    is_key_term,
    is_reference,
    mostly,
    named,
    other_words,
    repeated,
    spells,
    words,
)
from flashgen.extract.draft import CardDraft
from flashgen.extract.labels import Label, defines_subject, judge_label
from flashgen.extract.prompts import comment_of, is_ignore
from flashgen.extract.syntax import CardSyntax
from flashgen.parse import Block, Inline, ParsedNote, plain_text, split_block_id

_BREAKS = frozenset({"softbreak", "hardbreak"})
_MAX_WHOLE_WORDS = 25
"""A line up to this long is one cloze's text; longer, the term's sentence."""
_SHORT_SENTENCE = 10
_MAX_PARENT_WORDS = 6
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"\u201d')\]]?\s+(?=[\"\u201c(\[*_=]{0,2}[A-Z0-9])"
)
# A line that opens by pointing elsewhere (`Same thing applies for ...`) needs what
# it points at, and one that opens on what it does not say (a pronoun, a connective:
# `They are ...`, `Rather, ...`) has lost its subject: shown alone, it asks nothing.
_NO_SUBJECT = re.compile(
    r"^\s*(?:(?:the\s+)?(?:same|this|these|those|such|the latter|the former|thus"
    r"|therefore|hence|above|below)|they|their|them|he|she|his|her|rather|instead"
    r"|however|also|both|here|there|so|then|but|and|or|which|whereas|while)\b",
    re.IGNORECASE,
)
_OWNED = re.compile(r"(?:your|my|our|their|his|her|its)\b", re.IGNORECASE)
_EMPHASIS_SPANS = 5
"""Bold spans in one sentence from which its bold is emphasis (`create a **tunnel** from
**your machine** ... **connect** to **it** using a **blank password**`)."""
_UI_STEP = re.compile(
    r"^\s*(?:\d+\.\s*)?(?:click|choose|select|open|press|navigate|go to|type|enter|tap"
    r"|right-click|double-click|check|uncheck)\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"^\s*(?:it|its|this|these|those|they|their|them|such|thus|therefore|hence|he|she"
    r"|the latter|the former|in this|in these|both|however|also|here)\b",
    re.IGNORECASE,
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|eg|ie|vs|etc|approx|fig|cf|al|dr|mr|mrs|ms|st|no|resp)"
    r"|\b[A-Z]|\.\.)\.$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Unit:
    """A stretch of text that one cloze card shows: its inlines and where it is."""

    inlines: tuple[Inline, ...]
    line: int
    end_line: int
    context: tuple[str, ...]
    label: Label | str | None
    """What labels.judge_label says of this line (None: a sentence after the first)."""
    asked: bool = False
    """The block is a labelled point or a definition card: its bold is asked already."""
    lead: tuple[Inline, ...] = ()
    """The sentence before, shown for what `It` or `These` stands for; nothing in it
    is hidden."""


def cloze_cards(note: ParsedNote, syntax: CardSyntax) -> list[CardDraft]:
    """The note's cloze drafts, in source order (occurrence numbers are set later)."""
    drafts: list[CardDraft] = []
    excluded = {words(note.title)}
    for unit, cell in _units(note):
        drafts.extend(_cards(note, unit, syntax, cell, excluded))
    return drafts


def _cards(
    note: ParsedNote, unit: _Unit, syntax: CardSyntax, cell: bool, excluded: set[str]
) -> Iterator[CardDraft]:
    inlines = anki_clozes(unit.inlines)
    if syntax.cloze_curly:
        inlines = curly_clozes(inlines)
    written = clozes_in(inlines)
    if written:
        first = min(written, key=lambda c: int(c.target))
        yield _draft(note, unit, plain_text(first.children).strip(), inlines)
        return
    if cell:
        return
    names = excluded | {words(part) for part in unit.context}
    headings = {words(part) for part in unit.context} - excluded
    for piece in _pieces(unit):
        said = plain_text(piece.inlines)
        if not piece.lead and _NO_SUBJECT.match(said):
            continue  # pointing elsewhere, or on a subject it does not say
        if piece.lead and _ANAPHOR.match(plain_text(piece.lead)):
            continue  # the sentence shown before it lacks its subject too
        if said.rstrip().endswith("?"):
            continue  # asking: no fact to hide
        yield from _auto(note, piece, syntax, names, headings)


def _auto(
    note: ParsedNote,
    unit: _Unit,
    syntax: CardSyntax,
    names: set[str],
    headings: set[str],
) -> Iterator[CardDraft]:
    """One card per highlighted term, then per bold key term, in this piece of text."""
    marked = highlights(unit.inlines) if syntax.cloze_highlights else unit.inlines
    terms = clozes_in(marked)
    for index, term in enumerate(terms):
        text = plain_text(term.children).strip()
        if named(text, names, headings) or other_words(unit.inlines, text) < 3:
            continue
        if spells(text, unit.context):
            continue  # `lower and upper part` under *LU Decomposition*
        if _hides_subject(marked, term, text):
            continue
        if is_reference(text):
            continue  # `Figure 6`: where the note points, not what it says
        if mostly(len(text.split()), unit.inlines):
            continue
        if repeated(unit.inlines, text) or _given_in(marked, term, text):
            continue
        yield _draft(note, unit, text, number_one(marked, index))
    if not syntax.cloze_bold or unit.asked or _closes_on_colon(unit.inlines):
        return
    if _UI_STEP.match(plain_text(unit.inlines)):
        return  # `Click on the **Security** tab`: the bold names a button, not a fact
    label = unit.label
    if isinstance(label, Label) and (
        label.kind == "point" or defines_subject(label.rest)
    ):
        return
    if sum(inline.kind == "strong" for inline in marked) >= _EMPHASIS_SPANS:
        return  # bold on every other word: the author's emphasis, not key terms
    for index, inline in enumerate(marked):
        if inline.kind != "strong" or any(c.kind == CLOZE for c in inline.children):
            continue
        if _hides_subject(marked, inline, plain_text(inline.children).strip()):
            continue
        if spells(plain_text(inline.children), unit.context):
            continue
        text = plain_text(inline.children).strip()
        if is_key_term(marked, index, text, names, headings):
            hidden = Inline(CLOZE, target="1", children=inline.children)
            question = (*marked[:index], hidden, *marked[index + 1 :])
            yield _draft(note, unit, text, number_one(question, -1))


def _given_in(inlines: tuple[Inline, ...], term: Inline, text: str) -> bool:
    """The highlighted term's acronym or spelled-out name stands beside it, or it is
    all of a parenthesis."""
    index = next((i for i, inline in enumerate(inlines) if inline is term), None)
    if index is None:
        return False
    before, after = plain_text(inlines[:index]), plain_text(inlines[index + 1 :])
    return aside(before, after) or given(text, before, after)


def _hides_subject(inlines: tuple[Inline, ...], term: Inline, text: str) -> bool:
    """A term that opens its sentence and holds a verb (`==Treatment is advanced at
    12-week intervals== with the goal of ...`) hides what the sentence is about, and the
    front no longer says what is asked; so does one that opens on its owner (`**your
    machine**`, `**its port**`), any of whose kind fills it."""
    if _OWNED.match(text):
        return True
    index = next((i for i, inline in enumerate(inlines) if inline is term), None)
    if index is None or any(not blank(inline) for inline in inlines[:index]):
        return False
    return clause(text)


def _closes_on_colon(inlines: tuple[Inline, ...]) -> bool:
    """`**Symptoms** of X include:`: a sentence that announces what follows."""
    return plain_text(inlines).rstrip().endswith((":", "\uff1a"))


def _draft(
    note: ParsedNote, unit: _Unit, label: str, question: tuple[Inline, ...]
) -> CardDraft:
    if unit.lead:
        question = (*unit.lead, Inline("text", " "), *_trimmed(question))
    return CardDraft(
        CLOZE,
        note.path,
        note.title,
        unit.context,
        label,
        _trimmed(question),
        (),
        unit.line,
        unit.end_line,
    )


def _trimmed(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    items = list(inlines)
    while items and (items[0].kind in _BREAKS or blank(items[0])):
        items.pop(0)
    while items and (items[-1].kind in _BREAKS or blank(items[-1])):
        items.pop()
    if items and items[0].kind == "text":
        items[0] = Inline("text", items[0].text.lstrip())
    if items and items[-1].kind == "text":
        items[-1] = Inline("text", items[-1].text.rstrip())
    return tuple(items)


def _pieces(unit: _Unit) -> Iterator[_Unit]:
    """The unit's lines, each cut into its sentences when it is long."""
    for offset, line in _lines(unit.inlines):
        label = unit.label if offset == 0 else judge_label(line)
        where = unit.line + offset
        if len(plain_text(line).split()) <= _MAX_WHOLE_WORDS:
            yield _Unit(line, where, where, unit.context, label, unit.asked)
            continue
        sentences = _sentences(line)
        for number, sentence in enumerate(sentences):
            first = label if number == 0 else None
            # A sentence that points back, or a short one, shows the one before.
            short = len(plain_text(sentence).split()) < _SHORT_SENTENCE
            lead = (
                sentences[number - 1]
                if number and (short or _refers_back(sentence))
                else ()
            )
            yield _Unit(sentence, where, where, unit.context, first, unit.asked, lead)


def _refers_back(sentence: tuple[Inline, ...]) -> bool:
    """A sentence that needs the one before: `It ...`, `These ...`, `Thus ...`."""
    return bool(_ANAPHOR.match(plain_text(sentence)))


def _lines(inlines: tuple[Inline, ...]) -> Iterator[tuple[int, tuple[Inline, ...]]]:
    offset, current = 0, list[Inline]()
    for inline in inlines:
        if inline.kind in _BREAKS:
            if current:
                yield offset, tuple(current)
            offset, current = offset + 1, []
        else:
            current.append(inline)
    if current:
        yield offset, tuple(current)


def _sentences(inlines: tuple[Inline, ...]) -> list[tuple[Inline, ...]]:
    sentences: list[list[Inline]] = [[]]
    for index, inline in enumerate(inlines):
        if inline.kind != "text":
            sentences[-1].append(inline)
            continue
        text, at = inline.text, 0
        for found in _SENTENCE_END.finditer(text):
            if _ABBREVIATION.search(text[: found.start()]):
                continue
            sentences[-1].append(Inline("text", text[at : found.start()]))
            sentences.append([])
            at = found.end()
        rest = text[at:]
        following = inlines[index + 1] if index + 1 < len(inlines) else None
        if (
            following is not None
            and following.kind != "text"
            and re.search(r"[.!?]\s+$", rest)
        ):
            sentences[-1].append(Inline("text", rest.rstrip()))
            sentences.append([])
        elif rest:
            sentences[-1].append(Inline("text", rest))
    return [tuple(s) for s in sentences if plain_text(tuple(s)).strip()]


def _units(note: ParsedNote) -> Iterator[tuple[_Unit, bool]]:
    """Every paragraph, list item and table cell under its heading path; (unit, is a
    table cell). Resources and the parts the author marked to skip are left out."""
    stack: list[tuple[int, str]] = []
    skipping = False
    previous: Block | None = None
    for block in note.blocks:
        if block.kind == "heading":
            text = plain_text(block.inlines).strip().rstrip(":").strip()
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            if not (block.level == 1 and text.casefold() == note.title.casefold()):
                stack.append((block.level, text))
            skipping = any(is_resources_title(part) for _, part in stack)
            previous = None
            continue
        comment = comment_of(block)
        if comment is not None:
            skipping = skipping or is_ignore(comment)
            previous = None
            continue
        if not skipping:
            context = tuple(text for _, text in stack)
            stem = _stem(previous) if block.kind == "list" else None
            if stem is None or len(stem.split()) <= _MAX_PARENT_WORDS:
                # `A predicate formula contains:` over its list: its items read with it
                # (short, in the context line); a longer one leaves them no subject.
                yield from _block_units(block, (*context, stem) if stem else context)
        previous = block


def _stem(block: Block | None) -> str | None:
    """The words a paragraph ending with a colon says of the list under it."""
    if block is None or block.kind != "paragraph":
        return None
    text = plain_text(block.inlines).strip()
    if not text.endswith((":", "\uff1a")):
        return None
    return text.rstrip(":\uff1a").strip() or None


def _block_units(
    block: Block, context: tuple[str, ...]
) -> Iterator[tuple[_Unit, bool]]:
    if block.kind == "paragraph":
        if _marked(block.inlines) and not _is_link_list(block.inlines):
            yield _unit(block, context), False
    elif block.kind == "list":
        for item in block.children:
            lead = item.children[0] if item.children else None
            inner = context
            if lead is not None and lead.kind == "paragraph":
                yield from _block_units(lead, context)
                parent = plain_text(lead.inlines).strip().rstrip(":").strip()
                if parent and len(parent.split()) <= _MAX_PARENT_WORDS:
                    inner = (*context, parent)
                rest = item.children[1:]
            else:
                rest = item.children
            for child in rest:
                yield from _block_units(child, inner)
    elif block.kind in {"quote", "callout"} and not is_resources(block):
        for child in block.children:
            yield from _block_units(child, context)
    elif block.kind == "table":
        for row in block.children:
            for cell in row.children:
                if any(i.kind == "text" and "{{" in i.text for i in cell.inlines):
                    yield _unit(cell, context), True


def _marked(inlines: tuple[Inline, ...]) -> bool:
    """Bold, or text that may hold `==` or `{{`: what any cloze needs (most paragraphs
    have none, and are passed over at once)."""
    for inline in inlines:
        if inline.kind == "strong":
            return True
        if inline.kind == "text" and ("==" in inline.text or "{{" in inline.text):
            return True
        if inline.children and _marked(inline.children):
            return True
    return False


def _unit(block: Block, context: tuple[str, ...]) -> _Unit:
    inlines = split_block_id(block.inlines)[0]  # `text ^my-id`: Obsidian's, not text
    label = judge_label(inlines)
    asked = isinstance(label, Label) and (
        label.kind == "point" or defines_subject(label.rest)
    )
    return _Unit(inlines, block.line, block.end_line, context, label, asked)


def _is_link_list(inlines: tuple[Inline, ...]) -> bool:
    """A line of links (a table of contents, `related:`): nothing to hide."""
    links = sum(1 for i in inlines if i.kind in {"link", "wikilink"})
    words = len(
        plain_text(
            tuple(i for i in inlines if i.kind not in {"link", "wikilink"})
        ).split()
    )
    return links > 0 and words <= links * 2
