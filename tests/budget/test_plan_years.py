"""Plan years as data, opened in one step (issue 13, finding 6 and 「Plan years as data」)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import fields

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from budget import rules as engine
from budget.models import CountyPlan, PlanStatus
from budget.selectors import plan_indicators, plan_narrative, plan_table
from budget.services import plan_for, plan_submit
from budget.services_review import budget_line_approve, plan_approve
from budget.years import PlanYearRefused, plan_year_open, plan_year_rules_update, rules_digest
from devices.models import Device
from reporting.indicators import indicators
from schools.models import PlanYear, RosterRow
from tests.conftest import client_for, fill_narrative, load_roster, record
from tests.training.factories import attend, make_session
from training.models import OfficeStaff, SessionKind
from training.selectors import progress_for_schools

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- Finding 6: a new year could not be opened ------------------------------------------------------


def test_the_admin_add_page_of_a_plan_year_no_longer_answers_500(admin_user, plan_year):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = client_for(admin_user)
    response = client.get(reverse("admin:schools_planyear_add"))
    assert response.status_code == 302 and response["Location"] == reverse("plan_year_open")
    change = client.get(reverse("admin:schools_planyear_change", args=[plan_year.pk]))
    assert change.status_code == 200 and "device_delivery_deadline" in change.content.decode()


def test_the_stored_111_rules_carry_every_key(plan_year):
    """A key missing from the stored dict silently took the code's default (14 of them did)."""
    assert set(plan_year.rules) == {f.name for f in fields(engine.RuleSet)}
    assert plan_year.rules["device_delivery_deadline"] == "2022-09-30"
    assert plan_year.rules["substitute_premium_basis_points"] == 211
    assert plan_year.survey_year == 110


# --- open_plan_year -----------------------------------------------------------------------------------


