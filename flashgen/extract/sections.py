"""Sections: a note cut at its headings, and the cards each section makes.

A section makes a heading card from its opening, point cards from its labelled points, an
enumeration card when it lists named points, row cards from its tables, and prompt cards
from the author's `<!-- questions -->` (exercises.py then joins *Given* / *Solution*).
Pure: blocks in, drafts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from itertools import pairwise

from flashgen.extract.answers import (
    fit,
    has_substance,
    is_long_code,
    is_placeholder,
    is_resources,
    is_resources_title,
    too_big,
    words_of,
)
from flashgen.extract.draft import CardDraft
from flashgen.extract.endings import ends_with_colon, settled
from flashgen.extract.enumerations import enumeration, name_key
from flashgen.extract.labels import split_label_lines
from flashgen.extract.points import make_draft, points_in, starts_with_label
from flashgen.extract.prompts import split_prompts
from flashgen.extract.questions import (
    strip_numbering,
)
from flashgen.extract.restated import (
    compares_one_side,
    is_example_value,
    is_generic_code,
    is_recap,
    is_remark_title,
    is_setting_title,
    only_code,
    reads_measurements,
    restates_label,
    says_only_its_label,
    shows_code,
)
from flashgen.extract.tables import row_cards
from flashgen.parse import Block, Inline, ParsedNote, plain_text

_ITEM_SENTENCE = 15
"""Words of a point's answer that only puts its label in a sentence, beside a list."""
_METADATA_LINE = re.compile(r"^\s*([A-Za-z][\w .&/-]{0,40}):(.*)$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")
_DATE_KEY = re.compile(r"date|created|modified|updated", re.IGNORECASE)
# Keys whose value is never an answer, whatever it holds (`related: ...`, `tags: ...`).
_METADATA_KEY = re.compile(
    r"^(?:typora-[\w-]+|related|tags?|aliases|alias|up|parent|status|mathlink|cssclass"
    r"|publish|permalink|source|sources)$",
    re.IGNORECASE,
)
_EMPTY_VALUE = re.compile(
    r"^[_*]*(?:not applicable|n/?a|none|tbd|-+)?[_*]*$", re.IGNORECASE
)
# A heading that is a front-matter line (`date: 2020-09-07` over `---` is a setext
# heading): a second front-matter block or an editor's setting (`typora-copy-images-to`).
_METADATA_HEADING = re.compile(
    r"^(?:typora-[\w-]+|date|created|updated|modified|tags?|aliases|title|id|mathlink)"
    r"\s*:",
    re.IGNORECASE,
)
_MAX_ANNOUNCED_WORDS = 120
_BREAKS = frozenset({"softbreak", "hardbreak"})
# `Based on the output, ...:`, `In the output above ...:`, `For example, ... means:`.
_READS_OUTPUT = re.compile(
    r"\b(?:based on (?:the|this) (?:output|result)|(?:in|from) the (?:output|result)s?"
    r"|the (?:output|result)s? (?:above|below|shows?)|for example|as an example)\b",
    re.IGNORECASE,
)


def section_cards(note: ParsedNote) -> list[CardDraft]:
    """Every section's cards, in source order."""
    lines = note.source.split("\n")
    sections = list(_sections(note, lines))
    titles = frozenset(
        name_key(path[-1]) for heading, path, _ in sections if heading and path
    )
    children: dict[tuple[str, ...], list[str]] = {}
    for heading, path, _ in sections:
        if heading is not None and path:
            children.setdefault(path[:-1], []).append(path[-1])
    drafts: list[CardDraft] = []
    for heading, path, body in sections:
        below = tuple(children.get(path, ())) if heading is not None else ()
        drafts.extend(_section_cards(note, heading, path, body, titles, below))
    return drafts


