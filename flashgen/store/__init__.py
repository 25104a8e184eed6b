"""The build's cards: rendered cards in, held compactly note by note, assigned cards out.

keyed.py keys a rendered card and says what the build reads of it; codec.py is the only
encoding of a card (records <-> rows <-> bytes); cardstore.py holds a build's cards and
what reconcile gives each of them.
"""
