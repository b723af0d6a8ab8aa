"""Issue 13 in the engine: lines 1-3 from the 附錄, the MOE's own estimates, money in the right
門, the substitutes' premium, part-time staff, and a rule set that says what is wrong with it."""

import datetime
from dataclasses import fields, replace

import pytest

from budget import rules as r
from budget.rules import RULES_111 as R


def county(**overrides):
    values = {
        "schools": 129,
        "rows": 140,
        "remote_rows": 60,
        "carts": 700,
        "teacher_devices": 1_463,
        "student_devices": 8_731,
    }
    return r.CountyTotals(**(values | overrides))


# --- Lines 1-3 tell the 附錄's story ----------------------------------------------------------------


def test_lines_1_to_3_ask_what_the_appendix_asks_not_what_the_engine_estimates():
    """The demo's 附錄 asks for 8,671 student devices where the rules give 8,731."""
    table = r.budget_table(
        r.BudgetInputs(
            totals=county(), roster_requested=r.Requested(carts=700, teacher_devices=1_463, student_devices=8_671)
        ),
        R,
    )
    students = table.line(r.LINE_STUDENT_DEVICES)
    assert (students.computed, students.estimate, students.requested) == (8_731, 8_731, 8_671)
    assert students.capital_ntd == 8_671 * 13_000
    assert students.needs_explanation
    assert [p.line for p in table.problems] == [r.LINE_STUDENT_DEVICES]


def test_the_previously_subsidised_are_deducted_from_the_appendix_request():
    inputs = r.BudgetInputs(
        totals=county(),
        previously_subsidised={1: 400, 2: 9_000, 3: 100},
        roster_requested=r.Requested(carts=700, teacher_devices=1_463, student_devices=8_671),
    )
    table = r.budget_table(inputs, R)
    assert [table.line(n).requested for n in (1, 2, 3)] == [1_063, 0, 600]


def test_lines_1_to_3_cannot_be_typed_over():
    """A requested count for lines 1-3 from elsewhere is not read: the 附錄 decides."""
    inputs = r.BudgetInputs(totals=county(), requested_counts={1: 9_999, 2: 1, 3: 0})
    table = r.budget_table(inputs, R)
    assert [table.line(n).requested for n in (1, 2, 3)] == [1_463, 8_731, 700]


def test_the_moe_estimate_replaces_the_provisional_one():
    provisional = r.budget_table(r.BudgetInputs(totals=county(), previously_subsidised={2: 31}), R)
    assert provisional.line(2).estimate == 8_700 and provisional.line(2).estimate_provisional
    # The MOE's figure may include 學校及縣市統籌運用數.
    entered = r.budget_table(
        r.BudgetInputs(totals=county(), previously_subsidised={2: 31}, moe_estimates={2: 8_800}), R
    )
    assert entered.line(2).estimate == 8_800 and not entered.line(2).estimate_provisional
    assert entered.line(2).needs_explanation  # the 附錄 asks 8,700


def test_the_plan_contradicting_its_appendix_is_named():
    lines = [
        {"number": 1, "previously_subsidised": 0, "requested": 1_463},
        {"number": 2, "previously_subsidised": 0, "requested": 8_731},
        {"number": 3, "previously_subsidised": 0, "requested": 700},
    ]
    sums = {"teacher_devices": 1_463, "student_devices": 8_671, "carts": 700}
    problems = r.consistency_problems(lines, sums, 10_194)
    assert problems == ["第2項申請補助數 8731 與附錄申請學生載具數 8,671 扣除已受補助數後的 8,671 不一致"]
    lines[1]["requested"] = 8_671
    assert r.consistency_problems(lines, sums, 10_194) == [
        "量化指標 1 購置學習載具總臺數 10194 與經費表第 1、2 項申請補助數合計 10,134 不一致"
    ]
    assert r.consistency_problems(lines, sums, 10_134) == []


# --- Money in the right 門 ------------------------------------------------------------------------


def test_mdm_licences_are_capital():
    table = r.budget_table(r.BudgetInputs(totals=county(), existing_devices_without_mdm=1_000), R)
    line = table.line(r.LINE_MDM)
    assert (line.recurrent_ntd, line.capital_ntd, line.capital_k) == (0, 900_000, 900)


def test_substitutes_carry_their_supplementary_premium_at_the_rule_sets_rate():
    inputs = r.BudgetInputs(totals=county(), substitute_periods={"國小": 1_001, "國中": 3})
    line = r.budget_table(inputs, R).line(r.LINE_SUBSTITUTES)
    pay = 1_001 * 320 + 3 * 360  # 321,400
    assert line.parts == (("代理代課費", pay), ("代理代課費補充保費", 6_782))  # 321,400 x 2.11% = 6,781.54
    assert line.recurrent_ntd == pay + 6_782
    zero = r.budget_table(inputs, replace(R, substitute_premium_basis_points=0)).line(r.LINE_SUBSTITUTES)
    assert zero.recurrent_ntd == pay


