"""pyromark's event stream folded into Blocks and Inlines: the only place that sees events."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyromark

from flashgen.parse.nodes import Block, Inline, shifted

log = logging.getLogger(__name__)

# CommonMark plus what Obsidian writes: tables, footnotes, ~~strike~~, task lists, $math$ and
# [[wikilinks]]. Front matter is split off by hand: pulldown-cmark's YAML blocks also match a
# `---` ... `---` pair in the middle of a note and swallow the text between the two rules.
_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_MATH
    | pyromark.Options.ENABLE_WIKILINKS
)

# `[!Resources:]` (a stray colon) is still a callout in Obsidian's reading view.
_CALLOUT = re.compile(r"^\[!([\w-]+):?\]([+-]?)[ \t]*(.*)$")
# The Admonition plugin's fenced blocks: ```ad-note, then option lines (`title: ...`).
_ADMONITION_OPTION = re.compile(
    r"^(title|collapse|icon|color):[ \t]*(.*)$", re.IGNORECASE
)
# obsidian-spaced-repetition's review schedules (`<!--SR:!2024-01-05,3,250-->`): its
# bookkeeping, never shown on any card.
_SCHEDULE = re.compile(r"<!--SR:[^\n]*?-->")


MAX_NESTING = 32
"""Lists, quotes and emphasis nested deeper than this are flattened, with a warning."""


@dataclass(slots=True)
class _Frame:
    kind: str
    attrs: Any
    start: int
    inlines: list[Inline] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    pending_start: int = -1
    runs: list[str] = field(default_factory=list)
    """Text not yet in `inlines`: joined once, when something else comes (joining each
    piece as it came made a note of 4 MB of `[`, which pyromark splits into as many
    pieces, take minutes)."""

    def settle(self) -> list[Inline]:
        """The inlines, with the text that came last joined into one."""
        if self.runs:
            self.inlines.append(Inline("text", "".join(self.runs)))
            self.runs.clear()
        return self.inlines


_INLINE_CONTAINERS = {
    "Strong",
    "Emphasis",
    "Strikethrough",
    "Link",
    "Image",
    "Superscript",
}
_INLINE_CONTAINERS |= {"Subscript"}
_LITERAL_BLOCKS = {"CodeBlock", "HtmlBlock"}
"""Blocks whose text is kept as it is written, not as inlines."""


class TreeBuilder:
    """Folds pyromark's flat (event, byte range) stream into Blocks and Inlines."""

    def __init__(self, text: str) -> None:
        self._text = text
        encoded = text.encode("utf-8")
        self._line_starts = [0] + [m.end() for m in re.finditer(b"\n", encoded)]
        self.flattened_line = 0
        """First line where nesting went past MAX_NESTING (0: it never did)."""

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def _end_line(self, end: int) -> int:
        return self._line(max(end - 1, 0))

    def build(self) -> tuple[Block, ...]:
        root = _Frame("root", None, 0)
        stack = [root]
        inline_stack: list[_Frame] = []
        # Containers past MAX_NESTING are not opened: their content joins the deepest open
        # one. Ends arrive in reverse order of starts, so counters pair them up.
        skipped_blocks = skipped_inlines = 0
        for event, span in _events(self._text):
            start = span["start"]
            if type(event) is str:
                self._leaf(event, "", start, stack, inline_stack)
                continue
            ((name, value),) = event.items()
            if name == "Text":
                # Most events are text: added here, without the general path's calls.
                top = stack[-1]
                if top.kind in _LITERAL_BLOCKS:
                    top.text.append(value)
                    continue
                target = inline_stack[-1] if inline_stack else top
                if target.pending_start < 0:
                    target.pending_start = start
                target.runs.append(value)
            elif name == "Start":
                tag, attrs = (value, None) if type(value) is str else _split(value)
                if tag in _INLINE_CONTAINERS:
                    if len(inline_stack) >= MAX_NESTING:
                        skipped_inlines += 1
                        self.flattened_line = self.flattened_line or self._line(start)
                    else:
                        inline_stack.append(_Frame(tag, attrs, start))
                elif len(stack) > MAX_NESTING:
                    skipped_blocks += 1
                    self.flattened_line = self.flattened_line or self._line(start)
                else:
                    self._flush_tight(stack[-1], start)
                    stack.append(_Frame(tag, attrs, start))
            elif name == "End":
                tag = value if type(value) is str else _split(value)[0]
                if tag in _INLINE_CONTAINERS:
                    if skipped_inlines:
                        skipped_inlines -= 1
                        continue
                    frame = inline_stack.pop()
                    inline = _close_inline(frame, self._line(frame.start))
                    self._add_inline(inline, start, stack, inline_stack)
                elif skipped_blocks:
                    skipped_blocks -= 1
                else:
                    frame = stack.pop()
                    block = self._close_block(frame, span["end"])
                    self._flush_tight(stack[-1], start)
                    if block.kind != "html" or block.text.strip():
                        stack[-1].children.append(block)
            else:
                self._leaf(name, value, start, stack, inline_stack)
        return tuple(root.children)

    def _leaf(
        self,
        name: str,
        value: Any,
        start: int,
        stack: list[_Frame],
        inline_stack: list[_Frame],
    ) -> None:
        top = stack[-1]
        if top.kind in _LITERAL_BLOCKS and name in {"Text", "Html"}:
            top.text.append(value)
            return
        if name in {"Html", "InlineHtml"} and value.startswith("<!--SR:"):
            value = _SCHEDULE.sub("", value)
            if not value.strip():
                return
        inline = _leaf_inline(name, value)
        if inline is not None and name in {"InlineMath", "DisplayMath"}:
            # Its line, for the messages about its macros.
            inline = Inline(inline.kind, inline.text, line=self._line(start))
        if inline is not None:
            self._add_inline(inline, start, stack, inline_stack)
        elif name == "Rule":
            line = self._line(start)
            top.children.append(Block("rule", line, line))

    def _add_inline(
        self,
        inline: Inline,
        start: int,
        stack: list[_Frame],
        inline_stack: list[_Frame],
    ) -> None:
        target = inline_stack[-1] if inline_stack else stack[-1]
        if target.pending_start < 0:
            target.pending_start = start
        # pyromark splits text at `[`, `!` and `]`; runs are merged so rules see them
        # whole (see _Frame.runs).
        if inline.kind == "text":
            target.runs.append(inline.text)
        else:
            target.settle().append(inline)

    def _flush_tight(self, frame: _Frame, offset: int) -> None:
        """Inline content written straight into a list item becomes a tight paragraph."""
        if frame.kind == "Item" and frame.settle():
            first = self._line(frame.pending_start)
            block = Block(
                "paragraph",
                first,
                max(first, self._end_line(offset)),
                inlines=_strip(tuple(frame.inlines)),
                tight=True,
            )
            frame.children.append(block)
            frame.inlines.clear()
            frame.pending_start = -1

    def _close_block(self, frame: _Frame, end: int) -> Block:
        line, end_line = self._line(frame.start), self._end_line(end)
        kind = frame.kind
        if kind == "Item":
            self._flush_tight(frame, end)
        children = tuple(frame.children)
        inlines = _strip(tuple(frame.settle()))
        if kind == "Paragraph":
            return Block("paragraph", line, end_line, inlines=inlines)
        if kind == "Heading":
            level = int(frame.attrs["level"][1:])
            return Block("heading", line, end_line, inlines=inlines, level=level)
        if kind == "CodeBlock":
            info = (
                frame.attrs.get("Fenced", "") if isinstance(frame.attrs, dict) else ""
            )
            info = info.split()[0] if info.strip() else ""
            text = "".join(frame.text)
            if info.casefold().startswith("ad-") and len(info) > 3:
                return _admonition(info[3:].lower(), text, line, end_line)
            return Block("code", line, end_line, text=text, info=info)
        if kind == "HtmlBlock":
            text = "".join(frame.text)
            if "<!--SR:" in text:
                text = _SCHEDULE.sub("", text)
            return Block("html", line, end_line, text=text)
        if kind == "List":
            return Block("list", line, end_line, children=children, start=frame.attrs)
        if kind == "Item":
            return Block("item", line, end_line, children=children)
        if kind == "BlockQuote":
            return _callout_or_quote(Block("quote", line, end_line, children=children))
        if kind == "Table":
            return Block("table", line, end_line, children=children)
        if kind in {"TableHead", "TableRow"}:
            return Block(
                "row", line, end_line, children=children, head=kind == "TableHead"
            )
        if kind == "TableCell":
            return Block("cell", line, end_line, inlines=inlines)
        if kind == "FootnoteDefinition":
            return Block(
                "footnote", line, end_line, children=children, info=str(frame.attrs)
            )
        # Definition lists and other extensions are not enabled; keep their content.
        log.debug("unexpected block %s kept as a quote", kind)
        return Block("quote", line, end_line, children=children)


