"""Explicit cards: the card syntax obsidian-spaced-repetition reads, so that a vault
written for that plugin keeps every card it had.

A ParsedNote and the vault's CardSyntax in; CardDraft records out (kind `explicit`, or
`explicit-reversed` for a card each way), with the lines they came from and the lines read
but left out (a Dataview field, a card with an empty side) for `flashgen check`. Pure.

- `Question::Answer` on one line is a card; `Side one:::Side two` a card each way.
- A line holding only `?` (`??`: both ways) parts a question (the lines right above it)
  from its answer (the lines right below it, up to the next blank line or heading).
- Only notes tagged `#flashcards` or a sub-tag (`#flashcards/biology`) hold them, or
  every note when the syntax says so. Code, comments and headings never do.
- `key:: value` with a Dataview-style key (`status:: done`, `created:: 2024-01-01`) is a
  Dataview field, not a card (see scope.py).
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from flashgen.extract.draft import REVERSED, CardDraft
from flashgen.extract.scope import LIST_MARKER, is_dataview_field, is_scoped, tag_key
from flashgen.extract.syntax import CardSyntax
from flashgen.parse import (
    Block,
    Inline,
    ParsedNote,
    parse_text,
    plain_text,
    shifted,
    split_block_id,
    split_front_matter,
)

EXPLICIT = "explicit"
SCHEDULE = re.compile(r"<!--SR:.*?-->")
"""obsidian-spaced-repetition's review schedule (`<!--SR:!2024-01-05,3,250-->`)."""
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_QUOTE = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_LEADING_TAG = re.compile(r"^#([^\s#]+)[ \t]*")
_TAGS_ONLY = re.compile(r"^(?:#[^\s#]+[ \t]*)+$")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line written like an explicit card that makes none, and why."""

    line: int
    why: str
    """`dataview` (a Dataview inline field) or `empty` (a card with an empty side)."""
    text: str


@dataclass(frozen=True, slots=True)
class Explicit:
    """The explicit cards of a note, the lines they take, the lines left out."""

    drafts: tuple[CardDraft, ...] = ()
    lines: frozenset[int] = frozenset()
    """Lines that hold explicit cards (also those with an empty side): no other card
    is read from them."""
    skipped: tuple[Skipped, ...] = ()

    def merged(self, drafts: Sequence[CardDraft]) -> list[CardDraft]:
        """These drafts and the other cards of the note, in source order."""
        if not self.drafts:
            return list(drafts)
        return list(heapq.merge(self.drafts, drafts, key=lambda d: d.line))


def split_explicit(note: ParsedNote, syntax: CardSyntax) -> tuple[ParsedNote, Explicit]:
    """The note's explicit cards, and the note without their lines (blank lines in their
    place, so every other line keeps its number) for the other kinds of card."""
    explicit = read_explicit(note, syntax)
    if not explicit.lines:
        return note, explicit
    lines = note.source.split("\n")
    for number in explicit.lines:
        quote = _QUOTE.match(lines[number - 1])
        lines[number - 1] = quote.group(0).rstrip() if quote else ""
    source = "\n".join(lines)
    blocks = parse_text(note.path, source).blocks
    return replace(note, source=source, blocks=blocks), explicit


def read_explicit(note: ParsedNote, syntax: CardSyntax) -> Explicit:
    """The explicit cards of a note that holds them (see is_scoped), in source order."""
    if not note.source or not is_scoped(note, syntax):
        return Explicit()
    lines = split_front_matter(note.source)[1].split("\n")
    reader = _Reader(note, syntax, lines)
    reader.read()
    return Explicit(tuple(reader.drafts), frozenset(reader.used), tuple(reader.skipped))


def _outside_code(text: str, separator: str) -> int:
    """Where the separator first stands outside `inline code` (-1: nowhere)."""
    at = text.find(separator)
    while at >= 0 and text.count("`", 0, at) % 2:
        at = text.find(separator, at + 1)
    return at


@dataclass(slots=True)
class _Multi:
    """A multi-line card being read: its kind, question lines, separator, answer lines."""

    kind: str
    question: list[int]
    separator: int
    answer: list[int]


class _Reader:
    """Reads a note's lines as obsidian-spaced-repetition does (see the module's doc)."""

    def __init__(self, note: ParsedNote, syntax: CardSyntax, lines: list[str]) -> None:
        self.note = note
        self.syntax = syntax
        self.lines = lines
        self.texts = [_content(line) for line in lines]
        self.drafts: list[CardDraft] = []
        self.used: set[int] = set()
        self.skipped: list[Skipped] = []
        self.run: list[int] = []
        self.multi: _Multi | None = None
        self.tags = [key for key in map(tag_key, syntax.tags) if key]
        self.headings = _headings(note)

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            index = self._line(index) + 1
        self._end()

    def _line(self, index: int) -> int:
        """Reads the line at index (and what belongs to it); the last index read."""
        text = self.texts[index]
        stripped = text.strip()
        if _FENCE.match(text):
            last = _fence_end(self.texts, index)
            self._text(list(range(index, last + 1)))
            return last
        if stripped.startswith("<!--") and not stripped.startswith("<!--SR:"):
            return _comment_end(self.texts, index)
        if stripped and not SCHEDULE.sub("", stripped).strip():
            if self.multi is None and self.drafts and self.drafts[-1].end_line == index:
                self.used.add(index + 1)  # the schedule of the card just read
            elif self.multi is not None:
                self.multi.answer.append(index)
            return index
        if not stripped or _HEADING.match(self.lines[index]):
            self._end()
            if stripped:
                # A heading right above a `?` line is the question, as the plugin reads
                # it; the heading stays in the note (see _end).
                self.run = [index]
            return index
        if _TAGS_ONLY.match(stripped) and self._without_tags(stripped) != stripped:
            # `#flashcards` on its own line scopes the note: it is not a card's text.
            self._end()
            self.used.add(index + 1)
            return index
        # A table row is text: `| a::b |` is a cell's content, not a card.
        if not stripped.startswith("|") and self._single(index, text):
            return index
        kind = self._multi_kind(stripped)
        if kind is None:
            self._text([index])
        elif self.multi is not None and len(self._answer_lines()) >= 2:
            # A question right under the last answer (no blank line between).
            question = self.multi.answer.pop()
            self._end()
            self.multi = _Multi(kind, [question], index, [])
        elif self.multi is None and self.run:
            # A heading is the question only right above the separator; above other
            # lines it is their heading.
            lines = self.run[1:] if self._is_heading(self.run[0]) else self.run
            self.multi, self.run = _Multi(kind, lines or self.run, index, []), []
        elif self.multi is None:
            self._skip(index, "empty")
            self.used.add(index + 1)
        else:
            self._text([index])
        return index

    def _is_heading(self, index: int) -> bool:
        return bool(_HEADING.match(self.lines[index]))

    def _multi_kind(self, stripped: str) -> str | None:
        if stripped == self.syntax.multi_line_reversed:
            return EXPLICIT + REVERSED
        if stripped == self.syntax.multi_line:
            return EXPLICIT
        return None

    def _answer_lines(self) -> list[int]:
        assert self.multi is not None
        return [i for i in self.multi.answer if SCHEDULE.sub("", self.texts[i]).strip()]

    def _text(self, indices: list[int]) -> None:
        if self.multi is not None:
            self.multi.answer.extend(indices)
        else:
            self.run.extend(indices)

    def _single(self, index: int, text: str) -> bool:
        """Reads a one-line card (or Dataview field) at index; False if it is neither."""
        syntax = self.syntax
        separator = syntax.single_line_reversed
        at = _outside_code(text, separator)
        kind = EXPLICIT + REVERSED
        if at < 0:
            separator, kind = syntax.single_line, EXPLICIT
            at = _outside_code(text, separator)
        if at < 0:
            return False
        self._end()
        if is_dataview_field(text, separator):
            self._skip(index, "dataview")
            return True
        self.used.add(index + 1)
        question = self._without_tags(LIST_MARKER.sub("", text[:at], count=1))
        answer = text[at + len(separator) :]
        self._card(kind, question, index, answer, index, index)
        return True

    def _without_tags(self, question: str) -> str:
        """The question without the flashcard tags written before it (they name its deck
        in obsidian-spaced-repetition; here the note's tags do)."""
        while found := _LEADING_TAG.match(question.lstrip()):
            key = tag_key(found.group(1))
            if not any(key == t or key.startswith(f"{t}::") for t in self.tags):
                break
            question = question.lstrip()[found.end() :]
        return question

    def _end(self) -> None:
        """Ends the multi-line card being read, and the run of text before it."""
        multi, self.multi, self.run = self.multi, None, []
        if multi is None:
            return
        self.used.update(
            i + 1
            for i in (*multi.question, multi.separator, *multi.answer)
            if not self._is_heading(i)
        )
        question = "\n".join(self.texts[i] for i in multi.question)
        question = self._without_tags(question)
        answer = "\n".join(self.texts[i] for i in multi.answer)
        first = multi.answer[0] if multi.answer else multi.separator
        last = max([multi.separator, *multi.answer])
        self._card(multi.kind, question, multi.question[0], answer, first, last)

    def _card(
        self, kind: str, question: str, line: int, answer: str, at: int, last: int
    ) -> None:
        """A draft from the text of both sides (line, at, last: 0-based indices of the
        first line, of the answer's first line and of the last line)."""
        question = SCHEDULE.sub("", question).strip()
        answer = SCHEDULE.sub("", answer).strip()
        asked = _inlines(_parsed(self.note.path, question, line))
        blocks, pin = _pinned(_parsed(self.note.path, answer, at))
        label = " ".join(plain_text(asked).split()) or question
        if not asked or not blocks:
            self._skip(line, "empty")
            return
        context = self.headings[bisect.bisect_right(self.headings, (line + 1,)) - 1][1]
        draft = CardDraft(
            kind,
            self.note.path,
            self.note.title,
            context,
            label,
            asked,
            blocks,
            line + 1,
            last + 1,
            pin=pin,
        )
        self.drafts.append(draft)

    def _skip(self, index: int, why: str) -> None:
        self.skipped.append(Skipped(index + 1, why, self.texts[index].strip()))


def _content(line: str) -> str:
    """A line without the `>` of the quote or callout it is in."""
    quote = _QUOTE.match(line)
    return line[quote.end() :] if quote else line


def _fence_end(texts: list[str], index: int) -> int:
    """The index of the line that closes the fenced code opened at index (or the last)."""
    found = _FENCE.match(texts[index])
    assert found is not None
    fence = found.group(1)
    for last in range(index + 1, len(texts)):
        closing = _FENCE.match(texts[last])
        if (
            closing
            and closing.group(1)[0] == fence[0]
            and len(closing.group(1)) >= len(fence)
        ):
            return last
    return len(texts) - 1


def _comment_end(texts: list[str], index: int) -> int:
    """The index of the line where the HTML comment opened at index closes."""
    for last in range(index, len(texts)):
        if "-->" in texts[last]:
            return last
    return len(texts) - 1


def _headings(note: ParsedNote) -> list[tuple[int, tuple[str, ...]]]:
    """(line, heading path) from each heading on (an H1 repeating the title left out)."""
    stack: list[tuple[int, str]] = []
    found: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    for block in note.blocks:
        if block.kind != "heading":
            continue
        text = plain_text(block.inlines).strip().rstrip(":\uff1a").strip()
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        if not (block.level == 1 and text.casefold() == note.title.casefold()):
            stack.append((block.level, text))
        found.append((block.line, tuple(name for _, name in stack)))
    return found


def _parsed(path: str, text: str, index: int) -> tuple[Block, ...]:
    """Markdown written from the 0-based line index on, with the note's line numbers.
    A blank line is put first, so a side that starts with `---` is never front matter."""
    if not text:
        return ()
    return shifted(parse_text(path, "\n" + text).blocks, index - 1)


def _inlines(blocks: tuple[Block, ...]) -> tuple[Inline, ...]:
    """A question's inlines: its lines as written, one line break between two blocks."""
    found: list[Inline] = []
    for block in _leaves(blocks):
        if found:
            found.append(Inline("hardbreak"))
        if block.kind == "code":
            found.append(Inline("code", block.text.rstrip("\n")))
        else:
            found.extend(block.inlines)
    return tuple(found)


def _leaves(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        if block.kind in {"paragraph", "heading", "code", "cell"}:
            yield block
        elif block.kind == "callout" and block.inlines:
            yield block
            yield from _leaves(block.children)
        else:
            yield from _leaves(block.children)


def _pinned(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], str]:
    """The answer without the block id (`^my-id`) that ends it, and the id ("" for none)."""
    last = blocks[-1] if blocks else None
    if last is None or last.kind != "paragraph":
        return blocks, ""
    inlines, pin = split_block_id(last.inlines)
    if not pin:
        return blocks, ""
    kept = (replace(last, inlines=inlines),) if inlines else ()
    return (*blocks[:-1], *kept), pin