def test_part_time_staff_cost_the_share_the_county_enters():
    # 129 schools: 3 counsellors, 3 IT, 2 admin entitled.
    staffing = r.Staffing(3, 3, 2, 0)
    full = r.budget_table(r.BudgetInputs(totals=county(), requested_staffing=staffing), R).line(r.LINE_STAFF)
    assert full.recurrent_ntd == 6 * 750_000 + 2 * 650_000
    part_time = r.PartTime(counselors=1, it_staff=2, share_percent=40)
    table = r.budget_table(r.BudgetInputs(totals=county(), requested_staffing=staffing, part_time=part_time), R)
    line = table.line(r.LINE_STAFF)
    assert line.recurrent_ntd == 3 * 750_000 + 2 * 650_000 + 3 * 300_000
    assert line.parts == (("專任人力", 3_550_000), ("兼任人力（支給 40%）", 900_000))
    assert table.problems == ()
    missing_share = r.budget_table(
        r.BudgetInputs(totals=county(), requested_staffing=staffing, part_time=r.PartTime(counselors=1)), R
    )
    assert [p.message for p in missing_share.problems] == ["第7項有兼任人力，請填寫兼任人力的支給比率（%）"]
    too_many = r.budget_table(
        r.BudgetInputs(
            totals=county(), requested_staffing=staffing, part_time=r.PartTime(it_staff=4, share_percent=50)
        ),
        R,
    )
    assert "資訊網路兼任 4 人多於申請的 3 人" in too_many.problems[0].message


# --- The rule set says what is wrong, naming the key ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"key_school_percent": 101}, "key_school_percent", "必須介於 0 與 100"),
        ({"a1a2_target_percent_first_year": 120}, "a1a2_target_percent_first_year", "必須介於 0 與 100"),
        ({"mdm_enrolment_threshold_percent": 101}, "mdm_enrolment_threshold_percent", "必須介於 0 與 100"),
        ({"substitute_premium_basis_points": 10_001}, "substitute_premium_basis_points", "萬分之一"),
        (
            {
                "admin_staff_tiers": [
                    {"max_schools": 180, "persons": 1},
                    {"max_schools": 60, "persons": 2},
                    {"max_schools": None, "persons": 3},
                ]
            },
            "admin_staff_tiers",
            "逐級遞增",
        ),
        (
            {"admin_staff_tiers": [{"max_schools": 60, "persons": 3}, {"max_schools": None, "persons": 1}]},
            "admin_staff_tiers",
            "人數必須逐級遞增",
        ),
        ({"device_delivery_deadline": "2023-02-30"}, "device_delivery_deadline", "YYYY-MM-DD"),
        ({"ownerships_in_scope": ["公立", "軍方"]}, "ownerships_in_scope", "公立、市立"),
        ({"previously_subsidised_years": [111, 110]}, "previously_subsidised_years", "逐年遞增"),
        ({"previously_subsidised_years": [111, 112]}, "previously_subsidised_years", "不可晚於計畫年度 111"),
        ({"a1a2_full_by_year": 110}, "a1a2_full_by_year", "不可早於"),
        ({"classes_per_device_class": "four"}, "classes_per_device_class", "必須是整數"),
        ({"usage_platforms": "因材網"}, "usage_platforms", "格式錯誤"),
        ({"classes_per_dev": 4}, "classes_per_dev", "未知的規則參數"),
    ],
)
def test_a_bad_value_is_refused_with_its_key_named(change, key, message):
    with pytest.raises(r.RuleSetError) as raised:
        r.RuleSet.from_dict({**R.to_dict(), **change})
    assert [k for k, _ in raised.value.problems] == [key]
    assert str(raised.value).startswith(key) and message in str(raised.value)


def test_a_rule_set_that_is_not_a_dict_is_refused_not_a_crash():
    with pytest.raises(r.RuleSetError, match="JSON object"):
        r.RuleSet.from_dict(None)


def test_dates_must_fall_inside_the_plan_period():
    rules_112 = r.RuleSet.from_dict({**R.to_dict(), "year": 112, "previously_subsidised_years": [110, 111]})
    start, end = datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)
    # Copied as it was, 112 would keep 111's delivery deadline.
    assert r.period_problems(rules_112, start, end) == [
        ("device_delivery_deadline", "device_delivery_deadline 2022-09-30 不在計畫期程 2023-01-01～2023-12-31 內")
    ]
    moved = replace(rules_112, device_delivery_deadline="2023-09-30")
    assert r.period_problems(moved, start, end) == []
    assert [k for k, _ in r.period_problems(replace(moved, plan_months=12), start, datetime.date(2023, 9, 30))] == [
        "plan_months"
    ]


def test_every_parameter_has_its_label_seed_reference_and_reading():
    names = {f.name for f in fields(r.RuleSet)}
    assert set(r.RULE_NOTES) == names
    for name, note in r.RULE_NOTES.items():
        assert note.label and note.seed, name
    # The spec's [reading] fields carry their reading.
    for name in (
        "remote_areas",
        "remote_carts_per_class",
        "school_count_basis",
        "counselor_rounding",
        "prorate_staffing",
    ):
        assert r.RULE_NOTES[name].reading, name


def test_the_rule_set_stores_every_key():
    stored = R.to_dict()
    assert set(stored) == {f.name for f in fields(r.RuleSet)}
    assert stored["ownerships_in_scope"] == ["公立", "市立", "縣立", "私立"]
    assert stored["previously_subsidised_years"] == [110, 111]
    assert r.RuleSet.from_dict(stored) == R


# --- Words the documents print ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "label"),
    [((110, 111), "110、111年已受補助數"), ((110, 111, 112), "110至112年已受補助數"), ((), "已受補助數")],
)
def test_the_previously_subsidised_column_names_its_years(years, label):
    assert r.previously_label(replace(R, year=113, previously_subsidised_years=years)) == label


def test_the_a1a2_target_of_each_year_comes_from_one_function():
    assert [r.a1a2_target_percent(year, R) for year in (111, 112, 113, 114)] == [25, 50, 75, 100]


def test_basis_points_as_a_percentage():
    assert [r.percent_of_basis_points(bp) for bp in (211, 200, 5)] == ["2.11%", "2%", "0.05%"]
