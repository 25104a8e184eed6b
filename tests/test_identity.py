"""Identity: GUIDs from structure, never from text; ids pinned for good."""

from __future__ import annotations

import base64
import hashlib
import unicodedata

from flashgen.anki.model import FIELDS, MODEL_ID, MODEL_NAME
from flashgen.extract import extract_cards
from flashgen.identity import card_guid, card_key, note_key, stable_id
from flashgen.parse import parse_text

NOTE = "# T\n## Kinds\n**A**: one.\n\n**B**: two.\n"


def _guids(
    markdown: str, rel: str = "N.md", front: dict | None = None
) -> dict[str, str]:
    note = parse_text(rel, markdown)
    key = note_key(rel, front if front is not None else note.front_matter)
    return {
        f"{d.kind}:{d.label}": card_guid(card_key(d, key)) for d in extract_cards(note)
    }


def test_editing_answers_keeps_every_guid():
    assert _guids(NOTE) == _guids(NOTE.replace("one.", "a different answer."))


def test_adding_a_point_keeps_the_others():
    before = _guids(NOTE)
    after = _guids(NOTE + "\n**C**: three.\n")
    assert {k: after[k] for k in before} == before
    assert len(after) == len(before) + 1


def test_front_matter_id_makes_identity_survive_a_move():
    front = "---\nid: containers\n---\n"
    assert _guids(front + NOTE, "a/N.md") == _guids(front + NOTE, "b/Renamed.md")
    assert _guids(NOTE, "a/N.md") != _guids(NOTE, "b/N.md")


def test_identity_text_is_unicode_normalised():
    composed = "**Café**: x\n"
    decomposed = unicodedata.normalize("NFD", composed)
    nfd_path = unicodedata.normalize("NFD", "Caf\u00e9.md")
    assert list(_guids(composed, "Caf\u00e9.md").values()) == list(
        _guids(decomposed, nfd_path).values()
    )


def test_guids_are_pinned():
    # A change here means every user loses their review history: see CHANGELOG.md first.
    assert (
        card_guid(("path:N.md", "point", "Kinds", "A", "0"))
        == "fgyui5fcjgh54jfhutjwpmdh5l"
    )
    assert stable_id("deck", "vault") == 1779180765


def test_guids_are_base32_of_the_key_digest():
    # card_guid encodes by hand, for speed: it must stay RFC 4648 base32 of the digest.
    for number in range(2000):
        key = ("path:N.md", "point", f"Label {number}", "\u00e9" * (number % 3), "0")
        text = unicodedata.normalize("NFC", "\x1f".join(("flashgen/card/v1", *key)))
        digest = hashlib.sha256(text.encode()).digest()[:15]
        assert card_guid(key) == "fg" + base64.b32encode(digest).decode().lower()


def test_note_type_is_pinned():
    assert (MODEL_ID, MODEL_NAME) == (1607392319, "flashgen Card (v1)")
    assert FIELDS == ("Question", "Answer", "Context", "Source", "Extra")
