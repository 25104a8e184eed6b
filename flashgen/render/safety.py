"""Card HTML made safe: a field's HTML in, the same HTML without scripts, handlers,
unsafe URLs or sound tags the note did not embed out; and the Source field's link.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable

import nh3

_ALLOWED_ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


def without_av_tags(field: str, sounds: Iterable[str]) -> str:
    """Anki plays `[sound:x]` (and speaks `[anki:tts]...`) wherever a field holds it:
    written in a note's text, it is shown as written, not played. Only the audio the
    note embeds (`sounds`, by name in the deck) stays a tag."""
    if "[sound:" not in field and "[anki:" not in field:
        return field
    field = field.replace("[sound:", "&#91;sound:").replace("[anki:", "&#91;anki:")
    for name in sounds:
        field = field.replace(f"&#91;sound:{name}]", f"[sound:{name}]")
    return field


@functools.lru_cache(maxsize=64)
def source_field(path: str, link: str | None) -> str:
    # No line number: it moves with every edit above the card and would make Anki see a
    # change (and overwrite the user's edits in Anki) where there is none.
    if link is None:
        return html.escape(path)
    # Sanitised as any field: the link comes from the vault's settings.
    return nh3.clean(
        f'<a href="{html.escape(link)}">{html.escape(path)}</a>',
        tags={"a"},
        attributes={"a": {"href"}},
        url_schemes=_SOURCE_SCHEMES,
        link_rel=None,
    )


_SOURCE_SCHEMES = {"obsidian", "https", "http", "file"}


def sanitise(fragment: str) -> str:
    """Keep formatting, drop scripts, event handlers, iframes, styles and unsafe URLs.

    Images from the web are dropped too: Anki would fetch them on every review.
    """
    return nh3.clean(
        fragment,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        attribute_filter=_no_remote_images,
    )


def _no_remote_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and ("//" in value or ":" in value):
        return None
    return value
