"""Draw a seeded random sample of cards for a review by a reader (see the quality rubric).

    .venv/bin/python bench/sample.py VAULT --seed 7 --count 150 -o sample.md

Builds nothing: the cards are those `flashgen cards VAULT --json` lists, drawn with
`random.Random(seed).sample`, at least `--per-vault` from each top-level folder (a folder of
the corpus is one vault), and written as a numbered Markdown list a reader can judge: the
card's note and line, its kind, its front (context line and question) and its back (the
answer), as plain text. The same vault, code and seed give the same sample.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_WHERE = re.compile(r'<span class="fg-where">.*?</span>', re.DOTALL)


def plain(fragment: str) -> str:
    """A card field as the reader sees it: no tags, entities decoded, lines kept."""
    fragment = _WHERE.sub("", fragment)
    # What the card shows that is not text, as the reader would see it: an image, and
    # a table's cells apart.
    fragment = re.sub(r'<img[^>]*\bsrc="([^"]*)"[^>]*>', r" [image: \1] ", fragment)
    fragment = re.sub(r"</t[dh]>\s*<t[dh][^>]*>", " | ", fragment)
    fragment = re.sub(
        r"<br\s*/?>|</p>|</li>|</tr>|</h\d>|</pre>|</div>", "\n", fragment
    )
    fragment = re.sub(r"<li>", "- ", fragment)
    text = html.unescape(_TAG.sub("", fragment))
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip())


def _shown(question: str, kind: str) -> str:
    """The question as read: a cloze's hidden text as `[...]` and then the text."""
    if kind != "cloze":
        return plain(question)
    front = re.sub(
        r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}",
        lambda m: f"[{m.group(2) or '...'}]",
        question,
    )
    back = re.sub(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}", "[[\\1]]", question)
    return f"{plain(front)}\n    hidden: {plain(back)}"


def draw(
    cards: list[dict[str, Any]], seed: int, count: int, per_vault: int
) -> list[dict[str, Any]]:
    """`count` cards, at least `per_vault` from each top-level folder where it has them."""
    rng = random.Random(seed)
    by_vault: dict[str, list[int]] = defaultdict(list)
    for index, card in enumerate(cards):
        by_vault[card["note"].split("/", 1)[0]].append(index)
    chosen: set[int] = set()
    for vault in sorted(by_vault):
        members = by_vault[vault]
        chosen.update(rng.sample(members, min(per_vault, len(members))))
    rest = [i for i in range(len(cards)) if i not in chosen]
    chosen.update(rng.sample(rest, max(0, min(count - len(chosen), len(rest)))))
    return [cards[i] for i in sorted(chosen)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--per-vault", type=int, default=10)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--kind", help="only cards of this kind (e.g. cloze)")
    options = parser.parse_args()
    flashgen = Path(sys.executable).with_name("flashgen")
    listed = subprocess.run(
        [str(flashgen), "cards", str(options.vault), "--json", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    cards = json.loads(listed.stdout)
    if options.kind:
        cards = [card for card in cards if card["kind"] == options.kind]
    sample = draw(cards, options.seed, options.count, options.per_vault)
    lines = [
        f"# {len(sample)} cards drawn with seed {options.seed} from {len(cards)}",
        "",
    ]
    for number, card in enumerate(sample, start=1):
        fields = card["fields"]
        answer = plain(fields["Answer"]).replace("\n", "\n    > ")
        lines += [
            f"## {number}. {card['note']}:{card['line']} [{card['kind']}]",
            "",
            f"- front, context: {plain(fields['Context'])}",
            f"- front, question: {_shown(fields['Question'], card['kind'])}",
            "- back:",
            "",
            f"    > {answer}",
            "",
        ]
    options.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(sample)} of {len(cards)} cards -> {options.output}")


if __name__ == "__main__":
    main()
