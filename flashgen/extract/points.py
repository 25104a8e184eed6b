"""Points: labelled points (in paragraphs, list items, quotes and callouts, at any depth)
and titled definition or theorem blocks, as drafts. Pure: blocks in, drafts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flashgen.extract.answers import fit, has_substance
from flashgen.extract.draft import CardDraft
from flashgen.extract.endings import ends_with_colon, settled, without_trailing_label
from flashgen.extract.labels import NOT_LABELS, Label, label_of
from flashgen.extract.questions import is_generic, strip_numbering
from flashgen.extract.transcripts import trim_transcripts
from flashgen.parse import (
    Block,
    Inline,
    ParsedNote,
    plain_text,
    split_block_id,
    walk_blocks,
)

# Titled blocks that state one thing to learn: `ad-Definition`, `> [!theorem]`.
STATEMENT_TYPES = frozenset(
    {
        "definition",
        "def",
        "theorem",
        "thm",
        "lemma",
        "proposition",
        "prop",
        "corollary",
        "axiom",
        "law",
        "principle",
        "formula",
        "rule",
        "claim",
    }
)


# `i = n`, `256 > 2`, `n <= 1`: two operands and an operator written with spaces (a
# setting written `key=value` has none).
_EXPRESSION = re.compile(
    r"[\w.()^*/+-]{1,20}\s+(?:[<>]=?|==|!=|=)\s+[\w.()^*/+-]{1,20}"
)
_MAX_STEP_WORDS = 6
_OUTPUT_LABELS = frozenset(
    {"output", "outputs", "result", "sample output", "example output"}
)


def make_draft(
    note: ParsedNote,
    kind: str,
    context: tuple[str, ...],
    label: str,
    answer: tuple[Block, ...],
    line: int,
    question: tuple[Inline, ...] = (),
) -> CardDraft:
    return CardDraft(
        kind,
        note.path,
        note.title,
        context,
        label,
        question or (Inline("text", label),),
        trim_transcripts(answer),
        line,
        max(line, answer[-1].end_line),
    )


def starts_with_label(block: Block) -> bool:
    if block.kind == "paragraph":
        return label_of(block.inlines) is not None
    if block.kind == "list":
        found = [
            label_of(lead.inlines)
            for item in block.children
            if (lead := lead_of(item)) is not None
        ]
        labels = [label for label in found if label is not None]
        # A code span before a colon labels a glossary line, but a numbered procedure
        # has them too (`4. `Title`: 'Burp'`): such a list is labelled when most are.
        bold = any(
            label.label[:1] and label.label[0].kind != "code" for label in labels
        )
        return bold or len(labels) * 2 > len(block.children)
    if block.kind == "callout" and _is_statement(block):
        return True
    if block.kind in {"quote", "callout"}:
        return any(starts_with_label(child) for child in block.children)
    return False


def _is_statement(block: Block) -> bool:
    return block.info.casefold() in STATEMENT_TYPES


def points_in(
    note: ParsedNote, blocks: tuple[Block, ...], path: tuple[str, ...], depth: int = 0
) -> Iterator[tuple[CardDraft, int]]:
    """Labelled points in these blocks, with their nesting depth (0: directly in the section)."""
    index = 0
    above: CardDraft | None = None  # the point on the line right above, if any
    while index < len(blocks):
        block = blocks[index]
        index += 1
        inlines, pin = split_block_id(block.inlines)
        if block.kind == "paragraph" and (found := label_of(inlines)):
            where = path
            if (
                found.alone
                and above is not None
                and block.line == above.end_line + 1
                and _line(note, above.end_line).strip()
                and is_generic(strip_numbering(plain_text(found.label)).strip())
            ):
                # `**independence number** β(G): ...` then `**Properties**` on the next
                # line over a list: the properties of that term.
                where = (*path, above.label)
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
            answer.extend(_fitted(answer, following))
            card = _point(note, found, where, tuple(answer), block.line, pin)
            above = card
            if card:
                yield card, depth
                inner_path = (*where, card.label)
                yield from points_in(note, tuple(following), inner_path, depth + 1)
        elif block.kind == "list":
            above = None
            for item in block.children:
                yield from _item_points(note, item, path, depth)
        elif block.kind == "callout" and _is_statement(block):
            card = _statement(note, block, path)
            if card is not None:
                yield card, depth + 1
            yield from points_in(note, block.children, path, depth + 1)
        elif block.kind in {"quote", "callout"}:
            found_inside = points_in(note, block.children, path, depth)
            if _opens_on_remark(block):
                # `> **NOTE**: ...` then `> **Comprehensions** is a production-stylized
                # code.`: an aside about the term, not what it is.
                found_inside = (
                    (card, at) for card, at in found_inside if card.kind != "definition"
                )
            yield from found_inside


def _opens_on_remark(block: Block) -> bool:
    """A quote whose first line is a remark (`**NOTE**:`, `**Tip**:`)."""
    first = block.children[0] if block.children else None
    if first is None or first.kind != "paragraph":
        return False
    lead = first.inlines[0] if first.inlines else None
    return (
        lead is not None
        and lead.kind == "strong"
        and plain_text(lead.children).strip().rstrip(":").strip().casefold()
        in NOT_LABELS
    )


def _line(note: ParsedNote, number: int) -> str:
    """The note's line `number` (1 for the first), or "" past its end."""
    lines = note.source.split("\n")
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _fitted(answer: list[Block], following: list[Block]) -> tuple[Block, ...]:
    """The blocks a label alone on its line takes, sized for recall; an answer that
    announces a list keeps it."""
    if answer and ends_with_colon(answer[-1]) and following:
        return fit(tuple(following), budget=10_000)
    return fit(tuple(following))


