"""Config: the Config record, its defaults, and `.flashgen.toml` loading and validation.

The file is `.flashgen.toml` at the vault root, or `[tool.flashgen]` in the vault's
`pyproject.toml`; note files read their vault's. Flags override the file; every problem in
the file is reported at once.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flashgen.discover import note_vault
from flashgen.errors import ConfigError
from flashgen.extract.syntax import DEFAULT_SYNTAX, CardSyntax
from flashgen.report import Diagnostic
from flashgen.srplugin import plugin_syntax

CONFIG_FILE = ".flashgen.toml"
SOURCE_LINKS = ("obsidian", "path", "none")
DECK_LAYOUTS = ("folders", "single")
CARD_KINDS = (
    "point",
    "definition",
    "heading",
    "list",
    "prompt",
    "table",
    "callout",
    "explicit",
    "cloze",
)


@dataclass(frozen=True, slots=True)
class Config:
    """What to build and where. Flags override the file; None means "not set"."""

    inputs: tuple[Path, ...] = ()
    """A vault folder, or one or more note files."""
    output: Path | None = None
    """Where the .apkg goes; None: `decks/<deck name>.apkg` in the current folder (for
    note files, `<note title>.apkg` in `output_folder`, or in `decks/`)."""
    output_folder: Path | None = None
    """Where a build of note files writes its deck when `output` is not set: the folder
    of the vault's `output` setting, so a note's deck never replaces the vault's."""
    deck_name: str | None = None
    """The root deck's name; None: the vault's folder name (for note files outside any
    vault, their folder's name)."""
    deck_layout: str = "folders"
    """`folders`: sub-decks follow the folders; `single`: every card in the root deck."""
    source_link: str = "obsidian"
    """What the Source field shows: `obsidian` (an obsidian:// link to the note), `path`
    (the note's vault path as text), `none`, or a URL template with `{path}` (the note's
    vault path) and `{vault}`, such as `https://example.org/notes/{path}`."""
    vault_name: str | None = None
    """The vault's name in obsidian:// links; None: the vault's folder name."""
    folder_tags: bool = False
    """Also tag each card with its note's folder path (`Biology/Cells` -> `Biology::Cells`)."""
    include: tuple[str, ...] = ()
    """Gitignore-style patterns: when given, only notes that match are built."""
    exclude: tuple[str, ...] = ()
    """Gitignore-style patterns of notes to leave out (`Archive/`, `*.draft.md`)."""
    cards: tuple[str, ...] = CARD_KINDS
    """The kinds of card to make: point, definition, heading, list, prompt (the author's
    `<!-- question -->` comments), table (a card per row), callout (titled definition
    and theorem blocks)."""
    syntax: CardSyntax = DEFAULT_SYNTAX
    """How the vault writes its own cards: explicit card separators, the tags that scope
    them, the cloze switches."""
    css: str | None = None
    """A CSS file (vault-relative) whose rules are added to the cards' style."""
    preamble: str | bool | None = None
    """A LaTeX file (vault-relative) whose macros are expanded in maths; None:
    `preamble.sty` at the vault root when there is one; False or "": none."""
    description: str | None = None
    """The root deck's description; None: the first paragraph of the vault's README.md."""
    namespace: str | None = None
    """Enters every GUID of a shared deck, so two authors' decks never collide."""
    share: bool = False
    """Build a deck for others: no personal links, GUIDs in the namespace."""
    jobs: int | None = 1
    """Processes that parse and render notes; None: one per core for a large vault (what
    the command line does). More than one process starts workers the way multiprocessing
    does, so a script calling build() with it needs an `if __name__ == "__main__":` guard."""
    cache: bool = True
    """Reuse what earlier builds made of unchanged notes, and skip writing when nothing
    changed (see cache.py; the cache lives in the user's cache folder)."""
    config_file: str | None = field(default=None, compare=False)
    """Where the settings came from, for messages."""
    notices: tuple[Diagnostic, ...] = field(default=(), compare=False)
    """Warnings about settings read but not used (a damaged plugin settings file), for
    the build to report."""