@pytest.fixture
def approved_111(plan_year, county_a, officer_a, reviewer):
    """花蓮縣's 111 plan, approved with one teacher device less than asked."""
    load_roster(plan_year, [record(), record(code="154602", name="花蓮縣立北濱國小")], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan.prev_student_devices = 50
    plan.save()
    submission = plan_submit(plan=plan, user=officer_a)
    for item in submission.budget:
        amount = item["total_ntd"] - (13_000 if item["number"] == 1 else 0)
        if amount:
            budget_line_approve(
                line=plan.lines.get(number=item["number"]),
                user=reviewer,
                approved_ntd=amount,
                note="核減 1 臺" if item["number"] == 1 else "",
            )
    return plan_approve(plan=plan, user=reviewer)


def test_open_plan_year_writes_every_key_and_moves_the_dates(approved_111, plan_year):
    out = run(
        "open_plan_year",
        "112",
        "--from",
        "111",
        "--set",
        "classes_per_device_class=4",
        "--set",
        "device_unit_price=14000",
    )
    assert "已開啟 112 年度" in out and "classes_per_device_class=4、device_unit_price=14000" in out
    year = PlanYear.objects.get(year=112)
    assert set(year.rules) == {f.name for f in fields(engine.RuleSet)}
    assert (year.rules["classes_per_device_class"], year.rules["device_unit_price"]) == (4, 14_000)
    # 111's dates moved into 112's period, not inherited.
    assert year.rules["device_delivery_deadline"] == "2023-09-30"
    assert (year.period_start, year.period_end) == (datetime.date(2023, 2, 1), datetime.date(2023, 12, 31))
    assert year.rules["previously_subsidised_years"] == [110, 111]
    assert year.survey_year == 111 and year.previous == plan_year
    assert year.title == "「推動中小學數位學習精進方案」112年國民中小學實施計畫"
    # 111 is untouched.
    plan_year.refresh_from_db()
    assert plan_year.rules["classes_per_device_class"] == 6 and plan_year.rules["device_unit_price"] == 13_000


def test_the_roster_starts_as_last_years_with_requested_counts_cleared(approved_111, plan_year):
    run("open_plan_year", "112", "--from", "111", "--set", "classes_per_device_class=4")
    year = PlanYear.objects.get(year=112)
    rows = RosterRow.objects.filter(plan_year=year).order_by("school__code")
    assert rows.count() == 2
    row = rows[0]
    assert (row.req_carts, row.req_teacher_devices, row.req_student_devices, row.complies) == (None, None, None, None)
    # The entitlement is the new year's: 20 classes, one class set per 4 -> 5.
    assert (row.entitled_carts, row.entitled_teacher_devices, row.entitled_student_devices) == (5, 10, 140)
    assert RosterRow.objects.filter(plan_year=plan_year).count() == 2


def test_the_previous_years_approved_lines_become_the_previously_subsidised(approved_111):
    run("open_plan_year", "112", "--from", "111")
    plan = CountyPlan.objects.get(plan_year__year=112, county=approved_111.county)
    # 111 approved 16 - 1 teacher devices, 224 - 50 student devices (50 were subsidised before), 8 carts.
    assert (plan.prev_teacher_devices, plan.prev_student_devices, plan.prev_carts) == (15, 50 + 174, 8)
    assert plan.status == PlanStatus.DRAFT and plan.lines.count() == 11
    table = plan_table(plan)
    # Blank rows count their entitlement: 16 teacher devices asked, 15 already given.
    assert (table.line(1).computed, table.line(1).previously_subsidised, table.line(1).requested) == (16, 15, 1)


def test_staff_devices_and_a1a2_carry_on_into_the_new_year(approved_111, plan_year, county_a, officer_a):
    OfficeStaff.objects.create(plan_year=plan_year, county=county_a, kind="counselor", name="王輔導")
    school = approved_111.county.schools.get(code="154601")
    a1 = make_session(plan_year, county_a, code="A1-1", kind=SessionKind.A1)
    a2 = make_session(plan_year, county_a, code="A2-1", kind=SessionKind.A2)
    attend(a1, school, "T1", "T2")
    attend(a2, school, "T1")
    from tests.devices.conftest import make_batch

    batch = make_batch(county_a, plan_year, quantity=10)
    Device.objects.create(batch=batch, county=county_a, school=school, serial="SN-111-1")
    run("open_plan_year", "112", "--from", "111")
    year = PlanYear.objects.get(year=112)
    assert OfficeStaff.objects.filter(plan_year=year, county=county_a, name="王輔導").exists()
    report = progress_for_schools(schools=county_a.schools.all(), plan_year=year, label="花蓮縣")
    # T1 finished A1 and A2 in 111: still counts in 112, against 112's target (50%).
    assert report.total.a1a2 == 1 and report.total.a1a2_target_percent == 50
    page = client_for(officer_a).get(reverse("device_list") + "?year=112")
    assert "SN-111-1" in page.content.decode()


def test_the_a1a2_target_of_a_year_is_the_same_on_the_plan_the_dashboard_and_the_training_pages(
    approved_111, county_a, officer_a
):
    run("open_plan_year", "112", "--from", "111")
    year = PlanYear.objects.get(year=112)
    plan = plan_for(county=county_a, plan_year=year)
    items = {item["number"]: item for item in plan_indicators(plan, plan_table(plan), plan_narrative(plan))}
    dashboard = {item["number"]: item for item in indicators(plan_year=year, counties=[county_a])}
    training = text(client_for(officer_a).get(reverse("training_progress") + "?year=112"))
    assert items[6]["value"] == dashboard[6]["total"]["target"] == 50
    assert "本年度 50%" in training


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("key_school_percent=120", "key_school_percent"),
        ("device_delivery_deadline=2024-01-15", "device_delivery_deadline"),
        (
            'admin_staff_tiers=[{"max_schools": 180, "persons": 1}, {"max_schools": 60, "persons": 2}, '
            '{"max_schools": null, "persons": 3}]',
            "admin_staff_tiers",
        ),
        ("classes_per_device_clas=4", "classes_per_device_clas"),
        ("device_unit_price=many", "device_unit_price"),
        ("previously_subsidised_years=[110, 113]", "previously_subsidised_years"),
    ],
)
def test_a_bad_value_is_refused_with_its_key_named_and_nothing_is_written(plan_year, setting, key):
    with pytest.raises(CommandError) as refused:
        run("open_plan_year", "112", "--from", "111", "--set", setting)
    message = str(refused.value)
    assert key in message and ("未開啟 112 年度" in message or f"{key}：未知的規則參數" in message), message
    assert not PlanYear.objects.filter(year=112).exists()


def test_a_year_is_opened_once_and_after_its_source(plan_year):
    with pytest.raises(CommandError, match="須晚於來源年度"):
        run("open_plan_year", "110", "--from", "111")
    run("open_plan_year", "112", "--from", "111")
    with pytest.raises(CommandError, match="112 年度已經存在"):
        run("open_plan_year", "112", "--from", "111")
    with pytest.raises(CommandError, match="--set 須寫成 KEY=VALUE"):
        run("open_plan_year", "113", "--from", "112", "--set", "classes_per_device_class")


