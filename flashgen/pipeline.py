"""build(): runs the stages, collects diagnostics, returns a BuildReport."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from flashgen.config import Config
from flashgen.discover import discover_notes
from flashgen.extract import extract_cards
from flashgen.identity import card_guid, card_key, note_key
from flashgen.media import MediaIndex
from flashgen.parse import parse_note
from flashgen.render import RenderedCard, render_card
from flashgen.report import BuildReport, Diagnostic, Severity

log = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The cards a build made and its report."""

    cards: tuple[RenderedCard, ...]
    report: BuildReport
    root_deck: str
    vault: Path
    """The vault's root folder; media paths are relative to it."""


def collect_cards(config: Config) -> BuildResult:
    """Discover, parse, extract and render every note; write nothing."""
    discovery = discover_notes(config.inputs)
    root_deck = config.deck_name or discovery.name
    media = MediaIndex(discovery.root)
    cards: list[RenderedCard] = []
    diagnostics: list[Diagnostic] = []
    seen: dict[str, RenderedCard] = {}
    for source in discovery.notes:
        try:
            note = parse_note(source)
        except OSError as err:
            diagnostics.append(
                Diagnostic(
                    source.rel,
                    0,
                    Severity.ERROR,
                    f"cannot read the note: {err.strerror} (check its permissions)",
                )
            )
            continue
        diagnostics.extend(note.diagnostics)
        deck = _deck_for(root_deck, note.path, note.front_matter)
        key = note_key(note.path, note.front_matter)
        for draft in extract_cards(note):
            guid = card_guid(card_key(draft, key))
            if guid in seen:
                other = seen[guid].draft
                diagnostics.append(
                    Diagnostic(
                        draft.note_path,
                        draft.line,
                        Severity.ERROR,
                        f"card '{draft.label}' has the same identity as {other.note_path}:"
                        f"{other.line} and was left out (give one of the notes another `id`)",
                    )
                )
                continue
            rendering = render_card(draft, guid, deck, media)
            diagnostics.extend(rendering.diagnostics)
            seen[guid] = rendering.card
            cards.append(rendering.card)
    report = BuildReport(
        output=None,
        notes=len(discovery.notes),
        cards=len(cards),
        decks=len({card.deck for card in cards}),
        diagnostics=tuple(diagnostics),
        skipped=discovery.skipped,
    )
    return BuildResult(tuple(cards), report, root_deck, discovery.root)


def build(config: Config, clock: Clock = time.time) -> BuildResult:
    """Build the deck and write it as an .apkg; returns the cards and the report."""
    # Heavy modules (genanki, sqlite) load only when a deck is written.
    from flashgen.deck import build_decks, build_package
    from flashgen.package import write_package

    result = collect_cards(config)
    output = config.output or Path("decks") / f"{_file_name(result.root_deck)}.apkg"
    now = clock()
    media = {
        item.name: result.vault / item.source
        for card in result.cards
        for item in card.media
    }
    package = build_package(build_decks(result.cards, int(now)))
    write_package(package, media, output, now)
    log.debug("wrote %s", output)
    report = result.report
    return BuildResult(
        result.cards,
        BuildReport(
            str(output),
            report.notes,
            report.cards,
            report.decks,
            report.diagnostics,
            report.skipped,
        ),
        result.root_deck,
        result.vault,
    )


def _deck_for(root: str, path: str, front_matter: Mapping[str, Any]) -> str:
    """`deck:` in front matter names the deck; otherwise the folders under the root deck."""
    named = front_matter.get("deck")
    if isinstance(named, str) and named.strip():
        return "::".join(part.strip() for part in named.split("::") if part.strip())
    folders = PurePosixPath(path).parts[:-1]
    return "::".join((root, *folders))


def _file_name(deck: str) -> str:
    return re.sub(r"[^\w.-]+", "-", deck).strip("-.") or "deck"
