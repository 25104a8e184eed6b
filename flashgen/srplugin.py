"""obsidian-spaced-repetition's settings: a vault's plugin data file in, the CardSyntax it
describes and a warning about anything in it that could not be read out.

The file is `.obsidian/plugins/obsidian-spaced-repetition/data.json`; the plugin keeps its
settings under `settings` (older versions wrote some keys in other spellings, read too).
Only the keys that shape cards are read: the separators, the flashcard tags, whether
every note holds cards (`convertFoldersToDecks`) and the cloze switches. A damaged file is
one warning and the defaults; a key of the wrong type is one warning and that key's
default. Never raises.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from flashgen.extract.syntax import DEFAULT_SYNTAX, CardSyntax
from flashgen.report import Diagnostic, Severity

PLUGIN_DATA = ".obsidian/plugins/obsidian-spaced-repetition/data.json"
_SEPARATORS = {
    "singleLineCardSeparator": "single_line",
    "singlelineCardSeparator": "single_line",
    "singleLineReversedCardSeparator": "single_line_reversed",
    "singlelineReversedCardSeparator": "single_line_reversed",
    "multilineCardSeparator": "multi_line",
    "multilineReversedCardSeparator": "multi_line_reversed",
}
_SWITCHES = {
    "convertFoldersToDecks": "every_note",
    "convertHighlightsToClozes": "cloze_highlights",
    "convertBoldTextToClozes": "cloze_bold",
    "convertCurlyBracketsToClozes": "cloze_curly",
}
_MAX_BYTES = 4 * 1024 * 1024
"""The file also keeps review bookkeeping; a larger one is not read."""


def plugin_syntax(vault: Path) -> tuple[CardSyntax, tuple[Diagnostic, ...]]:
    """The CardSyntax the vault's plugin settings describe (the defaults when there are
    none), and a warning for each thing in them that was not read."""
    path = vault / PLUGIN_DATA
    try:
        if not path.is_file():
            return DEFAULT_SYNTAX, ()
        if path.stat().st_size > _MAX_BYTES:
            return DEFAULT_SYNTAX, (_damaged(0, "is over 4 MB"),)
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        return DEFAULT_SYNTAX, (_damaged(0, f"cannot be read: {err.strerror}"),)
    except UnicodeDecodeError:
        return DEFAULT_SYNTAX, (_damaged(0, "is not UTF-8 text"),)
    except json.JSONDecodeError as err:
        return DEFAULT_SYNTAX, (_damaged(err.lineno, f"is not valid JSON ({err.msg})"),)
    settings = data.get("settings", data) if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        return DEFAULT_SYNTAX, (_damaged(0, "holds no settings object"),)
    return _syntax(settings)


def _syntax(settings: dict[str, Any]) -> tuple[CardSyntax, tuple[Diagnostic, ...]]:
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, name in _SEPARATORS.items():
        value = settings.get(key)
        if value is None or name in values:
            continue
        if isinstance(value, str) and value.strip() and "\n" not in value:
            values[name] = value.strip() if name.startswith("multi") else value
        else:
            problems.append(_wrong(key, f"is not a separator ({_shown(value)})"))
    for key, name in _SWITCHES.items():
        value = settings.get(key)
        if isinstance(value, bool):
            values[name] = value
        elif value is not None:
            problems.append(_wrong(key, f"is not true or false ({_shown(value)})"))
    tags = settings.get("flashcardTags")
    if isinstance(tags, str):
        tags = tags.split()
    if isinstance(tags, list) and all(isinstance(tag, str) for tag in tags):
        words = [word.lstrip("#") for tag in tags for word in tag.split()]
        values["tags"] = tuple(word for word in words if word)
    elif tags is not None:
        problems.append(
            _wrong("flashcardTags", f"is not a list of tags ({_shown(tags)})")
        )
    syntax = replace(DEFAULT_SYNTAX, **values)
    for one, other in (
        ("single_line", "single_line_reversed"),
        ("multi_line", "multi_line_reversed"),
    ):
        if getattr(syntax, one) == getattr(syntax, other):
            same = f"is '{getattr(syntax, one)}', as is the one for the other way"
            problems.append(_wrong(_KEYS[one], same))
            syntax = replace(
                syntax,
                **{one: getattr(DEFAULT_SYNTAX, one)},
                **{other: getattr(DEFAULT_SYNTAX, other)},
            )
    return syntax, tuple(problems)


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


_KEYS = {
    "single_line": "singleLineCardSeparator",
    "multi_line": "multilineCardSeparator",
}


def _damaged(line: int, problem: str) -> Diagnostic:
    return Diagnostic(
        PLUGIN_DATA,
        line,
        Severity.WARNING,
        f"the obsidian-spaced-repetition settings file {problem}; its card settings "
        "were not read and the defaults are used (fix or delete the file, or set them "
        "in .flashgen.toml)",
    )


def _wrong(key: str, problem: str) -> Diagnostic:
    return Diagnostic(
        PLUGIN_DATA,
        0,
        Severity.WARNING,
        f"obsidian-spaced-repetition setting '{key}' {problem}; its default is used "
        "(fix it in the plugin's settings, or set it in .flashgen.toml)",
    )
