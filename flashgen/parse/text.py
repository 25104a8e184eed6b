"""Text of a note before parsing: decoding, repair of mis-encoded text, front matter."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

import ftfy
import ftfy.badness
import yaml

from flashgen.report import Diagnostic, Severity

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.DOTALL | re.MULTILINE
)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML, body). The body keeps its line numbers: front matter becomes blank lines."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return None, text
    return found.group(1), "\n" * found.group(0).count("\n") + text[found.end() :]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_note(rel: str, data: bytes) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """The note's text with LF line ends, or None for a file that is not text."""
    problems: list[Diagnostic] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        problems.append(
            Diagnostic(
                rel,
                1,
                Severity.WARNING,
                "note is UTF-16; read it (re-save it as UTF-8)",
            )
        )
    elif b"\x00" in data[:8192]:
        return None, (
            Diagnostic(
                rel,
                0,
                Severity.ERROR,
                "not a text file (NUL bytes): no cards (rename it, or remove it from the vault)",
            ),
        )
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            # Latin-1 and Windows-1252 are what non-UTF-8 notes nearly always are.
            text = data.decode("cp1252", errors="replace")
            problems.append(
                Diagnostic(
                    rel,
                    line,
                    Severity.WARNING,
                    "note is not UTF-8; read it as Windows-1252 (re-save it as UTF-8)",
                )
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if found := _CONTROL.search(text):
        # Control bytes would reach the terminal or, as \x1f, split an Anki note's fields.
        line = text.count("\n", 0, found.start()) + 1
        text = _CONTROL.sub("", text)
        problems.append(
            Diagnostic(
                rel,
                line,
                Severity.WARNING,
                "control characters removed from the note (remove them from the file)",
            )
        )
    return text, tuple(problems)


def repair_mojibake(rel: str, text: str) -> tuple[str, tuple[Diagnostic, ...]]:
    """Undo UTF-8 read as Windows-1252 (`ðŸ“–` -> `📖`), line by line, and say where."""
    if text.isascii() or not ftfy.badness.is_bad(text):
        return text, ()
    lines = text.split("\n")
    fixed_lines = []
    first_line = 0
    count = 0
    for number, line in enumerate(lines, start=1):
        fixed = ftfy.fix_encoding(line) if ftfy.badness.is_bad(line) else line
        if fixed != line:
            count += 1
            first_line = first_line or number
        fixed_lines.append(fixed)
    if not count:
        return text, ()
    more = f" and {count - 1} more line{'s' if count > 2 else ''}" if count > 1 else ""
    problem = Diagnostic(
        rel,
        first_line,
        Severity.WARNING,
        f"repaired mis-encoded text (UTF-8 read as Windows-1252) on this line{more} "
        "(re-save the note as UTF-8 to silence this)",
    )
    return "\n".join(fixed_lines), (problem,)


# libyaml's safe loader when PyYAML was built with it (its wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS_COMMENT = re.compile(r"^tags:[ \t]*((?:#[^\s#]+[ \t]*)+)$", re.MULTILINE)


MAX_FRONT_MATTER = 64 * 1024


def load_front_matter(
    rel: str, raw: str, line: int
) -> tuple[Mapping[str, Any], Diagnostic | None]:
    if len(raw) > MAX_FRONT_MATTER:
        return {}, Diagnostic(
            rel,
            line,
            Severity.WARNING,
            f"front matter is over {MAX_FRONT_MATTER // 1024} KB and was ignored "
            "(move long text out of the front matter)",
        )
    try:
        loaded = yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = line + 1 + (mark.line if mark is not None else 0)
        reason = getattr(err, "problem", None) or "invalid YAML"
        # Obsidian still shows such a note (some vaults keep plain text between the
        # dashes), so its cards are made: only what the front matter would set is lost.
        return {}, Diagnostic(
            rel,
            where,
            Severity.WARNING,
            f"front matter is not valid YAML: {reason} "
            "(fix the YAML between the --- lines; tags and deck from it are ignored)",
        )
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        return {}, Diagnostic(
            rel,
            line + 1,
            Severity.WARNING,
            f"front matter is a {type(loaded).__name__}, not a mapping "
            "(write it as `key: value` lines; tags and deck from it are ignored)",
        )
    # `tags: #x` is a YAML comment, so YAML sees no tags; Obsidian users mean the tag.
    if loaded.get("tags") is None and (found := _TAGS_COMMENT.search(raw)):
        loaded["tags"] = found.group(1).split()
    return {str(key): value for key, value in loaded.items()}, None


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_LATEX_DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
_LATEX_INLINE = re.compile(r"\\\((.+?)\\\)")


def latex_delimiters(body: str) -> str:
    """`\\[ ... \\]` and `\\( ... \\)` written for LaTeX become `$$ ... $$` and `$ ... $`.

    Markdown reads `\\[` as an escaped bracket, so the maths would lose its backslashes and
    show as raw text; MathJax (Anki's and the one many Obsidian users add) reads them as
    maths. Code (fenced, or any line with a backtick) is left alone, and no line moves.
    """
    if "\\[" not in body and "\\(" not in body:
        return body
    parts: list[str | None] = []
    chunk: list[str] = []
    fence = ""
    for line in body.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            parts.append(line)
            if (
                opened
                and opened.group(1)[0] == fence[0]
                and len(opened.group(1)) >= len(fence)
            ):
                fence = ""
            continue
        if opened:
            parts.append(_converted(chunk))
            chunk = []
            fence = opened.group(1)
            parts.append(line)
            continue
        chunk.append(line)
    parts.append(_converted(chunk))
    return "\n".join(part for part in parts if part is not None)


def _converted(lines: list[str]) -> str | None:
    """None for no lines at all (so no empty line is added where there was none)."""
    if not lines:
        return None
    # Paragraph by paragraph: a backtick anywhere in one leaves it as written.
    paragraphs = "\n".join(lines).split("\n\n")
    return "\n\n".join(
        text
        if "`" in text
        else _LATEX_INLINE.sub(
            lambda m: f"${m.group(1).strip()}$",
            _LATEX_DISPLAY.sub(lambda m: f"$${m.group(1)}$$", text),
        )
        for text in paragraphs
    )
