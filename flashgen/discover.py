"""Discover stage: a vault folder or note files -> SourceFile records.

Finds the vault a note file belongs to, applies the ignore rules (Obsidian's own folders,
drawings, templates), sorts, and gives every note a vault-relative POSIX path.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from flashgen.errors import ConfigError
from flashgen.report import Diagnostic, Severity, left_out

log = logging.getLogger(__name__)

# Obsidian keeps settings, plugins and deleted notes here; none of it is the user's notes.
_IGNORED_DIRS = frozenset({".obsidian", ".trash", ".git", "node_modules"})
_DEFAULT_TEMPLATE_DIRS = ("Templates", "templates", "_templates")
# What makes a folder a vault for a note file inside it: Obsidian's settings, flashgen's
# settings, or the state file of an earlier build.
VAULT_MARKERS = (".obsidian", ".flashgen.toml", ".flashgen-state.json")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Markdown note found in the vault."""

    file: str
    """Where the file is on disk."""
    rel: str
    """Vault-relative POSIX path, e.g. `Biology/Cells.md`."""

    @property
    def path(self) -> Path:
        """`file` as a Path, made when asked: a vault's walk makes tens of thousands of
        notes, and most builds only look at their size and time."""
        return Path(self.file)


@dataclass(frozen=True, slots=True)
class Discovery:
    """What the walk found: the vault root, its notes, and what it left out on purpose."""

    root: Path
    name: str
    """The root deck's default name: the vault folder's name (for note files, their
    vault's, or their folder's outside any vault)."""
    notes: tuple[SourceFile, ...]
    skipped: tuple[str, ...]
    """Vault-relative paths left out by the ignore rules (drawings, templates)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Files left out because reading them could leave the vault (symlinks)."""
    title: str | None = None
    """What the deck file is named after when notes are named: the single note's title,
    or their folder's name; None for a vault folder (named after its root deck)."""
    left_out: tuple[Diagnostic, ...] = ()
    """One info message for each skipped path, saying why it was left out."""


