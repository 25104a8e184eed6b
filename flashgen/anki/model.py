"""The Anki note types flashgen writes: fields, templates and CSS, each with a fixed id.

Three, one per card form (extract.card_form): basic (one card), reversed (a card each way)
and cloze (a card per cloze number). Changing a note type's fields, the number of its
templates or its id makes Anki import a copy of it ("flashgen Card+") and skip every
existing note: that is a breaking change that needs a new version, a changelog entry and a
migration note.
"""

from __future__ import annotations

from dataclasses import dataclass

from flashgen.render.highlight import code_css

MODEL_ID = 1607392319
"""Fixed for good: the id Anki knows flashgen's note type by."""
MODEL_NAME = "flashgen Card (v1)"
FIELDS = ("Question", "Answer", "Context", "Source", "Extra")
"""Chosen for the long term. Extra is left for the user's own additions in Anki."""

FRONT = """\
<div class="fg-card">
<div class="fg-context">{{Context}}</div>
<div class="fg-question">{{Question}}</div>
</div>"""

BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="fg-card">
<div class="fg-answer">{{Answer}}</div>
{{#Extra}}<div class="fg-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="fg-source">{{Source}}</div>{{/Source}}
</div>"""

# Anki adds .nightMode (desktop, AnkiMobile) or .night_mode (older AnkiDroid) to the card in
# night mode; colours come from variables so both themes stay readable.
CSS = """\
.card {
  --fg-text: #1f2328; --fg-muted: #59636e; --fg-accent: #0969da; --fg-code-bg: #f3f4f6;
  --fg-border: #d1d9e0; --fg-callout-bg: #f0f6ff;
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px; line-height: 1.5; color: var(--fg-text); background: #ffffff;
  text-align: left;
}
.card.nightMode, .night_mode .card, .nightMode .card {
  --fg-text: #e6edf3; --fg-muted: #9198a1; --fg-accent: #4493f8; --fg-code-bg: #262c36;
  --fg-border: #3d444d; --fg-callout-bg: #1c2a3a;
  background: #1e1e1e;
}
.fg-card { max-width: 42em; margin: 0 auto; }
.fg-context { color: var(--fg-muted); font-size: 0.8em; margin-bottom: 0.4em; }
.fg-question { font-size: 1.25em; font-weight: 600; }
.fg-hint { color: var(--fg-muted); font-weight: normal; font-size: 0.8em; }
.fg-where { display: none; }
.fg-answer { margin-top: 0.5em; }
.fg-source, .fg-extra { color: var(--fg-muted); font-size: 0.75em; margin-top: 1em; }
.fg-link, .fg-answer a { color: var(--fg-accent); }
.fg-source a { color: var(--fg-muted); }
.fg-embed, .fg-missing { color: var(--fg-muted); font-style: italic; }
.fg-callout { border-left: 4px solid var(--fg-accent); background: var(--fg-callout-bg);
  padding: 0.4em 0.8em; margin: 0.5em 0; border-radius: 4px; }
.fg-callout-title { font-weight: 600; }
code { background: var(--fg-code-bg); padding: 0.1em 0.3em; border-radius: 4px;
  font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--fg-code-bg); padding: 0.6em 0.8em; border-radius: 6px;
  overflow-x: auto; text-align: left; }
mark { background: #fff3a3; color: inherit; padding: 0 0.1em; }
.nightMode mark, .night_mode mark { background: #6b5a00; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid var(--fg-border); padding: 0.25em 0.6em; }
blockquote { border-left: 3px solid var(--fg-border); margin: 0.5em 0; padding-left: 0.8em;
  color: var(--fg-muted); }
img { max-width: 100%; height: auto; }
""" + code_css()


REVERSED_ID = 1607392321
REVERSED_NAME = "flashgen Reversed (v1)"
REVERSED_FRONT = """\
<div class="fg-card">
<div class="fg-context">{{Context}}</div>
<div class="fg-question fg-reverse">{{Answer}}</div>
</div>"""
REVERSED_BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="fg-card">
<div class="fg-answer">{{Question}}</div>
{{#Extra}}<div class="fg-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="fg-source">{{Source}}</div>{{/Source}}
</div>"""

CLOZE_ID = 1607392322
CLOZE_NAME = "flashgen Cloze (v1)"
CLOZE_FIELDS = ("Text", "Context", "Source", "Extra")
"""Chosen for the long term: the cloze text, then the same fields as the basic type's."""
CLOZE_FRONT = """\
<div class="fg-card">
<div class="fg-context">{{Context}}</div>
<div class="fg-cloze">{{cloze:Text}}</div>
</div>"""
CLOZE_BACK = """\
<div class="fg-card">
<div class="fg-context">{{Context}}</div>
<div class="fg-cloze">{{cloze:Text}}</div>
{{#Extra}}<div class="fg-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="fg-source">{{Source}}</div>{{/Source}}
</div>"""
CLOZE_CSS = """
.fg-cloze { font-size: 1.15em; }
.cloze { font-weight: 700; color: var(--fg-accent); }
.fg-reverse { font-weight: normal; }
"""


@dataclass(frozen=True, slots=True)
class NoteType:
    """Everything Anki needs to know about one of flashgen's note types."""

    model_id: int = MODEL_ID
    name: str = MODEL_NAME
    fields: tuple[str, ...] = FIELDS
    front: str = FRONT
    back: str = BACK
    css: str = CSS
    reverse: tuple[str, str] | None = None
    """The second template's front and back (a card each way), if any."""
    cloze: bool = False
    """A cloze note type: a card per cloze number in its first field."""

    @property
    def templates(self) -> tuple[tuple[str, str, str], ...]:
        """(name, front, back) of each card the note type makes."""
        first = ("Card", self.front, self.back)
        if self.reverse is None:
            return (first,)
        return (first, ("Reverse", *self.reverse))


NOTE_TYPE = NoteType()
REVERSED_TYPE = NoteType(
    REVERSED_ID,
    REVERSED_NAME,
    FIELDS,
    FRONT,
    BACK,
    CSS + CLOZE_CSS,
    (REVERSED_FRONT, REVERSED_BACK),
)
CLOZE_TYPE = NoteType(
    CLOZE_ID,
    CLOZE_NAME,
    CLOZE_FIELDS,
    CLOZE_FRONT,
    CLOZE_BACK,
    CSS + CLOZE_CSS,
    cloze=True,
)
NOTE_TYPES = {"basic": NOTE_TYPE, "reversed": REVERSED_TYPE, "cloze": CLOZE_TYPE}
"""The note type of each card form (see extract.card_form)."""
