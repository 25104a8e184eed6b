"""Watch mode with real file-system events: rebuilds after a change, survives a failure."""

from __future__ import annotations

import queue
import threading

from flashgen.config import Config
from flashgen.watch import watch_vault

from .conftest import FIXED_TIME


def test_watch_rebuilds_after_a_change_and_keeps_going_after_a_failure(
    examples_vault, tmp_path
):
    out = tmp_path / "deck.apkg"
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    config = Config(inputs=(examples_vault,), output=out)
    worker = threading.Thread(
        target=watch_vault,
        args=(config, lambda result, error: results.put((result, error)), stop),
        kwargs={"clock": lambda: FIXED_TIME, "debounce": 0.05},
    )
    worker.start()
    try:
        first, error = results.get(timeout=20)
        assert error is None and first.report.changes.added == len(first.cards)

        note = examples_vault / "Security" / "Defence Concepts.md"
        note.write_text(
            note.read_text(encoding="utf-8").replace("90 days", "7 days"),
            encoding="utf-8",
        )
        second, error = results.get(timeout=20)
        assert error is None
        assert second.report.changes.updated == 1

        # A failed build (the deck's path is taken by a folder) is reported; watching goes on.
        out.unlink()
        out.mkdir()
        note.write_text(
            note.read_text(encoding="utf-8") + "\n**New**: point.\n", encoding="utf-8"
        )
        result, error = results.get(timeout=20)
        assert result is None and "cannot write the deck" in str(error)

        out.rmdir()
        note.write_text(
            note.read_text(encoding="utf-8") + "\n**Newer**: point.\n", encoding="utf-8"
        )
        fourth, error = results.get(timeout=20)
        assert error is None and out.is_file()
        added = {c.card.draft.label for c in fourth.cards if c.status == "added"}
        # Both new points, and the section's enumeration card they now make.
        assert added == {"New", "Newer", "Taking a Memory Image"}
    finally:
        stop.set()
        worker.join(timeout=20)
    assert not worker.is_alive()


def test_watch_reads_the_settings_again_when_they_change(examples_vault, tmp_path):
    from flashgen.config import load_config

    out = tmp_path / "deck.apkg"
    settings = examples_vault / ".flashgen.toml"
    settings.write_text('deck_name = "First"\n', encoding="utf-8")
    results: queue.Queue = queue.Queue()
    stop = threading.Event()

    def fresh() -> Config:
        return load_config((examples_vault,), output=out)

    worker = threading.Thread(
        target=watch_vault,
        args=(fresh(), lambda result, error: results.put((result, error)), stop),
        kwargs={"clock": lambda: FIXED_TIME, "debounce": 0.05, "settings": fresh},
    )
    worker.start()
    try:
        first, error = results.get(timeout=20)
        assert error is None and first.root_deck == "First"
        settings.write_text('deck_name = "Second"\n', encoding="utf-8")
        second, error = results.get(timeout=20)
        assert error is None and second.root_deck == "Second"
        # Settings that cannot be read are reported; watching goes on.
        settings.write_text('deck_name = "Third\n', encoding="utf-8")
        result, error = results.get(timeout=20)
        assert result is None and "not valid TOML" in str(error)
        settings.write_text('deck_name = "Fourth"\n', encoding="utf-8")
        fourth, error = results.get(timeout=20)
        assert error is None and fourth.root_deck == "Fourth"
    finally:
        stop.set()
        worker.join(timeout=20)
    assert not worker.is_alive()
