"""Parse stage: SourceFile -> ParsedNote.

Decodes and repairs the text, reads the front matter, and turns pyromark's event stream into
a small block tree with 1-based line spans. No card logic lives here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from flashgen.discover import SourceFile
from flashgen.parse.nodes import (
    Block,
    Inline,
    plain_text,
    shifted,
    split_block_id,
    walk_blocks,
)
from flashgen.parse.text import (
    decode_note,
    latex_delimiters,
    load_front_matter,
    repair_mojibake,
    split_front_matter,
)
from flashgen.parse.tree import MAX_NESTING, TreeBuilder
from flashgen.report import Diagnostic, Severity

__all__ = [
    "MAX_NESTING",
    "MAX_NOTE_BYTES",
    "Block",
    "Inline",
    "ParsedNote",
    "decode_note",
    "parse_note",
    "parse_text",
    "plain_text",
    "shifted",
    "split_block_id",
    "split_front_matter",
    "walk_blocks",
]


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
    digest: str = ""
    """SHA-256 of the file's bytes, for change detection ("" when it was not read)."""


MAX_NOTE_BYTES = 4 * 1024 * 1024
"""Notes larger than this are left out with a warning (the largest real notes are far smaller)."""


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
    data = source.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    text, problems = decode_note(source.rel, data)
    if text is None:
        return replace(_empty(source.rel, problems), digest=digest)
    return replace(parse_text(source.rel, (text, problems)), digest=digest)


def _empty(rel: str, diagnostics: tuple[Diagnostic, ...]) -> ParsedNote:
    return ParsedNote(rel, PurePosixPath(rel).stem, "", {}, (), diagnostics)


def parse_text(
    rel: str, decoded: tuple[str, tuple[Diagnostic, ...]] | str
) -> ParsedNote:
    """Parse already-decoded Markdown (the entry point tests use with plain strings)."""
    text, diagnostics = (decoded, ()) if isinstance(decoded, str) else decoded
    text, repaired = repair_mojibake(rel, text)
    diagnostics = (*diagnostics, *repaired)
    title = PurePosixPath(rel).stem
    raw, body = split_front_matter(text)
    builder = TreeBuilder(latex_delimiters(body))
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
        front_matter, problem = load_front_matter(rel, raw, 1)
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
