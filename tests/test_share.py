"""Sharing a deck, and the settings a vault can carry."""

from __future__ import annotations

import json
import shutil
import zipfile

from flashgen.cli import main
from flashgen.config import load_config
from flashgen.pipeline import build

from .conftest import FIXED_TIME, import_deck


def _share(vault, out, now=FIXED_TIME):
    config = load_config((vault,), output=out, share=True)
    return build(config, clock=lambda: now)


def test_share_needs_a_namespace(runner, examples_vault, tmp_path):
    result = runner.invoke(
        main, ["build", str(examples_vault), "--share", "-o", str(tmp_path / "s.apkg")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(".flashgen.toml: error: --share needs a namespace")
    assert not (tmp_path / "s.apkg").exists()


def test_shared_deck_is_reproducible_has_no_personal_links_and_updates_in_place(
    examples_vault, tmp_path, collection
):
    (examples_vault / ".flashgen.toml").write_text('namespace = "ada-study-notes"\n')
    first = _share(examples_vault, tmp_path / "v1.apkg")
    again = _share(examples_vault, tmp_path / "v1-again.apkg", now=FIXED_TIME + 86_400)
    assert (tmp_path / "v1.apkg").read_bytes() == (
        tmp_path / "v1-again.apkg"
    ).read_bytes()
    assert {item.card.source for item in first.cards} == {""}
    with zipfile.ZipFile(tmp_path / "v1.apkg") as archive:
        assert b"obsidian://" not in archive.read("collection.anki2")
    personal = {item.guid for item in again.cards}

    log = import_deck(collection, tmp_path / "v1.apkg")
    assert len(log.new) == len(first.cards)
    guids = {collection.get_note(n).guid for n in collection.find_notes("")}
    assert not guids & personal  # the namespace enters every GUID

    note = examples_vault / "Security" / "Defence Concepts.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("90 days", "14 days"), encoding="utf-8"
    )
    _share(examples_vault, tmp_path / "v2.apkg", now=FIXED_TIME + 90_000)
    log = import_deck(collection, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated)) == (0, 1)
    (nid,) = collection.find_notes('"Question:*Retention<*"')
    assert "14 days" in collection.get_note(nid)["Answer"]


def test_two_authors_decks_never_collide(examples_vault, tmp_path, collection):
    other = tmp_path / "other"
    shutil.copytree(examples_vault, other)
    (examples_vault / ".flashgen.toml").write_text('namespace = "ada"\n')
    (other / ".flashgen.toml").write_text('namespace = "grace"\n')
    first = _share(examples_vault, tmp_path / "ada.apkg")
    _share(other, tmp_path / "grace.apkg")
    import_deck(collection, tmp_path / "ada.apkg")
    log = import_deck(collection, tmp_path / "grace.apkg")
    assert len(log.new) == len(first.cards)
    assert len(collection.find_notes("")) == 2 * len(first.cards)


def test_deck_description_comes_from_the_vault_readme(
    examples_vault, tmp_path, collection
):
    (examples_vault / "README.md").write_text(
        "# About\n\nStudy notes for the <b>exam</b>.\n"
    )
    build(
        load_config((examples_vault,), output=tmp_path / "d.apkg"),
        clock=lambda: FIXED_TIME,
    )
    import_deck(collection, tmp_path / "d.apkg")
    deck = collection.decks.by_name("vault")
    assert deck["desc"].startswith(
        "Study notes for the &lt;b&gt;exam&lt;/b&gt;.<br><br>"
    )
    assert "built by flashgen" in deck["desc"]


def test_vault_settings_include_exclude_kinds_layout_css_and_link_template(
    examples_vault, tmp_path, collection
):
    (examples_vault / "extra.css").write_text(
        ".fg-question { color: rebeccapurple; }\n"
    )
    (examples_vault / "pyproject.toml").write_text(
        "[tool.flashgen]\n"
        'exclude = ["Storage/", "*Comprehensions.md"]\n'
        'cards = ["point", "definition"]\n'
        'deck_layout = "single"\n'
        'css = "extra.css"\n'
        'source_link = "https://notes.example.org/{path}"\n'
    )
    result = build(
        load_config((examples_vault,), output=tmp_path / "d.apkg"),
        clock=lambda: FIXED_TIME,
    )
    notes = {item.card.draft.note_path for item in result.cards}
    assert notes == {
        "Computing/Containers and Virtual Machines.md",
        "Medicine/Pulmonary Embolism.md",
        "Security/Defence Concepts.md",
    }
    assert {item.card.draft.kind for item in result.cards} == {"point", "definition"}
    assert {item.card.deck for item in result.cards} == {"vault"}
    import_deck(collection, tmp_path / "d.apkg")
    (nid,) = collection.find_notes('"Question:*Retention<*"')
    note = collection.get_note(nid)
    assert note["Source"] == (
        '<a href="https://notes.example.org/Security/Defence%20Concepts.md">'
        "Security/Defence Concepts.md</a>"
    )
    assert "rebeccapurple" in note.note_type()["css"]


