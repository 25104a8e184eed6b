"""Parse stage: SourceFile -> ParsedNote.

Decodes and repairs the text, reads the front matter, and turns pyromark's event stream into
a small block tree with 1-based line spans. No card logic lives here.
"""

from __future__ import annotations

import bisect
import codecs
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import ftfy
import ftfy.badness
import pyromark
import yaml

from flashgen.discover import SourceFile
from flashgen.report import Diagnostic, Severity

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

_CALLOUT = re.compile(r"^\[!([\w-]+)\]([+-]?)[ \t]*(.*)$")


@dataclass(frozen=True, slots=True)
class Inline:
    """One inline element.

    kind is one of: text, code, math, display_math, strong, emphasis, strikethrough, link,
    wikilink, image, embed, html, softbreak, hardbreak, footnote, task.
    """

    kind: str
    text: str = ""
    """Literal content: the text, code or math source; "x" or "" for a task marker."""
    target: str = ""
    """Destination of a link, wikilink, image or embed."""
    children: tuple[Inline, ...] = ()
    line: int = 0
    """1-based line of a link, image or embed (for messages); 0 for other inlines."""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the note.

    kind is one of: heading, paragraph, list, item, quote, callout, code, table, row, cell,
    html, rule, footnote.
    """

    kind: str
    line: int
    """First line of the block, 1-based."""
    end_line: int
    """Last line of the block, 1-based, inclusive."""
    inlines: tuple[Inline, ...] = ()
    children: tuple[Block, ...] = ()
    level: int = 0
    """Heading level (1-6)."""
    start: int | None = None
    """First number of an ordered list; None for a bullet list."""
    info: str = ""
    """Code block language, callout type, or footnote label."""
    text: str = ""
    """Code or HTML block content."""
    tight: bool = False
    """A paragraph written directly in a tight list item (rendered without <p>)."""
    head: bool = False
    """A table's header row."""


