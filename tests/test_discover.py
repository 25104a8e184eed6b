"""Discover stage: ignore rules, order, vault-relative paths."""

from __future__ import annotations

import json

import pytest

from flashgen.discover import discover_notes
from flashgen.errors import ConfigError


def test_examples_vault_skips_obsidian_templates_and_drawings(examples_vault):
    found = discover_notes((examples_vault,))
    assert found.name == "vault"
    assert [n.rel for n in found.notes] == [
        "Biology/Cell Organelles.md",
        "Computing/Containers and Virtual Machines.md",
        "Medicine/Pulmonary Embolism.md",
        "Programming/Python Comprehensions.md",
        "Security/Defence Concepts.md",
        "Storage/RAID Levels.md",
    ]
    assert found.skipped == ("Drawings/Layers.excalidraw.md", "Templates/Daily Note.md")


def test_template_folder_from_obsidian_settings(tmp_path):
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "templates.json").write_text(
        json.dumps({"folder": "Meta/Tpl"})
    )
    for rel in ("Meta/Tpl/t.md", "Templates/real note.md", ".trash/old.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = discover_notes((tmp_path,))
    assert [n.rel for n in found.notes] == ["Templates/real note.md"]
    assert found.skipped == ("Meta/Tpl/t.md",)


def test_single_files_outside_a_vault_are_their_folders_notes(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Topic.md").write_text("x")
    (tmp_path / "Other.md").write_text("x")
    one = discover_notes((tmp_path / "sub" / "Topic.md",))
    assert (one.name, one.title) == ("sub", "Topic")
    assert [n.rel for n in one.notes] == ["Topic.md"]
    two = discover_notes((tmp_path / "sub" / "Topic.md", tmp_path / "Other.md"))
    assert [n.rel for n in two.notes] == ["Other.md", "sub/Topic.md"]


def test_bad_inputs_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        discover_notes((tmp_path / "missing",))
    (tmp_path / "a.md").write_text("x")
    with pytest.raises(ConfigError, match="give one vault folder"):
        discover_notes((tmp_path, tmp_path / "a.md"))


def test_the_walk_keeps_to_notes_inside_the_vault(tmp_path):
    import os

    vault, outside = tmp_path / "vault", tmp_path / "outside"
    for rel in (
        "A/a.md",
        "A/B/b.MD",
        "Z/z.md",
        "Z/z.txt",
        "root.md",
        ".hidden/h.md",
        "node_modules/n.md",
        ".git/g.md",
        "sub/templates/t.md",
        "Z/d.excalidraw.md",
    ):
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text("x")
    outside.mkdir()
    (outside / "o.md").write_text("x")
    (vault / "z-out.md").symlink_to(outside / "o.md")
    (vault / "in.md").symlink_to(vault / "A" / "a.md")
    (vault / "broken.md").symlink_to(vault / "nowhere.md")
    (vault / "a-loop.md").symlink_to(vault / "a-loop.md")
    (vault / "folder-link.md").symlink_to(vault / "A", target_is_directory=True)
    (vault / "outside-folder").symlink_to(outside, target_is_directory=True)
    (vault / "Z" / "deeper-out.md").symlink_to(outside / "o.md")
    if hasattr(os, "mkfifo"):
        os.mkfifo(vault / "pipe.md")
    found = discover_notes((vault,))
    assert [(n.rel, n.path) for n in found.notes] == [
        (rel, vault / rel)
        for rel in ("A/B/b.MD", "A/a.md", "Z/z.md", "in.md", "root.md")
    ]
    assert found.skipped == ("Z/d.excalidraw.md", "sub/templates/t.md")
    # Root first, then its folders in name order; within a folder, in the order listed.
    root_links = {"a-loop.md", "broken.md", "z-out.md"}
    paths = [d.path for d in found.diagnostics]
    assert set(paths[:3]) == root_links and paths[3:] == ["Z/deeper-out.md"]
    assert all(
        "symlink that leads out of the vault" in d.message for d in found.diagnostics
    )
