"""A state file in any JSON layout in (reformatted by hand or by a tool, or of version 1,
which kept each answer's text), its cards and version out: what the fast reader
(index.py), which reads only the layout flashgen writes, leaves to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flashgen.errors import OutputError
from flashgen.fingerprint import answer_print
from flashgen.report import Diagnostic, Severity
from flashgen.state.lines import VERSION, decode_line, entry_from_line
from flashgen.state.saved import CardState


def read_document(
    data: bytes, path: Path
) -> tuple[tuple[CardState, ...], int, tuple[Diagnostic, ...]]:
    """Any JSON layout of the state (a file reformatted by hand or by a tool), of this
    version or an older one, its version, and a warning for each GUID it holds twice."""
    repeated: list[tuple[str, Any, Any]] = []

    def first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # JSON keeps the last of two equal keys without a word; a GUID twice (a merge of
        # the state file gone wrong) keeps its first card, the other starts afresh.
        kept: dict[str, Any] = {}
        for name, value in pairs:
            if name in kept:
                repeated.append((name, kept[name], value))
            else:
                kept[name] = value
        return kept

    document = json.loads(data, object_pairs_hook=first_wins)
    version = document.get("version")
    if type(version) is int and version > VERSION:
        # Written by a newer flashgen: writing it anew would lose what it holds.
        raise OutputError(
            f"{path.name}: error: the state file is of version {version}, newer than "
            f"this flashgen reads ({VERSION}) (upgrade flashgen to build this vault)"
        )
    cards_table = document["cards"]
    twice = [
        (guid, first, second)
        for guid, first, second in repeated
        if cards_table.get(guid) is first
    ]
    if version == 1:
        cards = tuple(
            _card_of_version_1(guid, entry) for guid, entry in cards_table.items()
        )
        problems = [(g, cards_table[g]["note"], s["note"]) for g, _, s in twice]
        return cards, 1, _warnings(path, problems)
    if version != VERSION:
        raise ValueError(f"unknown version {version!r}")
    root = document.get("root", "")
    if not isinstance(root, str):
        raise TypeError(f"not a root deck: {root!r}")
    entries = {
        ref: entry_from_line(ref, value, root)
        for ref, value in document["notes"].items()
    }
    cards = tuple(
        CardState(*decode_line(guid, value, entries).fields)
        for guid, value in cards_table.items()
    )

    def note(guid: str, value: Any) -> str:
        return str(CardState(*decode_line(guid, value, entries).fields).note)

    problems = [(g, note(g, f), note(g, s)) for g, f, s in twice]
    return cards, VERSION, _warnings(path, problems)


def _warnings(
    path: Path, problems: list[tuple[str, str, str]]
) -> tuple[Diagnostic, ...]:
    return tuple(
        Diagnostic(
            path.name,
            0,
            Severity.WARNING,
            f"card GUID {guid} appears twice, for a card of '{first}' and one of "
            f"'{second}' (a merge of the state file gone wrong?); '{first}' keeps it and "
            f"the card of '{second}' gets an identity of its own, with no review history "
            "(restore the state file from version control to keep both)",
        )
        for guid, first, second in problems
    )


def _card_of_version_1(guid: str, entry: dict[str, Any]) -> CardState:
    """A card from its entry in a file of version 1 (which kept the answer's text)."""
    modified, card_id = int(entry["modified"]), int(entry.get("id", 0))
    if not (0 <= modified < _LARGEST and 0 <= card_id < _LARGEST):
        raise ValueError(f"card {guid}: time or id out of range")
    return CardState(
        guid=guid,
        key=tuple(map(str, entry["key"])),
        note=str(entry["note"]),
        kind=str(entry["kind"]),
        context=tuple(map(str, entry["context"])),
        label=str(entry["label"]),
        answer=answer_print(str(entry["text"])),
        digest=str(entry["digest"]),
        modified=modified,
        removed=bool(entry.get("removed", False)),
        id=card_id,
    )


_LARGEST = 2**53
