"""Preview: the cards a build makes in, one self-contained HTML page out (written, and
opened in a browser when asked).

Every card's front and back, grouped by deck and note, styled with the note type's own CSS,
images inlined; a search box and a day/night switch. Nothing is fetched when it opens.
"""

from __future__ import annotations

import base64
import contextlib
import html
import mimetypes
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from flashgen.anki.model import (
    BACK,
    CLOZE_BACK,
    CLOZE_CSS,
    CLOZE_FRONT,
    CSS,
    FRONT,
    REVERSED_BACK,
    REVERSED_FRONT,
)
from flashgen.errors import OutputError
from flashgen.extract import card_form
from flashgen.render.card import RenderedCard
from flashgen.store.cardstore import Assigned

_PAGE_CSS = """
[hidden] { display: none !important; }
body { margin: 0; background: #f6f7f9; }
body.nightMode { background: #111318; }
.fg-bar { position: sticky; top: 0; display: flex; gap: 0.8em; align-items: center;
  padding: 0.7em 1.2em; background: #ffffffee; border-bottom: 1px solid #d1d9e0; z-index: 1;
  font-family: -apple-system, "Segoe UI", Roboto, sans-serif; }
.nightMode .fg-bar { background: #1e1e1eee; color: #e6edf3; border-color: #3d444d; }
.fg-bar input { flex: 1; font-size: 1em; padding: 0.3em 0.5em; }
.fg-deck, .fg-note { font-family: -apple-system, "Segoe UI", Roboto, sans-serif;
  margin: 1.2em 1.2em 0.4em; color: #59636e; }
.nightMode .fg-deck, .nightMode .fg-note { color: #9198a1; }
.fg-preview { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin: 0.6em 1.2em;
  padding: 0.8em; border: 1px solid #d1d9e0; border-radius: 8px; }
.nightMode .fg-preview { border-color: #3d444d; }
.fg-preview > .card { padding: 0.8em; border-radius: 6px; }
.fg-side { font-size: 0.7em; text-transform: uppercase; letter-spacing: 0.08em;
  color: #59636e; margin-bottom: 0.4em; }
"""

_SCRIPT = """
const search = document.getElementById("fg-search");
const count = document.getElementById("fg-count");
const cards = Array.from(document.querySelectorAll(".fg-preview"));
function filter() {
  const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const card of cards) {
    const text = card.dataset.search;
    const match = words.every((word) => text.includes(word));
    card.hidden = !match;
    if (match) shown += 1;
  }
  for (const group of document.querySelectorAll("section[data-group]")) {
    group.hidden = !group.querySelector(".fg-preview:not([hidden])");
  }
  count.textContent = `${shown} of ${cards.length} cards`;
}
search.addEventListener("input", filter);
document.getElementById("fg-night").addEventListener("click", () => {
  const night = document.body.classList.toggle("nightMode");
  for (const side of document.querySelectorAll(".card")) {
    side.classList.toggle("nightMode", night);
  }
});
filter();
"""


