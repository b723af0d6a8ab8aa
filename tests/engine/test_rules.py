"""The worked examples of the subsidy-rules spec, one by one. No database."""

import subprocess
import sys
from dataclasses import replace

import pytest

from budget import rules as r
from budget.rules import RULES_111 as R


def row(level, area, classes, max_class_size, teachers=0, students=None):
    if students is None:
        students = max_class_size * classes
    return r.RowFacts(level, area, classes, max_class_size, teachers, students)


# --- 2. One row ---------------------------------------------------------------------------


def test_example_row_of_the_appendix():
    ent = r.entitle_row(row("國小", "一般", 20, 28, 37, 516), R)
    assert (ent.device_classes, ent.carts, ent.teacher_devices, ent.student_devices) == (4, 4, 8, 112)
    assert r.complies(r.Requested(4, 8, 112), ent) is True


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (row("國中", "一般", 7, 30), (2, 6, 60)),
        (row("國小", "一般", 6, 25), (1, 2, 25)),
        (row("國小", "偏遠", 6, 9, 12, 41), (6, 12, 41)),
        (row("國中", "非山非市", 13, 29), (3, 9, 87)),
        (row("國小", "一般", 0, 0, 3, 0), (0, 0, 0)),
    ],
)
def test_more_examples(facts, expected):
    ent = r.entitle_row(facts, R)
    assert (ent.carts, ent.teacher_devices, ent.student_devices) == expected


@pytest.mark.parametrize("grade", ["偏遠", "特偏", "極偏"])
def test_every_remote_grade_is_one_device_per_person(grade):
    ent = r.entitle_row(row("國中", grade, 3, 10, 9, 24), R)
    assert ent.remote
    assert (ent.carts, ent.teacher_devices, ent.student_devices) == (3, 9, 24)


def test_neither_mountain_nor_city_is_not_remote_by_default_but_is_a_reading():
    facts = row("國小", "非山非市", 6, 20, 10, 100)
    assert not r.entitle_row(facts, R).remote
    wider = replace(R, remote_areas=frozenset({"偏遠", "特偏", "極偏", "非山非市"}))
    assert r.entitle_row(facts, wider).student_devices == 100


def test_remote_carts_per_class_is_a_reading():
    facts = row("國小", "偏遠", 6, 9, 12, 41)
    assert r.entitle_row(facts, replace(R, remote_carts_per_class=2)).carts == 12


def test_a_requested_count_that_differs_is_not_compliant():
    ent = r.entitle_row(row("國小", "一般", 20, 28, 37, 516), R)
    assert r.complies(r.Requested(4, 8, 100), ent) is False
    assert r.complies(None, ent) is None


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="unknown level"):
        r.entitle_row(row("高中", "一般", 6, 30), R)


# --- 3. County ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schools", "persons", "amount", "fee"),
    [
        (95, (2, 2, 2), 4_300_000, 1_650_000),
        (12, (1, 1, 1), 2_150_000, 1_000_000),
        (300, (6, 5, 3), 10_200_000, 3_700_000),
    ],
)
def test_worked_county_examples(schools, persons, amount, fee):
    staff = r.entitled_staffing(schools, R)
    assert (staff.counselors, staff.it_staff, staff.admin_staff) == persons
    assert staff.amount_ntd == amount
    assert r.operating_fee(schools, R) == fee


def test_line_7_of_95_schools_is_4300_thousand():
    assert r.to_thousands(r.entitled_staffing(95, R).amount_ntd) == 4_300


@pytest.mark.parametrize(("schools", "admin"), [(1, 1), (60, 1), (61, 2), (180, 2), (181, 3), (1000, 3)])
def test_admin_staff_tiers(schools, admin):
    assert r.entitled_staffing(schools, R).admin_staff == admin


def test_it_staff_stop_at_five():
    assert r.entitled_staffing(251, R).it_staff == 5
    assert r.entitled_staffing(249, R).it_staff == 5
    assert r.entitled_staffing(201, R).it_staff == 5
    assert r.entitled_staffing(200, R).it_staff == 4


