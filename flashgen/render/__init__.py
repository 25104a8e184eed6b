"""Render stage: CardDraft -> RenderedCard (HTML fields, media, embedded notes, code).

card.py renders a card; media.py finds the files it shows, transclude.py the notes it
embeds, highlight.py colours its code, safety.py sanitises its HTML.
"""
