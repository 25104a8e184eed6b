"""Lint for `flashgen check`: what a build would not say, but an author wants to know.

Bold that looks like a label but makes no card (and why), labels with no answer, the same
question twice in one deck, and links to notes that are not in the vault. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from flashgen.extract import CardDraft, judge_label
from flashgen.parse import Block, Inline, ParsedNote, plain_text, walk_blocks
from flashgen.render.transclude import NoteLibrary
from flashgen.report import Diagnostic, Severity
from flashgen.store.cardstore import Assigned


def lint_note(
    note: ParsedNote, drafts: Iterable[CardDraft], library: NoteLibrary
) -> list[Diagnostic]:
    """Bold that makes no card, labels with no answer, links that go nowhere."""
    card_lines = {draft.line for draft in drafts}
    problems = []
    for lead, line in _bold_leads(note.blocks):
        judged = judge_label(lead.inlines)
        bold = plain_text(lead.inlines[0].children).strip() if lead.inlines else ""
        if isinstance(judged, str):
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
