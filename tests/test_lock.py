"""The vault's build lock: a second build of a vault refuses while the first runs, and a
lock left by a build that is gone is taken over."""

from __future__ import annotations

import os
import subprocess
import sys

from flashgen.cli import main
from flashgen.state.file import STATE_FILE
from flashgen.state.lock import LOCK_FILE


def test_a_second_build_of_a_vault_refuses_while_the_first_holds_it(
    runner, examples_vault, tmp_path
):
    # The first build, as the test holds it: a lock with a process that is running.
    holder = os.getppid()
    (examples_vault / LOCK_FILE).write_text(f"{holder}\n", encoding="ascii")
    out = tmp_path / "deck.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{examples_vault}: error: another build of this vault is running (pid "
        f"{holder}); try again when it ends"
    ]
    assert not out.exists() and not (examples_vault / STATE_FILE).exists()
    assert (examples_vault / LOCK_FILE).read_text(encoding="ascii") == f"{holder}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault"]


def test_a_lock_whose_build_is_gone_is_taken_over_and_released(
    runner, examples_vault, tmp_path
):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (examples_vault / LOCK_FILE).write_text(gone.stdout, encoding="ascii")
    out = tmp_path / "deck.apkg"
    result = runner.invoke(main, ["build", str(examples_vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (examples_vault / STATE_FILE).is_file()
    assert not (examples_vault / LOCK_FILE).exists()
    assert not [
        p for p in examples_vault.iterdir() if ".tmp" in p.name or ".new" in p.name
    ]
