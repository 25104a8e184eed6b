"""Reconcile: this build's cards + the last build's state -> GUIDs, ids, times and changes.

assign.py gives every card its identity; rematch.py finds the vanished card a card with a
new key takes the identity of.
"""