@dataclass(frozen=True, slots=True)
class ParsedNote:
    """A note's front matter and block tree."""

    path: str
    """Vault-relative POSIX path."""
    title: str
    """The file name without `.md`, as Obsidian shows it."""
    source: str
    """The decoded, repaired text (LF line ends)."""
    front_matter: Mapping[str, Any]
    blocks: tuple[Block, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


MAX_NOTE_BYTES = 4 * 1024 * 1024
"""Notes larger than this are left out with a warning (the largest real notes are far smaller)."""
MAX_NESTING = 32
"""Lists, quotes and emphasis nested deeper than this are flattened, with a warning."""


def parse_note(source: SourceFile) -> ParsedNote:
    """Read, decode, repair and parse one note. Problems become diagnostics, never exceptions.

    Raises OSError when the file cannot be read at all.
    """
    size = source.path.stat().st_size
    if size > MAX_NOTE_BYTES:
        limit = MAX_NOTE_BYTES // (1024 * 1024)
        problem = Diagnostic(
            source.rel,
            0,
            Severity.WARNING,
            f"note is {size / 1024 / 1024:.1f} MB, over the {limit} MB limit, and makes "
            "no cards (split it into smaller notes)",
        )
        return _empty(source.rel, (problem,))
    text, problems = decode_note(source.rel, source.path.read_bytes())
    if text is None:
        return _empty(source.rel, problems)
    return parse_text(source.rel, (text, problems))


def _empty(rel: str, diagnostics: tuple[Diagnostic, ...]) -> ParsedNote:
    return ParsedNote(rel, PurePosixPath(rel).stem, "", {}, (), diagnostics)


def parse_text(
    rel: str, decoded: tuple[str, tuple[Diagnostic, ...]] | str
) -> ParsedNote:
    """Parse already-decoded Markdown (the entry point tests use with plain strings)."""
    text, diagnostics = (decoded, ()) if isinstance(decoded, str) else decoded
    text, repaired = _repair_mojibake(rel, text)
    diagnostics = (*diagnostics, *repaired)
    title = PurePosixPath(rel).stem
    raw, body = _split_front_matter(text)
    builder = _TreeBuilder(body)
    blocks = builder.build()
    if builder.flattened_line:
        diagnostics = (
            *diagnostics,
            Diagnostic(
                rel,
                builder.flattened_line,
                Severity.WARNING,
                f"lists, quotes or emphasis nested more than {MAX_NESTING} deep were "
                "flattened (nest less deeply)",
            ),
        )
    front_matter: Mapping[str, Any] = {}
    if raw is not None:
        front_matter, problem = _load_front_matter(rel, raw, 1)
        if problem:
            diagnostics = (*diagnostics, problem)
    return ParsedNote(
        path=rel,
        title=title,
        source=text,
        front_matter=front_matter,
        blocks=blocks,
        diagnostics=diagnostics,
    )


_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.DOTALL | re.MULTILINE
)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML, body). The body keeps its line numbers: front matter becomes blank lines."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return None, text
    return found.group(1), "\n" * found.group(0).count("\n") + text[found.end() :]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_note(rel: str, data: bytes) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """The note's text with LF line ends, or None for a file that is not text."""
    problems: list[Diagnostic] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        problems.append(
            Diagnostic(
                rel,
                1,
                Severity.WARNING,
                "note is UTF-16; read it (re-save it as UTF-8)",
            )
        )
    elif b"\x00" in data[:8192]:
        return None, (
            Diagnostic(
                rel,
                0,
                Severity.ERROR,
                "not a text file (NUL bytes): no cards (rename it, or remove it from the vault)",
            ),
        )
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            # Latin-1 and Windows-1252 are what non-UTF-8 notes nearly always are.
            text = data.decode("cp1252", errors="replace")
            problems.append(
                Diagnostic(
                    rel,
                    line,
                    Severity.WARNING,
                    "note is not UTF-8; read it as Windows-1252 (re-save it as UTF-8)",
                )
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if found := _CONTROL.search(text):
        # Control bytes would reach the terminal or, as \x1f, split an Anki note's fields.
        line = text.count("\n", 0, found.start()) + 1
        text = _CONTROL.sub("", text)
        problems.append(
            Diagnostic(
                rel,
                line,
                Severity.WARNING,
                "control characters removed from the note (remove them from the file)",
            )
        )
    return text, tuple(problems)


def _repair_mojibake(rel: str, text: str) -> tuple[str, tuple[Diagnostic, ...]]:
    """Undo UTF-8 read as Windows-1252 (`ðŸ“–` -> `📖`), line by line, and say where."""
    if text.isascii() or not ftfy.badness.is_bad(text):
        return text, ()
    lines = text.split("\n")
    fixed_lines = []
    first_line = 0
    count = 0
    for number, line in enumerate(lines, start=1):
        fixed = ftfy.fix_encoding(line) if ftfy.badness.is_bad(line) else line
        if fixed != line:
            count += 1
            first_line = first_line or number
        fixed_lines.append(fixed)
    if not count:
        return text, ()
    more = f" and {count - 1} more line{'s' if count > 2 else ''}" if count > 1 else ""
    problem = Diagnostic(
        rel,
        first_line,
        Severity.WARNING,
        f"repaired mis-encoded text (UTF-8 read as Windows-1252) on this line{more} "
        "(re-save the note as UTF-8 to silence this)",
    )
    return "\n".join(fixed_lines), (problem,)


# libyaml's safe loader when PyYAML was built with it (its wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS_COMMENT = re.compile(r"^tags:[ \t]*((?:#[^\s#]+[ \t]*)+)$", re.MULTILINE)


MAX_FRONT_MATTER = 64 * 1024


def _load_front_matter(
    rel: str, raw: str, line: int
) -> tuple[Mapping[str, Any], Diagnostic | None]:
    if len(raw) > MAX_FRONT_MATTER:
        return {}, Diagnostic(
            rel,
            line,
            Severity.WARNING,
            f"front matter is over {MAX_FRONT_MATTER // 1024} KB and was ignored "
            "(move long text out of the front matter)",
        )
    try:
        loaded = yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = line + 1 + (mark.line if mark is not None else 0)
        reason = getattr(err, "problem", None) or "invalid YAML"
        return {}, Diagnostic(
            rel,
            where,
            Severity.ERROR,
            f"front matter is not valid YAML: {reason} "
            "(fix the YAML between the --- lines; tags and deck from it are ignored)",
        )
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        return {}, Diagnostic(
            rel,
            line + 1,
            Severity.ERROR,
            f"front matter is a {type(loaded).__name__}, not a mapping "
            "(write it as `key: value` lines)",
        )
    # `tags: #x` is a YAML comment, so YAML sees no tags; Obsidian users mean the tag.
    if loaded.get("tags") is None and (found := _TAGS_COMMENT.search(raw)):
        loaded["tags"] = found.group(1).split()
    return {str(key): value for key, value in loaded.items()}, None


@dataclass(slots=True)
class _Frame:
    kind: str
    attrs: Any
    start: int
    inlines: list[Inline] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    pending_start: int = -1


_INLINE_CONTAINERS = {
    "Strong",
    "Emphasis",
    "Strikethrough",
    "Link",
    "Image",
    "Superscript",
}
_INLINE_CONTAINERS |= {"Subscript"}


class _TreeBuilder:
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
            start, end = span["start"], span["end"]
            if isinstance(event, str):
                self._leaf(event, "", start, stack, inline_stack)
                continue
            ((name, value),) = event.items()
            if name == "Start":
                tag, attrs = _split(value)
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
                tag, _ = _split(value)
                if tag in _INLINE_CONTAINERS and skipped_inlines:
                    skipped_inlines -= 1
                elif tag not in _INLINE_CONTAINERS and skipped_blocks:
                    skipped_blocks -= 1
                elif tag in _INLINE_CONTAINERS:
                    frame = inline_stack.pop()
                    inline = _close_inline(frame, self._line(frame.start))
                    self._add_inline(inline, start, stack, inline_stack)
                else:
                    frame = stack.pop()
                    block = self._close_block(frame, end)
                    self._flush_tight(stack[-1], start)
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
        if top.kind in {"CodeBlock", "HtmlBlock"} and name in {"Text", "Html"}:
            top.text.append(value)
            return
        inline = _leaf_inline(name, value)
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
        inlines = target.inlines
        # pyromark splits text at `[`, `!` and `]`; merge so rules see whole runs.
        if inline.kind == "text" and inlines and inlines[-1].kind == "text":
            inlines[-1] = Inline("text", inlines[-1].text + inline.text)
        else:
            inlines.append(inline)

    def _flush_tight(self, frame: _Frame, offset: int) -> None:
        """Inline content written straight into a list item becomes a tight paragraph."""
        if frame.kind == "Item" and frame.inlines:
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
        inlines = _strip(tuple(frame.inlines))
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
            return Block("code", line, end_line, text="".join(frame.text), info=info)
        if kind == "HtmlBlock":
            return Block("html", line, end_line, text="".join(frame.text))
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
    children = tuple(frame.inlines)
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


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text a reader sees, without markup (wikilinks show their alias or target)."""
    parts: list[str] = []
    for inline in inlines:
        if inline.kind in {"text", "code", "math", "display_math"}:
            parts.append(inline.text)
        elif inline.kind in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif inline.kind == "wikilink" and not inline.children:
            parts.append(inline.target)
        elif inline.kind in {"embed", "image", "html", "footnote", "task"}:
            continue
        else:
            parts.append(plain_text(inline.children))
    return "".join(parts)


_BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$|^\^([A-Za-z0-9-]+)\s*$")


def split_block_id(inlines: tuple[Inline, ...]) -> tuple[tuple[Inline, ...], str]:
    """Split off an Obsidian block id (`text ^my-id`) written at the end of a block."""
    last = inlines[-1] if inlines else None
    if (
        last is None
        or last.kind != "text"
        or not (found := _BLOCK_ID.search(last.text))
    ):
        return inlines, ""
    text = last.text[: found.start()].rstrip()
    kept = (*inlines[:-1], Inline("text", text)) if text else inlines[:-1]
    return kept, found.group(1) or found.group(2)


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block, depth first, in source order."""
    for block in blocks:
        yield block
        yield from walk_blocks(block.children)
