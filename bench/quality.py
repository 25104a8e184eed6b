"""Quality benchmark: the share of cards that `flashgen check`'s heuristics call weak, by
reason code (the codes of the quality rubric), over a folder of notes.

    .venv/bin/python bench/quality.py VAULT
    .venv/bin/python bench/quality.py VAULT --exclude SOURCES.md --json

Builds nothing: each note is found as a build finds it, parsed and extracted, and each card
goes through flashgen.quality.judge_draft. Prints the notes, the cards (by kind), the notes
that make none, and for each reason code its count and share of all cards. A heuristic is
not a reader: use it to compare two versions on the same notes, and bench/sample.py for a
reader's verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from flashgen.config import CARD_KINDS
from flashgen.discover import discover_notes
from flashgen.extract import extract_cards, makes_cards
from flashgen.parse import parse_note
from flashgen.quality import REASONS, judge_draft


def measure(vault: Path, exclude: tuple[str, ...] = ()) -> dict[str, object]:
    """Counts for one folder: notes, cards by kind, notes without cards, weak cards."""
    found = discover_notes((vault,), exclude=exclude)
    kinds: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    without: list[str] = []
    for source in found.notes:
        note = parse_note(source)
        drafts = [d for d in extract_cards(note) if d.kind in CARD_KINDS]
        if not drafts and makes_cards(note):
            without.append(note.path)
        for draft in drafts:
            kinds[draft.kind] += 1
            verdict = judge_draft(draft)
            if verdict is not None:
                reasons[verdict.code] += 1
    cards = sum(kinds.values())
    return {
        "notes": len(found.notes),
        "cards": cards,
        "cards_per_kind": dict(kinds.most_common()),
        "notes_without_cards": without,
        "weak": sum(reasons.values()),
        "reasons": {code: reasons[code] for code in REASONS if reasons[code]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path, nargs="?", default=Path("examples/vault"))
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    result = measure(options.vault, tuple(options.exclude))
    if options.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    cards = int(str(result["cards"])) or 1
    kinds = result["cards_per_kind"]
    assert isinstance(kinds, dict)
    lines = [
        f"{result['notes']} notes, {result['cards']} cards "
        f"({', '.join(f'{n} {kind}' for kind, n in kinds.items())})",
        f"notes without cards: {len(result['notes_without_cards'])}",  # type: ignore[arg-type]
        f"weak by the heuristics: {result['weak']} ({int(str(result['weak'])) / cards:.1%})",
    ]
    reasons = result["reasons"]
    assert isinstance(reasons, dict)
    for code, count in reasons.items():
        lines.append(f"  {code:<24}{count:>5}  {count / cards:6.1%}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
