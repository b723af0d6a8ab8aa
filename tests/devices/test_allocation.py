"""Largest remainder: the parts add up, follow the weights, and ties are stable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.allocation import classrooms_first, largest_remainder, split_amount


def test_the_worked_example():
    # 10 APs over classes 20 / 13 / 7 (sum 40): quotas 5, 3.25, 1.75 -> 5, 3, 2.
    assert largest_remainder(10, {"A": 20, "B": 13, "C": 7}) == {"A": 5, "B": 3, "C": 2}


def test_ties_go_to_the_larger_weight_then_the_first_listed():
    assert largest_remainder(1, {"A": 1, "B": 1}) == {"A": 1, "B": 0}
    # Quotas 0.5 / 1 / 0.5: the one unit left goes to A (same remainder and weight as C, listed first).
    assert largest_remainder(2, {"A": 1, "B": 2, "C": 1}) == {"A": 1, "B": 1, "C": 0}
    # Quotas 0.5 / 0.5 / 0.5 / 1.5, every remainder equal: D (the larger weight) first, then A.
    assert largest_remainder(3, {"A": 1, "B": 1, "C": 1, "D": 3}) == {"A": 1, "B": 0, "C": 0, "D": 2}


def test_nothing_to_share_or_no_weight():
    assert largest_remainder(0, {"A": 3}) == {"A": 0}
    assert largest_remainder(5, {"A": 0, "B": 0}) == {"A": 0, "B": 0}
    with pytest.raises(ValueError):
        largest_remainder(-1, {"A": 1})


def test_money_split_like_the_aps_adds_up():
    assert split_amount(1_000_001, [5, 3, 2]) == [500_001, 300_000, 200_000]
    assert sum(split_amount(999, [1, 1, 1])) == 999


def test_classrooms_first_then_special_classrooms():
    assert classrooms_first(12, 10) == (10, 2)
    assert classrooms_first(4, 10) == (4, 0)


@given(
    st.integers(min_value=0, max_value=100_000),
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60),
)
def test_the_parts_always_add_up_and_stay_within_one_of_the_quota(total, weights):
    shares = largest_remainder(total, dict(enumerate(weights)))
    weight_sum = sum(weights)
    if weight_sum == 0:
        assert set(shares.values()) == {0}
        return
    assert sum(shares.values()) == total
    for key, weight in enumerate(weights):
        lower = total * weight // weight_sum
        assert lower <= shares[key] <= lower + 1
