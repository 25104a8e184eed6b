"""Render stage, maths: a maths span and a vault's MacroTable (see preamble.py) -> its TeX
with the vault's macros expanded, and the names in it that Anki's MathJax would not know.

Expanded at build time, the cards need no preamble: they render the same on every Anki
client, whatever its MathJax set-up, and the note type stays as it is. Anki's MathJax has no
textmacros package, so it shows commands inside text (`\\textrm{\\hspace{1in}\\textit{if}}`)
as they are written: such text is rewritten into the maths forms it stands for (see
flatten_text).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from string import ascii_letters

from flashgen.render.mathjax_commands import MATHJAX_COMMANDS

DEFAULT_PREAMBLE = "preamble.sty"
"""Where Obsidian's Extended MathJax plugin reads a vault's macros from."""
MAX_EXPANSIONS = 10_000
"""Macros expanded in one maths span: past it, a macro that uses itself is reported."""
MAX_TOKENS = 100_000
"""Tokens one maths span may grow to while its macros are expanded."""

# A control word (\alpha), a control symbol (\\, \,), a macro parameter (#1, ##), or one
# character; TeX's letters are ASCII only.
TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|#[1-9#]|.", re.DOTALL)
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
    tex = flatten_text(tex)
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
    pending = TOKEN.findall(tex)
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


# Text commands, and the font each gives its text (None: the font around it).
_TEXT_FONTS: dict[str, str | None] = {
    "\\text": None,
    "\\mbox": None,
    "\\textnormal": "\\textrm",
    "\\textup": "\\textrm",
    "\\textrm": "\\textrm",
    "\\textit": "\\textit",
    "\\textbf": "\\textbf",
    "\\textsf": "\\textsf",
    "\\texttt": "\\texttt",
}
# What maths mode has too: spacing, and a space of a given width.
_SPACES = frozenset({"\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad"})
_SIZED = frozenset({"\\hspace", "\\hskip", "\\kern"})


def flatten_text(tex: str) -> str:
    """The span with each text command that holds commands (`\\textrm{\\hspace{1in}
    \\textit{if \\,}}`) written as maths: its plain runs in a text command of their font,
    its spaces as maths spaces (`{\\hspace{1in}\\textit{if }\\,}`). MathJax without the
    textmacros package would show the commands as text. Text it cannot rewrite (another
    command inside) is left as written."""
    if "\\" not in tex or not any(name in tex for name in _TEXT_FONTS):
        return tex
    tokens = TOKEN.findall(tex)
    out: list[str] = []
    at = 0
    while at < len(tokens):
        token = tokens[at]
        group = _braced(tokens, at + 1) if token in _TEXT_FONTS else None
        if group is not None:
            inner, end = group
            flat = (
                _flat(inner, _TEXT_FONTS[token] or "\\textrm")
                if any(_is_command(t) or t in _SPACES for t in inner)
                else None
            )
            if flat is not None:
                out += ["{", *flat, "}"]
                at = end
                continue
        out.append(token)
        at += 1
    return _joined(out)


def _braced(tokens: list[str], at: int) -> tuple[list[str], int] | None:
    """The tokens inside the group that opens at `at`, and the index after it."""
    if at >= len(tokens) or tokens[at] != "{":
        return None
    depth = 0
    for index in range(at, len(tokens)):
        depth += (tokens[index] == "{") - (tokens[index] == "}")
        if depth == 0:
            return tokens[at + 1 : index], index + 1
    return None


def _flat(tokens: list[str], font: str) -> list[str] | None:
    """Text in `font` as maths tokens, or None when it holds a command with no maths form."""
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if "".join(run).strip():
            out.extend([font, "{", *run, "}"])
        elif run:
            out.append("\\ ")
        run.clear()

    at = 0
    while at < len(tokens):
        token = tokens[at]
        if token in _TEXT_FONTS or token == "{" or token in _SIZED:
            start = at + 1 if token != "{" else at
            group = _braced(tokens, start)
            if group is None:
                return None
            inner, at = group
            close_run()
            if token in _SIZED:
                out.extend([token, "{", *inner, "}"])
                continue
            nested = _flat(inner, _TEXT_FONTS.get(token) or font)
            if nested is None:
                return None
            out.extend(nested)
            continue
        if token in _SPACES:
            close_run()
            out.append(token)
        elif _is_command(token) or token == "}":
            return None
        else:
            run.append(token)
        at += 1
    close_run()
    return out


def _is_command(token: str) -> bool:
    return len(token) > 1 and token[0] == "\\" and token[1] in ascii_letters
