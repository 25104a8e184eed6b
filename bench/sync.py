"""Benchmark: `flashgen sync` into a real Anki collection, as ratios.

    .venv/bin/python bench/sync.py                  # 10,000 notes
    .venv/bin/python bench/sync.py --notes 1000

For each vault size, each in a fresh process: a full sync of the generated vault into an
empty collection (every note added), a sync with nothing changed, and a sync after editing
one note, into the collection that then holds the whole vault's deck; each with Anki's
backup taken first, as by default. Prints seconds, the one-note sync as a share of the full
one, and each process's peak memory. Needs Anki's library (the test extras have it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402 - the generator lives beside this script
from run import _edit_one_note  # noqa: E402 - the same one-note edit as the build's


def _child(vault: str, collection: str) -> None:
    from flashgen.anki.sync import Target, sync
    from flashgen.config import Config

    started = time.perf_counter()
    config = Config(inputs=(Path(vault),), jobs=None)  # as the CLI does
    result = sync(config, Target(collection=Path(collection)))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    changes = result.changes
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "cards": result.build.report.cards,
                "changes": changes.format(),
                "stages": dict(result.build.report.stage_seconds),
            }
        )
    )


def _run(vault: Path, collection: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(vault), str(collection)]
    # The build cache of this run only, beside the vault: every size starts cold.
    env = {**os.environ, "FLASHGEN_CACHE_DIR": str(vault.parent / "cache")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"sync failed (exit {done.returncode}):\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _empty_collection(path: Path) -> None:
    from anki.collection import Collection

    path.parent.mkdir(parents=True)
    Collection(str(path)).close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}")
    for notes in args.notes:
        with tempfile.TemporaryDirectory(prefix="flashgen-bench-sync-") as scratch:
            vault = Path(scratch, "vault")
            collection = Path(scratch, "Anki2", "User 1", "collection.anki2")
            generate(vault, notes)
            _empty_collection(collection)
            full = _run(vault, collection)
            unchanged = _run(vault, collection)
            _edit_one_note(vault)
            edited = _run(vault, collection)
            size = collection.stat().st_size / 2**20
        base = float(full["seconds"])
        print(f"\n{notes:,} notes, {full['cards']:,} cards ({size:,.0f} MB collection)")
        for name, run in (
            ("full sync", full),
            ("no-change sync", unchanged),
            ("one-note edit", edited),
        ):
            seconds = float(run["seconds"])
            print(
                f"  {name:15} {seconds:8.2f} s  {seconds / base:6.1%} of full  "
                f"peak {float(run['peak_mb']):7.0f} MB  in Anki: {run['changes']}"
            )
        print(f"  one-note edit / full sync: {float(edited['seconds']) / base:.3f}")


if __name__ == "__main__":
    main()