def test_the_service_takes_a_dict_of_values_as_a_scenario_would(plan_year, reviewer):
    year = plan_year_open(
        year=112,
        source=plan_year,
        values={"classes_per_device_class": 5, "remote_areas": ["偏遠", "特偏", "極偏", "非山非市"]},
        user=reviewer,
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    assert year.rule_set.classes_per_device_class == 5 and "非山非市" in year.rule_set.remote_areas
    assert year.rule_set.plan_months == 12
    with pytest.raises(PlanYearRefused) as refused:
        plan_year_open(year=113, source=year, values={"mdm_enrolment_threshold_percent": 101}, user=reviewer)
    assert [key for key, _ in refused.value.problems] == ["mdm_enrolment_threshold_percent"]


# --- The MOE's pages ---------------------------------------------------------------------------------


def open_form(client, **changes) -> dict:
    """The open page's form as it comes prefilled, with changes."""
    page = client.get(reverse("plan_year_open")).content.decode()
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
    for name in re.findall(r'<select[^>]*name="([^"]+)"', page):
        data.setdefault(name, re.search(rf'name="{name}".*?<option value="([^"]+)" selected', page, re.S).group(1))
    return data | changes


def test_the_moe_opens_a_year_on_its_page(plan_year, reviewer, officer_a):
    client = client_for(reviewer)
    page = text(client.get(reverse("plan_year_open")))
    assert 'value="112"' in page and "classes_per_device_class" in page and "2023-09-30" in page
    data = open_form(client, rule_classes_per_device_class="4", rule_device_unit_price="14000")
    response = client.post(reverse("plan_year_open"), data, follow=True)
    assert "已開啟 112 年度（沿用 111 年度，修改的參數：classes_per_device_class、device_unit_price）" in text(response)
    year = PlanYear.objects.get(year=112)
    assert year.rule_set.classes_per_device_class == 4 and year.rule_set.device_unit_price == 14_000
    assert year.rule_set.device_delivery_deadline == "2023-09-30"
    assert client_for(officer_a).get(reverse("plan_year_open")).status_code == 403


def test_the_open_page_names_a_bad_key_and_writes_nothing(plan_year, reviewer):
    client = client_for(reviewer)
    data = open_form(client, rule_key_school_percent="150", rule_device_delivery_deadline="2025-01-01")
    response = client.post(reverse("plan_year_open"), data)
    page = text(response)
    assert response.status_code == 200 and "有欄位填寫有誤" in page
    assert "key_school_percent 必須介於 0 與 100" in page
    assert "device_delivery_deadline 2025-01-01 不在計畫期程" in page
    assert not PlanYear.objects.filter(year=112).exists()


def test_the_rule_set_page_shows_every_parameter_with_its_source_and_the_difference(plan_year, reviewer):
    run("open_plan_year", "112", "--from", "111", "--set", "classes_per_device_class=4")
    page = text(client_for(reviewer).get(reverse("plan_year_rules", args=[112])))
    for name, note in engine.RULE_NOTES.items():
        assert f"<code>{name}</code>" in page and note.seed in page
    assert "[解讀] 非山非市不是偏遠" in page.replace("偏遠、特偏、極偏皆為偏遠；", "")
    row = re.search(r'<tr id="rule-classes_per_device_class">.*?</tr>', page).group(0)
    assert 'class="changed"' in row and ">6<" in row  # 111's value beside 112's
    same = re.search(r'<tr id="rule-cart_unit_price">.*?</tr>', page).group(0)
    assert 'class="changed"' not in same


def test_rules_change_until_the_first_county_submits(plan_year, county_a, officer_a, reviewer):
    load_roster(plan_year, [record()], user=officer_a)
    client = client_for(reviewer)
    url = reverse("plan_year_rules", args=[111])
    page = client.get(url).content.decode()
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    data = {"digest": digest} | {
        f"rule_{name}": value.replace("&quot;", '"')
        for name, value in re.findall(r'name="rule_([a-z0-9_]+)"[^>]*value="([^"]*)"', page)
    }
    response = client.post(url, data | {"rule_classes_per_device_class": "5"}, follow=True)
    assert "已修改：classes_per_device_class" in text(response)
    # The roster was judged again: 20 classes, one set per 5 -> 4 (unchanged carts), 28 x 4.
    row = RosterRow.objects.get()
    assert (row.entitled_carts, row.entitled_student_devices) == (4, 112)
    stale = client.post(url, data | {"rule_classes_per_device_class": "3"}, follow=True)
    assert "已被他人修改" in text(stale)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    page = text(client.get(url))
    assert (
        "花蓮縣已於" in page
        and "送審，本年度的補助規則不能再修改" in page
        and 'name="rule_classes_per_device_class"' not in page
    )
    plan_year.refresh_from_db()
    with pytest.raises(PlanYearRefused, match="不能再修改"):
        plan_year_rules_update(
            plan_year=plan_year,
            values={"device_unit_price": 1},
            user=reviewer,
            expected_digest=rules_digest(plan_year.rules),
        )
    # County staff read the rules, without inputs; school staff do not.
    assert client_for(officer_a).post(url, data).status_code == 403
