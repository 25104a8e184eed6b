"""The preview page in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import os
import shutil

import pytest

from flashgen.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium (.ci/run); elsewhere the browser test needs it installed too.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Chromium is not installed (apt-get install chromium)",
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_preview_page_loads_cleanly_searches_and_switches_to_night(
    runner, examples_vault, tmp_path
):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "cards.html"
    result = runner.invoke(main, ["preview", str(examples_vault), "-o", str(page_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"63 cards -> {page_file}"

    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on(
            "console", lambda msg: msg.type == "error" and problems.append(msg.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        assert page.text_content("#fg-count") == "63 of 63 cards"

        page.fill("#fg-search", "90 days")
        assert page.text_content("#fg-count") == "1 of 63 cards"
        visible = page.locator(".fg-preview:visible")
        assert visible.count() == 1
        assert "90 days hot" in visible.inner_text()
        page.fill("#fg-search", "")
        assert page.locator(".fg-preview:visible").count() == 63

        image_width = page.evaluate(
            "() => document.querySelector('img[src^=\"data:image/png\"]').naturalWidth"
        )
        assert image_width == 96  # the RAID diagram, inlined

        day = page.evaluate(
            "() => getComputedStyle(document.querySelector('.card')).color"
        )
        page.click("#fg-night")
        assert page.evaluate("() => document.body.classList.contains('nightMode')")
        night = page.evaluate(
            "() => getComputedStyle(document.querySelector('.card')).color"
        )
        assert day != night
        page.screenshot(path=str(tmp_path / "preview-night.png"), full_page=False)
        browser.close()

    assert problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert (tmp_path / "preview-night.png").stat().st_size > 10_000