def discover_notes(
    inputs: tuple[Path, ...],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Discovery:
    """Find the notes to build: one vault folder, or one or more .md files.

    `include` and `exclude` are gitignore-style patterns over vault paths: with `include`,
    only matching notes are built; `exclude` leaves notes out.
    """
    if not inputs:
        raise ConfigError(("no input given (name a vault folder or .md files)",))
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise ConfigError(tuple(f"{p}: error: no such file or folder" for p in missing))
    if len(inputs) == 1 and inputs[0].is_dir():
        found, others = _walk_vault(inputs[0].resolve(), _Filter(include, exclude))
        if not found.notes:
            raise ConfigError((_nothing_found(inputs[0], found, others),))
        return found
    folders = [str(p) for p in inputs if p.is_dir()]
    if folders:
        raise ConfigError(
            tuple(
                f"{p}: error: give one vault folder, or only .md files" for p in folders
            )
        )
    files = tuple(p.resolve() for p in inputs)
    vault = note_vault(inputs)
    root = vault or Path(os.path.commonpath([f.parent for f in files]))
    notes = tuple(
        sorted(
            (SourceFile(str(f), f.relative_to(root).as_posix()) for f in files),
            key=_order,
        )
    )
    parents = Path(os.path.commonpath([f.parent for f in files]))
    title = files[0].stem if len(files) == 1 else parents.name
    # The decks are named as a build of the vault names them: the note's cards go to the
    # same deck whichever way it was built.
    return Discovery(root, root.name, notes, (), title=title)


def _nothing_found(folder: Path, found: Discovery, others: Counter[str]) -> str:
    where = folder.as_posix().rstrip("/") + "/"
    if found.skipped:
        left = len(found.skipped)
        notes = (
            f"all {left} Markdown notes were" if left > 1 else "its Markdown note was"
        )
        return (
            f"{where}: error: no notes to build: {notes} left out (by include and "
            "exclude in .flashgen.toml, or as templates and drawings)"
        )
    listed = " and ".join(
        f"{number} {suffix} file{'s' if number > 1 else ''}"
        for suffix, number in sorted(others.items())
    )
    was = "were" if sum(others.values()) > 1 else "was"
    skipped = f"; {listed} {was} skipped" if others else ""
    return (
        f"{where}: error: no Markdown notes found (flashgen reads .md files{skipped})"
    )


def note_vault(files: tuple[Path, ...]) -> Path | None:
    """The vault that note files belong to: the nearest folder upwards from them with
    Obsidian's settings, flashgen's settings or a state file; None when there is none.

    A note's identity is its vault path, so it must not depend on how the note was named
    on the command line. Notes from two vaults cannot share one state file.
    """
    vaults = [_vault_of(path.resolve()) for path in files]
    for path, vault in zip(files, vaults, strict=True):
        if vault != vaults[0]:
            first = vaults[0] or "no vault"
            raise ConfigError(
                (
                    f"{path}: error: notes from two vaults cannot be built into one "
                    f"deck (it is in {vault or 'no vault'}, {files[0]} in {first}; build "
                    "each vault's notes on their own)",
                )
            )
    return vaults[0] if vaults else None


def _vault_of(note: Path) -> Path | None:
    for folder in note.parents:
        if any(os.path.lexists(folder / marker) for marker in VAULT_MARKERS):
            return folder
    return None


class _Filter:
    """Gitignore-style include and exclude patterns (pathspec, as git reads them)."""

    def __init__(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
        self._include = GitIgnoreSpec.from_lines(include) if include else None
        self._exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None

    def left_out_because(self, rel: str) -> str | None:
        """Why the patterns leave the note out, or None when they keep it."""
        if self._include is not None and not self._include.match_file(rel):
            return "by include in the settings: it matches none of its patterns"
        if self._exclude is not None and self._exclude.match_file(rel):
            return "by exclude in the settings"
        return None


# Text files that may be meant as notes: in a folder they are not read (Obsidian shows
# only .md files as notes) but counted, to say so when a folder has no notes at all.
_TEXT_SUFFIXES = (".txt", ".markdown", ".mdown", ".mkd", ".text")


def _walk_vault(root: Path, patterns: _Filter) -> tuple[Discovery, Counter[str]]:
    template_dirs = _template_dirs(root)
    others: Counter[str] = Counter()
    notes: list[SourceFile] = []
    skipped: list[str] = []
    reasons: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    # As os.walk walks, without a Path or a stat for each file: a folder's files, then its
    # folders in name order. Symlinked folders are not walked, so links out of the vault
    # and link loops are never followed; symlinked files are checked one by one below.
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is passed over
        folders = []
        for entry in entries:
            if _is_dir(entry):
                if not entry.is_symlink():
                    folders.append(entry.name)
                continue
            name = entry.name
            if not name.lower().endswith(".md"):
                if name.lower().endswith(_TEXT_SUFFIXES) and _is_file(entry):
                    others["." + name.rsplit(".", 1)[1].lower()] += 1
                continue
            rel = prefix + name
            if entry.is_symlink() and not is_inside_vault(Path(entry.path), root):
                problems.append(
                    Diagnostic(
                        rel,
                        0,
                        Severity.WARNING,
                        "symlink that leads out of the vault (or loops) was not read "
                        "(copy the note into the vault instead)",
                    )
                )
            elif not _is_file(entry):
                continue
            elif reason := (
                _ignored_because(rel, template_dirs) or patterns.left_out_because(rel)
            ):
                skipped.append(rel)
                reasons.append(left_out(rel, reason))
            else:
                notes.append(SourceFile(entry.path, rel))
        kept = sorted(
            d for d in folders if d not in _IGNORED_DIRS and not d.startswith(".")
        )
        # Strings, not Paths: a Path made for every folder and file was most of the walk.
        pending.extend(
            (os.path.join(folder, name), f"{prefix}{name}/")  # noqa: PTH118
            for name in reversed(kept)
        )
    notes.sort(key=_order)
    found = Discovery(
        root,
        root.name,
        tuple(notes),
        tuple(sorted(skipped)),
        tuple(problems),
        left_out=tuple(sorted(reasons, key=lambda reason: reason.path)),
    )
    return found, others


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def is_inside_vault(path: Path, root: Path) -> bool:
    """Whether the file `path` names (its links followed) is inside the vault at `root`
    (a resolved path). Every file a build reads is checked so: a link out of the vault,
    a dangling link and a loop are not."""
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # a dangling link or a loop
        return False


def _order(source: SourceFile) -> str:
    return source.rel


def _ignored_because(rel: str, template_dirs: tuple[str, ...]) -> str | None:
    """Why the note makes no cards: an Excalidraw drawing or a note in a template folder
    (None for any other note)."""
    if rel.lower().endswith(".excalidraw.md"):
        return "as an Excalidraw drawing"
    folders = rel.split("/")[:-1]
    folder = None
    if template_dirs == _DEFAULT_TEMPLATE_DIRS:
        # No settings to go by: a folder with a template folder's usual name, at any depth.
        for depth, part in enumerate(folders):
            if part in _DEFAULT_TEMPLATE_DIRS:
                folder = "/".join(folders[: depth + 1])
                break
    else:
        folder = next((f for f in template_dirs if rel.startswith(f + "/")), None)
    if folder is None:
        return None
    return (
        "as a template: it is in the template folder (move it out of "
        f"{folder}/ to make cards)"
    )


def _template_dirs(root: Path) -> tuple[str, ...]:
    """The template folders Obsidian (core Templates, Templater) is set to use, else defaults."""
    found: list[str] = []
    settings = (
        (root / ".obsidian" / "templates.json", "folder"),
        (
            root / ".obsidian" / "plugins" / "templater-obsidian" / "data.json",
            "templates_folder",
        ),
    )
    for path, key in settings:
        try:
            value = json.loads(path.read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and value.strip("/"):
            found.append(value.strip("/"))
    return tuple(found) or _DEFAULT_TEMPLATE_DIRS
