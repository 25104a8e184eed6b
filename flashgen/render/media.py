"""Media for the render stage: find the files notes embed, name them by content.

Obsidian resolves an embed by exact vault path, then relative to the note, then by file name
anywhere in the vault; flashgen does the same and never reads a file outside the vault.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from flashgen.records import quick_init

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
)
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".ogg", ".m4a", ".flac", ".webm", ".3gp"})
_SKIPPED_DIRS = frozenset({".obsidian", ".trash", ".git", "node_modules"})


@quick_init
@dataclass(frozen=True, slots=True)
class MediaFile:
    """A vault file a card uses, under the name it gets in the deck."""

    source: str
    """Vault-relative POSIX path."""
    name: str
    """Content-hashed file name in the deck (`<sha256 prefix><suffix>`)."""


class MediaIndex:
    """The vault's non-note files, looked up the way Obsidian resolves links."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._paths: set[str] = set()
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._names: dict[str, str] = {}
        self.consulted = False
        """Set by resolve(): the note being processed depends on the vault's files."""
        real_root = root.resolve()
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
                for name in files:
                    # flashgen's own files (state, temporary files) are no media.
                    if name.lower().endswith(".md") or name.startswith(".flashgen"):
                        continue
                    path = Path(folder, name)
                    if path.is_symlink() and not path.resolve().is_relative_to(
                        real_root
                    ):
                        continue  # a link out of the vault: never read
                    rel = path.relative_to(root).as_posix()
                    self._paths.add(rel)
                    self._by_name[name.casefold()].append(rel)

    @staticmethod
    def leaves_vault(target: str, note_path: str) -> bool:
        """Whether `target` climbs out of the vault (`../..`, an absolute or file:// path)."""
        link = unquote(target.split("|", 1)[0]).strip()
        if link.lower().startswith("file:"):
            return True
        if link.startswith("/"):
            return _normal(PurePosixPath(link.lstrip("/"))) is None
        return _normal(PurePosixPath(note_path).parent / link) is None

    def resolve(self, target: str, note_path: str) -> str | None:
        """The vault-relative path `target` points to from `note_path`, or None."""
        self.consulted = True
        link = unquote(target.split("|", 1)[0]).strip()
        if not link or "://" in link or "\x00" in link:
            return None
        if link.startswith("/"):
            candidates = [link.lstrip("/")]
        else:
            folder = PurePosixPath(note_path).parent
            candidates = [link, _normal(folder / link) or ""]
        for candidate in candidates:
            if candidate in self._paths:
                return candidate
        return closest(
            self._by_name.get(PurePosixPath(link).name.casefold(), ()), note_path
        )

    def fingerprint(self) -> list[tuple[str, int, int]]:
        """Every file's path, size and modification time: what lookups depend on."""
        listing = []
        for rel in sorted(self._paths):
            try:
                stat = (self._root / rel).stat()
            except OSError:
                continue
            listing.append((rel, stat.st_size, stat.st_mtime_ns))
        return listing

    def media_file(self, rel: str) -> MediaFile:
        """The deck name for a resolved file: the same bytes always get the same name."""
        if rel not in self._names:
            digest = hashlib.sha256((self._root / rel).read_bytes()).hexdigest()[:20]
            self._names[rel] = f"fg-{digest}{PurePosixPath(rel).suffix.lower()}"
        return MediaFile(rel, self._names[rel])


def closest(paths: Iterable[str], note_path: str) -> str | None:
    """Of same-named files, the one closest to the note (longest shared folder path), then
    the shallowest, then the first in alphabetical order; None when there is none."""
    here = PurePosixPath(note_path).parent.parts
    return min(
        paths, key=lambda rel: (-_shared(here, rel), rel.count("/"), rel), default=None
    )


def _shared(folder: tuple[str, ...], rel: str) -> int:
    count = 0
    for mine, theirs in zip(folder, PurePosixPath(rel).parent.parts, strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def _normal(path: PurePosixPath) -> str | None:
    """Collapse `..` without touching the disk; None when it climbs out of the vault."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
