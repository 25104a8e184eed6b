"""Prompts: the author's own recall questions, written as HTML comments.

`<!-- classic triad of cauda equina? -->` under a heading or before a block asks; what
follows it, up to the next comment or heading, answers. `<!-- ignore -->` marks what follows
as not for cards. Other comments (`<!-- more -->`, `<!-- prettier-ignore -->`, commented-out
text) are neither: they are passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashgen.parse import Block
from flashgen.records import quick_init

_COMMENT = re.compile(r"^\s*<!--(?P<text>.*?)-->\s*$", re.DOTALL)
_IGNORE = re.compile(
    r"^(?:ignore|skip|no ?cards?|flashgen:\s*ignore)\W*$", re.IGNORECASE
)
# Tool directives and markers that are not questions.
_DIRECTIVE = re.compile(
    r"^(?i:more|/?toc\w*|omit in toc|end\w*|todo\b.*|fixme\b.*|tbd|wip|draft)$|^(?:"
    r"[a-z]+(?:-[a-z]+)+(?:\s+[A-Z0-9, ]+)?|[a-z]+:\S.*|\W*)$",
)
_MAX_PROMPT = 200


@quick_init
@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a section's blocks: the opening (prompt ""), a prompt and its answer, or a
    part the author marked to skip (ignored)."""

    prompt: str
    line: int
    blocks: tuple[Block, ...]
    ignored: bool = False


def comment_of(block: Block) -> str | None:
    """The text of an HTML block that is one comment, else None."""
    if block.kind != "html" or "<!--" not in block.text:
        return None
    found = _COMMENT.match(block.text)
    return found.group("text").strip() if found else None


def prompt_of(comment: str) -> str | None:
    """The question a comment asks: one line of words, not a marker or a directive."""
    if "\n" in comment or len(comment) > _MAX_PROMPT or _DIRECTIVE.match(comment):
        return None
    if re.search(r"[<>|`{}]|\]\(", comment) or not re.search(r"\w\w", comment):
        return None
    # `Penicillin SE..`: the author's trailing dots ask to go on; they are not the question.
    return re.sub(r"(?:\.{2,}|\u2026)\s*$", "", comment).strip() or None


def is_ignore(comment: str) -> bool:
    """`<!-- ignore -->`, also with a letter left out, added, changed or two swapped
    (`gnore..`, `ingore`): a marker mistyped is still no question."""
    text = re.sub(r"(?:\.{2,}|\u2026)\s*$", "", comment).strip()
    if _IGNORE.match(text):
        return True
    word = text.rstrip(".!: ").casefold()
    return " " not in word and _one_edit(word, "ignore")


def _one_edit(word: str, target: str) -> bool:
    """The two words differ by one letter left out, added or changed, or two swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return word == target
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def split_prompts(body: tuple[Block, ...]) -> tuple[Segment, ...]:
    """The section's blocks cut at each prompt and ignore comment. The first segment is the
    opening before any (possibly empty); other comments are dropped where they stand."""
    if not any(block.kind == "html" for block in body):
        return (Segment("", body[0].line if body else 0, body),)
    segments: list[Segment] = []
    prompt, line, ignored = "", body[0].line, False
    current: list[Block] = []
    for block in body:
        comment = comment_of(block)
        if comment is None:
            current.append(block)
            continue
        asked = prompt_of(comment)
        skip = is_ignore(comment)
        if asked is None and not skip:
            continue
        segments.append(Segment(prompt, line, tuple(current), ignored))
        prompt, line, ignored = (
            ("", block.line, True) if skip else (asked or "", block.line, False)
        )
        current = []
    segments.append(Segment(prompt, line, tuple(current), ignored))
    return tuple(segments)
