"""What-if rules without a database: per county and nationally, real beside scenario."""

from __future__ import annotations

from dataclasses import replace

from budget import rules as engine
from budget import whatif

RULES = engine.RULES_111


def entry(code, level="國小", area="一般", classes=20, largest=28, teachers=37, students=516):
    return engine.RosterEntry(code, engine.RowFacts(level, area, classes, largest, teachers, students))


COUNTIES = (
    whatif.CountyInputs("花蓮縣", (entry("154601"), entry("154602", area="非山非市", classes=13, largest=29))),
    whatif.CountyInputs(
        "臺東縣",
        (entry("144601", area="偏遠", classes=6, largest=9, teachers=12, students=41),),
        mdm_devices=100,
        training_sessions=4,
        substitute_periods={"國小": 10, "國中": 0},
    ),
)


def test_the_same_rules_differ_in_nothing():
    comparison = whatif.compare(COUNTIES, RULES, RULES)
    for line in (*comparison.counties, comparison.national):
        assert line.difference == whatif.Figures()


def test_every_five_classes_costs_more_where_classes_round_up():
    five = replace(RULES, classes_per_device_class=5)
    comparison = whatif.compare(COUNTIES, RULES, five)
    hualien = comparison.counties[0]
    # 20 classes: 4 -> 4 device classes; 13 classes: 3 -> 3. Nothing changes at these sizes...
    assert hualien.difference.devices == 0
    bigger = whatif.CountyInputs("花蓮縣", (entry("154601", classes=25, largest=28, students=600),))
    line = whatif.compare([bigger], RULES, five).national
    # ...25 classes: ceil(25/6)=5 against ceil(25/5)=5; 26 would differ. Take 21: 4 -> 5.
    assert line.difference.devices == 0
    more = whatif.CountyInputs("花蓮縣", (entry("154601", classes=21, largest=28, students=580),))
    line = whatif.compare([more], RULES, five).national
    assert (line.difference.student_devices, line.difference.teacher_devices, line.difference.carts) == (28, 2, 1)
    assert line.difference.total_ntd == 30 * 13_000 + 50_000


def test_counting_non_mountain_non_city_as_remote():
    neither = replace(RULES, remote_areas=frozenset({"偏遠", "特偏", "極偏", "非山非市"}))
    line = whatif.compare(COUNTIES, RULES, neither).counties[0]
    # 154602 becomes 1 device per student and teacher, a cart per class.
    assert line.scenario.student_devices - line.real.student_devices == 516 - 3 * 29
    assert line.scenario.carts - line.real.carts == 13 - 3


def test_a_price_changes_only_the_money():
    dearer = replace(RULES, device_unit_price=14_000)
    national = whatif.compare(COUNTIES, RULES, dearer).national
    assert national.difference.devices == 0
    assert national.difference.devices_ntd == national.real.devices * 1_000 == national.difference.total_ntd


def test_the_plans_own_figures_follow_their_prices():
    cheaper = replace(RULES, mdm_licence_unit_price=800, training_session_unit_price=20_000)
    taitung = whatif.compare(COUNTIES, RULES, cheaper).counties[1]
    assert taitung.real.mdm_ntd == 90_000 and taitung.scenario.mdm_ntd == 80_000
    assert taitung.difference.training_ntd == -4 * 5_000
    # 10 periods x 320 and the 2.11% 代理代課費補充保費 on them (issue 13): 3,200 + 67.52 -> 3,268.
    assert taitung.real.substitutes_ntd == 3_268


def test_staffing_and_operating_fee_follow_the_school_count():
    per_thirty = replace(RULES, schools_per_counselor=1)
    national = whatif.compare(COUNTIES, RULES, per_thirty).national
    assert national.difference.staff == (2 - 1) + (1 - 1)  # 花蓮縣 2 schools: 2 counsellors instead of 1
    assert national.difference.staff_ntd == 750_000


def test_the_national_line_adds_up_the_counties():
    comparison = whatif.compare(COUNTIES, RULES, replace(RULES, cart_unit_price=60_000))
    for key, _label, _money in whatif.MEASURES:
        assert getattr(comparison.national.scenario, key) == sum(
            getattr(line.scenario, key) for line in comparison.counties
        )


def test_changed_parameters():
    scenario = replace(RULES, classes_per_device_class=5, device_unit_price=14_000)
    assert whatif.changed_parameters(RULES, scenario) == [
        ("classes_per_device_class", 6, 5),
        ("device_unit_price", 13_000, 14_000),
    ]
