"""The state file: the last build's cards in, this build's cards out, one line a card.

The only code that reads or writes `.flashgen-state.json`: saved.py holds a card's record,
lines.py encodes a line, file.py reads and writes the file, index.py reads a file in place,
rows.py replaces some notes' rows in place, document.py reads any other layout (version 1
too); lock.py keeps a second build of the vault from writing it at the same time.
"""
