"""A plan's pages read without writing: before a county's first write its plan is an unsaved
draft (budget.selectors.plan_read), shown as the draft the first write will create."""

import re

import pytest
from django.urls import reverse

from budget.models import BudgetLine, CountyPlan, PlanNarrative
from budget.selectors import plan_lines, plan_read
from budget.services import plan_for
from tests.conftest import client_for, load_roster, record

pytestmark = pytest.mark.django_db

READ_PAGES = ("plan_detail", "plan_edit", "plan_narrative", "plan_submit", "plan_moe_figures")


def url(name, county, plan_year):
    return reverse(name, kwargs={"year": plan_year.year, "county_code": county.code})


def test_plan_read_gives_an_unsaved_draft_with_its_eleven_empty_lines(plan_year, county_a):
    plan = plan_read(county=county_a, plan_year=plan_year)
    assert plan.pk is None and plan.status == "draft"
    lines = plan_lines(plan)
    assert sorted(lines) == list(range(1, 12)) and all(line.pk is None for line in lines.values())
    saved = plan_for(county=county_a, plan_year=plan_year)
    assert plan_read(county=county_a, plan_year=plan_year) == saved


def test_looking_at_a_plan_the_county_has_not_written_creates_nothing(plan_year, county_a, officer_a, reviewer):
    load_roster(plan_year, [record()], user=officer_a)
    for user, names in ((officer_a, READ_PAGES[:4]), (reviewer, ("plan_detail", "plan_moe_figures"))):
        client = client_for(user)
        for name in names:
            assert client.get(url(name, county_a, plan_year)).status_code == 200, name
    assert client.get(url("final_report", county_a, plan_year)).status_code == 302
    assert not CountyPlan.objects.exists()
    assert not BudgetLine.objects.exists() and not PlanNarrative.objects.exists()


def page_text(response) -> str:
    text = re.sub(r"\s+", " ", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_the_draft_pages_read_as_the_created_plan_does(plan_year, county_a, officer_a):
    load_roster(plan_year, [record()], user=officer_a)
    client = client_for(officer_a)
    pages = READ_PAGES[:4]
    before = {name: page_text(client.get(url(name, county_a, plan_year))) for name in pages}
    plan_for(county=county_a, plan_year=plan_year)
    after = {name: page_text(client.get(url(name, county_a, plan_year))) for name in pages}
    for name in pages[1:]:
        assert before[name] == after[name], name

    # The plan's page differs only by what creating it is: its date and its first audit records.
    def unwritten(text: str) -> str:
        text = re.sub(r'<span class="when">[^<]*</span>', "", text, count=1)
        return text.split("<h2>計畫與經費表異動紀錄</h2>")[0]

    assert unwritten(before["plan_detail"]) == unwritten(after["plan_detail"])
    assert "尚無異動紀錄" in before["plan_detail"]
