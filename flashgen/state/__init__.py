"""The state file: the last build's cards in, this build's cards out, one line a card.

The only code that reads or writes `.flashgen-state.json`: lines.py encodes a line, file.py
reads and writes the file, index.py reads a file in place.
"""
