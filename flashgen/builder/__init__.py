"""The machinery of a build: settings in, a BuildResult out, by one of three ways.

reuse.py leaves the last deck as it is when nothing changed, patching.py changes the last
deck where notes changed, full.py builds every card and writes the deck; session.py finds
what they share, workers.py runs note.py over the notes, messages.py and result.py say
what happened.
"""
