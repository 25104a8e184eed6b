"""State file: what the last build made, so the next one keeps identities and times.

`.flashgen-state.json` at the vault root maps each card's GUID to its structural key, a short
text of its answer (for re-matching) and a digest and time of its content (for Anki's
"newer wins" update rule). Plain JSON, sorted, meant to be committed with the notes; written
to a temporary file and renamed into place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashgen.errors import OutputError
from flashgen.report import Diagnostic, Severity

log = logging.getLogger(__name__)

STATE_FILE = ".flashgen-state.json"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class CardState:
    """One card as the last build left it."""

    guid: str
    key: tuple[str, ...]
    """Structural key (see identity.card_key); a re-matched card keeps its old GUID."""
    note: str
    """Vault-relative path of the note it came from."""
    kind: str
    context: tuple[str, ...]
    label: str
    text: str
    """The answer as plain text, cut to a few hundred characters (for re-matching)."""
    digest: str
    """Hash of everything Anki stores for the note: fields, tags, deck."""
    modified: int
    """The note's modification time in the last deck, in whole seconds."""
    removed: bool = False
    """No longer in the notes; kept to retire the card in Anki."""
    id: int = 0
    """The note's id in the deck (its card's is the next number), given when the card
    first appeared and kept ever since; 0 when not given yet (older state files)."""


@dataclass(frozen=True, slots=True)
class State:
    cards: tuple[CardState, ...] = ()
    lines: Mapping[str, tuple[CardState, str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Each card as it was read and its line in the file: an unchanged card is written
    back as the same text, without encoding it again."""


def load_state(path: Path) -> tuple[State, tuple[Diagnostic, ...]]:
    """The saved state, or an empty one with a loud warning when it cannot be read."""
    if not path.exists():
        return State(), ()
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if data.get("version") != _VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        # Written in GUID order; reconcile does not depend on the order anyway.
        cards = tuple(
            card_from_entry(guid, entry) for guid, entry in data["cards"].items()
        )
        lines = _lines(text, cards)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        log.debug("state file unreadable: %r", err)
        return State(), (
            Diagnostic(
                path.name,
                0,
                Severity.WARNING,
                "state file cannot be read, so card identities start afresh: renamed "
                "labels and headings will become new cards "
                f"({err}; restore it from version control, or delete it to silence this)",
            ),
        )
    return State(cards, lines), ()


def _lines(text: str, cards: tuple[CardState, ...]) -> dict[str, tuple[CardState, str]]:
    """Each card's line, when the file is laid out as save_state writes it."""
    rows = text.split("\n")[1:-2]
    if len(rows) != len(cards):
        return {}  # reformatted by hand or by a tool: encode every card afresh
    lines = {}
    for card, row in zip(cards, rows, strict=True):
        line = row.removesuffix(",")
        if not line.startswith(_quoted(card.guid) + ": "):
            return {}
        lines[card.guid] = (card, line)
    return lines


def save_state(state: State, path: Path) -> None:
    """Write the state atomically (temporary file in the same folder, then rename)."""
    commit_state(stage_state(state, path), path)


def stage_state(state: State, path: Path) -> Path:
    """Write the state to a temporary file beside `path`; commit_state puts it in place."""
    # One card a line: small diffs when the file is committed, and a fast write. Written
    # a few thousand lines at a time: a large state is never all in memory as text.
    ordered = sorted(state.cards, key=lambda card: card.guid)
    staged = path.with_name(f".flashgen-{path.name}.tmp")
    try:
        with staged.open("wb") as stream:
            stream.write(f'{{"version": {_VERSION}, "cards": {{\n'.encode())
            for start in range(0, len(ordered), _BATCH):
                lines = (
                    _line(card, state.lines) for card in ordered[start : start + _BATCH]
                )
                text = ",\n".join(lines)
                stream.write((",\n" + text if start else text).encode())
            stream.write(b"\n}}\n")
    except OSError as err:
        staged.unlink(missing_ok=True)
        raise _write_error(path, err) from err
    return staged


_BATCH = 4096


def commit_state(staged: Path, path: Path) -> None:
    try:
        staged.replace(path)
    except OSError as err:
        staged.unlink(missing_ok=True)
        raise _write_error(path, err) from err


def _write_error(path: Path, err: OSError) -> OutputError:
    return OutputError(
        f"{path}: error: cannot write the state file: {err.strerror or err}"
    )


def _line(card: CardState, known: Mapping[str, tuple[CardState, str]]) -> str:
    read = known.get(card.guid)
    if read is not None and read[0] == card:
        return read[1]
    return encode_line(card)


def encode_line(card: CardState) -> str:
    """The card's line in the file (without the separating comma)."""
    return f"{_quoted(card.guid)}: {_encode(_entry(card))}"


# One encoder for every line: json.dumps with options builds a new one on each call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _quoted(guid: str) -> str:
    # flashgen's GUIDs are letters and digits; anything else is quoted by the encoder.
    return f'"{guid}"' if guid.isascii() and guid.isalnum() else json.dumps(guid)


def card_from_entry(guid: str, entry: dict[str, Any]) -> CardState:
    """A card from its entry in the file."""
    return CardState(
        guid=guid,
        key=tuple(map(str, entry["key"])),
        note=str(entry["note"]),
        kind=str(entry["kind"]),
        context=tuple(map(str, entry["context"])),
        label=str(entry["label"]),
        text=str(entry["text"]),
        digest=str(entry["digest"]),
        modified=int(entry["modified"]),
        removed=bool(entry.get("removed", False)),
        id=int(entry.get("id", 0)),
    )


def _entry(card: CardState) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": list(card.key),
        "note": card.note,
        "kind": card.kind,
        "context": list(card.context),
        "label": card.label,
        "text": card.text,
        "digest": card.digest,
        "modified": card.modified,
    }
    if card.removed:
        entry["removed"] = True
    if card.id:
        entry["id"] = card.id
    return entry
