"""Lines 7, 9 and 10 of the budget table from the office, only through plan_set_county_figures."""

import pytest
from django.urls import reverse

from budget.selectors import plan_table
from budget.services import plan_for, plan_submit
from tests.conftest import client_for, fill_narrative
from tests.training.factories import make_session
from training import models as m
from training.selectors_office import plan_figures, session_budget_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(plan_year, county_a, roster_ab):
    make_session(plan_year, county_a, code="A1-1", substitute_periods_elementary=10, substitute_periods_junior=6)
    make_session(plan_year, county_a, code="A2-1", substitute_periods_elementary=4)
    make_session(plan_year, county_a, code="IT-1", kind=m.SessionKind.IT_STAFF)
    for kind, name in (("counselor", "甲"), ("counselor", "乙"), ("it", "丙"), ("admin", "丁")):
        m.OfficeStaff.objects.create(plan_year=plan_year, county=county_a, kind=kind, name=name)


def test_session_figures(office, plan_year, county_a, county_b):
    make_session(plan_year, county_b, code="B-1", substitute_periods_elementary=99)
    figures = session_budget_figures(county=county_a, plan_year=plan_year)
    assert (figures["sessions"], figures["periods_elementary"], figures["periods_junior"]) == (3, 14, 6)
    assert figures["training_ntd"] == 75_000
    # 6,640 of pay and its 2.11% supplementary premium (140).
    assert figures["substitute_ntd"] == 14 * 320 + 6 * 360 + 140
    assert plan_figures(county=county_a, plan_year=plan_year) == {
        "training_sessions": 3,
        "substitute_periods_elementary": 14,
        "substitute_periods_junior": 6,
        "requested_counselors": 2,
        "requested_it_staff": 1,
        "requested_admin_staff": 1,
        "part_time_counselors": 0,
        "part_time_it_staff": 0,
    }


def test_the_figures_reach_the_plans_budget_lines(office, plan_year, county_a, officer_a):
    response = client_for(officer_a).post(reverse("training_plan_figures"), {"year": 111}, follow=True)
    assert "已寫入花蓮縣 111 年度經費表：研習 3 場" in response.content.decode()
    plan = plan_for(county=county_a, plan_year=plan_year)
    lines = {line.number: line for line in plan_table(plan).lines}
    assert lines[9].requested == 3 and lines[9].recurrent_ntd == 75_000
    assert lines[10].requested == 20 and lines[10].recurrent_ntd == 14 * 320 + 6 * 360 + 140 == 6_780
    assert lines[7].requested == 4 and lines[7].recurrent_ntd == 2 * 750_000 + 750_000 + 650_000
    assert plan.history.latest().history_change_reason == "推動辦公室人力與研習場次"


def test_a_submitted_plan_is_not_changed(office, plan_year, county_a, officer_a):
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    response = client_for(officer_a).post(reverse("training_plan_figures"), {"year": 111}, follow=True)
    assert "未寫入經費表" in response.content.decode()
    plan.refresh_from_db()
    assert plan.training_sessions == 0


def test_an_admin_writes_a_chosen_countys_figures(office, plan_year, county_a, admin_user):
    client_for(admin_user).post(reverse("training_plan_figures"), {"year": 111, "county": "15"})
    assert plan_for(county=county_a, plan_year=plan_year).training_sessions == 3
