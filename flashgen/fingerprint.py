"""Answer fingerprints: a card's answer text -> a 64-bit SimHash of its words.

Re-matching compares answers by their fingerprints, so the state file keeps 11 characters
a card instead of the answer. Alike answers have alike fingerprints: the share of bits
that agree estimates how alike the words are (one word changed in five leaves about 80%
of them agreeing, unrelated answers about half).
"""

from __future__ import annotations

import base64
import hashlib

_BITS = 64
_WORDS = 127
"""Words read of an answer: each bit's count of words must fit in 7 bits."""
# Each word's hash is spread to one byte a bit (a "lane"), so that adding the spread
# hashes of an answer's words counts, in every lane at once, the words with that bit set.
_LANES = sum(1 << (8 * bit) for bit in range(_BITS))
_HIGH = _LANES << 7
_SPREAD = tuple(
    sum(((byte >> bit) & 1) << (8 * bit) for bit in range(8)) for byte in range(256)
)
_TO_DIGITS = bytes.maketrans(
    bytes(range(256)), bytes(48 + (b >= 128) for b in range(256))
)
_spread_words: dict[str, int] = {}
"""Spread hashes of the words seen (a vault's words repeat from card to card)."""
_REMEMBERED = 200_000


def _spread(word: str) -> int:
    spread = _spread_words.get(word)
    if spread is None:
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8)
        spread = 0
        for at, byte in enumerate(digest.digest()):
            spread |= _SPREAD[byte] << (64 * at)
        if len(_spread_words) >= _REMEMBERED:
            _spread_words.clear()
        _spread_words[word] = spread
    return spread


def answer_print(text: str) -> int:
    """The SimHash of the text's words (lower-cased, at most 127): bit i is set when
    more than half the words' hashes have it set; 0 for no words."""
    words = text.lower().split()[:_WORDS]
    if not words:
        return 0
    total = sum(map(_spread, words))
    # A lane's high bit ends up set exactly when its count is above half the words.
    total += _LANES * (127 - len(words) // 2)
    return int((total & _HIGH).to_bytes(_BITS, "big").translate(_TO_DIGITS), 2)


def similarity(first: int, second: int) -> float:
    """The share of the fingerprints' bits that agree: 1.0 for equal ones."""
    return 1 - (first ^ second).bit_count() / _BITS


def encode_print(value: int) -> str:
    """A fingerprint as 11 characters (URL-safe Base64, no padding)."""
    return base64.urlsafe_b64encode(value.to_bytes(8, "big")).decode()[:11]


def decode_print(text: str) -> int:
    """encode_print's fingerprint; ValueError when the text is not one."""
    if len(text) != 11:
        raise ValueError(f"not a fingerprint: {text!r}")
    return int.from_bytes(base64.urlsafe_b64decode(text + "="), "big")
