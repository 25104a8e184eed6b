"""The package builds as a wheel and an sdist that carry what users need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT


def _build(tmp_path: Path) -> tuple[Path, Path]:
    """The wheel and sdist, built from a copy of the checkout (so it gets no build/ or
    egg-info litter) with the test environment's setuptools (no download)."""
    source = tmp_path / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "MANIFEST.in"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "flashgen",
        source / "flashgen",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # --no-isolation: build with the test environment's setuptools, no download.
    command = [
        sys.executable,
        "-m",
        "build",
        "--no-isolation",
        "--outdir",
        str(tmp_path),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("flashgen-*.whl")
    (sdist,) = tmp_path.glob("flashgen-*.tar.gz")
    return wheel, sdist


def _package_modules() -> set[str]:
    """Every module of the package in the checkout, as a path inside the wheel."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "flashgen").rglob("*.py")
        if "__pycache__" not in path.parts
    }


def test_wheel_and_sdist_build_cleanly(tmp_path):
    wheel, sdist = _build(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith("entry_points.txt")]
        assert "flashgen = flashgen.cli:main" in archive.read(entry_points).decode()
    # Every module, subpackages included: a wheel without flashgen/extract/ installs a
    # command that crashes on its first build.
    assert {n for n in names if n.endswith(".py")} == _package_modules()
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
        "flashgen/cli/__init__.py",
    } <= members


@pytest.mark.skipif(sys.platform == "win32", reason="the venv layout below is POSIX")
def test_the_installed_wheel_builds_a_deck_from_a_fresh_environment(tmp_path):
    """As `pipx install .` or `pip install .` gives it: the wheel in a new virtual
    environment, run from a folder where the checkout is not on the path."""
    wheel, _ = _build(tmp_path / "dist")
    environment = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    # The checkout must not leak in through the test run's own environment variables.
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "VIRTUAL_ENV"))
    }
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            wheel,
        ],
        check=True,
        capture_output=True,
        env=clean,
    )
    work = tmp_path / "work"
    shutil.copytree(
        EXAMPLES / "vault",
        work / "vault",
        ignore=shutil.ignore_patterns(".flashgen-state.json"),
    )

    def run(*command: str | Path) -> str:
        done = subprocess.run(
            command, cwd=work, env=clean, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    located = run(python, "-c", "import flashgen; print(flashgen.__file__)")
    assert Path(located.strip()).is_relative_to(environment), located
    installed = Path(located.strip()).parent
    assert {
        f"flashgen/{path.relative_to(installed).as_posix()}"
        for path in installed.rglob("*.py")
    } == _package_modules()
    version = run(python, "-m", "flashgen", "--version")
    assert version.startswith("flashgen, version ")
    summary = run(environment / "bin" / "flashgen", "build", "vault")
    assert "-> decks/vault.apkg" in summary
    assert (work / "decks" / "vault.apkg").stat().st_size > 0
