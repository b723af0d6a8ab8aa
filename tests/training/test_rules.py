"""The office's rule parameters in the engine (budget/rules.py)."""

from dataclasses import replace

import pytest

from budget import rules as r
from budget.rules import RULES_111 as R


@pytest.mark.parametrize(("year", "percent"), [(110, 25), (111, 25), (112, 50), (113, 75), (114, 100), (115, 100)])
def test_a1a2_target_runs_from_25_percent_in_111_to_all_teachers_in_114(year, percent):
    assert r.a1a2_target_percent(year, R) == percent


def test_a1a2_target_follows_the_rule_set():
    later = replace(R, a1a2_first_year=112, a1a2_target_percent_first_year=40, a1a2_full_by_year=115)
    assert [r.a1a2_target_percent(y, later) for y in (112, 113, 114, 115)] == [40, 60, 80, 100]


def test_targets_round_up_and_shares_are_in_tenths():
    assert r.teachers_for_percent(57, 25) == 15  # 14.25 teachers: 15 make 25%
    assert r.teachers_for_percent(40, 10) == 4
    assert r.share_percent_tenths(1, 57) == 18  # 1.75% -> 1.8%
    assert r.share_percent_tenths(1, 0) is None


def test_training_and_substitute_amounts():
    assert r.training_amount(3, R) == 75_000
    # 5,360 of pay plus its 補充保費 at 2.11% (113.1, rounded half up).
    assert r.substitute_amount({r.ELEMENTARY: 10, r.JUNIOR_HIGH: 6}, R) == 10 * 320 + 6 * 360 + 113
    dearer = replace(
        R, training_session_unit_price=30_000, substitute_period_unit_price={r.ELEMENTARY: 400, r.JUNIOR_HIGH: 450}
    )
    assert r.training_amount(3, dearer) == 90_000
    assert r.substitute_amount({r.ELEMENTARY: 1, r.JUNIOR_HIGH: 1}, dearer) == 850 + 18  # 17.9 premium


def test_a_rule_set_stored_before_these_parameters_still_loads():
    stored = R.to_dict()
    for name in ("a1a2_first_year", "a1a2_full_target_percent", "it_staff_trained_per_school"):
        del stored[name]
    loaded = r.RuleSet.from_dict(stored)
    assert loaded == R
    assert r.RuleSet.from_dict(R.to_dict()) == R