def test_operating_fee_base_step_and_cap():
    assert r.operating_fee(30, R) == 1_000_000
    assert r.operating_fee(31, R) == 1_010_000
    assert r.operating_fee(930, R) == 10_000_000
    assert r.operating_fee(5000, R) == 10_000_000
    assert r.operating_fee(0, R) == 0


def test_no_schools_no_staff():
    assert r.entitled_staffing(0, R) == r.Staffing(0, 0, 0, 0)


def test_staffing_readings_floor_and_proration():
    floor = replace(R, counselor_rounding=r.ROUND_FLOOR, it_staff_rounding=r.ROUND_FLOOR)
    assert r.entitled_staffing(95, floor).counselors == 1
    assert r.entitled_staffing(12, floor).counselors == 0
    prorated = replace(R, prorate_staffing=True, plan_months=11)
    # 4,300,000 x 11 / 12 = 3,941,666.67 -> 3,941,667
    assert r.entitled_staffing(95, prorated).amount_ntd == 3_941_667


def test_a_school_with_two_levels_counts_once():
    entries = [
        r.RosterEntry("724608", row("國小", "極偏", 6, 10, 12, 53)),
        r.RosterEntry("724608", row("國中", "極偏", 3, 10, 9, 24)),
        r.RosterEntry("724505", row("國中", "極偏", 3, 10, 8, 24)),
    ]
    totals = r.county_totals(entries, R)
    assert (totals.schools, totals.rows, totals.remote_rows) == (2, 3, 3)
    assert totals.carts == 12
    by_row = r.county_totals(entries, replace(R, school_count_basis=r.COUNT_BY_ROW))
    assert by_row.schools == 3


def test_key_schools_are_about_five_percent():
    assert r.key_schools_target(95, R) == 5
    assert r.key_schools_target(100, R) == 5
    assert r.key_schools_target(101, R) == 6
    assert r.key_schools_target(12, R) == 1


# --- 千元 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ntd", "k"),
    [(0, 0), (499, 0), (500, 1), (1_499, 1), (1_500, 2), (4_300_000, 4_300), (1_234_500, 1_235), (-1_500, -2)],
)
def test_thousands_round_half_up(ntd, k):
    assert r.to_thousands(ntd) == k


# --- The budget table -------------------------------------------------------------------------


def county_95():
    return r.CountyTotals(schools=95, rows=100, remote_rows=20, carts=300, teacher_devices=700, student_devices=9_000)


def test_budget_table_lines_and_estimates():
    inputs = r.BudgetInputs(
        totals=county_95(),
        previously_subsidised={1: 100, 2: 9_500, 3: 50},
        existing_devices_without_mdm=1_200,
        ap_count=400,
        ap_amount_ntd=8_000_000,
        software_amount_ntd=3_210_500,
        training_sessions=20,
        substitute_periods={"國小": 1_000, "國中": 500},
    )
    table = r.budget_table(inputs, R)
    assert [line.number for line in table.lines] == list(range(1, 12))
    assert [line.name for line in table.lines][:3] == ["學習載具-教師", "學習載具-學生", "行動充電車"]
    teachers, students, carts = table.line(1), table.line(2), table.line(3)
    assert (teachers.computed, teachers.previously_subsidised, teachers.estimate) == (700, 100, 600)
    assert teachers.capital_ntd == 600 * 13_000
    # More previously subsidised than computed: the estimate is zero, not negative.
    assert (students.estimate, students.capital_ntd) == (0, 0)
    assert (carts.estimate, carts.capital_k) == (250, 12_500)
    assert (table.line(4).recurrent_ntd, table.line(4).capital_ntd) == (0, 1_200 * 900)  # MDM: 資本門
    assert table.line(5).capital_ntd == 8_000_000
    assert table.line(6).recurrent_k == 3_211
    assert (table.line(7).computed, table.line(7).recurrent_k) == (6, 4_300)
    assert table.line(8).recurrent_ntd == 1_650_000
    assert table.line(9).recurrent_ntd == 20 * 25_000
    # 代理代課費 plus its 補充保費 at 2.11%: 500,000 + 10,550.
    assert table.line(10).recurrent_ntd == 1_000 * 320 + 500 * 360 + 10_550
    assert table.line(10).parts == (("代理代課費", 500_000), ("代理代課費補充保費", 10_550))
    assert table.line(11).total_ntd == 0
    assert table.problems == ()
    # The 合計 row is the sum of the rounded lines, so the printed table adds up.
    assert table.total_k == sum(line.total_k for line in table.lines)
    assert table.total_k == table.recurrent_k + table.capital_k


