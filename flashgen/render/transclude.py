"""Transclusion for the render stage: `![[Note]]`, `![[Note#Heading]]`, `![[Note#^block]]`.

Finds the embedded note the way Obsidian does (exact path, relative to the note, then by
name, closest first), parses it on demand (a small cache keeps repeated embeds cheap) and
picks the embedded blocks. Loops are the renderer's to stop: it keeps the chain of embeds.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flashgen.discover import SourceFile
from flashgen.parse import (
    Block,
    ParsedNote,
    parse_note,
    plain_text,
    split_block_id,
    walk_blocks,
)
from flashgen.render.media import MediaFile, closest
from flashgen.report import Diagnostic

MAX_DEPTH = 4
"""Embeds inside embeds deeper than this are shown as links."""
MAX_EXPANDED = 500_000
"""Characters of embedded content (HTML, at every depth) one note's cards may hold in
all; further embeds are shown as links, with a warning. The depth limit alone let a
vault of 100 small notes, each embedding others 80 times, expand to gigabytes."""
_KEPT_EXPANSIONS = 1024


@dataclass(frozen=True, slots=True)
class Expansion:
    """An embed rendered once, kept for every other place that embeds the same thing at
    the same depth (see NoteLibrary.expansion)."""

    html: str
    media: tuple[MediaFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    notes: frozenset[str]
    """The notes it embeds, at any depth (what the note embedding it depends on)."""
    consulted_media: bool
    checked: frozenset[str]
    """What its loop checks looked for in the chain of embeds around it: the embeds
    inside it, and `root:<path>` for a whole note embedded (see card.py)."""
    found: frozenset[str]
    """Those of `checked` that were in the chain when it was rendered."""


@dataclass(frozen=True, slots=True)
class Embedded:
    """What an embed resolved to: the note it comes from and the blocks it shows."""

    path: str
    blocks: tuple[Block, ...]


def _stem(rel: str) -> str:
    """PurePosixPath(rel).stem, without making a path for each of a vault's notes."""
    name = rel.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


class NoteLibrary:
    """The vault's notes by path and by name, parsed when first embedded."""

    def __init__(self, root: Path, notes: Iterable[SourceFile]) -> None:
        self._root = root
        self._paths = {note.rel: note for note in notes}
        self._by_name: dict[str, list[str]] = {}
        for rel in self._paths:
            self._by_name.setdefault(_stem(rel).casefold(), []).append(rel)
        self._load = functools.lru_cache(maxsize=256)(self._parse)
        self.consulted = False
        """Set by resolve(): the note being processed depends on the vault's note list."""
        self.embedded: set[str] = set()
        """Notes embed() read since this was last cleared."""
        self._expansions: OrderedDict[tuple[str, int], Expansion] = OrderedDict()
        self.rendered = 0
        """Embeds rendered (not taken from the ones kept): a measure of the work done."""
        self.expanded = 0
        """Characters of embedded content given to the note being processed."""
        self.cut = 0
        """Embeds of the note being processed shown as links for want of room."""

    def start_note(self) -> None:
        """Forget what the last note read and expanded (not the expansions kept)."""
        self.consulted = False
        self.embedded.clear()
        self.expanded = self.cut = 0

    def has_room(self) -> bool:
        """Whether the note being processed may expand another embed."""
        return self.expanded < MAX_EXPANDED

    def expansion(
        self, key: str, depth: int, chain: frozenset[str]
    ) -> Expansion | None:
        """The kept rendering of embed `key` at `depth`, if it would be rendered the same
        inside this chain of embeds: its loop checks find in it what they found then."""
        found = self._expansions.get((key, depth))
        if found is None or found.checked & chain != found.found:
            return None
        self._expansions.move_to_end((key, depth))
        self.embedded.update(found.notes)
        self.consulted = True
        return found

    def keep(self, key: str, depth: int, expansion: Expansion) -> None:
        self._expansions[key, depth] = expansion
        if len(self._expansions) > _KEPT_EXPANSIONS:
            self._expansions.popitem(last=False)

    def resolve(self, name: str, from_path: str) -> str | None:
        """The vault path of the note `name` names, seen from `from_path`, or None."""
        self.consulted = True
        name = name.strip()
        wanted = name if name.lower().endswith(".md") else f"{name}.md"
        folder = PurePosixPath(from_path).parent
        for candidate in (wanted.lstrip("/"), (folder / wanted).as_posix()):
            if candidate in self._paths:
                return candidate
        return closest(
            self._by_name.get(PurePosixPath(wanted).stem.casefold(), ()), from_path
        )

    def embed(self, target: str, from_path: str) -> Embedded | str:
        """The blocks `target` embeds, or why it cannot (a message for a warning)."""
        name, _, anchor = target.partition("#")
        rel = self.resolve(name, from_path) if name else from_path
        if rel is None:
            return f"embedded note '{name}' not found in the vault (check the name)"
        self.embedded.add(rel)
        note = self._load(rel)
        if not anchor:
            return Embedded(rel, note.blocks)
        if anchor.startswith("^"):
            found = _block_with_id(note.blocks, anchor[1:])
            where = f"no block ^{anchor[1:]}"
        else:
            found = _section(note.blocks, anchor)
            where = f"no heading '{anchor}'"
        if not found:
            return f"embedded note '{rel}' has {where} (check the link)"
        return Embedded(rel, found)

    def _parse(self, rel: str) -> ParsedNote:
        return parse_note(self._paths[rel])


def _section(blocks: tuple[Block, ...], heading: str) -> tuple[Block, ...]:
    wanted = heading.strip().casefold()
    for index, block in enumerate(blocks):
        if (
            block.kind == "heading"
            and plain_text(block.inlines).strip().casefold() == wanted
        ):
            end = index + 1
            while end < len(blocks) and not (
                blocks[end].kind == "heading" and blocks[end].level <= block.level
            ):
                end += 1
            return blocks[index:end]
    return ()


def _block_with_id(blocks: tuple[Block, ...], block_id: str) -> tuple[Block, ...]:
    for block in walk_blocks(blocks):
        lead = block
        if (
            block.kind == "item"
            and block.children
            and block.children[0].kind == "paragraph"
        ):
            lead = block.children[0]
        if lead.kind != "paragraph":
            continue
        inlines, found = split_block_id(lead.inlines)
        if found != block_id:
            continue
        cleaned = Block("paragraph", lead.line, lead.end_line, inlines, tight=False)
        return (cleaned, *block.children[1:]) if block.kind == "item" else (cleaned,)
    return ()
