"""Config: the Config record, its defaults, and `.flashgen.toml` loading and validation."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from flashgen.errors import ConfigError

CONFIG_FILE = ".flashgen.toml"


@dataclass(frozen=True, slots=True)
class Config:
    """What to build and where. Flags override the file; None means "not set"."""

    inputs: tuple[Path, ...] = ()
    """A vault folder, or one or more note files."""
    output: Path | None = None
    """Where the .apkg goes; None: `decks/<deck name>.apkg`."""
    deck_name: str | None = None
    """The root deck's name; None: the vault's folder name (or the single note's title)."""
    source_link: str = "obsidian"
    """What the Source field shows: `obsidian` (an obsidian:// link to the note), `path`
    (the note's vault path as text) or `none`."""
    vault_name: str | None = None
    """The vault's name in obsidian:// links; None: the vault's folder name."""
    folder_tags: bool = False
    """Also tag each card with its note's folder path (`Biology/Cells` -> `Biology::Cells`)."""
    jobs: int | None = None
    """Processes that parse and render notes; None: one per core (for large vaults)."""


_FILE_KEYS: dict[str, type] = {
    "output": str,
    "deck_name": str,
    "source_link": str,
    "vault_name": str,
    "folder_tags": bool,
}
SOURCE_LINKS = ("obsidian", "path", "none")


def load_config(inputs: tuple[Path, ...], **overrides: Any) -> Config:
    """The vault's `.flashgen.toml` (when the input is a folder) with flags laid over it."""
    config = Config(inputs=inputs)
    if len(inputs) == 1 and inputs[0].is_dir():
        config = _from_file(config, inputs[0] / CONFIG_FILE)
    flags = {key: value for key, value in overrides.items() if value is not None}
    return replace(config, **flags)


def _from_file(config: Config, path: Path) -> Config:
    if not path.is_file():
        return config
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(
            (f"{name}: error: not valid TOML: {err} (fix the file's syntax)",)
        ) from err
    except OSError as err:
        raise ConfigError((f"{name}: error: cannot read: {err.strerror}",)) from err
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = _FILE_KEYS.get(key)
        if expected is None:
            close = difflib.get_close_matches(key, list(_FILE_KEYS), n=1)
            hint = (
                f" (did you mean '{close[0]}'?)"
                if close
                else (f" (known keys: {', '.join(sorted(_FILE_KEYS))})")
            )
            problems.append(f"{name}: error: unknown key '{key}'{hint}")
        elif expected is bool and not isinstance(value, bool):
            problems.append(f"{name}: error: '{key}' must be true or false")
        elif expected is str and (not isinstance(value, str) or not value):
            problems.append(f"{name}: error: '{key}' must be a non-empty string")
        elif key == "source_link" and value not in SOURCE_LINKS:
            choices = ", ".join(SOURCE_LINKS)
            problems.append(f"{name}: error: 'source_link' must be one of {choices}")
        else:
            values[key] = value
    if problems:
        raise ConfigError(tuple(problems))
    if "output" in values:
        values["output"] = (path.parent / values["output"]).resolve()
    known = {f.name for f in fields(Config)}
    return replace(config, **{k: v for k, v in values.items() if k in known})
