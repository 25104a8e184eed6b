"""Generate a realistic, deterministic vault for the benchmark.

    python bench/generate.py OUT_DIR --notes 10000 [--seed 1]

Nested folders, front matter, headings, the common bold-label forms, code, math, wikilinks,
tags and a few small images; about 25 points a note.
"""

from __future__ import annotations

import argparse
import random
import struct
import zlib
from pathlib import Path

WORDS = (
    "kernel",
    "process",
    "thread",
    "memory",
    "page",
    "cache",
    "disk",
    "network",
    "packet",
    "socket",
    "route",
    "switch",
    "frame",
    "buffer",
    "index",
    "query",
    "table",
    "join",
    "tree",
    "graph",
    "node",
    "edge",
    "vertex",
    "weight",
    "path",
    "cycle",
    "hash",
    "key",
    "value",
    "store",
    "log",
    "event",
    "alert",
    "rule",
    "policy",
    "token",
    "session",
    "cookie",
    "header",
    "proxy",
    "image",
    "layer",
    "volume",
    "cluster",
    "replica",
    "shard",
    "leader",
    "quorum",
    "commit",
    "rollback",
    "schema",
    "field",
)
FOLDERS = ("Systems", "Networks", "Databases", "Security", "Algorithms", "Cloud")
SUBFOLDERS = ("Basics", "Advanced", "Labs", "Exam Prep")


def _png(seed: int) -> bytes:
    width, height = 16, 16
    row = bytes([0]) + bytes((seed * 37 + x * 11) % 256 for x in range(width * 3))
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _label(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(1, 3)))


def _note(rng: random.Random, number: int, images: int) -> str:
    lines = [
        "---",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(FOLDERS).lower()}/{rng.choice(WORDS)}]",
        f"created: 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "---",
        "",
        f"Links: [[Note {rng.randrange(number + 1)}]]",
        f"Search Tag: #{rng.choice(WORDS)}",
        "",
        f"# Topic {number}",
        "",
        _sentence(rng, 24),
        "",
    ]
    for section in range(5):
        lines += [f"## {_label(rng)} {section}", "", _sentence(rng, 20), ""]
        style = section % 5
        for point in range(5):
            label, text = _label(rng), _sentence(rng)
            if style == 0:
                lines += [f"**{point + 1}. {label}:** {text}", ""]
            elif style == 1:
                lines.append(f"{point + 1}. **{label}:** {text}")
            elif style == 2:
                lines.append(
                    f"- **{label}**: {text} See [[Note {rng.randrange(9999)}]]."
                )
            elif style == 3:
                lines.append(f"- **{label}** - {text} Cost $O(n \\log n)$.")
            else:
                lines += [
                    f"**{label}**",
                    "",
                    "```python",
                    f"# {text}",
                    f"value = compute({point})",
                    "```",
                    "",
                ]
        lines.append("")
    if images:
        lines += [f"![[figure-{rng.randrange(images)}.png|200]]", ""]
    lines += ["**Defence in Depth** is a layered strategy of independent controls.", ""]
    lines += [f"Created Date: 2024-01-0{rng.randint(1, 9)}"]
    return "\n".join(lines) + "\n"


def generate(out: Path, notes: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    images = max(1, notes // 200)
    attachments = out / "attachments"
    attachments.mkdir(parents=True, exist_ok=True)
    for number in range(images):
        (attachments / f"figure-{number}.png").write_bytes(_png(number))
    for number in range(notes):
        folder = out / rng.choice(FOLDERS) / rng.choice(SUBFOLDERS)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Note {number}.md").write_text(
            _note(rng, number, images), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.notes, args.seed)


if __name__ == "__main__":
    main()
