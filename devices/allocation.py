"""Largest-remainder distribution (Hamilton's method): integer parts that add up exactly.

Pure Python, integers only. Used for the county's wireless APs and their amount, which the
MOE gives per county and the county shares out to its schools in proportion to classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

K = TypeVar("K")


def largest_remainder(total: int, weights: Mapping[K, int]) -> dict[K, int]:
    """`total` split in proportion to `weights`; sum(result) == total whenever any weight > 0.

    Each key gets floor(total x w / W); the units left go one each to the largest
    remainders, ties to the larger weight, then to the key listed first (stable)."""
    if total < 0 or any(w < 0 for w in weights.values()):
        raise ValueError("total and weights must not be negative")
    weight_sum = sum(weights.values())
    if weight_sum == 0 or total == 0:
        return dict.fromkeys(weights, 0)
    shares: dict[K, int] = {}
    remainders: list[tuple[int, int, int, K]] = []
    for order, (key, weight) in enumerate(weights.items()):
        quotient, remainder = divmod(total * weight, weight_sum)
        shares[key] = quotient
        remainders.append((-remainder, -weight, order, key))
    left = total - sum(shares.values())
    for _, _, _, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares


def classrooms_first(aps: int, classrooms: int) -> tuple[int, int]:
    """A school's APs go to its ordinary classrooms first, the rest to special classrooms."""
    ordinary = min(aps, classrooms)
    return ordinary, aps - ordinary


def split_amount(amount: int, parts: Sequence[int]) -> list[int]:
    """An amount in NTD split like `parts` (the AP counts), also adding up exactly."""
    result = largest_remainder(amount, dict(enumerate(parts)))
    return [result[i] for i in range(len(parts))]