def _sections(
    note: ParsedNote, lines: list[str]
) -> Iterator[tuple[Block | None, tuple[str, ...], tuple[Block, ...]]]:
    """(heading, heading path, body) for the text before the first heading and each heading."""
    stack: list[tuple[int, str]] = []
    heading: Block | None = None
    body: list[Block] = []
    for block in split_label_lines(note.blocks):
        if block.kind == "heading" and _is_subtitle(block):
            # `###### *A visual tactic that tricks the victim.*`: a sentence set large.
            block = Block("paragraph", block.line, block.end_line, block.inlines)
        if block.kind == "heading":
            text = _heading_text(block)
            if _METADATA_HEADING.match(text):
                continue
            yield heading, tuple(text for _, text in stack), tuple(body)
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            # An H1 that repeats the note's title adds nothing to the context.
            if not (block.level == 1 and text.casefold() == note.title.casefold()):
                stack.append((block.level, text))
            heading, body = block, []
        elif not _is_metadata(block, lines) and not is_resources(block):
            body.append(block)
    yield heading, tuple(text for _, text in stack), tuple(body)


def _is_subtitle(block: Block) -> bool:
    text = plain_text(block.inlines).strip().strip("*_ ")
    return text.endswith(".") and len(text.split()) >= 6


def _section_cards(
    note: ParsedNote,
    heading: Block | None,
    path: tuple[str, ...],
    body: tuple[Block, ...],
    titles: frozenset[str],
    below: tuple[str, ...],
) -> Iterator[CardDraft]:
    # A heading that repeats the note's title is not in the path; the title stands for it.
    context, label = (path[:-1], path[-1]) if path else ((), note.title)
    if heading is not None and is_resources_title(label):
        return
    segments = split_prompts(body)
    opening = () if segments[0].ignored else segments[0].blocks
    is_remark = bool(path) and is_remark_title(label, note.title)  # `# Notes:`
    intro = _intro(opening)
    shown = _read_from_output(opening)
    points = [
        (card, depth)
        for card, depth in points_in(note, opening, path)
        if not any(first <= card.line <= last for first, last in shown)
    ]
    direct = [card for card, depth in points if depth == 0]
    items = enumeration(opening, direct, " ".join(path), titles, label if path else "")
    closing = _closing(opening) if direct else ()
    if is_recap(label) and path:
        # `## Things to Remember`, `## Key Takeaways`: the note's facts said again; its
        # labelled points are cards, the heading and its list are not.
        is_remark = True
        items = ()
    if heading is not None and not is_remark:
        # Without an opening, what follows the points (`Remember that ...`) goes with
        # their list, never alone under the heading.
        answer = intro or (closing if not items else ())
        announces = bool(intro and ends_with_colon(intro[-1]))
        announced = announces and bool(items)
        if announced:
            # The opening announces the list: one card, the opening and the list it
            # announces (a "list the N" card beside it would ask the same).
            answer = (*intro, *items, *closing)
        elif announces:
            answer = (*intro, *_announced(opening, intro, below))
        answer = settled(answer)
        # A whole program or listing under a heading is no answer anyone recalls, nor
        # is bare code under a genre word (`## Example`, `## Code`).
        if (
            answer
            and has_substance(answer)
            and not is_long_code(answer)
            and not (shows_code(label) and only_code(answer))
            and not compares_one_side(label, answer)
            and not _sets_an_exercise(answer)
            and not reads_measurements(answer)
        ):
            card = make_draft(note, "heading", context, label, answer, heading.line)
            if not says_only_its_label(card):
                yield card
        if items and not announced:
            # A closing diagram shows the list and goes with it; a closing remark (`While
            # a SIM cannot protect against all threats, ...`, a *Key Takeaways* recap)
            # wraps the note up and is no item of the list to recall.
            answer = items + tuple(b for b in closing if only_code((b,)))
            yield make_draft(note, "list", context, label, answer, heading.line)
            # A point whose short answer says every word of its label again (`Faster
            # Boot Time`: "boot time is faster"; `Real-time Event Monitoring`: "SEMs
            # continuously monitor events in real-time") is the list's item put in a
            # sentence: the list asks it. A longer answer says why or how, and stays.
            said = {
                id(card)
                for card in direct
                if restates_label(card)
                or (
                    card.kind == "point"
                    and restates_label(card, added=None, longest=_ITEM_SENTENCE)
                )
            }
            points = [(card, depth) for card, depth in points if id(card) not in said]
    if path and is_setting_title(label):
        # `## Intelligence Briefing` over `**Domain Name**: redhunt.net`: the lab's data.
        points = [(card, depth) for card, depth in points if depth > 0]
    yield from (
        card
        for card, _ in points
        if not (
            card.kind == "point" and (is_generic_code(card) or is_example_value(card))
        )
        and not reads_measurements(card.answer)
        and not says_only_its_label(card)
    )
    for block in opening:
        if block.kind == "table":
            yield from _row_cards(note, path, block)
    for segment in segments[1:]:
        # The author's answer, sized for recall like any other: later paragraphs (a
        # vignette, an aside) go.
        answer = fit(tuple(b for b in segment.blocks if b.kind != "rule"))
        if (
            segment.ignored
            or not segment.prompt
            or not has_substance(answer)
            or is_long_code(answer)
        ):
            continue
        question = (Inline("text", segment.prompt),)
        yield make_draft(
            note, "prompt", path, segment.prompt, answer, segment.line, question
        )


