"""Deterministic train/dev/test splits from a hash of the article id. Pure: no Django.

An article's split depends on its own external id and the ratios, nothing else: re-exports
give the same split, articles imported later never move earlier ones, and the same article
in two projects lands in the same split (no leakage between projects sharing sources). All
paragraphs of an article share its split, so a model never trains on half an article.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "dev", "test")}
_SCALE = 2**64


class InvalidSplit(ValueError):
    """A split spec that is not 1 to 3 whole percentages adding up to 100."""

    field = "split"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"split {reason}")


@dataclass(frozen=True)
class Split:
    """Named parts with their whole-percentage shares, in order."""

    parts: tuple[tuple[str, int], ...] = (("train", 80), ("dev", 10), ("test", 10))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.parts)

    def spec(self) -> str:
        return "/".join(str(share) for _, share in self.parts)


DEFAULT_SPLIT = Split()


def parse_split(spec: str) -> Split:
    """'80/10/10' -> train/dev/test, '90/10' -> train/test, '100' -> train only."""
    pieces = spec.strip().split("/")
    if len(pieces) not in NAMES:
        raise InvalidSplit(f"{spec!r}: give 1 to 3 percentages, e.g. 80/10/10")
    try:
        shares = [int(piece) for piece in pieces]
    except ValueError:
        raise InvalidSplit(f"{spec!r}: percentages must be whole numbers") from None
    if any(share < 0 for share in shares) or sum(shares) != 100:
        raise InvalidSplit(f"{spec!r}: percentages must be non-negative and add up to 100")
    return Split(tuple(zip(NAMES[len(shares)], shares, strict=True)))


def bucket(article_id: str) -> float:
    """Where the article falls in [0, 1): the first 8 bytes of SHA-256 of its id."""
    digest = hashlib.sha256(article_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def split_of(article_id: str, split: Split = DEFAULT_SPLIT) -> str:
    """The split an article belongs to; depends only on its id and the ratios."""
    point = bucket(article_id) * 100
    upper = 0
    for name, share in split.parts:
        upper += share
        if point < upper:
            return name
    return split.parts[-1][0]  # unreachable with shares adding up to 100; floats, to be safe