def _events(text: str) -> Iterator[tuple[Any, Any]]:
    return iter(pyromark.events_with_range(text, options=_OPTIONS))


def _split(value: Any) -> tuple[str, Any]:
    if isinstance(value, str):
        return value, None
    ((tag, attrs),) = value.items()
    return tag, attrs


def _leaf_inline(name: str, value: Any) -> Inline | None:
    match name:
        case "Text":
            return Inline("text", value)
        case "Code":
            return Inline("code", value)
        case "InlineMath":
            return Inline("math", value)
        case "DisplayMath":
            return Inline("display_math", value)
        case "Html" | "InlineHtml":
            return Inline("html", value)
        case "SoftBreak":
            return Inline("softbreak")
        case "HardBreak":
            return Inline("hardbreak")
        case "FootnoteReference":
            return Inline("footnote", value)
        case "TaskListMarker":
            return Inline("task", "x" if value else "")
    return None


def _close_inline(frame: _Frame, line: int) -> Inline:
    children = tuple(frame.settle())
    if frame.kind in {"Link", "Image"}:
        attrs = frame.attrs
        is_wiki = (
            isinstance(attrs["link_type"], dict) and "WikiLink" in attrs["link_type"]
        )
        kind = {"Link": "link", "Image": "image"}[frame.kind]
        if is_wiki:
            kind = "wikilink" if kind == "link" else "embed"
        return Inline(kind, target=attrs["dest_url"], children=children, line=line)
    names = {
        "Strong": "strong",
        "Emphasis": "emphasis",
        "Strikethrough": "strikethrough",
    }
    return Inline(names.get(frame.kind, "emphasis"), children=children)


