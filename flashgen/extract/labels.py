"""Labels: when bold at the start of a block is a label, and what follows it.

`**1. Lightweight:** text`, `- **System Used**: text`, `**Term** - text`, `**Term**` alone on
its line, `**Defence in Depth** is a ...`; and the bold that is not a label (why, for lint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from flashgen.parse import Block, Inline, plain_text
from flashgen.records import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Label:
    """A label found at the start of a block, and the rest of the block."""

    label: tuple[Inline, ...]
    rest: tuple[Inline, ...]
    """Inlines after the separator; for a definition, the whole paragraph."""
    kind: str
    alone: bool
    """True when the answer is in the blocks that follow (the label stands on its own line)."""


# `1. `, `a) `, `iv. ` written inside the bold belong to the list, not to the label.
_ENUMERATOR = re.compile(
    r"^\s*(?:\d{1,3}|[a-zA-Z]|[ivxlcdm]{1,6})[.)]\s+", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^(?:\s*:|\s+-\s|\s*[\u2013\u2014]\s|\s*(?:\u2192|->|=>)\s*)\s*"
)
_DEFINING_VERB = re.compile(
    r"^\s+(?:is|are|was|were|refers to|means|describes|represents|stands for|denotes"
    r"|defines|consists of|can be defined as|is defined as)\b",
    re.IGNORECASE,
)
# `**X** is the most common cause of Y`, `**X** is diagnosed when`: a fact about X, not
# what X is. Such a sentence asked as *X* does not say which fact is wanted.
_NOT_DEFINING = re.compile(
    r"^\s*(?:(?:the|a|an)\s+)?(?:most|least|best|worst|first|second|third|only|main"
    r"|primary|leading|[a-z]+est)\b"
    r"|^\s*(?:usually|often|typically|commonly|always|never|rarely|frequently|sometimes"
    r"|generally|also|not|very|highly|more|less|important|responsible|common|rare"
    r"|effective|(?!defined\b|called\b|known\b|composed\b)[a-z]+ed)\b",
    re.IGNORECASE,
)
# What a definition says when it says what its term is: `is a/an/the <noun phrase>`,
# `means`, `refers to`, `is defined as`, `is called`, `is when ...`, `is assigning ...`;
# not a fact phrased with an article
# (`is a common cause of Y`, `is the drug of choice`).
_SAYS_WHAT = re.compile(
    r"^\s+(?:(?:is|are|was|were)\s+(?:(?:essentially|basically|simply|just|also)\s+)?"
    r"(?:(?:a|an|the|one|any)\b|(?:called|known as|defined as|composed of|made up of"
    r"|when|where|how)\b|[a-z]+ing\b)|refers? to|means?|describes"
    r"|represents|stands for|denotes|defines|consists of|can be defined as)",
    re.IGNORECASE,
)
_FACT_NOUN = re.compile(
    r"^\s+\w+\s+(?:a|an|the|one)\s+(?:[\w-]+\s+){0,3}?(?:causes?|complications?"
    r"|findings?|signs?|symptoms?|features?|manifestations?|presentations?|treatments?"
    r"|therapy|drugs?|tests?|markers?|risk factors?|side effects?|consequences?"
    r"|results?)\s+(?:of|for|in|to)\b",
    re.IGNORECASE,
)


# Bold words that flag a remark rather than name something to learn.
NOT_LABELS = frozenset(
    {
        "note",
        "nb",
        "tip",
        "tips",
        "warning",
        "important",
        "caution",
        "attention",
        "danger",
        "info",
        "todo",
        "remember",
        "update",
        "edit",
        "hint",
    }
)
_MAX_LABEL = 80


def label_of(inlines: tuple[Inline, ...]) -> Label | None:
    """The label of a bold-led block, or None when its bold is not a label."""
    judged = judge_label(inlines)
    return judged if isinstance(judged, Label) else None


def judge_label(inlines: tuple[Inline, ...]) -> Label | str | None:
    """The label of a block, or why its leading bold is not one (None: it has none)."""
    while inlines and inlines[0].kind == "task":
        inlines = inlines[1:]
    if inlines and inlines[0].kind == "code":
        return _code_label(inlines)
    if not inlines or inlines[0].kind != "strong":
        return None
    label = _drop_enumerator(inlines[0].children)
    rest = _glossary(inlines[1:])
    label_text = plain_text(label).strip()
    if label_text.endswith((":", "\uff1a")):
        label = _trim_end(label, 1)
        kind, alone = "point", _is_line_end(rest)
        rest = _drop_break(_trim_start(rest, 0))
    else:
        head = rest[0].text if rest and rest[0].kind == "text" else ""
        if _is_line_end(rest):
            kind, alone, rest = "point", True, _drop_break(rest)
        elif separator := _SEPARATOR.match(head):
            kind = "point"
            rest = _trim_start(rest, separator.end())
            alone = _is_line_end(rest)
            rest = _drop_break(rest)
        elif (verb := _DEFINING_VERB.match(head)) and _defines(head[verb.end() :]):
            kind, alone, rest = (
                "definition",
                False,
                (Inline("strong", children=label), *rest),
            )
        elif symbol := _symbol_then_separator(rest):
            # `**independence number**$\beta(G)$: is the max size ...`: the term and
            # its symbol name the point.
            kind = "point"
            label = (*label, Inline("text", " "), rest[0])
            rest = _trim_start(rest[1:], symbol)
            alone = _is_line_end(rest)
            rest = _drop_break(rest)
        elif _only_code(label) and (head[:1].isspace() or head[:1].isalpha()):
            # `**`HELP`** The server lists its commands`: a command and what it does,
            # as cheat sheets write them.
            kind, alone = "point", False
            rest = _trim_start(rest, 0)
        else:
            # `**Right-click** the file`: bold that starts a sentence.
            return "no ':' or ' - ' after the bold"
    text = plain_text(label).strip()
    if not text:
        return "the bold is empty"
    if len(text) > _MAX_LABEL:
        return f"the bold is longer than {_MAX_LABEL} characters"
    if text.endswith((".", "!")) or (
        alone and kind == "point" and _is_statement(label)
    ):
        return "the bold is a whole sentence"
    if text.casefold().rstrip(":") in NOT_LABELS:
        return f"'{text}' marks a remark"
    return Label(label, tuple(rest), kind, alone)


_FINITE = frozenset(
    [
        *("is", "are", "was", "were", "has", "have", "had", "must", "should", "can"),
        *("cannot", "will", "would", "does", "do", "results", "becomes", "means"),
        "requires",
    ]
)
_STATEMENT_WORDS = 6


def _symbol_then_separator(rest: tuple[Inline, ...]) -> int:
    """After the bold, maths and then a separator: where the answer starts in the text
    after the maths, else 0."""
    if len(rest) < 2 or rest[0].kind != "math" or rest[1].kind != "text":
        return 0
    found = _SEPARATOR.match(rest[1].text)
    return found.end() if found else 0


def _only_code(label: tuple[Inline, ...]) -> bool:
    return len(label) == 1 and label[0].kind == "code" and bool(label[0].text.strip())


def _is_statement(label: tuple[Inline, ...]) -> bool:
    """A bold line alone that says something (`**All rows are normalized by their
    pivots**`) is a stressed sentence, not a label over its answer: six words or more
    with a verb, and no colon."""
    text = plain_text(label).strip()
    if text.endswith(("?", ":", "\uff1a")):
        return False
    said = re.findall(r"[\w'-]+", text.casefold())
    if said and said[0] in _ASKING:
        return False  # `**What are the costs of X**?`: a question over its answer
    # The verb near the start, as a statement has it (`Checking if a set is minimal`
    # names a procedure: its verb is in a clause).
    return (
        len(said) >= _STATEMENT_WORDS
        and not said[0].endswith("ing")
        and any(word in _FINITE for word in said[:4])
    )


_ASKING = frozenset(
    [
        *("what", "why", "how", "when", "where", "which", "who", "whom", "whose"),
        *("is", "are", "do", "does", "can", "should", "name", "list", "describe"),
    ]
)


def _code_label(inlines: tuple[Inline, ...]) -> Label | None:
    """`` `ls`: lists files`` and `` `Multigraph:` a graph with ...``: a code span that
    names what its line explains. Code without a separator after it is not a label."""
    code, rest = inlines[0], inlines[1:]
    text = code.text.strip()
    if text.endswith(":") and len(text) > 1:
        label = (Inline("code", text[:-1].rstrip()),)
    else:
        head = rest[0].text if rest and rest[0].kind == "text" else ""
        separator = _SEPARATOR.match(head)
        if separator is None or not text:
            return None
        label, rest = (code,), _trim_start(rest, separator.end())
    if len(text) > _MAX_LABEL:
        return None
    alone = _is_line_end(rest)
    return Label(label, _drop_break(_trim_start(rest, 0)), "point", alone)


def _glossary(rest: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """`**CERT** (Computer Emergency Response Team): ...` and `**DSA** (`Ntdsa.dll`): ...`:
    the parenthesis before the separator is the start of the answer (`Computer Emergency
    Response Team: ...`); the label is the bold alone."""
    head = rest[0].text if rest and rest[0].kind == "text" else ""
    if not head.lstrip().startswith("("):
        return rest
    opened = head.lstrip()[1:]
    parts: list[Inline] = []
    for index, inline in enumerate(rest):
        text = opened if index == 0 else inline.text
        if inline.kind != "text":
            if inline.kind not in {"code", "emphasis", "math", "link", "wikilink"}:
                return rest
            parts.append(inline)
            continue
        inside, closed, after = text.partition(")")
        if not closed:
            if "(" in text:
                return rest
            parts.append(Inline("text", text))
            continue
        if "(" in inside or not _SEPARATOR.match(after):
            return rest
        if inside:
            parts.append(Inline("text", inside))
        separator = _SEPARATOR.match(after)
        assert separator is not None
        tail = after[separator.end() :]
        lead = (Inline("text", ": "),) + ((Inline("text", tail),) if tail else ())
        return (Inline("text", ": "), *parts, *lead, *rest[index + 1 :])
    return rest


def _defines(after_verb: str) -> bool:
    """The words after the verb say what the term is (`is a layered strategy`), not a
    fact about it (`is the most common cause`, `is diagnosed when`)."""
    sentence = after_verb.partition(". ")[0]
    return not _NOT_DEFINING.match(after_verb) and " of choice" not in sentence


def defines_subject(rest: tuple[Inline, ...]) -> bool:
    """A definition's paragraph (its bold term first) says what the term is: `**X** is a
    strategy that ...`, `**X** means ...`; not `**X** is found in ...` or `**X** is a
    common cause of ...`, facts about X that a cloze asks better."""
    head = rest[1].text if len(rest) > 1 and rest[1].kind == "text" else ""
    return bool(_SAYS_WHAT.match(head)) and not _FACT_NOUN.match(head)


def _is_line_end(rest: tuple[Inline, ...]) -> bool:
    head = rest[0] if rest else None
    if head is not None and head.kind == "text" and not head.text.strip():
        head = rest[1] if len(rest) > 1 else None
    return head is None or head.kind in {"softbreak", "hardbreak"}


def _drop_break(rest: tuple[Inline, ...]) -> tuple[Inline, ...]:
    items = list(rest)
    while items and (
        items[0].kind in {"softbreak", "hardbreak"}
        or (items[0].kind == "text" and not items[0].text.strip())
    ):
        items.pop(0)
    return tuple(items)


def _drop_enumerator(label: tuple[Inline, ...]) -> tuple[Inline, ...]:
    if (
        label
        and label[0].kind == "text"
        and (found := _ENUMERATOR.match(label[0].text))
    ):
        stripped = label[0].text[found.end() :]
        return ((Inline("text", stripped),) if stripped else ()) + label[1:]
    return label


def _trim_end(label: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    """Drop the label's trailing colon (and the spaces before it)."""
    if label and label[-1].kind == "text":
        text = label[-1].text.rstrip()[:-count].rstrip()
        return (*label[:-1], Inline("text", text)) if text else label[:-1]
    return label


def _trim_start(rest: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    if rest and rest[0].kind == "text":
        text = rest[0].text[count:].lstrip()
        return ((Inline("text", text),) if text else ()) + rest[1:]
    return rest


def split_label_lines(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """`**A**: x` and `**B**: y` on consecutive lines are one paragraph in Markdown, but
    two points to the reader (Obsidian shows the line break): split them. Blocks with
    nothing to split are given back as they are (the same tuple when none has any)."""
    result: list[Block] = []
    changed = False
    for block in blocks:
        if block.kind == "paragraph":
            parts = _split_paragraph(block)
            changed = changed or len(parts) != 1 or parts[0] is not block
            result.extend(parts)
        elif block.children and block.kind in {"list", "item", "quote", "callout"}:
            children = split_label_lines(block.children)
            if children is not block.children:
                block = replace(block, children=children)
                changed = True
            result.append(block)
        else:
            result.append(block)
    return tuple(result) if changed else blocks


def _split_paragraph(block: Block) -> list[Block]:
    lines: list[list[Inline]] = [[]]
    for inline in block.inlines:
        if inline.kind in {"softbreak", "hardbreak"}:
            lines.append([])
        else:
            lines[-1].append(inline)
    if len(lines) == 1:
        return [block]
    parts: list[tuple[int, list[Inline]]] = [(0, [])]
    in_labels = isinstance(judge_label(tuple(lines[0])), Label)
    for number, line in enumerate(lines):
        judged = judge_label(tuple(line)) if number else None
        # A label line starts a new point. A bold line alone (`**Term**`, its answer on the
        # next line) does so only among label lines, not in the middle of prose.
        if isinstance(judged, Label) and (in_labels or not judged.alone):
            parts.append((number, list(line)))
            in_labels = True
        else:
            offset, inlines = parts[-1]
            if inlines:
                inlines.append(Inline("softbreak"))
            inlines.extend(line)
    parts = [(offset, inlines) for offset, inlines in parts if inlines]
    if len(parts) == 1:
        return [block]
    split = []
    for index, (offset, inlines) in enumerate(parts):
        end = parts[index + 1][0] - 1 if index + 1 < len(parts) else len(lines) - 1
        # Only the first part sits in a tight list item's line; the others are paragraphs.
        split.append(
            replace(
                block,
                line=block.line + offset,
                end_line=block.line + end,
                inlines=tuple(inlines),
                tight=block.tight and index == 0,
            )
        )
    return split
