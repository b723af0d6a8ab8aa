"""The check of a roster row against the MOE's statistics, without a database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from budget import rules as engine
from schools import official_check as check

RULES = engine.RULES_111
OFFICIAL = check.OfficialFigures("154601", "國小", "示範國小", classes=20, students=500, teachers=37, max_class_size=28)
FACTS = engine.RowFacts("國小", "一般", classes=20, max_class_size=28, teachers=37, students=500)


def statistics(**overrides) -> check.Statistics:
    values = {
        "school_year": 110,
        "levels": frozenset({"國小", "國中"}),
        "figures": {("154601", "國小"): OFFICIAL},
        "codes": frozenset({"154601"}),
        "remote_year": 111,
        "remote": {},
    }
    return check.Statistics(**(values | overrides))


def kinds(result: check.RowCheck) -> list[str]:
    return [f.kind for f in result.findings]


def test_the_same_figures_have_no_finding():
    result = check.check_row(FACTS, "154601", statistics(), RULES)
    assert result.findings == () and result.money_ntd == 0


@pytest.mark.parametrize(("students", "found"), [(550, False), (551, True), (450, False), (449, True)])
def test_students_within_ten_percent_are_tolerated(students, found):
    facts = replace(FACTS, students=students)
    assert (check.STUDENTS in kinds(check.check_row(facts, "154601", statistics(), RULES))) is found


def test_the_tolerance_is_a_rule_set_parameter():
    facts = replace(FACTS, students=540)
    strict = replace(RULES, official_students_tolerance_percent=5)
    assert kinds(check.check_row(facts, "154601", statistics(), strict)) == [check.STUDENTS]
    assert kinds(check.check_row(facts, "154601", statistics(), RULES)) == []


def test_one_class_more_is_a_finding_with_its_money_effect():
    facts = replace(FACTS, classes=25)  # ceil(25/6) = 5 device classes against 4
    finding = check.check_row(facts, "154601", statistics(), RULES).findings[0]
    assert finding.kind == check.CLASSES and (finding.county_value, finding.official_value) == ("25", "20")
    # One more device class: 28 student + 2 teacher devices and a cart.
    assert (finding.devices, finding.carts) == (30, 1)
    assert finding.money_ntd == 30 * 13_000 + 50_000
    assert "+440,000 元" in finding.message and "班級數 25" in finding.message


def test_a_larger_class_asks_for_more_and_a_smaller_one_for_less():
    bigger = check.check_row(replace(FACTS, max_class_size=32), "154601", statistics(), RULES).findings[0]
    assert bigger.kind == check.MAX_CLASS_SIZE and bigger.money_ntd == 4 * 4 * 13_000
    smaller = check.check_row(replace(FACTS, max_class_size=24), "154601", statistics(), RULES).findings[0]
    assert smaller.money_ntd == -4 * 4 * 13_000 and "-208,000 元" in smaller.message


def test_students_and_teachers_cost_money_only_at_a_remote_school():
    general = check.check_row(replace(FACTS, teachers=50), "154601", statistics(), RULES).findings[0]
    assert general.kind == check.TEACHERS and general.money_ntd == 0
    on_list = statistics(remote={"154601": "偏遠"})
    remote = check.check_row(replace(FACTS, area="偏遠", teachers=50), "154601", on_list, RULES).findings[0]
    assert remote.kind == check.TEACHERS and remote.devices == 13 and remote.money_ntd == 13 * 13_000


def test_remote_status_against_the_list():
    claimed = check.check_row(replace(FACTS, area="偏遠"), "154601", statistics(), RULES)
    finding = claimed.findings[0]
    assert finding.kind == check.REMOTE and finding.official_value == check.NOT_REMOTE
    remote = engine.entitle_row(replace(FACTS, area="偏遠"), RULES)
    general = engine.entitle_row(FACTS, RULES)
    assert finding.money_ntd == (remote.devices - general.devices) * 13_000 + (remote.carts - general.carts) * 50_000
    missed = check.check_row(FACTS, "154601", statistics(remote={"154601": "極偏"}), RULES).findings[0]
    assert missed.kind == check.REMOTE and missed.official_value == "極偏" and missed.money_ntd < 0
    # Another grade on the list is still remote: nothing to answer.
    assert (
        check.check_row(replace(FACTS, area="特偏"), "154601", statistics(remote={"154601": "偏遠"}), RULES).findings
        == ()
    )
    # 非山非市 is not on the list: it cannot be checked, so it is not a finding...
    assert check.check_row(replace(FACTS, area="非山非市"), "154601", statistics(), RULES).findings == ()
    # ...unless a rule set counts it as remote and the school is on no list: still not checkable.
    counted = replace(RULES, remote_areas=frozenset({"偏遠", "特偏", "極偏", "非山非市"}))
    assert check.check_row(replace(FACTS, area="非山非市"), "154601", statistics(), counted).findings == ()
    # No list loaded: no remote check at all.
    assert check.check_row(replace(FACTS, area="偏遠"), "154601", statistics(remote_year=None), RULES).findings == ()


def test_a_school_the_statistics_do_not_know():
    result = check.check_row(FACTS, "999001", statistics(), RULES)
    finding = result.findings[0]
    entitlement = engine.entitle_row(FACTS, RULES)
    assert finding.kind == check.MISSING and "沒有學校代碼 999001" in finding.message
    assert finding.money_ntd == entitlement.devices * 13_000 + entitlement.carts * 50_000 == result.money_ntd
    other_level = check.check_row(replace(FACTS, level="國中"), "154601", statistics(), RULES).findings[0]
    assert "有此學校代碼的其他學制" in other_level.message


def test_nothing_is_checked_without_the_years_statistics():
    assert check.check_row(FACTS, "999001", statistics(school_year=None), RULES).findings == ()
    only_junior = statistics(levels=frozenset({"國中"}))
    assert check.check_row(FACTS, "999001", only_junior, RULES).findings == ()


def test_a_rows_own_effect_replaces_every_figure_at_once():
    facts = replace(FACTS, classes=25, max_class_size=32)
    result = check.check_row(facts, "154601", statistics(), RULES)
    assert kinds(result) == [check.CLASSES, check.MAX_CLASS_SIZE]
    mine, theirs = engine.entitle_row(facts, RULES), engine.entitle_row(FACTS, RULES)
    assert result.money_ntd == (mine.devices - theirs.devices) * 13_000 + (mine.carts - theirs.carts) * 50_000
    assert result.money_ntd != sum(f.money_ntd for f in result.findings)  # the effects interact


@pytest.mark.parametrize(
    ("county", "official", "percent", "expected"),
    [(0, 0, 0, False), (1, 0, 50, True), (11, 10, 10, False), (12, 10, 10, True), (9, 10, 0, True)],
)
def test_exceeds(county, official, percent, expected):
    assert check.exceeds(county, official, percent) is expected