def _read_from_output(opening: tuple[Block, ...]) -> list[tuple[int, int]]:
    """The lines of each list that reads one run's output or an example (`Based on the
    output, the permissions are:` over `- SYSTEM: Full access`): example data, not facts."""
    return [
        (block.line, block.end_line)
        for before, block in pairwise(opening)
        if block.kind == "list"
        and ends_with_colon(before)
        and bool(_READS_OUTPUT.search(plain_text(before.inlines)))
    ]


def _row_cards(
    note: ParsedNote, path: tuple[str, ...], table: Block
) -> Iterator[CardDraft]:
    for label, row, question, answer in row_cards(table):
        yield make_draft(note, "table", path, label, answer, row.line, question)


def _announced(
    opening: tuple[Block, ...], intro: tuple[Block, ...], below: tuple[str, ...]
) -> tuple[Block, ...]:
    """What an opening that ends with a colon announces when it is no list of points:
    the list, table or code right after it, as written; else, when the section goes on
    in sub-sections (`The basic operators:` over `### Selection`, `### Projection`),
    their names."""
    end = intro[-1].end_line
    after = next((block for block in opening if block.line > end), None)
    if after is not None and after.kind in {
        "list",
        "table",
        "code",
        "quote",
        "callout",
    }:
        # A long table or listing is cards of its own (rows, points), not this answer.
        small = words_of((after,)) <= _MAX_ANNOUNCED_WORDS and not too_big(after)
        return (after,) if small else ()
    below = tuple(name for name in below if not is_resources_title(name))
    if after is None and len(below) >= 2 and _counts_kinds(intro[-1]):
        line = intro[-1].end_line
        items = tuple(
            Block(
                "item",
                line,
                line,
                children=(Block("paragraph", line, line, (_name(name),), tight=True),),
            )
            for name in below
        )
        return (Block("list", line, line, children=items),)
    return ()


_KINDS = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|types?|kinds?"
    r"|stages?|steps?|phases?|categories|classes|levels|layers|components|operators"
    r"|operations|methods|ways|forms|modes|principles|rules|properties|functions"
    r"|techniques|tactics|pillars|models|tools|artifacts|metrics|the following)\b",
    re.IGNORECASE,
)


_EXERCISE = re.compile(
    r"^\W*in this (?:activity|lab|exercise|room|task|challenge|walkthrough)\b",
    re.IGNORECASE,
)


def _sets_an_exercise(answer: tuple[Block, ...]) -> bool:
    """An opening that sets an exercise (`In this activity you're going to ...`): the
    lab's instructions, nothing to recall."""
    first = answer[0] if answer else None
    return (
        first is not None
        and first.kind == "paragraph"
        and bool(_EXERCISE.match(plain_text(first.inlines)))
    )


def _counts_kinds(announcing: Block) -> bool:
    """`There are 5 stages:`, `The basic operators:`: the sub-sections' names are the
    kinds it announces. `Here's an overview:` or `A quick reference:` announce the
    note's layout, which no card asks."""
    sentences = re.split(r"(?<=[.!?])\s+", plain_text(announcing.inlines).strip())
    return bool(_KINDS.search(sentences[-1]))


