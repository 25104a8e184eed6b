"""Render stage: media from the vault, placeholders, sanitising, context."""

from __future__ import annotations

import re
from pathlib import Path

from flashgen.extract import extract_cards
from flashgen.parse import parse_text
from flashgen.render.card import render_card, sanitise
from flashgen.render.media import MediaIndex

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def _render(vault: Path, rel: str, markdown: str):
    note = parse_text(rel, markdown)
    index = MediaIndex(vault)
    return [render_card(draft, "D", index) for draft in extract_cards(note)]


def test_embeds_resolve_like_obsidian_and_are_stored_by_content(tmp_path):
    (tmp_path / "a" / "img").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "img" / "x.png").write_bytes(PNG)
    (tmp_path / "b" / "x.png").write_bytes(PNG + b"other")
    (tmp_path / "shared.png").write_bytes(PNG)
    markdown = (
        "**One**: ![[x.png|300]]\n\n**Two**: ![alt](img/x.png)\n\n"
        "**Three**: ![[shared.png]] ![[b/x.png|20x10]]\n"
    )
    cards = [r.card for r in _render(tmp_path, "a/Note.md", markdown)]
    one, two, three = cards
    # By name anywhere: the file closest to the note wins (a/img/x.png over b/x.png).
    assert one.media[0].source == "a/img/x.png" and 'width="300"' in one.answer
    assert two.media[0].source == "a/img/x.png" and 'alt="alt"' in two.answer
    assert [m.source for m in three.media] == ["shared.png", "b/x.png"]
    assert 'width="20" height="10"' in three.answer
    # Same bytes, same name; different bytes, different names.
    assert one.media[0].name == two.media[0].name == three.media[0].name
    assert three.media[1].name != three.media[0].name
    assert all(
        m.name.startswith("fg-") and m.name.endswith(".png")
        for c in cards
        for m in c.media
    )


def test_missing_or_escaping_embeds_become_placeholders_and_warnings(tmp_path):
    (tmp_path.parent / "secret.png").write_bytes(PNG)
    rendered = _render(
        tmp_path, "Note.md", "**A**: x\n![[gone.png]]\n\n**B**: ![s](../secret.png)\n"
    )
    (a, b) = rendered
    assert "[missing: gone.png]" in a.card.answer and not a.card.media
    assert [d.format() for d in a.diagnostics] == [
        "Note.md:2: warning: embedded file 'gone.png' not found in the vault "
        "(check the name, or add the file to the vault)"
    ]
    assert "[outside the vault: ../secret.png]" in b.card.answer and not b.card.media
    assert [d.message for d in b.diagnostics] == [
        "embedded file '../secret.png' is outside the vault and was left out "
        "(move the file into the vault)"
    ]


def test_remote_images_stay_links(tmp_path):
    text = (
        "**A**: the logo ![logo](https://example.org/l.png) ![](https://e.org/m.png)\n"
    )
    (card,) = _render(tmp_path, "N.md", text)
    assert card.card.answer == (
        '<p>the logo <a href="https://example.org/l.png">logo</a> '
        '<a href="https://e.org/m.png">(image)</a></p>'
    )


def test_an_answer_of_remote_images_only_makes_no_card(tmp_path):
    assert (
        _render(tmp_path, "N.md", "**A**: ![logo](https://example.org/l.png)\n") == []
    )


def test_note_embeds_show_their_name(tmp_path):
    (card,) = _render(tmp_path, "N.md", "**A**: ![[Other note#Part]]\n")
    assert '<span class="fg-embed">Other note#Part</span>' in card.card.answer


def test_context_names_note_and_heading_path(tmp_path):
    cards = _render(tmp_path, "Dir/Topic.md", "## A\n### B\n**Label**: x\n")
    assert cards[-1].card.context == "Topic \u203a A \u203a B"
    assert cards[-1].card.source == "Dir/Topic.md"


def test_sanitiser_drops_scripts_handlers_and_javascript_urls():
    dirty = (
        '<a href="javascript:alert(1)" onclick="x()">l</a>'
        '<iframe src="x"></iframe><img src=x onerror=y>'
    )
    clean = sanitise(dirty)
    assert (
        "javascript" not in clean and "onclick" not in clean and "iframe" not in clean
    )
    assert "onerror" not in clean


def test_a_note_is_found_by_its_file_name_as_a_path_would_name_it():
    from pathlib import PurePosixPath

    from flashgen.render.transclude import _stem

    names = ["a.md", "b/c.md", ".md", "x/.md", "a.b.md", "x/y.", "x/y..md", "é/ü.MD"]
    names += ["no-suffix", "x/.hidden.md", "a/b/c.tar.gz", ".."]
    assert [_stem(name) for name in names] == [PurePosixPath(n).stem for n in names]


