"""Render stage: CardDraft -> RenderedCard.

Writes each field's HTML from the block tree (math for MathJax, wikilinks as their text,
embedded images under content-hashed names) and passes it through an HTML sanitiser, so a
deck never carries scripts whatever the note contains.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote

from flashgen.extract import CardDraft
from flashgen.parse import Block, Inline, plain_text, split_block_id
from flashgen.records import quick_init
from flashgen.render.cloze import cloze_marks, code_braces, finish
from flashgen.render.highlight import CODE_CLASS, highlight_code
from flashgen.render.macros import NO_MACROS, MacroTable, expand_maths
from flashgen.render.media import AUDIO_SUFFIXES, IMAGE_SUFFIXES, MediaFile, MediaIndex
from flashgen.render.place import CONTEXT_SEPARATOR, context_line, place_of
from flashgen.render.safety import sanitise, source_field, without_av_tags
from flashgen.render.transclude import (
    MAX_DEPTH,
    MAX_EXPANDED,
    Embedded,
    Expansion,
    NoteLibrary,
)
from flashgen.report import Diagnostic, Severity

# A single `=` may stand inside (`==degree >= k-1==`), as Obsidian reads it.
_HIGHLIGHT = re.compile(r"==(?=\S)((?:[^=\n]|=(?!=))*?\S)==")
# `\*\*term\*\*` (bold escaped on its way into the note) and `**term **` (a space before
# the closing stars, which Markdown does not close) arrive as text; both mean bold. Stars
# inside a word (`x**2`) stay.
_LITERAL_BOLD = re.compile(
    r"(?<![\w*])\*\*(?=\S)([^*\n]*?\S)(?:\s*\*\*(?![\w*])|\s+\*\*(?=\w))"
)


@quick_init
@dataclass(frozen=True, slots=True)
class RenderedCard:
    """A card as Anki will store it: HTML fields, tags, deck, and its media."""

    draft: CardDraft
    """Where the card comes from; its question and answer trees are dropped once rendered,
    so a large vault's cards stay small in memory."""
    deck: str
    question: str
    answer: str
    context: str
    source: str
    media: tuple[MediaFile, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Rendering:
    card: RenderedCard
    diagnostics: tuple[Diagnostic, ...]


def render_card(
    draft: CardDraft,
    deck: str,
    media: MediaIndex,
    source_link: str | None = None,
    *,
    show_source: bool = True,
    library: NoteLibrary | None = None,
    macros: MacroTable = NO_MACROS,
) -> Rendering:
    """Turn a draft into HTML fields; missing media become placeholders and warnings.

    `source_link` is the URL the Source field links to (None: the note's path as text);
    without `show_source` the Source field stays empty. `macros` are expanded in maths.
    """
    writer = _HtmlWriter(draft.note_path, draft.line, media, library)
    writer.macros = macros
    writer.cloze = draft.kind == "cloze"
    question = writer.inlines(draft.question)
    if draft.kind == "list":
        count = len(draft.answer[0].children) if draft.answer else 0
        question += f' <span class="fg-hint">(list the {count})</span>'
    # A question worded apart from its label (numbering left off, a subject added) has
    # the label in its place, so `Example 1` and `Example 2` stay two fields for Anki.
    place = draft.context
    # A cloze's label is what it hides: never in its place.
    if draft.kind != "cloze" and plain_text(draft.question).strip() != draft.label:
        place = (*place, draft.label)
    question += place_of(draft.note_title, place, draft.occurrence)
    answer = writer.blocks(draft.answer)
    if draft.footnotes:
        answer += f'<div class="fg-footnotes">{writer.blocks(draft.footnotes)}</div>'
    if writer.has_raw_html:
        question, answer = sanitise(question), sanitise(answer)
    question, answer = finish(question), finish(answer)
    card = RenderedCard(
        draft=draft.with_(question=(), answer=(), footnotes=()),
        deck=deck,
        question=without_av_tags(question, writer.sounds),
        answer=without_av_tags(answer, writer.sounds),
        context=without_av_tags(context_line(draft.note_title, draft.context), ()),
        source=source_field(draft.note_path, source_link) if show_source else "",
        media=tuple(dict.fromkeys(writer.media)),
    )
    return Rendering(card, tuple(writer.diagnostics))


class _HtmlWriter:
    def __init__(
        self, note_path: str, line: int, media: MediaIndex, library: NoteLibrary | None
    ) -> None:
        self._note_path = note_path
        self._line = line
        self._media = media
        self._library = library
        self._embedding: list[str] = [note_path]
        """The chain of notes being embedded, outermost first (to stop loops)."""
        self._reading: list[_Reading] = []
        """For each embed being rendered, innermost last: what it depends on."""
        self.media: list[MediaFile] = []
        self.sounds: list[str] = []
        """Names (in the deck) of the audio files embedded: their `[sound:]` tags."""
        self.diagnostics: list[Diagnostic] = []
        self.macros = NO_MACROS
        self.cloze = False
        """A cloze card: `{{` in code must not read as a cloze."""
        # Everything else is escaped here; only HTML from the note needs the sanitiser.
        self.has_raw_html = False

    def blocks(self, blocks: Iterable[Block]) -> str:
        return "".join(self.block(block) for block in blocks)

    def block(self, block: Block) -> str:
        self._line = block.line
        match block.kind:
            case "paragraph":
                # `text ^my-id`: Obsidian's block id, never shown.
                inner = self.inlines(split_block_id(block.inlines)[0])
                if block.tight:
                    return inner
                # Embedded blocks cannot sit inside a <p>.
                tag = "div" if '<div class="fg-transclusion">' in inner else "p"
                return f"<{tag}>{inner}</{tag}>"
            case "heading":
                return f"<h{block.level}>{self.inlines(block.inlines)}</h{block.level}>"
            case "list":
                if block.start is None:
                    return f"<ul>{self.blocks(block.children)}</ul>"
                start = f' start="{block.start}"' if block.start != 1 else ""
                return f"<ol{start}>{self.blocks(block.children)}</ol>"
            case "item":
                return f"<li>{self.blocks(block.children)}</li>"
            case "quote":
                return f"<blockquote>{self.blocks(block.children)}</blockquote>"
            case "callout":
                kind = html.escape(block.info)
                title = self.inlines(block.inlines) or html.escape(block.info.title())
                return (
                    f'<div class="fg-callout fg-callout-{kind}">'
                    f'<div class="fg-callout-title">{title}</div>'
                    f"{self.blocks(block.children)}</div>"
                )
            case "code":
                language = (
                    f' class="language-{html.escape(block.info)}"' if block.info else ""
                )
                code = highlight_code(block.text, block.info)
                return f'<pre class="{CODE_CLASS}"><code{language}>{code}</code></pre>'
            case "table":
                return self._table(block)
            case "html":
                self.has_raw_html = True
                return block.text
            case "rule":
                return "<hr>"
            case "footnote":
                label = html.escape(block.info)
                body = self.blocks(block.children)
                return f'<div class="fg-footnote"><sup>{label}</sup> {body}</div>'
        return self.blocks(block.children)

    def _table(self, table: Block) -> str:
        head = [row for row in table.children if row.head]
        body = [row for row in table.children if not row.head]
        parts = ["<table>"]
        if head:
            parts.append(
                "<thead>" + "".join(self._row(r, "th") for r in head) + "</thead>"
            )
        if body:
            parts.append(
                "<tbody>" + "".join(self._row(r, "td") for r in body) + "</tbody>"
            )
        parts.append("</table>")
        return "".join(parts)

    def _row(self, row: Block, cell: str) -> str:
        cells = "".join(
            f"<{cell}>{self.inlines(c.inlines)}</{cell}>" for c in row.children
        )
        return f"<tr>{cells}</tr>"

    def inlines(self, inlines: Iterable[Inline]) -> str:
        return "".join(self.inline(inline) for inline in inlines)

    def inline(self, inline: Inline) -> str:
        match inline.kind:
            case "text":
                # Obsidian's ==highlight== has no CommonMark syntax; it arrives as text.
                text = html.escape(inline.text, quote=False)
                if "**" in text:
                    text = _LITERAL_BOLD.sub(r"<strong>\1</strong>", text)
                return (
                    _HIGHLIGHT.sub(r"<mark>\1</mark>", text) if "==" in text else text
                )
            case "code":
                code = html.escape(inline.text, quote=False)
                return f"<code>{code_braces(code) if self.cloze else code}</code>"
            case "math":
                # Anki's MathJax reads \( \) and \[ \]; Obsidian writes $ and $$.
                return f"\\({self._maths(inline)}\\)"
            case "display_math":
                return f"\\[{self._maths(inline)}\\]"
            case "strong":
                return f"<strong>{self.inlines(inline.children)}</strong>"
            case "emphasis":
                return f"<em>{self.inlines(inline.children)}</em>"
            case "strikethrough":
                return f"<del>{self.inlines(inline.children)}</del>"
            case "softbreak" | "hardbreak":
                # Obsidian shows a single line break as a break (its default reading view).
                return "<br>"
            case "link":
                return self._link(inline)
            case "wikilink":
                return f'<span class="fg-link">{self._wikilink_text(inline)}</span>'
            case "image" | "embed":
                return self._embed(inline)
            case "html":
                self.has_raw_html = True
                return inline.text
            case "footnote":
                return f"<sup>[{html.escape(inline.text)}]</sup>"
            case "task":
                return "\u2611 " if inline.text else "\u2610 "
            case "cloze":
                inner = self.inlines(inline.children)
                return cloze_marks(inline.target, inner, inline.text)
        return self.inlines(inline.children)

    def _maths(self, inline: Inline) -> str:
        expanded = expand_maths(inline.text, self.macros)
        for problem in expanded.problems:
            self._warn(inline.line or self._line, problem)
        return html.escape(expanded.tex, quote=False)

    def _wikilink_text(self, inline: Inline) -> str:
        """The alias, else the target as Obsidian shows it: `Note#Part` reads `Note › Part`."""
        shown = plain_text(inline.children)
        if shown and shown != inline.target:
            return self.inlines(inline.children)
        note, _, anchor = inline.target.partition("#")
        anchor = "" if anchor.startswith("^") else anchor  # block ids are not shown
        parts = [part for part in (note, anchor) if part]
        return html.escape(CONTEXT_SEPARATOR.join(parts) or inline.target)

    def _link(self, inline: Inline) -> str:
        text = self.inlines(inline.children) or html.escape(inline.target)
        if inline.target.startswith(("http://", "https://", "mailto:")):
            return f'<a href="{html.escape(inline.target)}">{text}</a>'
        return f'<span class="fg-link">{text}</span>'

    def _embed(self, inline: Inline) -> str:
        target = (
            inline.target.strip()
        )  # `![[name.png | 500]]` leaves a space before the `|`
        alt = plain_text(inline.children)
        if target.startswith(("http://", "https://")):
            # A remote image would be fetched by Anki on every review; keep it a link
            # (named by its alt text: a bare URL reads as broken text on a card).
            label = html.escape(alt or "(image)")
            return f'<a href="{html.escape(target)}">{label}</a>'
        suffix = PurePosixPath(unquote(target.split("#", 1)[0])).suffix.lower()
        if (
            inline.kind == "embed"
            and suffix in {"", ".md"}
            and self._library is not None
        ):
            return self._transclude(target, inline.line or self._line)
        if inline.kind == "embed" and suffix not in IMAGE_SUFFIXES | AUDIO_SUFFIXES:
            # PDFs and other files: show what is embedded, by name.
            return f'<span class="fg-embed">{html.escape(target)}</span>'
        if self._media.leaves_vault(target, self._note_path):
            # Never read, not even by file name: a shared deck must not carry files from
            # outside the vault.
            self._warn(
                inline.line or self._line,
                f"embedded file '{target}' is outside the vault and was left out "
                "(move the file into the vault)",
            )
            return f'<span class="fg-missing">[outside the vault: {html.escape(target)}]</span>'
        found = self._media.resolve(target, self._note_path)
        if found is None:
            self._warn(
                inline.line or self._line,
                f"embedded file '{target}' not found in the vault "
                "(check the name, or add the file to the vault)",
            )
            return f'<span class="fg-missing">[missing: {html.escape(target)}]</span>'
        media = self._media.media_file(found)
        self.media.append(media)
        if suffix in AUDIO_SUFFIXES:
            self.sounds.append(media.name)
            return f"[sound:{media.name}]"
        size = _size(alt) if inline.kind == "embed" else ""
        alt_text = "" if inline.kind == "embed" else html.escape(alt)
        return f'<img src="{media.name}" alt="{alt_text}"{size}>'

    def _transclude(self, target: str, line: int) -> str:
        """`![[Note#Heading]]`: the embedded content, rendered in place (loops stopped)."""
        assert self._library is not None
        name = html.escape(target)
        link = f'<span class="fg-embed">{name}</span>'
        if len(self._embedding) > MAX_DEPTH:
            return link
        found = self._library.embed(target, self._note_path)
        if isinstance(found, str):
            self._warn(line, f"{found}; shown as its name")
            return link
        key = f"{found.path}#{target.partition('#')[2]}"
        whole = "#" not in target
        if self._reading:
            # What this embed's rendering depends on, for the expansions around it.
            reading = self._reading[-1]
            reading.notes.add(found.path)
            reading.checked.add(key)
            if whole:
                reading.checked.add(_ROOT + found.path)
        if key in self._embedding or (found.path == self._embedding[0] and whole):
            self._warn(
                line,
                f"'{target}' embeds itself in a loop; shown as its name "
                "(remove one of the embeds)",
            )
            return link
        library = self._library
        if not library.has_room():
            if not library.cut:
                self.diagnostics.append(
                    Diagnostic(
                        self._embedding[0],
                        0,
                        Severity.WARNING,
                        f"embeds expand to more than {MAX_EXPANDED:,} characters in "
                        "all; the rest are shown as their names (embed fewer notes, "
                        "or sections of them)",
                    )
                )
            library.cut += 1
            return link
        # Rendered once, then taken from the library wherever it is embedded again
        # at the same depth (with the same outcome of its loop checks).
        depth = len(self._embedding)
        chain = frozenset((*self._embedding, _ROOT + self._embedding[0]))
        kept = library.expansion(key, depth, chain)
        if kept is None:
            kept = self._expand(key, found, depth, chain)
        else:
            self.media.extend(kept.media)
            # Its audio embeds stay tags (any other name restored names no sound).
            self.sounds.extend(media.name for media in kept.media)
            self.diagnostics.extend(kept.diagnostics)
            self._media.consulted = self._media.consulted or kept.consulted_media
            if self._reading:
                self._reading[-1].notes.update(kept.notes)
                self._reading[-1].checked.update(kept.checked)
        library.expanded += len(kept.html)
        return kept.html

    def _expand(
        self, key: str, found: Embedded, depth: int, chain: frozenset[str]
    ) -> Expansion:
        library = self._library
        assert library is not None
        media, diagnostics, cut = len(self.media), len(self.diagnostics), library.cut
        consulted = self._media.consulted
        self._media.consulted = False
        reading = _Reading()
        self._reading.append(reading)
        outer_path, outer_line = self._note_path, self._line
        self._embedding.append(key)
        self._note_path = found.path
        try:
            body = self.blocks(found.blocks)
        finally:
            self._embedding.pop()
            self._note_path, self._line = outer_path, outer_line
            self._reading.pop()
            used_media = self._media.consulted
            self._media.consulted = consulted or used_media
        if self._reading:
            self._reading[-1].notes.update(reading.notes)
            self._reading[-1].checked.update(reading.checked)
        expansion = Expansion(
            f'<div class="fg-transclusion">{body}</div>',
            tuple(self.media[media:]),
            tuple(self.diagnostics[diagnostics:]),
            frozenset(reading.notes),
            used_media,
            frozenset(reading.checked),
            frozenset(reading.checked & chain),
        )
        library.rendered += 1
        if library.cut == cut:  # cut short for want of room: not the same elsewhere
            library.keep(key, depth, expansion)
        return expansion

    def _warn(self, line: int, message: str) -> None:
        self.diagnostics.append(
            Diagnostic(self._note_path, line, Severity.WARNING, message)
        )


_ROOT = "root:"
"""Marks the outermost note in a chain of embeds: it may not embed itself whole."""


@dataclass(slots=True)
class _Reading:
    notes: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)


def _size(spec: str) -> str:
    """`![[x.png|300]]` and `![[x.png|300x200]]` set the width (and height)."""
    width, _, height = spec.strip().partition("x")
    if not width.isdigit() or (height and not height.isdigit()):
        return ""
    return f' width="{width}"' + (f' height="{height}"' if height else "")