_STRING = {
    "output",
    "deck_name",
    "deck_layout",
    "source_link",
    "vault_name",
    "css",
    "description",
    "namespace",
}
_BOOL = {"folder_tags"}
_LISTS = {"include", "exclude", "cards"}
SYNTAX_KEYS = {
    "single_line_separator": "single_line",
    "single_line_reversed_separator": "single_line_reversed",
    "multi_line_separator": "multi_line",
    "multi_line_reversed_separator": "multi_line_reversed",
    "flashcard_tags": "tags",
    "flashcards_in_every_note": "every_note",
    "cloze_highlights": "cloze_highlights",
    "cloze_bold": "cloze_bold",
    "cloze_curly": "cloze_curly",
    "reverse": "reverse",
}
"""The keys that set CardSyntax, and the field each sets."""
_SEPARATOR_KEYS = {key for key in SYNTAX_KEYS if key.endswith("_separator")}
_SYNTAX_BOOL = {
    "flashcards_in_every_note",
    "cloze_highlights",
    "cloze_bold",
    "cloze_curly",
}
_CHOICES = {"deck_layout": DECK_LAYOUTS}


def load_config(inputs: tuple[Path, ...], **overrides: Any) -> Config:
    """The vault's settings with flags laid over them. The vault is the folder given, or
    the one the note files are in (see discover.note_vault)."""
    config = Config(inputs=inputs)
    flags = {key: value for key, value in overrides.items() if value is not None}
    vault = None
    if len(inputs) == 1 and inputs[0].is_dir():
        vault = inputs[0]
    elif inputs:
        vault = note_vault(inputs)
    if vault is not None:
        config = _from_vault(config, vault)
        if config.output is not None and "output" not in flags:
            _check_output(config, config.output, vault)
        if config.output is not None and vault != inputs[0]:
            config = replace(config, output=None, output_folder=config.output.parent)
    return replace(config, **flags)


def _check_output(config: Config, output: Path, vault: Path) -> None:
    """A vault's settings may come from someone else: the deck they name goes inside
    the vault's folder, the current folder (decks/ among them) or a decks/ folder beside
    the vault, never anywhere else (a path given with -o is the user's own choice)."""
    root = vault.resolve()
    folders = (root, Path.cwd().resolve(), root.parent / "decks")
    if any(output.is_relative_to(folder) for folder in folders):
        return
    raise ConfigError(
        (
            f"{config.config_file}: error: 'output' ({output}) is outside the vault's "
            "folder, the current folder and decks/ beside the vault (write the deck "
            "in one of them, or name it with -o)",
        )
    )


def _from_vault(config: Config, vault: Path) -> Config:
    # obsidian-spaced-repetition's settings first: the vault's own settings override them.
    syntax, notices = plugin_syntax(vault)
    config = replace(config, syntax=syntax, notices=notices)
    own = vault / CONFIG_FILE
    if own.is_file():
        return _from_table(config, own.name, _read(own), vault)
    project = vault / "pyproject.toml"
    if project.is_file():
        table = _read(project).get("tool", {}).get("flashgen")
        if isinstance(table, dict):
            return _from_table(config, "pyproject.toml [tool.flashgen]", table, vault)
    return config


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        message = f"{path.name}: error: not valid TOML: {err} (fix the file's syntax)"
        raise ConfigError((message,)) from err
    except OSError as err:
        raise ConfigError(
            (f"{path.name}: error: cannot read: {err.strerror}",)
        ) from err


def _from_table(config: Config, name: str, data: dict[str, Any], vault: Path) -> Config:
    problems: list[str] = []
    values: dict[str, Any] = {}
    syntax: dict[str, Any] = {}
    known = sorted(_STRING | _BOOL | _LISTS | {"preamble"} | set(SYNTAX_KEYS))
    for key, value in data.items():
        problem = _check(key, value, known)
        if problem:
            problems.append(f"{name}: error: {problem}")
        elif key in SYNTAX_KEYS:
            syntax[SYNTAX_KEYS[key]] = _syntax_value(key, value)
        else:
            values[key] = tuple(value) if key in _LISTS else value
    merged = replace(config.syntax, **syntax)
    problems.extend(f"{name}: error: {p}" for p in _clashes(merged, set(data)))
    if problems:
        raise ConfigError(tuple(problems))
    values["syntax"] = merged
    if "output" in values:
        values["output"] = (vault / values["output"]).resolve()
    return replace(config, **values, config_file=name)