def test_total_of_rounded_lines_can_differ_from_rounded_total():
    inputs = r.BudgetInputs(
        totals=r.CountyTotals(0, 0, 0, 0, 0, 0),
        software_amount_ntd=1_500,
        other_split=r.Split(recurrent_ntd=1_500),
    )
    table = r.budget_table(inputs, R)
    assert table.total_ntd == 3_000
    assert table.total_k == 4  # 2 + 2, as printed, not round(3.0)


def test_a_requested_count_that_differs_needs_an_explanation():
    # The 附錄 asks for 650 teacher devices where the rules give 700.
    inputs = r.BudgetInputs(totals=county_95(), roster_requested=r.Requested(300, 650, 9_000))
    table = r.budget_table(inputs, R)
    assert table.line(1).needs_explanation
    assert [p.line for p in table.problems] == [1]
    assert "差異說明" in table.problems[0].message
    explained = r.budget_table(replace(inputs, explanations={1: "含縣市統籌運用 50 臺"}), R)
    assert explained.problems == ()
    assert explained.line(1).capital_ntd == 650 * 13_000


def test_operating_fee_and_training_may_shift_within_their_sum():
    base = r.BudgetInputs(totals=county_95(), training_sessions=20)
    # 1,650,000 + 500,000 = 2,150,000 may be split differently.
    shifted = replace(base, requested_counts={8: 1_900_000, 9: 10}, explanations={8: "流用", 9: "流用"})
    table = r.budget_table(shifted, R)
    assert table.line(8).recurrent_ntd + table.line(9).recurrent_ntd == 2_150_000
    assert table.problems == ()
    too_much = replace(shifted, requested_counts={8: 1_900_000, 9: 11})
    problems = r.budget_table(too_much, R).problems
    assert any("流用" in p.message for p in problems)


def test_staff_beyond_the_entitlement_is_refused():
    inputs = r.BudgetInputs(
        totals=county_95(), requested_staffing=r.Staffing(3, 2, 2, 0), explanations={7: "多聘 1 人"}
    )
    problems = r.budget_table(inputs, R).problems
    assert [p.line for p in problems] == [7]
    assert "數位學習輔導人力 3 人超過可補助的 2 人" in problems[0].message


def test_software_split_must_add_up():
    inputs = r.BudgetInputs(totals=county_95(), software_amount_ntd=1_000_000, software_split=r.Split(400_000, 500_000))
    problems = r.budget_table(inputs, R).problems
    assert any(p.line == 6 and "合計須等於" in p.message for p in problems)


# --- The rule set is data -----------------------------------------------------------------------


def test_rule_set_round_trips_through_json():
    assert r.RuleSet.from_dict(R.to_dict()) == R


def test_rule_set_refuses_unknown_keys_and_wrong_types():
    with pytest.raises(r.RuleSetError, match="未知的規則參數"):
        r.RuleSet.from_dict({**R.to_dict(), "devices_per_class": 3})
    with pytest.raises(r.RuleSetError, match="必須是整數"):
        r.RuleSet.from_dict({**R.to_dict(), "device_unit_price": 13000.5})
    with pytest.raises(r.RuleSetError, match="不可為負數"):
        r.RuleSet.from_dict({**R.to_dict(), "cart_unit_price": -1})
    with pytest.raises(r.RuleSetError, match="remote_areas"):
        r.RuleSet.from_dict({**R.to_dict(), "remote_areas": ["山區"]})
    with pytest.raises(r.RuleSetError, match="year"):
        r.RuleSet.from_dict({"device_unit_price": 1})


def test_a_later_year_changes_only_data():
    rules_112 = r.RuleSet.from_dict({**R.to_dict(), "year": 112, "device_unit_price": 14_000})
    inputs = r.BudgetInputs(totals=county_95())
    assert r.budget_table(inputs, rules_112).line(1).capital_ntd == 700 * 14_000


def test_the_engine_imports_no_django():
    code = "import sys, budget.rules; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
