"""The README's extraction example is what flashgen really does."""

from __future__ import annotations

import re

from flashgen.extract import extract_cards
from flashgen.parse import parse_text, plain_text

from .conftest import ROOT


def test_readme_example_gives_the_cards_its_table_shows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    note = re.search(r"Take this note.*?```markdown\n(.*?)```", readme, re.DOTALL)
    table = re.search(
        r"\| kind \| context \| question \| answer \|\n\|[-| ]+\|\n(.*?)\n\n",
        readme,
        re.DOTALL,
    )
    assert note and table
    rows = [line.strip("|").split("|") for line in table.group(1).splitlines()]
    expected = [
        (kind.strip(), re.sub(r" \(list the \d+\)", "", question.strip()))
        for kind, _, question, _ in rows
    ]
    drafts = extract_cards(parse_text("Computing/Containers.md", note.group(1)))
    # The question as the card shows it: a generic label is asked with its subject.
    assert [(d.kind, plain_text(d.question)) for d in drafts] == expected
