"""Shared fixtures: vault copies, a fixed clock, a CLI runner and a real Anki collection."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The development corpus and seed note live beside the repository, never in it.
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_099fe966feba4373.txt"
CORPUS = SHARED / "corpus"
FIXED_TIME = 1_700_000_000.0


@pytest.fixture(autouse=True)
def cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """Each test's build cache in its own folder, never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FLASHGEN_CACHE_DIR", str(folder))
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite tests/golden/*.json"
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def clock():
    return lambda: FIXED_TIME


@pytest.fixture
def examples_vault(tmp_path: Path) -> Path:
    target = tmp_path / "vault"
    # Leave out the state a `make demo` build keeps there: each test starts from the notes.
    shutil.copytree(
        EXAMPLES / "vault",
        target,
        ignore=shutil.ignore_patterns(".flashgen-state.json"),
    )
    return target


@pytest.fixture
def seed_vault(tmp_path: Path) -> Path:
    """The seed note under the name it has in its vault (skipped where shared/ is absent)."""
    if not SEED.is_file():
        pytest.skip("seed note not available (../shared is absent)")
    vault = tmp_path / "Encryptopedia"
    (vault / "03 - Content").mkdir(parents=True)
    shutil.copyfile(SEED, vault / "03 - Content" / "03 - Containers.md")
    return vault


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[object]:
    """An empty, real Anki collection (Anki's own backend, headless)."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_deck(col, apkg: Path):
    """Import an .apkg the way Anki's import dialog does by default; return the import log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=False)
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=options)
    return col.import_anki_package(request).log


def pytest_configure(config: pytest.Config) -> None:
    # CI runs the property suite derandomised: the same examples every run, no flaky reds.
    from hypothesis import settings

    settings.register_profile("default", max_examples=300)
    settings.register_profile("ci", max_examples=300, derandomize=True)
    # `make fuzz`: the same properties, many more examples.
    settings.register_profile("fuzz", max_examples=20_000)
    profile = os.environ.get("HYPOTHESIS_PROFILE") or (
        "ci" if os.environ.get("CI") else "default"
    )
    settings.load_profile(profile)
