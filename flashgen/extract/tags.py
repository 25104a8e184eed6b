"""Tags: front-matter `tags` and inline `#tags` of a note, as Anki tags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flashgen.parse import Inline, ParsedNote, walk_blocks

_TAG = re.compile(r"(?<![\w/&#])#([^\s#,.;:!?()\[\]{}<>\"'`|\\=+*^%$@~]+)")


def note_tags(note: ParsedNote, *, folder_tags: bool = False) -> tuple[str, ...]:
    """Front-matter tags and inline `#tags` (not in code or headings), as Anki tags."""
    found: list[str] = []
    if folder_tags and "/" in note.path:
        found.append(note.path.rsplit("/", 1)[0])
    raw = note.front_matter.get("tags")
    if isinstance(raw, str):
        raw = re.split(r"[\s,]+", raw)
    if isinstance(raw, list):
        # Only plain values: a YAML alias bomb hides billions of items in nested lists.
        found.extend(
            str(tag) for tag in raw if isinstance(tag, str | int) and tag is not True
        )
    for block in walk_blocks(note.blocks):
        if block.kind != "heading":
            for text in _texts(block.inlines):
                if "#" in text:
                    found.extend(m.group(1) for m in _TAG.finditer(text))
    tags: dict[str, str] = {}
    for tag in found:
        cleaned = tag.strip().lstrip("#").strip("/").replace("/", "::")
        cleaned = re.sub(r"\s+", "_", cleaned)
        # Anki's tags ignore case: `Chemistry` and `chemistry` are one tag; keep the first.
        if cleaned and not cleaned.isdigit():
            tags.setdefault(cleaned.casefold(), cleaned)
    return tuple(tags.values())


def _texts(inlines: Iterable[Inline]) -> Iterator[str]:
    for inline in inlines:
        if inline.kind == "text":
            yield inline.text
        elif inline.kind in {"strong", "emphasis", "strikethrough"}:
            yield from _texts(inline.children)