def test_include_builds_only_matching_notes(examples_vault, tmp_path):
    (examples_vault / ".flashgen.toml").write_text('include = ["Security/"]\n')
    result = build(
        load_config((examples_vault,)), clock=lambda: FIXED_TIME, dry_run=True
    )
    assert {item.card.draft.note_path for item in result.cards} == {
        "Security/Defence Concepts.md"
    }
    assert "Storage/RAID Levels.md" in result.report.skipped


def test_the_description_is_kept_when_the_root_deck_holds_only_sub_decks(
    examples_vault, tmp_path, collection
):
    (examples_vault / "README.md").write_text("Study notes for the exam.\n")
    (examples_vault / ".flashgen.toml").write_text('exclude = ["README.md"]\n')
    result = build(
        load_config((examples_vault,), output=tmp_path / "d.apkg"),
        clock=lambda: FIXED_TIME,
    )
    assert all("::" in item.card.deck for item in result.cards)
    import_deck(collection, tmp_path / "d.apkg")
    deck = collection.decks.by_name("vault")
    assert deck["desc"].startswith("Study notes for the exam.<br><br>")


def test_a_shared_build_leaves_the_personal_deck_as_it_was(
    runner, examples_vault, tmp_path, collection
):
    """Personal build, import, an edit in Anki, a shared build, a personal build,
    re-import: nothing is updated, the edit survives, the state files are apart."""
    (examples_vault / ".flashgen.toml").write_text('namespace = "ada-study-notes"\n')

    def build_json(*options: str) -> dict:
        result = runner.invoke(
            main, ["build", str(examples_vault), "--json", *options], env={"CI": "1"}
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    personal = tmp_path / "mine.apkg"
    first = build_json("-o", str(personal))
    state = examples_vault / ".flashgen-state.json"
    kept = state.read_bytes()
    import_deck(collection, personal)
    (nid,) = collection.find_notes('"Question:*Retention<*"')
    note = collection.get_note(nid)
    note["Extra"] = "my own mnemonic"
    collection.update_note(note)

    shared = build_json("--share", "-o", str(tmp_path / "shared.apkg"))
    assert shared["added"] + shared["updated"] == first["cards"]
    assert state.read_bytes() == kept  # the shared deck keeps its own state
    assert (examples_vault / ".flashgen-shared-state.json").is_file()

    again = build_json("-o", str(personal))
    assert (again["updated"], again["unchanged"]) == (0, first["cards"])
    assert state.read_bytes() == kept
    log = import_deck(collection, personal)
    assert (len(log.new), len(log.updated)) == (0, 0)
    assert collection.get_note(nid)["Extra"] == "my own mnemonic"

    # With no cache either: the times come from the state file, not from the cache.
    fresh = build_json("-o", str(personal), "--no-cache")
    assert fresh["updated"] == 0


def test_a_shared_deck_never_fills_the_recipient_s_own_decks(tmp_path, collection):
    vault = tmp_path / "Bio"
    vault.mkdir()
    (vault / ".flashgen.toml").write_text('namespace = "ada-bio"\n')
    (vault / "Into Default.md").write_text("---\ndeck: Default\n---\n**Q1**: a\n")
    (vault / "Under.md").write_text("---\ndeck: Bio::Cells\n---\n**Q2**: b\n")
    (vault / "Plain.md").write_text("**Q3**: c\n")
    result = _share(vault, tmp_path / "s.apkg")
    assert [d.format() for d in result.report.diagnostics] == [
        "Into Default.md: warning: deck 'Default' is outside the shared deck 'Bio'; its "
        "cards go to 'Bio::Default' (name a deck under Bio::)"
    ]
    import_deck(collection, tmp_path / "s.apkg")
    decks = {
        collection.decks.name(collection.get_card(c).did)
        for c in collection.find_cards("")
    }
    assert decks == {"Bio::Default", "Bio::Cells", "Bio"}
    # A personal deck goes where the note says.
    personal = build(load_config((vault,), output=tmp_path / "p.apkg"))
    assert {item.card.deck for item in personal.cards} == {
        "Default",
        "Bio::Cells",
        "Bio",
    }
