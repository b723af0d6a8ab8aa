"""The indicators of 附件1 五(一), read through the devices and training summaries (monkeypatched
here to chosen figures; test_indicator_sources.py reads the real apps), and what the pages show
with and without them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.selectors import plan_narrative
from budget.services import plan_for
from reporting.indicators import indicators
from reporting.selectors_monthly import report_figures
from reporting.services_monthly import monthly_report_for, monthly_report_save, monthly_report_submit
from reporting.services_outcomes import outcome_save, support_figures_save
from schools.models import County
from schools.realdata import roster_records
from tests.conftest import COUNTY_B, client_for, load_roster
from tests.reporting.conftest import DEVICE_FIGURES

pytestmark = pytest.mark.django_db


def by_number(items):
    return {item["number"]: item for item in items}


def test_without_summaries_every_device_and_training_figure_is_missing_not_zero(
    roster, plan_year, county_a, no_summaries
):
    items = by_number(indicators(plan_year=plan_year, counties=[county_a]))
    for number in (1, 2, 3, 4, 6, 7):
        assert items[number]["total"]["value"] is None, number
    assert items[1]["total"]["target"] == 240  # the roster asks for 2 x (8 + 112) devices


def test_the_indicators_use_the_summaries_against_their_targets(roster, plan_year, county_a, summaries):
    plan = plan_for(county=county_a, plan_year=plan_year)
    narrative = plan_narrative(plan)
    narrative.wireless_classes = 200
    narrative.learning_support_share_percent = 50
    narrative.save()
    outcome_save(plan_year=plan_year, county=county_a, subject="數學", sampled=100, improved=40)
    outcome_save(plan_year=plan_year, county=county_a, subject="國語文", sampled=100, improved=10)
    support_figures_save(plan_year=plan_year, county=county_a, support_classes=40, digital_classes=22)
    items = by_number(indicators(plan_year=plan_year, counties=[county_a]))
    got = {n: (i["total"]["value"], i["total"]["target"], i["total"]["met"]) for n, i in items.items()}
    assert got == {
        1: (900, 240, True),
        2: (300, None, None),  # no remote school asked for devices in this roster
        3: (90, 100, False),  # 9 of 10 remote schools
        4: (100, 100, True),
        5: (25, 30, False),  # 50 of 200 sampled students improved
        6: (30, 25, True),  # 300 of 1,000 teachers finished A1 and A2
        7: (150, 200, False),
        8: (55, 50, True),  # 22 of 40 learning-support classes
    }
    assert (items[3]["total"]["numerator"], items[3]["total"]["denominator"]) == (9, 10)
    assert summaries["devices"][-1][0] == [county_a.pk]


def test_national_shares_are_computed_from_the_summed_counts(roster, plan_year, county_a, county_b, summaries):
    outcome_save(plan_year=plan_year, county=county_a, subject="數學", sampled=100, improved=40)
    outcome_save(plan_year=plan_year, county=county_b, subject="數學", sampled=300, improved=60)
    counties = list(County.objects.all())
    items = by_number(indicators(plan_year=plan_year, counties=counties))
    assert items[5]["total"]["value"] == 25  # (40 + 60) / 400, not the mean of 40% and 20%
    rows = {r["county"].name: r for r in items[1]["counties"]}
    assert rows["花蓮縣"]["value"] == 900 and rows["臺東縣"]["value"] is None
    assert summaries["devices"][-1][0] is None  # the national view asks once, for every county


def test_the_dashboard_shows_charts_tables_and_no_data(
    roster, plan_year, county_a, officer_a, officer_b, reviewer, summaries
):
    page = client_for(officer_a).get(reverse("dashboard")).content.decode()
    assert page.count("<svg") == 9  # 8 indicators and the usage per month
    assert "900臺" in page and "90%" in page and "未達成" in page
    other = client_for(officer_b).get(reverse("dashboard")).content.decode()
    assert "尚無資料" in other and "900臺" not in other  # 臺東縣 has no figures; never A's
    national = client_for(reviewer).get(reverse("dashboard")).content.decode()
    assert "全國" in national and national.count("<tr><td>臺東縣</td>") == 8
    county = client_for(reviewer).get(reverse("dashboard"), {"county": county_a.code}).content.decode()
    assert "900臺" in county and "產製年度成果報告 PDF" in county


def test_the_dashboard_queries_do_not_grow_with_counties(roster, plan_year, reviewer, county_b_records, settings):
    """Computed each time (no read cache), the dashboard and the grid ask the database the
    same number of questions for 2 counties with 3 schools as for 3 counties with ~150."""
    settings.READ_CACHE = False
    client = client_for(reviewer)

    def counts() -> tuple[int, int]:
        sizes = []
        for name in ("dashboard", "completeness"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            sizes.append(len(queries))
        return tuple(sizes)

    small = counts()
    load_roster(plan_year, county_b_records, county_label=COUNTY_B)
    load_roster(plan_year, roster_records("宜蘭縣"), county_label="宜蘭縣")
    assert counts() == small


def test_the_monthly_report_shows_the_months_own_figures_and_freezes_them(
    roster, plan_year, county_a, officer_a, summaries, monkeypatch, settings
):
    settings.READ_CACHE = False
    figures = report_figures(plan_year=plan_year, county=county_a, month=datetime.date(2022, 3, 1))
    assert figures["devices"]["delivered"] == {"total": 800, "month": 400}  # 800 by March's end, 400 by February's
    assert figures["training"]["meetings_held"] == {"total": 3, "month": 2}
    until = [u for _, u in summaries["devices"]]
    assert until == [datetime.date(2022, 3, 31), datetime.date(2022, 2, 28)]
    report = monthly_report_for(county=county_a, plan_year=plan_year, month=datetime.date(2022, 3, 1))
    page = client_for(officer_a).get(reverse("monthly_report", args=[111, county_a.code, "2022-03"])).content.decode()
    assert "已交貨學習載具（臺）" in page and "800" in page and "召開工作會議（次）" in page
    # Submitted, the report keeps the figures of that day, whatever the devices app says later.
    monthly_report_save(
        report=report, user=officer_a, notes="三月執行情形", spending={}, expected_version=report.version
    )
    report = monthly_report_submit(report=report, user=officer_a)
    later = {**DEVICE_FIGURES, "delivered": 950}
    monkeypatch.setattr("devices.selectors.county_device_summary", lambda **kwargs: {county_a.pk: later})
    report.refresh_from_db()
    assert report.figures["devices"]["delivered"]["total"] == 800
    page = client_for(officer_a).get(reverse("monthly_report", args=[111, county_a.code, "2022-03"])).content.decode()
    # Without the random CSRF token, in which "950" could turn up.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    assert "800" in page and "950" not in page