def _name(heading: str) -> Inline:
    return Inline("text", strip_numbering(heading).strip() or heading)


def _intro(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """The section's opening content, up to the first labelled point or thematic break,
    sized for recall (see answers.fit)."""
    taken: list[Block] = []
    for block in body:
        if block.kind in {"rule", "html"} and not taken:
            continue  # `# Title` over `---`, or layout HTML: the opening is below it
        if not taken and is_placeholder(block):
            continue  # `Init`, `WIP`: the author's mark on a note still to be written
        if not taken and block.kind == "paragraph":
            block = _without_placeholder_line(block)
        if block.kind == "rule" or starts_with_label(block):
            break
        if block.kind == "table" and (not taken or row_cards(block)):
            break
        if block.kind == "footnote" and not taken:
            break
        taken.append(block)
    return fit(tuple(taken), settle=False)


def _without_placeholder_line(block: Block) -> Block:
    """`INIT` on the first line of the opening paragraph, the text on the next."""
    inlines = block.inlines
    breaks = [i for i, inline in enumerate(inlines) if inline.kind in _BREAKS]
    if not breaks:
        return block
    first = Block("paragraph", block.line, block.line, inlines[: breaks[0]])
    if not is_placeholder(first):
        return block
    return replace(block, line=block.line + 1, inlines=inlines[breaks[0] + 1 :])


def _closing(body: tuple[Block, ...]) -> tuple[Block, ...]:
    """What follows a section's last list of points (a summary line, a closing diagram):
    it belongs to the section, not to the last point."""
    last = -1
    for index, block in enumerate(body):
        if starts_with_label(block):
            last = index
    if last < 0 or body[last].kind != "list":
        return ()
    taken: list[Block] = []
    for block in body[last + 1 :]:
        if block.kind in {"rule", "table", "html", "footnote"} or starts_with_label(
            block
        ):
            break
        taken.append(block)
    return fit(tuple(taken))


def _heading_text(block: Block) -> str:
    return plain_text(block.inlines).strip().rstrip(":\uff1a").strip()


def _is_metadata_item(item: Block, lines: list[str]) -> bool:
    """A list item that is one template line (`- tags: #icu`, `- related: [[ICU]]`): a
    key that never holds an answer; other keys in a list are the note's own points."""
    if len(item.children) != 1 or item.children[0].kind != "paragraph":
        return False
    paragraph = item.children[0]
    for line in lines[paragraph.line - 1 : paragraph.end_line]:
        if not line.strip():
            continue  # the blank line after the list's last item
        found = _METADATA_LINE.match(_LIST_MARK.sub("", line, count=1))
        if not found:
            return False
        key = found.group(1).strip()
        if not (_METADATA_KEY.match(key) or _DATE_KEY.fullmatch(key)):
            return False
    return True


def _is_metadata(block: Block, lines: list[str]) -> bool:
    """Template header and footer lines (`Links: [[]]`, `Created Date: ...`, `related:`)
    are not content, written as lines or as a list (`- related: [[ICU]]`)."""
    if block.kind == "list":
        return bool(block.children) and all(
            _is_metadata_item(item, lines) for item in block.children
        )
    if block.kind != "paragraph":
        return False
    for line in lines[block.line - 1 : block.end_line]:
        found = _METADATA_LINE.match(line)
        if not found:
            return False
        key, raw = found.group(1).strip(), found.group(2).strip()
        if _METADATA_KEY.match(key):
            continue
        # `Its key functions:` alone on its line announces what follows; a template
        # field has a short name and something after it (`Links: [[]]`).
        if not raw or len(key.split()) > 4 or "." in key:
            return False
        value = re.sub(r"\[\[[^\]]*\]\]|#\S+|,", "", raw).strip()
        if (
            value
            and not _EMPTY_VALUE.match(value)
            and not _DATE_KEY.search(found.group(1))
        ):
            return False
    return True