def _fan_out_vault(folder: Path, notes: int, points: int = 20, embeds: int = 4):
    """Notes whose every point embeds `embeds` other notes whole."""
    folder.mkdir()
    for i in range(notes):
        lines = [f"# N{i}\n"]
        for p in range(points):
            shown = " ".join(
                f"![[N{(i * 7 + p * 3 + k + 1) % notes}]]" for k in range(embeds)
            )
            lines.append(f"- **Point {p}**: text {p} {shown}\n")
        (folder / f"N{i}.md").write_text("".join(lines), encoding="utf-8")
    return folder


def _render_vault(vault: Path, only: str | None = None):
    """The vault's cards (or one note's) rendered as a build renders them, with one
    library for them all."""
    from flashgen.discover import discover_notes
    from flashgen.parse import parse_note
    from flashgen.render.transclude import NoteLibrary

    found = discover_notes((vault,))
    library = NoteLibrary(vault, found.notes)
    media = MediaIndex(vault)
    cards, diagnostics, expanded = [], [], {}
    for source in found.notes:
        if only not in {None, source.rel}:
            continue
        library.start_note()
        for draft in extract_cards(parse_note(source)):
            rendering = render_card(draft, "D", media, library=library)
            cards.append(rendering.card)
            diagnostics.extend(rendering.diagnostics)
        expanded[source.rel] = library.expanded
    return library, cards, diagnostics, expanded


def test_embed_fan_out_is_capped_per_note_and_each_embed_is_rendered_once(tmp_path):
    from flashgen.render.transclude import MAX_EXPANDED

    counts = {}
    for notes in (20, 40):
        vault = _fan_out_vault(tmp_path / f"v{notes}", notes)
        library, cards, diagnostics, _ = _render_vault(vault)
        counts[notes] = library.rendered
        cut = [d.format() for d in diagnostics if "characters in all" in d.message]
        assert cut == [
            f"N{i}.md: warning: embeds expand to more than {MAX_EXPANDED:,} characters "
            "in all; the rest are shown as their names (embed fewer notes, or sections "
            "of them)"
            for i in sorted(range(notes), key=str)
        ]
        # The last embed that fitted may overshoot, by at most one embed's content.
        per_note: dict[str, int] = {}
        for card in cards:
            path = card.draft.note_path
            per_note[path] = per_note.get(path, 0) + len(card.answer)
        assert max(per_note.values()) < 2 * MAX_EXPANDED, max(per_note.values())
    # Twice the notes, at most about twice the embeds rendered.
    assert counts[40] / counts[20] < 3.5, counts


def test_embeds_kept_for_reuse_render_as_embeds_rendered_afresh(tmp_path):
    vault = _fan_out_vault(tmp_path / "v", 7, points=3, embeds=2)
    (vault / "Loop.md").write_text("**A**: ![[Loop]] ![[N1]]\n\n**B**: ![[N1#N1]]\n")
    library, cards, diagnostics, _ = _render_vault(vault)
    shown = sum(card.answer.count("fg-transclusion") for card in cards)
    assert library.rendered < shown / 2, (library.rendered, shown)
    # Each note alone, with a library of its own: nothing kept from other notes.
    alone = {
        path: _render_vault(vault, only=path)
        for path in dict.fromkeys(card.draft.note_path for card in cards)
    }
    assert [card.answer for card in cards] == [
        card.answer for one in alone.values() for card in one[1]
    ]
    assert diagnostics == [d for one in alone.values() for d in one[2]]


def test_sound_tags_written_in_a_note_are_text_and_its_audio_embeds_play(tmp_path):
    (tmp_path / "talk.mp3").write_bytes(b"ID3" + b"0" * 32)
    (tmp_path / "Other.md").write_text(
        "# Part\n\nsay [sound:other.mp3] ![[talk.mp3]]\n"
    )
    from flashgen.discover import discover_notes
    from flashgen.render.transclude import NoteLibrary

    note = parse_text(
        "Note.md",
        "## Heading [sound:h.mp3]\n\nIntro [anki:tts lang=en_US]hi[/anki:tts].\n\n"
        "**Play**: [sound:evil.mp3] `[sound:x.mp3]` ![[talk.mp3]]\n\n"
        "**Embed**: ![[Other#Part]]\n",
    )
    library = NoteLibrary(tmp_path, discover_notes((tmp_path,)).notes)
    cards = [
        render_card(d, "D", MediaIndex(tmp_path), library=library).card
        for d in extract_cards(note)
    ]
    fields = " ".join(f"{c.question} {c.answer} {c.context}" for c in cards)
    assert "[sound:evil.mp3]" not in fields and "&#91;sound:evil.mp3]" in fields
    assert "[sound:x.mp3]" not in fields and "[sound:h.mp3]" not in fields
    assert "[sound:other.mp3]" not in fields and "[anki:tts" not in fields
    tags = re.findall(r"\[sound:([^\]]+)\]", fields)
    assert len(tags) == 2 and all(
        re.fullmatch(r"fg-[0-9a-f]{20}\.mp3", t) for t in tags
    )
