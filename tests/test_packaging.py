"""The package builds as a wheel and an sdist that carry what users need."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile

from .conftest import ROOT


def test_wheel_and_sdist_build_cleanly(tmp_path):
    # Build from a copy, so the checkout gets no build/ or egg-info litter.
    source = tmp_path / "source"
    source.mkdir()
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
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith("entry_points.txt")]
        assert "flashgen = flashgen.cli:main" in archive.read(entry_points).decode()
    assert {"flashgen/cli.py", "flashgen/pipeline.py", "flashgen/model.py"} <= set(
        names
    )
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"README.md", "CHANGELOG.md", "pyproject.toml", "flashgen/cli.py"} <= members
