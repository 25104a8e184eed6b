"""Render stage, maths: a vault's LaTeX preamble -> a MacroTable; a maths span -> its TeX
with the vault's macros expanded, and the names in it that Anki's MathJax would not know.

Expanded at build time, the cards need no preamble: they render the same on every Anki
client, whatever its MathJax set-up, and the note type stays as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import ascii_letters

from flashgen.discover import is_inside_vault
from flashgen.errors import ConfigError
from flashgen.mathjax_commands import MATHJAX_COMMANDS
from flashgen.report import Diagnostic, Severity

DEFAULT_PREAMBLE = "preamble.sty"
"""Where Obsidian's Extended MathJax plugin reads a vault's macros from."""
MAX_EXPANSIONS = 10_000
"""Macros expanded in one maths span: past it, a macro that uses itself is reported."""
MAX_TOKENS = 100_000
"""Tokens one maths span may grow to while its macros are expanded."""

# A control word (\alpha), a control symbol (\\, \,), a macro parameter (#1, ##), or one
# character; TeX's letters are ASCII only.
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|#[1-9#]|.", re.DOTALL)
# Control sequences only: `\\alpha` is `\\` then letters, not `\alpha`.
_CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
_DEFINERS = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator)\*?"
    r"\s*\{?\s*(\\[A-Za-z]+)"
)


@dataclass(frozen=True, slots=True)
class Macro:
    """One macro of the preamble, as tokens."""

    parameters: int
    """How many arguments it takes (0-9), the optional one included."""
    default: tuple[str, ...] | None
    """The optional first argument's default (`\\newcommand{\\x}[1][d]{...}`); None when
    every argument is required."""
    body: tuple[str, ...]
    """What it stands for; its parameters are the tokens `#1`..`#9`, `##` is `#`."""
    line: int
    """1-based line of its definition in the preamble."""


@dataclass(frozen=True, slots=True)
class MacroTable:
    """A vault's macros by name (`\\R`), and where they were read from."""

    path: str = DEFAULT_PREAMBLE
    """Vault-relative path of the preamble (named in messages)."""
    macros: Mapping[str, Macro] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Changes whenever what the macros stand for does (a cache key part)."""
        text = repr(
            sorted((n, m.parameters, m.default, m.body) for n, m in self.macros.items())
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


NO_MACROS = MacroTable()


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
        for token in _TOKEN.findall(line):
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


@dataclass(frozen=True, slots=True)
class Expanded:
    """A maths span with the vault's macros expanded, and what to tell about it."""

    tex: str
    problems: tuple[str, ...] = ()
    """Messages for the note's line: lowercase, the fix in parentheses."""


def expand_maths(tex: str, table: MacroTable) -> Expanded:
    """The span's TeX with every macro of `table` expanded (the macros they use too),
    then checked: a control word that is neither the vault's nor MathJax's is reported."""
    problems: list[str] = []
    macros = table.macros
    if macros and not macros.keys().isdisjoint(_CONTROL.findall(tex)):
        tex = _expand(tex, macros, problems, table.path)
    unknown = [name for name in _undefined(tex) if name not in macros]
    if unknown:
        names = ", ".join(unknown)
        which = "macro" if len(unknown) == 1 else "macros"
        problems.append(
            f"maths uses the undefined {which} {names}, which Anki shows in red "
            f"(define {'it' if len(unknown) == 1 else 'them'} in {table.path} at the "
            "vault root, or set preamble in .flashgen.toml)"
            if table.path == DEFAULT_PREAMBLE
            else f"maths uses the undefined {which} {names}, which Anki shows in red "
            f"(define {'it' if len(unknown) == 1 else 'them'} in {table.path})"
        )
    return Expanded(tex, tuple(problems))


