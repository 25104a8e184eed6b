"""MathJax 3 in headless Chromium, configured as Anki desktop configures it.

`make test` (and CI) install the MathJax that Anki ships from the npm registry into
.cache/mathjax; FLASHGEN_MATHJAX may name another copy's es5/ folder instead.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = Path(
    os.environ.get("FLASHGEN_MATHJAX")
    or ROOT / ".cache" / "mathjax" / "node_modules" / "mathjax" / "es5"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
COMMANDS_MODULE = ROOT / "flashgen" / "mathjax_commands.py"

# Anki's own set-up (ts/mathjax/index.ts in Anki's source, with tex-chtml-full.js): TeX
# input read from \( \) and \[ \], these packages, and undefined macros shown in red.
ANKI_PACKAGES = [
    "action",
    "ams",
    "autoload",
    "configmacros",
    "mathtools",
    "mhchem",
    "newcommand",
    "noundefined",
    "require",
]
ANKI_CONFIG = {
    "tex": {
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": False,
        "processEnvironments": False,
        "processRefs": False,
        "packages": ["base", *ANKI_PACKAGES],
    },
    "loader": {"load": [f"[tex]/{name}" for name in ANKI_PACKAGES]},
    "startup": {"typeset": False},
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def has_mathjax() -> bool:
    return (MATHJAX / "tex-chtml-full.js").is_file()


@contextmanager
def anki_mathjax(folder: Path) -> Iterator[Any]:
    """A page with MathJax loaded as in Anki's reviewer, ready to typeset."""
    from playwright.sync_api import sync_playwright

    page_file = folder / "mathjax.html"
    script = (MATHJAX / "tex-chtml-full.js").as_uri()
    page_file.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<script>window.MathJax = {json.dumps(ANKI_CONFIG)};</script>"
        f"<script src='{script}'></script></head><body></body></html>",
        encoding="utf-8",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_function("() => window.MathJax && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
            yield page
        finally:
            browser.close()


def typeset(page: Any, card_html: str) -> list[str]:
    """The MathML of every maths span in the card's HTML, once MathJax has typeset it."""
    return page.evaluate(
        """async (html) => {
            document.body.innerHTML = html;
            MathJax.startup.document.clear();
            await MathJax.typesetPromise([document.body]);
            return Array.from(MathJax.startup.document.math)
                .map((item) => MathJax.startup.toMML(item.root));
        }""",
        card_html,
    )


def known_commands(page: Any) -> list[str]:
    """Every control sequence MathJax's TeX input knows with Anki's packages (those
    the autoload package loads on first use included), without the backslash."""
    names = page.evaluate(
        """() => {
            const jax = MathJax.startup.document.inputJax[0];
            const names = new Set();
            for (const kind of ["macro", "delimiter"]) {
                for (const entry of jax.parseOptions.handlers.get(kind)._configuration) {
                    for (const key of entry.item.map.keys()) names.add(key);
                }
            }
            return [...names];
        }"""
    )
    words = {name.removeprefix("\\") for name in names}
    return sorted(name for name in words if name.isascii() and name.isalpha())


def commands_module(names: list[str]) -> str:
    """flashgen/render/mathjax_commands.py for these names."""
    body = textwrap.fill(
        " ".join(names), width=84, break_long_words=False, break_on_hyphens=False
    )
    lines = "\n".join(f"    {line}" for line in body.splitlines())
    return (
        '"""The control words MathJax 3 knows with Anki\'s TeX packages (without the\n'
        "backslash), letters only: a maths span using any other is reported as undefined.\n"
        "\n"
        "Generated from MathJax itself: pytest tests/test_mathjax.py --update-goldens\n"
        '"""\n'
        "\n"
        '_NAMES = """\n'
        f"{lines}\n"
        '"""\n'
        "MATHJAX_COMMANDS = frozenset(_NAMES.split())\n"
    )
