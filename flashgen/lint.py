"""Lint for `flashgen check`: what a build would not say, but an author wants to know.

Bold that looks like a label but makes no card (and why), labels with no answer, weak cards
(with the quality rubric's reason codes, see quality.py), a note that makes no card (and
why), the same question twice in one deck, links to notes that are not in the vault, and
explicit-card lines that make no card (a Dataview field, an empty side). Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from flashgen.extract import (
    CardDraft,
    CardSyntax,
    Skipped,
    judge_label,
    read_explicit,
    unbalanced_clozes,
)
from flashgen.extract.syntax import DEFAULT_SYNTAX
from flashgen.parse import Block, Inline, ParsedNote, plain_text, walk_blocks
from flashgen.quality import judge_draft
from flashgen.render.transclude import NoteLibrary
from flashgen.report import Diagnostic, Severity
from flashgen.store.cardstore import Assigned


def lint_note(
    note: ParsedNote,
    drafts: Iterable[CardDraft],
    library: NoteLibrary,
    syntax: CardSyntax = DEFAULT_SYNTAX,
) -> list[Diagnostic]:
    """Bold that makes no card, labels with no answer, weak cards, a note with no card,
    links that go nowhere, explicit-card lines that make no card."""
    drafts = tuple(drafts)
    card_lines = {draft.line for draft in drafts}
    explicit = read_explicit(note, syntax)
    problems = _explicit_problems(note.path, explicit.skipped, syntax)
    cloze_lines = {draft.line for draft in drafts if draft.kind == "cloze"}
    unread = any(d.severity is Severity.ERROR for d in note.diagnostics)
    if not drafts and not unread:  # a note that could not be read says so already
        problems.append(
            Diagnostic(
                note.path, 0, Severity.INFO, f"note makes no cards: {_why_none(note)}"
            )
        )
    for draft in drafts:
        verdict = judge_draft(draft)
        if verdict is not None:
            asked = plain_text(draft.question).strip()
            problems.append(
                Diagnostic(
                    note.path,
                    draft.line,
                    Severity.INFO,
                    f"weak {draft.kind} card '{asked}': {verdict.code}, {verdict.detail} "
                    f"({verdict.fix})",
                )
            )
    for lead, line in _bold_leads(note.blocks):
        if line in explicit.lines:
            continue
        judged = judge_label(lead.inlines)
        bold = plain_text(lead.inlines[0].children).strip() if lead.inlines else ""
        if isinstance(judged, str) and line not in cloze_lines:
            problems.append(
                Diagnostic(
                    note.path,
                    line,
                    Severity.INFO,
                    f"'{bold}' makes no card: {judged} (write `**{bold}**: answer` "
                    "to make it one)",
                )
            )
        elif judged is not None and line not in card_lines:
            problems.append(
                Diagnostic(
                    note.path,
                    line,
                    Severity.WARNING,
                    f"label '{bold.rstrip(':')}' has no answer (write the answer after "
                    "it, or remove the bold)",
                )
            )
    if "{{" in note.source or "}}" in note.source:
        problems.extend(_cloze_problems(note))
    for target, line in _wikilinks(note.blocks):
        name = target.partition("#")[0]
        if name and library.resolve(name, note.path) is None:
            problems.append(
                Diagnostic(
                    note.path,
                    line,
                    Severity.INFO,
                    f"link to '{name}' does not resolve to a note in the vault "
                    "(create the note, or fix the link)",
                )
            )
    return problems


def _explicit_problems(
    path: str, skipped: Iterable[Skipped], syntax: CardSyntax
) -> list[Diagnostic]:
    """A Dataview field where an explicit card could be meant, an explicit card with an
    empty side: each says how to make the card."""
    problems = []
    for line in skipped:
        if line.why == "dataview":
            key = line.text.lstrip("-*+ ").split(":", 1)[0].strip()
            message = (
                f"'{line.text}' reads as a Dataview field and makes no card (to make it "
                f"a card, write the question as a phrase or capitalised: `{key.title()}"
                f"{syntax.single_line}...`)"
            )
        else:
            message = (
                f"explicit card '{line.text}' has an empty side and makes no card (write "
                f"both: `Question{syntax.single_line}Answer`, or the question above a "
                f"`{syntax.multi_line}` line and the answer below it)"
            )
        problems.append(Diagnostic(path, line.line, Severity.WARNING, message))
    return problems


def _cloze_problems(note: ParsedNote) -> Iterator[Diagnostic]:
    """`{{c1::` never closed, or a `}}` that closes nothing: Anki would show the marks."""
    for block in walk_blocks(note.blocks):
        if not block.inlines:
            continue
        for offset, problem in unbalanced_clozes(block.inlines):
            yield Diagnostic(
                note.path,
                block.line + offset,
                Severity.WARNING,
                f"unbalanced cloze: {problem}",
            )


def _why_none(note: ParsedNote) -> str:
    """Why a note that is read makes no card, and how to make one."""
    blocks = [b for b in walk_blocks(note.blocks) if b.kind not in {"rule", "html"}]
    texts = [plain_text(b.inlines) for b in blocks if b.inlines]
    if not any(text.strip() for text in texts) and not any(
        b.kind == "code" for b in blocks
    ):
        return "it is empty or holds only headings (write under a heading)"
    if not any(b.kind == "heading" for b in blocks):
        return (
            "it has no heading and no labelled point (put its text under a heading, "
            "or write `**Term**: answer`)"
        )
    if all(_only_links(b) for b in blocks if b.kind == "paragraph"):
        return "it holds only links or a template's fields (nothing to learn)"
    return (
        "its sections are empty, link lists or marked to skip (write under a heading)"
    )


def _only_links(block: Block) -> bool:
    return all(
        inline.kind in {"link", "wikilink", "softbreak", "hardbreak"}
        or (inline.kind == "text" and not inline.text.strip(" :|-"))
        for inline in block.inlines
    )


def lint_cards(cards: Iterable[Assigned]) -> list[Diagnostic]:
    """The same question (context and label) twice in one deck, from different places."""
    seen: dict[tuple[str, ...], list[CardDraft]] = defaultdict(list)
    for item in cards:
        draft = item.card.draft
        key = (
            item.card.deck,
            draft.kind,
            draft.note_title,
            *draft.context,
            draft.label,
        )
        seen[key].append(draft)
    problems = []
    for key, drafts in seen.items():
        label = key[-1]
        first = drafts[0]
        for other in drafts[1:]:
            problems.append(
                Diagnostic(
                    other.note_path,
                    other.line,
                    Severity.WARNING,
                    f"question '{label}' is asked twice in one deck (also at "
                    f"{first.note_path}:{first.line}; rename one of them)",
                )
            )
    return problems


def _bold_leads(blocks: Iterable[Block]) -> Iterator[tuple[Block, int]]:
    for block in blocks:
        if block.kind == "paragraph" and block.inlines and _starts_bold(block.inlines):
            yield block, block.line
        elif block.kind == "item":
            lead = block.children[0] if block.children else None
            if (
                lead is not None
                and lead.kind == "paragraph"
                and _starts_bold(lead.inlines)
            ):
                yield lead, block.line
            yield from _bold_leads(block.children[1:])
            continue
        yield from _bold_leads(block.children)


def _starts_bold(inlines: tuple[Inline, ...]) -> bool:
    kinds = [inline.kind for inline in inlines if inline.kind != "task"]
    return bool(kinds) and kinds[0] == "strong"


def _wikilinks(blocks: Iterable[Block]) -> Iterator[tuple[str, int]]:
    for block in walk_blocks(blocks):
        yield from _links_in(block.inlines, block.line)


def _links_in(inlines: Iterable[Inline], line: int) -> Iterator[tuple[str, int]]:
    for inline in inlines:
        if inline.kind == "wikilink":
            yield inline.target, inline.line or line
        yield from _links_in(inline.children, line)
