"""Anki's side: assigned cards in, an Anki collection and an .apkg out.

The only code that uses genanki or knows Anki's tables: model.py (the note type), deck.py
(notes and rows), package.py (the .apkg), patch.py (the last deck's collection, patched).
"""