def _expand(
    tex: str, macros: Mapping[str, Macro], problems: list[str], path: str
) -> str:
    # A stack, its next token last: a macro's body goes back on it, to be read again
    # with whatever follows (as TeX does), so macros that use macros expand too.
    pending = _TOKEN.findall(tex)
    pending.reverse()
    done: list[str] = []
    used: Counter[str] = Counter()
    while pending:
        token = pending.pop()
        macro = macros.get(token)
        if macro is None:
            done.append(token)
            continue
        used[token] += 1
        if used.total() > MAX_EXPANSIONS or len(pending) > MAX_TOKENS:
            name = used.most_common(1)[0][0]
            problems.append(
                f"macro {name} does not stop expanding (it uses itself), so this maths "
                f"is left as written (fix its definition in {path})"
            )
            return tex
        arguments = _arguments(macro, pending)
        if arguments is None:
            problems.append(
                f"macro {token} takes {macro.parameters} "
                f"argument{'s' if macro.parameters != 1 else ''} and is not given them "
                "here, so it is left as written (write them in braces after it)"
            )
            done.append(token)
            continue
        pending.extend(reversed(_substitute(macro.body, arguments)))
    return _joined(done)


def _arguments(macro: Macro, pending: list[str]) -> list[list[str]] | None:
    """The macro's arguments, taken off the stack; None (the stack as it was) when
    they are not all there."""
    at = len(pending) - 1
    arguments: list[list[str]] = []
    wanted = macro.parameters
    if macro.default is not None:
        bracket = _skip_spaces(pending, at)
        if bracket >= 0 and pending[bracket] == "[":
            found = _group(pending, bracket - 1, "]")
            if found is None:
                return None
            argument, at = found
            # As TeX does with a delimited argument: `[{a]b}]` is `a]b`.
            if _is_one_group(argument):
                argument = argument[1:-1]
        else:
            argument = list(macro.default)
        arguments.append(argument)
        wanted -= 1
    for _ in range(wanted):
        at = _skip_spaces(pending, at)
        if at < 0 or pending[at] == "}":
            return None
        if pending[at] == "{":
            found = _group(pending, at - 1, "}")
            if found is None:
                return None
            argument, at = found
        else:
            argument, at = [pending[at]], at - 1
        arguments.append(argument)
    del pending[at + 1 :]
    return arguments


def _skip_spaces(pending: list[str], at: int) -> int:
    while at >= 0 and pending[at].isspace():
        at -= 1
    return at


def _group(pending: list[str], at: int, close: str) -> tuple[list[str], int] | None:
    """The tokens from `at` down to the `close` at brace depth 0, and the index below."""
    depth = 0
    found: list[str] = []
    while at >= 0:
        token = pending[at]
        if token == close and depth == 0:
            return found, at - 1
        depth += (token == "{") - (token == "}")
        if depth < 0:
            return None
        found.append(token)
        at -= 1
    return None


def _is_one_group(tokens: list[str]) -> bool:
    if len(tokens) < 2 or tokens[0] != "{" or tokens[-1] != "}":
        return False
    depth = 0
    for token in tokens[:-1]:
        depth += (token == "{") - (token == "}")
        if depth == 0:
            return False
    return True


def _substitute(body: tuple[str, ...], arguments: list[list[str]]) -> list[str]:
    result: list[str] = []
    for token in body:
        if token[0] != "#" or len(token) != 2:
            result.append(token)
        elif token == "##":
            result.append("#")
        else:
            result.extend(arguments[int(token[1]) - 1])
    return result


def _joined(tokens: list[str]) -> str:
    """The tokens as TeX: a space after a control word that a letter follows (`\\forall`
    then `x` is `\\forall x`, never `\\forallx`)."""
    parts: list[str] = []
    after_word = False
    for token in tokens:
        if after_word and token[0] in ascii_letters:
            parts.append(" ")
        parts.append(token)
        after_word = len(token) > 1 and token[0] == "\\" and token[1] in ascii_letters
    return "".join(parts)


def _undefined(tex: str) -> list[str]:
    """Control words MathJax (with Anki's packages) would not know, in order of use;
    those the span defines itself (`\\newcommand` in the maths) are known there."""
    if "\\" not in tex:
        return []
    names = dict.fromkeys(_CONTROL.findall(tex))
    unknown = [
        name
        for name in names
        if name[1] in ascii_letters and name[1:] not in MATHJAX_COMMANDS
    ]
    if unknown:
        defined = set(_DEFINERS.findall(tex))
        unknown = [name for name in unknown if name not in defined]
    return unknown
