"""What-if rule scenarios: only the MOE and admins, a copy of the year's rules, any parameter
changed, the counties beside the real rules, Excel, and never a change to a plan."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget import rules as engine
from budget.models import BudgetLine, CountyPlan, RuleScenario
from budget.scenarios import ScenarioRefused, county_inputs, scenario_comparison, scenario_create
from budget.services import plan_for
from schools.models import PlanYear, RosterRow
from schools.realdata import roster_records
from tests.conftest import COUNTY_A, COUNTY_B, client_for, load_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosters(plan_year, county_a, county_b):
    load_roster(plan_year, roster_records(COUNTY_A))
    load_roster(plan_year, roster_records(COUNTY_B), county_label=COUNTY_B)
    for county in (county_a, county_b):
        plan_for(county=county, plan_year=plan_year)


def form_data(response, **changes) -> dict:
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data | changes


def snapshot() -> list:
    return [
        list(RosterRow.objects.order_by("pk").values_list()),
        list(CountyPlan.objects.order_by("pk").values_list()),
        list(BudgetLine.objects.order_by("pk").values_list()),
        list(PlanYear.objects.values_list("rules", flat=True)),
    ]


def test_a_reviewer_copies_the_rules_changes_one_and_sees_the_national_difference(rosters, reviewer, plan_year):
    before = snapshot()
    client = client_for(reviewer)
    created = client.post(reverse("scenario_list"), {"year": 111, "name": "每 5 班"})
    scenario = RuleScenario.objects.get()
    assert created["Location"] == reverse("scenario_detail", args=[scenario.pk])
    assert scenario.rules == plan_year.rule_set.to_dict() and scenario.created_by == reviewer
    page = client.get(created["Location"])
    saved = client.post(created["Location"], form_data(page, classes_per_device_class=5))
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    scenario.refresh_from_db()
    assert scenario.rules["classes_per_device_class"] == 5 and scenario.version == 2
    result = client.get(created["Location"])
    national = result.context["comparison"].national
    # The real rules, computed independently from the stored entitlement.
    rows = RosterRow.objects.all()
    assert national.real.devices == sum(r.entitled_teacher_devices + r.entitled_student_devices for r in rows)
    five = engine.RuleSet.from_dict(scenario.rules)
    expected = sum(engine.entitle_row(r.facts, five).devices for r in rows)
    assert national.scenario.devices == expected > national.real.devices
    assert national.difference.devices_ntd == (expected - national.real.devices) * 13_000
    page = result.content.decode()
    assert f"{national.difference.total_ntd:+,} 元" in page and "每幾班補助 1 班" in page
    assert [line.county for line in result.context["comparison"].counties] == [COUNTY_B, COUNTY_A]
    assert snapshot() == before  # a scenario never changes a plan, a line, a row or the year's rules


def test_a_bad_parameter_is_refused_with_its_reason(rosters, reviewer):
    client = client_for(reviewer)
    client.post(reverse("scenario_list"), {"year": 111, "name": "壞"})
    scenario = RuleScenario.objects.get()
    url = reverse("scenario_detail", args=[scenario.pk])
    page = client.get(url)
    for changes, message in (
        ({"classes_per_device_class": 0}, "必須大於 0"),
        ({"classes_per_device_class": -1}, "大於或等於 0"),
        ({"admin_staff_tiers": "60:1、180:2"}, "最後一級必須沒有上限"),
        ({"admin_staff_tiers": "abc"}, "校數上限:人數"),
        ({"device_unit_price": "十三"}, "整數"),
        ({"device_unit_price": 10**13}, "小於或等於"),
    ):
        response = client.post(url, form_data(page, **changes))
        assert response.status_code == 200 and message in response.content.decode(), changes
    scenario.refresh_from_db()
    assert scenario.version == 1 and scenario.rules["classes_per_device_class"] == 6


def test_two_reviewers_saving_at_once_do_not_overwrite_each_other(rosters, reviewer, admin_user):
    scenario = scenario_create(user=reviewer, plan_year=PlanYear.objects.get(year=111), name="同時")
    url = reverse("scenario_detail", args=[scenario.pk])
    first, second = client_for(reviewer), client_for(admin_user)
    page_a, page_b = first.get(url), second.get(url)
    assert first.post(url, form_data(page_a, device_unit_price=14_000)).status_code == 302
    refused = second.post(url, form_data(page_b, cart_unit_price=60_000), follow=True)
    assert "另一位使用者剛修改" in refused.content.decode()
    scenario.refresh_from_db()
    assert scenario.rules["device_unit_price"] == 14_000 and scenario.rules["cart_unit_price"] == 50_000


def test_remote_areas_and_the_excel_export(rosters, reviewer):
    client = client_for(reviewer)
    client.post(reverse("scenario_list"), {"year": 111, "name": "非山非市視為偏遠"})
    scenario = RuleScenario.objects.get()
    url = reverse("scenario_detail", args=[scenario.pk])
    data = form_data(client.get(url), remote_areas=["偏遠", "特偏", "極偏", "非山非市"])
    assert client.post(url, data).status_code == 302
    scenario.refresh_from_db()
    assert scenario.rule_values()["remote_areas"] == ["偏遠", "特偏", "極偏", "非山非市"]
    response = client.get(reverse("scenario_export", args=[scenario.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook["比較"].iter_rows(values_only=True))
    assert rows[1][0] == "縣市" and [row[0] for row in rows[2:]] == [COUNTY_B, COUNTY_A, "全國"]
    national = rows[-1]
    assert national[1:4] == (national[1], national[2], national[2] - national[1])
    params = list(workbook["參數"].iter_rows(values_only=True))
    assert params[1][0] == "remote_areas" and "非山非市" in params[1][3]


def test_the_scenario_is_a_plain_dict_of_rule_set_keys(plan_year, reviewer):
    scenario = scenario_create(user=reviewer, plan_year=plan_year, name="下一年")
    values = scenario.rule_values()
    assert isinstance(values, dict) and engine.RuleSet.from_dict(values) == plan_year.rule_set
    with pytest.raises(ScenarioRefused):
        scenario_create(user=reviewer, plan_year=plan_year, name="下一年")
    with pytest.raises(ScenarioRefused):
        scenario_create(user=reviewer, plan_year=plan_year, name="  ")


@pytest.mark.parametrize("persona", ["officer_a", "school_user_a"])
def test_counties_and_schools_have_no_scenarios(reviewer, persona, request):
    scenario = scenario_create(user=reviewer, plan_year=PlanYear.objects.get(year=111), name="教育部的")
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("scenario_list")).status_code == 403
    assert client.post(reverse("scenario_list"), {"year": 111, "name": "x"}).status_code == 403
    for name in ("scenario_detail", "scenario_export"):
        assert client.get(reverse(name, args=[scenario.pk])).status_code == 403
    assert client.post(reverse("scenario_delete", args=[scenario.pk])).status_code == 403
    assert RuleScenario.objects.count() == 1
    assert not RuleScenario.objects.filter(name="x").exists()


def test_the_national_comparison_takes_a_constant_number_of_queries(rosters, reviewer, django_assert_max_num_queries):
    scenario = scenario_create(user=reviewer, plan_year=PlanYear.objects.get(year=111), name="q")
    with django_assert_max_num_queries(3):
        comparison = scenario_comparison(scenario=scenario, user=reviewer)
    assert len(comparison.counties) == 2
    assert (
        sum(len(c.entries) for c in county_inputs(user=reviewer, plan_year=scenario.plan_year))
        == RosterRow.objects.count()
    )


def test_delete(rosters, reviewer):
    scenario = scenario_create(user=reviewer, plan_year=PlanYear.objects.get(year=111), name="刪")
    response = client_for(reviewer).post(reverse("scenario_delete", args=[scenario.pk]))
    assert response.status_code == 302 and not RuleScenario.objects.exists()


def test_a_scenario_opens_next_year_with_its_changes(plan_year, reviewer):
    from budget.scenarios import scenario_create, scenario_update

    scenario = scenario_create(user=reviewer, plan_year=plan_year, name="每 5 班")
    values = scenario.rule_values() | {"classes_per_device_class": 5}
    scenario_update(scenario=scenario, user=reviewer, values=values, expected_version=scenario.version)
    scenario.refresh_from_db()
    assert scenario.changed_values() == {"classes_per_device_class": 5}
    client = client_for(reviewer)
    detail = client.get(reverse("scenario_detail", args=[scenario.pk])).content.decode()
    assert "以此情境開啟下一年度" in detail
    page = client.get(reverse("plan_year_open") + f"?source=111&scenario={scenario.pk}").content.decode()
    assert "已帶入試算情境「每 5 班」" in page and 'name="rule_classes_per_device_class" value="5"' in page
