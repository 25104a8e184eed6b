"""Cloze marks in inlines: Anki's `{{c1::text::hint}}`, the curly `{{text}}` and
`==highlight==`, found across sibling inlines (`{{c1::**bold** $x$}}` arrives as text,
strong, math and text) and turned into Inline("cloze") nodes. Only text inlines hold the
marks: a `}}` in maths or a `{{c1::` in code is never one. Pure: inlines in, inlines out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flashgen.parse import Block, Inline, plain_text

CLOZE = "cloze"
_ANKI_OPEN = re.compile(r"\{\{c(\d{1,3})::")
_CURLY_OPEN = re.compile(r"\{\{(?!c\d{1,3}::)(?=[^{}\s])")
_CLOSE = re.compile(r"\}\}")
_HIGHLIGHT = re.compile(r"==")
# Inlines whose children are read for marks that sit wholly inside them.
_CONTAINERS = frozenset({"strong", "emphasis", "strikethrough"})

Make = Callable[[re.Match[str], tuple[Inline, ...]], Inline | None]


def anki_clozes(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """`{{c1::text}}` and `{{c1::text::hint}}` as cloze inlines (numbers as written)."""
    return wrap(inlines, _ANKI_OPEN, _CLOSE, _anki)


def curly_clozes(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """`{{text}}` (obsidian-spaced-repetition's cloze) as cloze inlines numbered in
    order, after any `{{cN::` the same inlines hold."""
    taken = [int(c.target) for c in clozes_in(inlines) if c.target.isdigit()]
    counter = iter(range(max(taken, default=0) + 1, 10_000))

    def make(_: re.Match[str], inside: tuple[Inline, ...]) -> Inline | None:
        return Inline(CLOZE, target=str(next(counter)), children=inside)

    return wrap(inlines, _CURLY_OPEN, _CLOSE, make)


def highlights(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """`==text==` as cloze inlines with no number yet (target ""): candidates."""

    def make(_: re.Match[str], inside: tuple[Inline, ...]) -> Inline | None:
        text = plain_text(inside)
        if not text.strip() or text[:1].isspace() or text[-1:].isspace():
            return None
        return Inline(CLOZE, children=inside)

    return wrap(inlines, _HIGHLIGHT, _HIGHLIGHT, make)


def _anki(opened: re.Match[str], inside: tuple[Inline, ...]) -> Inline | None:
    number = str(int(opened.group(1)))
    for index, inline in enumerate(inside):
        if inline.kind == "text" and "::" in inline.text:
            head, _, hint = inline.text.partition("::")
            content = (*inside[:index], *((Inline("text", head),) if head else ()))
            rest = plain_text((Inline("text", hint), *inside[index + 1 :]))
            return Inline(CLOZE, text=rest.strip(), target=number, children=content)
    return Inline(CLOZE, target=number, children=inside)


def wrap(
    inlines: tuple[Inline, ...],
    opener: re.Pattern[str],
    closer: re.Pattern[str],
    make: Make,
) -> tuple[Inline, ...]:
    """Inlines with each opener ... closer run (opened and closed in text inlines of
    this level) made into one inline by `make` (None: left as written); the children of
    bold, italics and strikethrough are read the same way. An opener never closed stays
    text."""
    if not any(_opens(inline, opener) for inline in inlines):
        return inlines  # most text holds no mark: nothing to make
    out: list[Inline] = []
    opened: re.Match[str] | None = None
    inside: list[Inline] = []
    for inline in inlines:
        if inline.kind != "text":
            if opened is None and inline.kind in _CONTAINERS:
                children = wrap(inline.children, opener, closer, make)
                if children is not inline.children:
                    inline = Inline(inline.kind, inline.text, inline.target, children)
            (inside if opened is not None else out).append(inline)
            continue
        text, at = inline.text, 0
        while at <= len(text):
            if opened is None:
                found = opener.search(text, at)
                if found is None:
                    out.append(Inline("text", text[at:]))
                    break
                out.append(Inline("text", text[at : found.start()]))
                opened, inside, at = found, [], found.end()
                continue
            closed = closer.search(text, at)
            if closed is None:
                inside.append(Inline("text", text[at:]))
                break
            inside.append(Inline("text", text[at : closed.start()]))
            content = _merged(inside)
            made = make(opened, content) if content else None
            if made is None:
                # Left as written; the closer may open the next run (`== a ==b==`).
                out.extend((Inline("text", opened.group()), *content))
                at = closed.start()
            else:
                out.append(made)
                at = closed.end()
            opened = None
    if opened is not None:
        out.extend((Inline("text", opened.group()), *inside))
    merged = _merged(out)
    return inlines if merged == inlines else merged


def _opens(inline: Inline, opener: re.Pattern[str]) -> bool:
    """An opener in this inline's text, or in its children's (bold, italics, ...)."""
    if inline.kind == "text":
        return opener.search(inline.text) is not None
    return inline.kind in _CONTAINERS and any(
        _opens(c, opener) for c in inline.children
    )


def _merged(inlines: Iterable[Inline]) -> tuple[Inline, ...]:
    """Adjacent text inlines joined, empty ones dropped (a highlight is rendered from
    one text inline)."""
    out: list[Inline] = []
    for inline in inlines:
        if inline.kind == "text":
            if not inline.text:
                continue
            if out and out[-1].kind == "text":
                out[-1] = Inline("text", out[-1].text + inline.text)
                continue
        out.append(inline)
    return tuple(out)


def clozes_in(inlines: Iterable[Inline]) -> list[Inline]:
    """The cloze inlines among these and their children, in order."""
    found: list[Inline] = []
    for inline in inlines:
        if inline.kind == CLOZE:
            found.append(inline)
        else:
            found.extend(clozes_in(inline.children))
    return found


def number_one(inlines: tuple[Inline, ...], chosen: int) -> tuple[Inline, ...]:
    """The inlines with the `chosen`-th unnumbered cloze (in order) made c1 and every
    other one written back as a highlight (`==text==`, shown as Obsidian shows it)."""
    counter = [0]

    def walk(items: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for inline in items:
            if inline.kind == CLOZE and not inline.target:
                index = counter[0]
                counter[0] += 1
                if index == chosen:
                    out.append(Inline(CLOZE, target="1", children=inline.children))
                elif all(child.kind == "text" for child in inline.children):
                    text = "".join(child.text for child in inline.children)
                    out.append(Inline("text", f"=={text}=="))
                else:  # `==**x**==` is no highlight once split: shown as its text
                    out.extend(inline.children)
            elif inline.children and inline.kind in _CONTAINERS:
                out.append(
                    Inline(
                        inline.kind, inline.text, inline.target, walk(inline.children)
                    )
                )
            else:
                out.append(inline)
        return _merged(out)

    return walk(inlines)


def unmarked(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """The inlines with every cloze replaced by what it hides (for cards of other kinds,
    whose note types do not read cloze markup)."""
    if not any(inline.kind == CLOZE or inline.children for inline in inlines):
        return inlines
    out: list[Inline] = []
    for inline in inlines:
        if inline.kind == CLOZE:
            out.extend(unmarked(inline.children))
        elif inline.children:
            out.append(
                Inline(
                    inline.kind,
                    inline.text,
                    inline.target,
                    unmarked(inline.children),
                    inline.line,
                )
            )
        else:
            out.append(inline)
    return _merged(out)


def without_anki_marks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Blocks with `{{c1::text}}` written as its text (for cards that are not cloze)."""
    out: list[Block] = []
    changed = False
    for block in blocks:
        inlines = unmarked(anki_clozes(block.inlines)) if block.inlines else ()
        children = without_anki_marks(block.children) if block.children else ()
        if inlines != block.inlines or children != block.children:
            changed = True
            block = Block(
                block.kind,
                block.line,
                block.end_line,
                inlines,
                children,
                block.level,
                block.start,
                block.info,
                block.text,
                block.tight,
                block.head,
            )
        out.append(block)
    return tuple(out) if changed else blocks


def unbalanced(inlines: tuple[Inline, ...]) -> list[tuple[int, str]]:
    """Where Anki's cloze marks do not pair up, as (line offset, what is wrong and the
    fix): a `{{c1::` never closed, or a `}}` that closes nothing (braces in maths and
    code do not count; `{{name}}` pairs are not clozes)."""
    problems: list[tuple[int, str]] = []
    line = 0
    opened: tuple[int, str] | None = None
    depth = 0
    for inline in _flat(inlines):
        if inline.kind in {"softbreak", "hardbreak"}:
            line += 1
            continue
        if inline.kind != "text":
            continue
        for found in re.finditer(r"\{\{(c\d{1,3}::)?|\}\}", inline.text):
            token = found.group()
            if token.startswith("{{c"):
                if opened is not None:
                    problems.append(
                        (
                            line,
                            f"'{token}' opens inside '{opened[1]}' (close that "
                            "one with '}}' first)",
                        )
                    )
                opened = (line, token)
            elif token == "{{":
                depth += 1
            elif depth:
                depth -= 1
            elif opened is not None:
                opened = None
            else:
                problems.append(
                    (
                        line,
                        "'}}' closes no cloze (remove it, open the cloze with "
                        "'{{c1::', or write it as `code`)",
                    )
                )
    if opened is not None:
        problems.append(
            (
                opened[0],
                f"'{opened[1]}' is never closed (write '}}}}' after the hidden text)",
            )
        )
    return problems


def _flat(inlines: Iterable[Inline]) -> Iterable[Inline]:
    for inline in inlines:
        if inline.kind in _CONTAINERS or inline.kind in {"link"}:
            yield from _flat(inline.children)
        else:
            yield inline