def _statement(
    note: ParsedNote, block: Block, path: tuple[str, ...]
) -> CardDraft | None:
    """A titled definition or theorem block: its title and the note's name ask."""
    if not has_substance(block.children):
        return None
    title = plain_text(block.inlines).strip().rstrip(".:").strip()
    kind_word = block.info.capitalize()
    named = re.sub(rf"^{re.escape(kind_word)}\b\.?\s*", "", title, flags=re.IGNORECASE)
    named = named.strip().strip("()").strip()
    # `Axiom Schema.` in *Axiom Schema of Replacement*: the note's name says it whole.
    longer = len(note.title) > len(title)
    if named and longer and note.title.casefold().startswith(title.casefold()):
        named = ""
    subject = named or (path[-1] if path else note.title)
    label = f"{kind_word}: {subject}"
    question: tuple[Inline, ...] = (Inline("text", f"{kind_word}: "),)
    if named and block.inlines:
        question = (*question, *_strip_title(block.inlines, named))
    else:
        question = (*question, Inline("text", subject))
    return make_draft(
        note, "callout", path, label, block.children, block.line, question
    )


def _strip_title(inlines: tuple[Inline, ...], named: str) -> tuple[Inline, ...]:
    """The title's inlines when it is only the name in the kind word's parentheses."""
    text = plain_text(inlines).strip()
    if text == named:
        return inlines
    if any(inline.kind in {"math", "code"} for inline in inlines):
        # `Theorem (Continuity Theorems in $\R$).`: keep the maths, drop the wrapping.
        parts = list(inlines)
        if parts and parts[0].kind == "text":
            head = re.sub(r"^\s*\w+\.?\s*\(?\s*", "", parts[0].text)
            parts[0] = Inline("text", head)
        if parts and parts[-1].kind == "text":
            parts[-1] = Inline("text", re.sub(r"\)?\s*[.:]?\s*$", "", parts[-1].text))
        return tuple(part for part in parts if part.kind != "text" or part.text)
    return (Inline("text", named),)


def _item_points(
    note: ParsedNote, item: Block, path: tuple[str, ...], depth: int
) -> Iterator[tuple[CardDraft, int]]:
    lead = lead_of(item)
    inlines, pin = split_block_id(lead.inlines) if lead is not None else ((), "")
    found = label_of(inlines) if lead is not None else None
    if lead is None or found is None:
        yield from points_in(note, item.children, path, depth + 1)
        return
    rest = item.children[1:]
    answer = (
        (Block("paragraph", lead.line, lead.end_line, found.rest),)
        if found.rest
        else ()
    )
    card = _point(note, found, path, answer + rest, item.line, pin)
    if card is None:
        yield from points_in(note, rest, path, depth + 1)
        return
    yield card, depth
    yield from points_in(note, rest, (*path, card.label), depth + 1)


def _point(
    note: ParsedNote,
    found: Label,
    path: tuple[str, ...],
    answer: tuple[Block, ...],
    line: int,
    pin: str,
) -> CardDraft | None:
    if answer:
        answer = settled((*answer[:-1], without_trailing_label(answer[-1])))
    if not answer or not has_substance(answer):
        return None
    label = plain_text(found.label).strip()
    if _is_worked_step(found, answer) or _is_unshown_output(label, answer):
        return None
    end = max(block.end_line for block in answer)
    return CardDraft(
        found.kind,
        note.path,
        note.title,
        path,
        label,
        found.label,
        trim_transcripts(answer),
        line,
        max(end, line),
        pin=pin,
    )


def _is_worked_step(found: Label, answer: tuple[Block, ...]) -> bool:
    """`` `256 > 2` -> $i = 16$ ``: a line of a worked example (an expression, then what it
    gives), not a name with its meaning; the example's lines make sense only together."""
    head = found.label[0] if found.label else None
    if head is None or head.kind != "code" or len(found.label) > 1:
        return False
    return bool(_EXPRESSION.fullmatch(head.text.strip())) and (
        _prose_words(answer) <= _MAX_STEP_WORDS
    )


def _prose_words(blocks: tuple[Block, ...]) -> int:
    """Words of prose, leaving out maths, code, numbers and signs (`= 16`, `->`): a
    worked step is mostly maths."""
    count = 0
    pending = [inline for block in walk_blocks(blocks) for inline in block.inlines]
    while pending:
        inline = pending.pop()
        if inline.kind == "text":
            count += sum(
                1 for word in inline.text.split() if re.search(r"[^\W\d_]", word)
            )
        elif inline.kind not in {"math", "display_math", "code"}:
            pending.extend(inline.children)
    return count


def _is_unshown_output(label: str, answer: tuple[Block, ...]) -> bool:
    """*Output* over a code block: what some code printed, and the card does not show the
    code (it is the point before)."""
    return strip_numbering(label).casefold() in _OUTPUT_LABELS and all(
        block.kind == "code" for block in answer
    )


def lead_of(item: Block) -> Block | None:
    first = item.children[0] if item.children else None
    return first if first is not None and first.kind == "paragraph" else None


def _ends_answer(block: Block) -> bool:
    return block.kind in {"heading", "rule"} or (
        block.kind == "paragraph" and label_of(block.inlines) is not None
    )
