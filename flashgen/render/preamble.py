"""Render stage, maths: a vault's LaTeX preamble (its file, or text) -> a MacroTable.

Reads \\newcommand, \\renewcommand, \\providecommand, \\DeclareMathOperator, \\def and
\\let; a line that defines nothing, or cannot be read, is a warning with its line.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flashgen.discover import is_inside_vault
from flashgen.errors import ConfigError
from flashgen.render.macros import DEFAULT_PREAMBLE, NO_MACROS, TOKEN, Macro, MacroTable
from flashgen.report import Diagnostic, Severity


@dataclass(frozen=True)
class Preambles:
    """The vault's preambles by folder: a note's maths uses the nearest one above it."""

    tables: Mapping[str, MacroTable] = field(default_factory=dict)
    """Vault-relative folder ("" for the vault root) -> the macros of its preamble."""

    def for_note(self, path: str) -> MacroTable:
        """The macros of the preamble nearest the note (its folder, then upwards)."""
        if not self.tables:
            return NO_MACROS
        for folder in PurePosixPath(path).parents:
            table = self.tables.get("" if str(folder) == "." else folder.as_posix())
            if table is not None:
                return table
        return NO_MACROS

    @property
    def digest(self) -> str:
        """Changes whenever any preamble's macros do (a cache key part)."""
        text = repr(sorted((folder, t.digest) for folder, t in self.tables.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


NO_PREAMBLES = Preambles()


def load_preambles(
    vault: Path, setting: str | bool | None, config_file: str | None = None
) -> tuple[Preambles, tuple[Diagnostic, ...]]:
    """The vault's preambles. With `preamble` set, that one file for every note; by
    default each `preamble.sty` in the vault, for the notes in its folder and below (a
    folder of several vaults, each with its preamble at its root, reads as each does)."""
    if setting is not None and setting is not True:
        table, read = load_preamble(vault, setting, config_file)
        return Preambles({"": table} if table.macros else {}), read
    tables: dict[str, MacroTable] = {}
    problems: list[Diagnostic] = []
    root = vault.resolve()
    for folder, names, files in os.walk(vault):
        # Dot folders (.obsidian, .git, .trash) hold no notes and no preamble of theirs.
        names[:] = sorted(name for name in names if not name.startswith("."))
        if DEFAULT_PREAMBLE not in files:
            continue
        relative = Path(folder).relative_to(vault).as_posix()
        relative = "" if relative == "." else relative
        path = Path(folder) / DEFAULT_PREAMBLE
        if not is_inside_vault(path, root):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            where = f"{relative}/{DEFAULT_PREAMBLE}" if relative else DEFAULT_PREAMBLE
            problems.append(
                Diagnostic(
                    where,
                    0,
                    Severity.WARNING,
                    f"preamble cannot be read ({err}); its macros are not expanded "
                    "(save it as UTF-8)",
                )
            )
            continue
        named = f"{relative}/{DEFAULT_PREAMBLE}" if relative else DEFAULT_PREAMBLE
        table, found = read_preamble(text, named)
        tables[relative] = table
        problems.extend(found)
    return Preambles(tables), tuple(problems)


def load_preamble(
    vault: Path, setting: str | bool | None, config_file: str | None = None
) -> tuple[MacroTable, tuple[Diagnostic, ...]]:
    """The vault's macros from its preamble: `setting` is the vault-relative path
    (None or True: `preamble.sty`, read when it exists; False or "": none)."""
    if setting is False or setting == "":
        return NO_MACROS, ()
    named = isinstance(setting, str)
    relative = setting if isinstance(setting, str) else DEFAULT_PREAMBLE
    path = vault / relative
    where = config_file or ".flashgen.toml"
    if not os.path.lexists(path):
        if not named:
            return NO_MACROS, ()
        raise ConfigError(
            (
                f"{where}: error: preamble '{relative}' not found (give the "
                "vault-relative path of a .sty file, or preamble = false)",
            )
        )
    if not is_inside_vault(path, vault.resolve()):
        raise ConfigError(
            (
                f"{where}: error: preamble '{relative}' is outside the vault (give the "
                "vault-relative path of a .sty file inside the vault)",
            )
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(
            (
                f"{where}: error: preamble '{relative}' cannot be read ({err}; give a "
                "vault-relative path to a UTF-8 .sty file, or preamble = false)",
            )
        ) from err
    return read_preamble(text, Path(relative).as_posix())


def read_preamble(
    text: str, path: str = DEFAULT_PREAMBLE
) -> tuple[MacroTable, tuple[Diagnostic, ...]]:
    """The macros that `\\newcommand`, `\\renewcommand`, `\\providecommand`,
    `\\DeclareMathOperator`, `\\def` and `\\let` define; a line that defines nothing,
    or whose definition cannot be read, is a warning and is skipped."""
    items = _preamble_tokens(text)
    macros: dict[str, Macro] = {}
    problems: list[Diagnostic] = []
    at = 0
    while at < len(items):
        token, line = items[at]
        if token.isspace():
            at += 1
            continue
        reader = _DEFINITIONS.get(token)
        if reader is None:
            problems.append(
                Diagnostic(
                    path,
                    line,
                    Severity.WARNING,
                    f"'{token}' is not a macro definition and was ignored (flashgen "
                    "reads \\newcommand, \\renewcommand, \\providecommand, "
                    "\\DeclareMathOperator, \\def and \\let)",
                )
            )
            at = _next_line(items, at)
            continue
        parser = _Parser(items, at + 1)
        try:
            name, macro = reader(parser, line, macros)
        except _MalformedError as err:
            problems.append(
                Diagnostic(
                    path,
                    line,
                    Severity.WARNING,
                    f"cannot read this {token} definition: {err} (write it as "
                    "\\newcommand{\\name}[2]{... #1 ... #2 ...})",
                )
            )
            at = _next_line(items, at)
            continue
        if macro is not None and not (token == "\\providecommand" and name in macros):
            macros[name] = macro
        at = parser.at
    return MacroTable(path, macros), tuple(problems)


class _MalformedError(Exception):
    pass


def _preamble_tokens(text: str) -> list[tuple[str, int]]:
    """Every token with its line; comments dropped, each line's end a space (as TeX)."""
    items: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for token in TOKEN.findall(line):
            if token == "%":
                break
            items.append((token, number))
        items.append((" ", number))
    return items


def _next_line(items: list[tuple[str, int]], at: int) -> int:
    line = items[at][1]
    while at < len(items) and items[at][1] == line:
        at += 1
    return at


class _Parser:
    def __init__(self, items: list[tuple[str, int]], at: int) -> None:
        self.items = items
        self.at = at

    def peek(self) -> str | None:
        while self.at < len(self.items) and self.items[self.at][0].isspace():
            self.at += 1
        return self.items[self.at][0] if self.at < len(self.items) else None

    def take(self, token: str) -> bool:
        if self.peek() == token:
            self.at += 1
            return True
        return False

    def name(self) -> str:
        """`\\x` or `{\\x}`."""
        braced = self.take("{")
        token = self.peek()
        if token is None or not token.startswith("\\") or len(token) < 2:
            raise _MalformedError("the macro's name must start with a backslash")
        self.at += 1
        if braced and not self.take("}"):
            raise _MalformedError(f"'}}' expected after {token}")
        return token

    def group(self, close: str = "}") -> tuple[str, ...]:
        """The tokens up to the `close` that ends the group just opened."""
        depth = 0
        found: list[str] = []
        while self.at < len(self.items):
            token = self.items[self.at][0]
            self.at += 1
            if token == close and depth == 0:
                return tuple(found)
            depth += (token == "{") - (token == "}")
            if depth < 0:
                break
            found.append(token)
        raise _MalformedError(f"'{close}' missing")

    def braced(self) -> tuple[str, ...]:
        if not self.take("{"):
            raise _MalformedError("'{' expected")
        return self.group()


def _read_newcommand(
    parser: _Parser, line: int, macros: dict[str, Macro]
) -> tuple[str, Macro]:
    parser.take("*")
    name = parser.name()
    parameters, default = 0, None
    if parser.take("["):
        number = "".join(parser.group("]")).strip()
        if not (len(number) == 1 and number in "0123456789"):
            raise _MalformedError(f"'[{number}]' must be a number of arguments, 0 to 9")
        parameters = int(number)
        if parser.take("["):
            if not parameters:
                raise _MalformedError("a default needs an argument to stand for")
            default = parser.group("]")
    body = parser.braced()
    return name, Macro(parameters, default, _checked(body, parameters), line)


def _read_operator(
    parser: _Parser, line: int, macros: dict[str, Macro]
) -> tuple[str, Macro]:
    star = ("*",) if parser.take("*") else ()
    name = parser.name()
    text = parser.braced()
    return name, Macro(0, None, ("\\operatorname", *star, "{", *text, "}"), line)


def _read_def(
    parser: _Parser, line: int, macros: dict[str, Macro]
) -> tuple[str, Macro]:
    name = parser.name()
    parameters = 0
    while parser.peek() != "{":
        token = parser.peek()
        if token != f"#{parameters + 1}":
            raise _MalformedError(
                "only the parameters #1, #2, ... in order are read, not delimited ones"
            )
        parser.at += 1
        parameters += 1
    body = parser.braced()
    return name, Macro(parameters, None, _checked(body, parameters), line)


def _read_let(
    parser: _Parser, line: int, macros: dict[str, Macro]
) -> tuple[str, Macro]:
    name = parser.name()
    parser.take("=")
    target = parser.peek()
    if target is None or target in "{}":
        raise _MalformedError("a control sequence or character expected after the name")
    parser.at += 1
    # \let copies the meaning the target has now.
    copied = macros.get(target)
    if copied is not None:
        return name, Macro(copied.parameters, copied.default, copied.body, line)
    return name, Macro(0, None, (target,), line)


def _checked(body: tuple[str, ...], parameters: int) -> tuple[str, ...]:
    for token in body:
        if token == "#" or (
            token[0] == "#" and token != "##" and int(token[1]) > parameters
        ):
            raise _MalformedError(
                f"'{token}' is not one of its {parameters} parameters"
                if token != "#"
                else "'#' must be followed by a parameter number"
            )
    return body


_DEFINITIONS = {
    "\\newcommand": _read_newcommand,
    "\\renewcommand": _read_newcommand,
    "\\providecommand": _read_newcommand,
    "\\DeclareMathOperator": _read_operator,
    "\\def": _read_def,
    "\\gdef": _read_def,
    "\\let": _read_let,
}
