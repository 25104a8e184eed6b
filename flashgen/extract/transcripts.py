"""Transcripts: a command pasted with what the terminal printed keeps the command.

People paste a whole session into a code block: the prompt line with the command, then a
banner, a scan log, a directory listing. The command is what a card teaches; the output is
an example of one run. A run of output longer than a few lines keeps its first lines and
an ellipsis; banners (ASCII art) and prompt decoration go. Code without a prompt is kept as
written unless nearly all of it is tool output (log markers, listings, aligned columns),
or it is one command written without a prompt and then only what it printed (lines set in,
elisions, log markers).
"""

from __future__ import annotations

import re
from dataclasses import replace

from flashgen.parse import Block

# A shell prompt in front of a command: PowerShell, cmd.exe, `user@host:~$`,
# `[user@host dir]$`, Kali's two-line prompt (`└─#`), `$ `, and REPL or client prompts.
_PROMPT = re.compile(
    r"^\s*(?:"
    r"PS [A-Za-z]:\\[^>\n]*>"
    r"|[A-Za-z]:\\[^>\n]*>"
    r"|[\w.-]+@[\w.-]+:[^\s$#]*[$#]"
    r"|\[[\w.-]+@[\w.-]+[^\]\n]*\][$#]"
    r"|\u2514\u2500*\s?[$#]"
    r"|\$(?=\s)|\#(?=\s+\./)"
    r"|>>>|mysql>|sqlite>|ftp>|smb:\s?\\>|msf\d?(?:\s+\S+)?\s?>|meterpreter\s?>|\(gdb\)"
    r")\s?"
)
# A line a tool prints: `[+]` log markers, an `ls -l` row, column rules, times, scan logs.
_OUTPUT_LINE = re.compile(
    r"^\s*(?:\[[-+*!?~#ix]\]"
    r"|[-dlcbps][-rwxsStT]{9}[.+@]?\s"
    r"|[-=]{3,}(?:\s+[-=]{3,})*\s*$"
    r"|\d{1,3}(?:\.\d{1,3}){3}\b"
    r"|\S*\d{2}:\d{2}:\d{2}"
    r"|(?:Starting|Initiating|Completed|Discovered|Scanning|Nmap scan report|Host is up)\b"
    r")"
)
# The first line of Kali's two-line prompt: `┌──(kali㉿kali)-[~]`, `┌─[time]:(user@host)`.
# A command at the start of a line: a program run by path (`./x`, `.\\x.exe`), with sudo,
# or a word given options (`nmap -sV host`).
_RUN = re.compile(r"^(?:\.{1,2}[\\/]\S|sudo\s+\S|[\w.-]+(?:\.exe)?\s+(?:\S+\s+)?--?\w)")
_ELISIONS = frozenset({"...", "\u2026", "[...]", "[\u2026]"})
_DECORATION = re.compile(r"^\s*\u250c\u2500")
_KEPT_OUTPUT = 3
"""An output run of up to this many lines is kept whole (`whoami` -> `root`)."""
_SHOWN_OUTPUT = 2
"""A longer run shows this many of its lines, then an ellipsis."""
_MIN_DUMP_LINES = 5


def trim_transcripts(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The blocks with every pasted session cut to its commands (the same tuple when no
    code block is a session)."""
    if not any(_has_code(block) for block in blocks):
        return blocks
    trimmed = tuple(_trimmed(block) for block in blocks)
    if all(new is old for new, old in zip(trimmed, blocks, strict=True)):
        return blocks
    return trimmed


def _has_code(block: Block) -> bool:
    return block.kind == "code" or any(_has_code(child) for child in block.children)


def _trimmed(block: Block) -> Block:
    if block.kind == "code":
        text = trim_session(block.text)
        return block if text == block.text else replace(block, text=text)
    if not block.children:
        return block
    children = trim_transcripts(block.children)
    return block if children is block.children else replace(block, children=children)


def trim_session(text: str) -> str:
    """A code block's text with its output runs cut (the text as it was when it holds no
    session or dump)."""
    lines = text.split("\n")
    prompts = [bool(_command(line)) for line in lines]
    if any(prompts):
        return _cut(lines, prompts)
    written = [line for line in lines if line.strip()]
    if len(written) < _MIN_DUMP_LINES:
        return text
    if _is_run_then_output(written):
        first = next(index for index, line in enumerate(lines) if line.strip())
        return _cut(
            lines, [index == first for index in range(len(lines))], leading=True
        )
    # No prompt: a dump when nearly all of it is output; a first line that is not
    # output is the command that printed it.
    output = [_is_output(line) for line in written]
    if sum(output) * 4 < len(written) * 3:
        return text
    first = 0 if output[0] else 1
    return _cut(lines, [index < first for index in range(len(lines))], leading=True)


def _is_run_then_output(written: list[str]) -> bool:
    """A command without a prompt (`./tool -a x`, `.\\tool.exe scan`), then only what it
    printed: lines set in, elisions (`...`) and log markers."""
    head, rest = written[0], written[1:]
    # A command that goes on over the next lines (an open quote, a `\\`) has no output.
    open_quote = head.count("'") % 2 or head.count('"') % 2
    if not _RUN.match(head) or open_quote or head.rstrip().endswith(("\\", "`", "^")):
        return False
    return all(
        line[:1].isspace() or line.strip() in _ELISIONS or _is_output(line)
        for line in rest
    )


def _command(line: str) -> str:
    """The command on a prompt line ("" when the line has no prompt or no command)."""
    found = _PROMPT.match(line)
    return line[found.end() :].strip() if found else ""


def _cut(lines: list[str], commands: list[bool], *, leading: bool = False) -> str:
    """Commands kept; each run of other lines kept when short, else shortened."""
    kept: list[str] = []
    run: list[str] = []
    seen_command = leading
    for line, is_command in zip(lines, commands, strict=True):
        if is_command:
            kept.extend(_shortened(run, after_command=seen_command))
            kept.append(line.rstrip())
            run, seen_command = [], True
        elif not _DECORATION.match(line):
            run.append(line.rstrip())
    kept.extend(_shortened(run, after_command=seen_command))
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n"


def _shortened(run: list[str], *, after_command: bool) -> list[str]:
    """A run of lines between commands: the usage lines written before any command stay;
    output stays when short, else its first lines (no banner art) and an ellipsis."""
    written = [line for line in run if line.strip()]
    if not after_command and not any(_is_output(line) for line in written):
        return run  # `./tool -a <target>` written as usage above the session
    if len(written) <= _KEPT_OUTPUT:
        return written
    shown = [line for line in written if not _is_art(line)][:_SHOWN_OUTPUT]
    return [*shown, "\u2026"]


def _is_output(line: str) -> bool:
    return bool(_OUTPUT_LINE.match(line)) or _is_art(line) or _is_columns(line)


def _is_art(line: str) -> bool:
    """A banner or box line: mostly punctuation (`.----. .-.`, `________`)."""
    text = line.strip()
    if len(text) < 3:
        return False
    letters = sum(char.isalnum() for char in text)
    return letters * 10 < len(text) * 4


def _is_columns(line: str) -> bool:
    """Three or more columns aligned with runs of spaces: a table a tool printed."""
    return len(re.findall(r"\S {2,}(?=\S)", line.strip())) >= 2
