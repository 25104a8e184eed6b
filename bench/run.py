"""Benchmark: flashgen against the floor, on generated vaults, with figures as ratios.

    .venv/bin/python bench/run.py                    # 1,000 and 10,000 notes
    .venv/bin/python bench/run.py --notes 1000 10000 50000
    .venv/bin/python bench/run.py --notes 10000 --other 'mdankideck {vault} {out}'

For each vault size, in one run and side by side, each in a fresh process: the floor (read
every file, render it with pyromark, pull points out with one regex, write them with genanki,
with no flashgen logic), a full build, a no-change rebuild, a rebuild after editing one
note, a full build over the state file the last build left (no cache, as after a
settings change), and a rebuild after moving every note into a folder (each card is
re-matched). Prints seconds, ratios, flashgen's per-stage seconds, each build's CPU time
(its own and its worker processes') and each process's peak memory. With --other, another
converter's command is timed on a copy of the same vault.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402 - the generator lives beside this script

_POINT = re.compile(
    r"^\s*(?:[-*]|\d+\.)?\s*\*\*(?:\d+\.\s*)?([^*]+?):?\*\*:?\s*(.*)$", re.M
)


def _floor(vault: Path, out: Path) -> dict[str, object]:
    """What any converter must do at least, in the most direct Python."""
    import genanki
    import pyromark

    model = genanki.Model(
        1_234_567_890,
        "floor",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "c", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    deck = genanki.Deck(2_059_400_110, "floor")
    for path in sorted(vault.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        pyromark.html(text)
        for number, (label, answer) in enumerate(_POINT.findall(text)):
            guid = genanki.guid_for(str(path), number)
            deck.add_note(genanki.Note(model=model, fields=[label, answer], guid=guid))
    genanki.Package(deck).write_to_file(str(out))
    return {}


def _build(vault: Path, out: Path) -> dict[str, object]:
    from flashgen.config import Config
    from flashgen.pipeline import build

    result = build(Config(inputs=(vault,), output=out, jobs=None))  # as the CLI does
    report = result.report
    return {
        "cards": report.cards,
        "stages": dict(report.stage_seconds),
        "reused": report.reused,
        "up_to_date": report.up_to_date,
        "patched": report.patched,
        "rematched": report.changes.rematched,
    }


def _child(mode: str, vault: str, out: str) -> None:
    started = time.perf_counter()
    extra = (_floor if mode == "floor" else _build)(Path(vault), Path(out))
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    # The worker processes are done and reaped by now: their time is counted here.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(usage.ru_utime + usage.ru_stime for usage in (own, workers))
    peak = own.ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, **extra}))


def _run(mode: str, vault: Path, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, str(vault), str(out)]
    # The build cache of this run only, beside the vault: every size starts cold.
    env = {**os.environ, "FLASHGEN_CACHE_DIR": str(vault.parent / "cache")}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _edit_one_note(vault: Path) -> None:
    note = sorted(vault.rglob("*.md"))[len(list(vault.rglob("*.md"))) // 2]
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace(".", ", edited.", 1), encoding="utf-8")


def _move_into_a_folder(vault: Path) -> None:
    """Every note into one new folder: every card's note changes, and is re-matched."""
    folder = vault / "moved"
    folder.mkdir()
    for entry in sorted(vault.iterdir()):
        if entry != folder and not entry.name.startswith("."):
            entry.rename(folder / entry.name)


def _other(command: str, vault: Path) -> float:
    """Wall-clock seconds another converter takes on the vault (a copy: it may write)."""
    with tempfile.TemporaryDirectory(prefix="flashgen-other-") as scratch:
        copy, out = Path(scratch, "vault"), Path(scratch, "out")
        shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".flashgen*"))
        out.mkdir()
        words = [w.format(vault=copy, out=out) for w in shlex.split(command)]
        started = time.perf_counter()
        subprocess.run(words, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument(
        "--other",
        action="append",
        default=[],
        metavar="COMMAND",
        help="another converter to time on the same vault, e.g. "
        "'mdankideck {vault} {out}' ({out} is an empty folder)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flashgen", "--help"],
        check=True,
        capture_output=True,
    )
    print(f"flashgen --help: {time.perf_counter() - started:.2f} s")
    rows = []
    for notes in args.notes:
        with tempfile.TemporaryDirectory(prefix="flashgen-bench-") as scratch:
            vault, out = Path(scratch, "vault"), Path(scratch, "deck.apkg")
            generate(vault, notes)
            floor = _run("floor", vault, Path(scratch, "floor.apkg"))
            full = _run("build", vault, out)
            unchanged = _run("build", vault, out)
            _edit_one_note(vault)
            edited = _run("build", vault, out)
            # As after a settings change or on another machine: no cache, but the state
            # file the last build left (every card is matched against it).
            shutil.rmtree(vault.parent / "cache")
            restated = _run("build", vault, out)
            _move_into_a_folder(vault)
            moved = _run("build", vault, out)
            others = [(command, _other(command, vault)) for command in args.other]
        rows.append((notes, floor, full, unchanged, edited))
        base = float(full["seconds"])
        print(f"\n{notes:,} notes, {full['cards']:,} cards")
        for name, run in (
            ("floor", floor),
            ("full build", full),
            ("no-change rebuild", unchanged),
            ("one-note edit", edited),
            ("full, state kept", restated),
            ("vault moved", moved),
        ):
            seconds = float(run["seconds"])
            reused = (
                f"  {run['reused']:,} notes from the cache" if "reused" in run else ""
            )
            if run.get("patched"):
                reused += ", last deck patched"
            if run.get("rematched"):
                reused += f", {run['rematched']:,} cards re-matched"
            print(
                f"  {name:18} {seconds:8.2f} s  {seconds / base:6.1%} of full  "
                f"cpu {float(run['cpu']):8.2f} s  "
                f"peak {float(run['peak_mb']):7.0f} MB{reused}"
            )
        print(
            f"  full / floor: {base / float(floor['seconds']):.2f}x in time, "
            f"{float(full['cpu']) / float(floor['cpu']):.2f}x in CPU time (all cores)"
        )
        for command, seconds in others:
            print(
                f"  {command}: {seconds:.2f} s, {seconds / base:.2f}x flashgen's full "
                "build"
            )
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in full["stages"].items())
        print(f"  full build stages: {stages}")
    if len(rows) > 1:
        small = rows[0][0]
        per_small = float(rows[0][2]["seconds"]) / small
        for notes, _, full, *_ in rows[1:]:
            per_note = float(full["seconds"]) / notes
            print(
                f"\nfull build per note, {notes:,} vs {small:,} notes: "
                f"{per_note / per_small:.2f}x (1.00x is linear)"
            )


if __name__ == "__main__":
    main()
