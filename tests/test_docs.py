"""The documentation's examples are what flashgen accepts."""

from __future__ import annotations

import re

from flashgen.config import load_config

from .conftest import ROOT


def test_configuration_example_is_a_valid_configuration(tmp_path):
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.DOTALL).group(1)
    (tmp_path / ".flashgen.toml").write_text(example, encoding="utf-8")
    config = load_config((tmp_path,))
    assert config.deck_name == "Biology" and config.exclude == (
        "Archive/",
        "*.draft.md",
    )
    assert config.namespace == "ada-biology" and config.folder_tags is True


def test_every_documented_page_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        page, _, anchor = link.partition("#")
        assert (ROOT / page).is_file(), link
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (ROOT / page).read_text(), re.MULTILINE)
            slugs = {
                re.sub(r"[^\w-]", "", h.lower().replace(" ", "-")) for h in headings
            }
            assert anchor in slugs, link
