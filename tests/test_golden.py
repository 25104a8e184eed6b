"""Golden cards of the example vault: a diff in a GUID means users lose review history."""

from __future__ import annotations

import json

from flashgen.config import Config
from flashgen.pipeline import plan_build

from .conftest import FIXED_TIME, ROOT

GOLDEN = ROOT / "tests" / "golden" / "examples.json"


def _snapshot(result) -> dict[str, object]:
    return {
        "cards": [
            {
                "guid": item.guid,
                "deck": card.deck,
                "kind": card.draft.kind,
                "fields": {
                    "Question": card.question,
                    "Answer": card.answer,
                    "Context": card.context,
                    "Source": card.source,
                },
                "tags": list(card.draft.tags),
            }
            for item in result.cards
            for card in (item.card,)
        ],
        "media": sorted({m.name for item in result.cards for m in item.card.media}),
        "diagnostics": [d.format() for d in result.report.diagnostics],
        "skipped": list(result.report.skipped),
    }


def test_example_vault_matches_golden(examples_vault, update_goldens):
    snapshot = _snapshot(
        plan_build(Config(inputs=(examples_vault,)), clock=lambda: FIXED_TIME)
    )
    if update_goldens:
        GOLDEN.write_text(
            json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    assert snapshot == json.loads(GOLDEN.read_text(encoding="utf-8"))