def _strip(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Drop trailing breaks and the trailing spaces Obsidian users leave on lines."""
    items = list(inlines)
    while items and items[-1].kind in {"softbreak", "hardbreak"}:
        items.pop()
    if items and items[-1].kind == "text":
        stripped = items[-1].text.rstrip()
        items[-1] = Inline("text", stripped)
        if not stripped:
            items.pop()
    return tuple(items)


def _admonition(kind: str, text: str, line: int, end_line: int) -> Block:
    """```` ```ad-Definition ```` with `title: ...`: the plugin renders the body as
    Markdown in a callout box, so it is one: a callout of that type with that title."""
    lines = text.split("\n")
    title = ""
    skipped = 0
    while skipped < len(lines) and (found := _ADMONITION_OPTION.match(lines[skipped])):
        if found.group(1).casefold() == "title":
            title = found.group(2).strip()
        skipped += 1
    body = "\n".join(lines[skipped:])
    children = shifted(TreeBuilder(body).build(), line + skipped)
    title_inlines: tuple[Inline, ...] = ()
    if title:
        parsed = TreeBuilder(title).build()
        first = parsed[0] if parsed else None
        title_inlines = first.inlines if first is not None else ()
    return Block(
        "callout", line, end_line, inlines=title_inlines, children=children, info=kind
    )


def _callout_or_quote(quote: Block) -> Block:
    """`> [!type] Title` opens an Obsidian callout: keep its type and title apart."""
    first = quote.children[0] if quote.children else None
    if first is None or first.kind != "paragraph" or not first.inlines:
        return quote
    lead = first.inlines[0]
    if lead.kind != "text":
        return quote
    head, _, rest = lead.text.partition("\n")
    found = _CALLOUT.match(head)
    if not found:
        return quote
    title_inlines: list[Inline] = (
        [Inline("text", found.group(3))] if found.group(3) else []
    )
    body = list(first.inlines[1:])
    if rest:
        body.insert(0, Inline("text", rest))
    # The title runs to the first line break; what follows is the callout's first paragraph.
    while body and body[0].kind not in {"softbreak", "hardbreak"}:
        title_inlines.append(body.pop(0))
    if body:
        body.pop(0)
    children = list(quote.children[1:])
    if body:
        children.insert(
            0, Block("paragraph", first.line + 1, first.end_line, tuple(body))
        )
    return Block(
        "callout",
        quote.line,
        quote.end_line,
        inlines=tuple(title_inlines),
        children=tuple(children),
        info=found.group(1).lower(),
    )