def preview_page(cards: Iterable[Assigned], vault: Path, title: str) -> str:
    """The whole page: one string of HTML with everything it needs inside it."""
    groups: dict[str, dict[str, list[RenderedCard]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for item in cards:
        groups[item.card.deck][item.card.draft.note_path].append(item.card)
    body = []
    for deck in sorted(groups):
        body.append(
            f'<section data-group="deck"><h2 class="fg-deck">{html.escape(deck)}</h2>'
        )
        for note in sorted(groups[deck]):
            body.append(
                f'<section data-group="note"><h3 class="fg-note">{html.escape(note)}</h3>'
            )
            body.extend(_card(card, vault) for card in groups[deck][note])
            body.append("</section>")
        body.append("</section>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}: flashgen preview</title>"
        f"<style>{CSS}{CLOZE_CSS}{_PAGE_CSS}</style></head><body>"
        '<div class="fg-bar"><input id="fg-search" type="search" placeholder="Search cards" '
        'aria-label="Search cards"><span id="fg-count"></span>'
        '<button id="fg-night" type="button">Day / night</button></div>'
        f"{''.join(body)}<script>{_SCRIPT}</script></body></html>"
    )


def _card(card: RenderedCard, vault: Path) -> str:
    answer = _inline_media(card, vault)
    fields = {
        "Text": card.question,
        "Question": card.question,
        "Answer": answer,
        "Context": card.context,
        "Source": card.source,
        "Extra": "",
    }
    form = card_form(card.draft.kind)
    sides = [("Front", FRONT), ("Back", BACK)]
    if form == "reversed":
        sides += [("Reverse", REVERSED_FRONT), ("Reverse back", REVERSED_BACK)]
    elif form == "cloze":
        sides = [("Front", CLOZE_FRONT), ("Back", CLOZE_BACK)]
    shown = []
    for number in range(0, len(sides), 2):
        (name, template), (back_name, back_template) = sides[number : number + 2]
        shown_fields = fields
        if form == "cloze":
            shown_fields = {**fields, "Text": _cloze(card.question, hidden=True)}
        front = _fill(template, shown_fields)
        if form == "cloze":
            shown_fields = {**fields, "Text": _cloze(card.question, hidden=False)}
        back = _fill(back_template, {**shown_fields, "FrontSide": front})
        shown.append(
            f'<div class="card"><div class="fg-side">{name}</div>{front}</div>'
            f'<div class="card"><div class="fg-side">{back_name}</div>{back}</div>'
        )
    words = " ".join(
        (
            card.draft.note_title,
            *card.draft.context,
            card.draft.label,
            re.sub(r"<[^>]+>", " ", answer),
        )
    )
    search = html.escape(html.unescape(words).lower())
    return (
        f'<article class="fg-preview" data-search="{search}">{"".join(shown)}</article>'
    )


_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def _cloze(text: str, *, hidden: bool) -> str:
    """A cloze field as Anki shows its first card: that number's clozes hidden (or
    shown, on the back), the others as their text."""
    numbers = [int(found.group(1)) for found in _CLOZE.finditer(text)]
    first = min(numbers, default=0)

    def shown(found: re.Match[str]) -> str:
        if int(found.group(1)) != first:
            return found.group(2)
        if hidden:
            return f'<span class="cloze">[{found.group(3) or "..."}]</span>'
        return f'<span class="cloze">{found.group(2)}</span>'

    return _CLOZE.sub(shown, text)


def _fill(template: str, fields: dict[str, str]) -> str:
    """Anki's template syntax, as far as flashgen's note type uses it."""

    def section(found: re.Match[str]) -> str:
        return found.group(2) if fields.get(found.group(1)) else ""

    text = re.sub(r"\{\{#(\w+)\}\}(.*?)\{\{/\1\}\}", section, template, flags=re.DOTALL)
    return re.sub(r"\{\{(\w+)\}\}", lambda found: fields.get(found.group(1), ""), text)


def _inline_media(card: RenderedCard, vault: Path) -> str:
    answer = card.answer
    for media in card.media:
        kind = mimetypes.guess_type(media.name)[0] or "application/octet-stream"
        data = base64.b64encode((vault / media.source).read_bytes()).decode("ascii")
        answer = answer.replace(
            f'src="{media.name}"', f'src="data:{kind};base64,{data}"'
        )
    return answer


def write_page(page: str, output: Path) -> None:
    """Write the page to `output` (a temporary file beside it, then renamed)."""
    staged = output.with_name(f".{output.name}.tmp")
    try:
        staged.write_text(page, encoding="utf-8")
        staged.replace(output)
    except OSError as err:
        with contextlib.suppress(OSError):  # never a second error
            staged.unlink(missing_ok=True)
        raise OutputError(
            f"{output}: error: cannot write the page: {err.strerror or err} "
            "(check that the folder is writable and has space)"
        ) from err


def no_browser(page: Path) -> str:
    """The warning when no browser opened the page: it is written all the same."""
    return (
        f"{page.resolve()}: warning: no browser could be opened "
        "(open this page in a browser yourself)"
    )


_OPENER_WAIT = 3.0
"""Seconds to wait for xdg-open to fail before taking the page as opened."""


def open_in_browser(page: Path, launch: Callable[[str], int]) -> bool:
    """Whether the page was (as far as can be told) handed to a browser. `launch` opens
    it on Windows and macOS (the command line's launcher); elsewhere, xdg-open does."""
    if sys.platform in {"win32", "darwin"}:
        try:
            return launch(str(page)) == 0
        except OSError:
            return False
    # A launcher does not wait for xdg-open, which fails only after it has looked for
    # a browser (on a server, over SSH); it may also wait for the browser to close.
    opener = shutil.which("xdg-open")
    if opener is None:
        return False
    try:
        process = subprocess.Popen(
            [opener, str(page)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    try:
        return process.wait(timeout=_OPENER_WAIT) == 0
    except subprocess.TimeoutExpired:
        return True