def _syntax_value(key: str, value: Any) -> Any:
    if key == "reverse":
        return "all" if value is True else "" if value is False else value
    if key == "flashcard_tags":
        return tuple(tag.strip().lstrip("#") for tag in value if tag.strip("# "))
    if key.startswith("multi_line"):
        return value.strip()
    return value


def _clashes(syntax: CardSyntax, given: set[str]) -> list[str]:
    """Separators set to the same text (one of them in this file): which card is meant?"""
    problems = []
    for one, other in (
        ("single_line_separator", "single_line_reversed_separator"),
        ("multi_line_separator", "multi_line_reversed_separator"),
    ):
        same = getattr(syntax, SYNTAX_KEYS[one])
        if same == getattr(syntax, SYNTAX_KEYS[other]) and given & {one, other}:
            problems.append(
                f"'{one}' and '{other}' are both '{same}' (give them different texts)"
            )
    return problems


LINK_SCHEMES = ("obsidian", "https", "http", "file")
"""The schemes a source_link template may use (or none: a plain text template)."""
_SCHEME = re.compile(r"([^:/?#]*):")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")


def _is_safe_link(template: str) -> bool:
    """A template with {path} whose link starts with an allowed scheme or has none.

    Browsers drop whitespace and control characters in a scheme (`java\tscript:`), so
    they are dropped before it is compared; text before a colon that could not be a
    scheme even so (`Notes on {path}: ...`) is plain text."""
    if "{path}" not in template:
        return False
    found = _SCHEME.match(template)
    if found is None:
        return True
    scheme = _IGNORED_IN_SCHEME.sub("", found.group(1)).lower()
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
        return True
    return scheme in LINK_SCHEMES


def _check(key: str, value: Any, known: list[str]) -> str | None:
    """What is wrong with one setting, or None."""
    if key == "reverse" and not (isinstance(value, bool) or value == "definitions"):
        return "'reverse' must be true, false or \"definitions\" (write reverse = true)"
    if key not in known:
        close = difflib.get_close_matches(key, known, n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"known keys: {', '.join(known)}"
        )
        return f"unknown key '{key}' ({hint})"
    if key == "preamble" and not isinstance(value, str | bool):
        return "'preamble' must be a path or false (write preamble = \"preamble.sty\")"
    if key in _SEPARATOR_KEYS and (
        not isinstance(value, str) or not value.strip() or "\n" in value
    ):
        return f"'{key}' must be a non-empty string on one line (write {key} = \"::\")"
    if key.startswith("multi_line") and " " in value.strip():
        return f"'{key}' must hold no spaces: it is a whole line (write {key} = \"?\")"
    if key in _BOOL | _SYNTAX_BOOL and not isinstance(value, bool):
        return f"'{key}' must be true or false (write {key} = true)"
    if key in _STRING and (not isinstance(value, str) or not value.strip()):
        return f"'{key}' must be a non-empty string (write {key} = \"...\")"
    if key in _LISTS | {"flashcard_tags"} and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        return f"'{key}' must be a list of strings (write {key} = [\"...\"])"
    if key in _CHOICES and value not in _CHOICES[key]:
        return f"'{key}' must be one of {', '.join(_CHOICES[key])}"
    if key == "source_link" and value not in SOURCE_LINKS and not _is_safe_link(value):
        return (
            f"'source_link' must be one of {', '.join(SOURCE_LINKS)}, or a template "
            "with {path} whose link starts obsidian:, https:, http: or file: (or is "
            "plain text)"
        )
    if key == "cards" and (unknown := sorted(set(value) - set(CARD_KINDS))):
        return f"'cards' has unknown kinds {', '.join(unknown)} (known: {', '.join(CARD_KINDS)})"
    return None
