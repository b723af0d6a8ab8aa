"""The main list pages run exactly these queries, in this order (the read cache off, the
session and the plan year warmed up). A new query, or one gone, fails here by name: when the
change is meant, write the new list down with the reason in the commit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from budget.services import plan_for, plan_submit
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.importing import USAGE_IMPORT
from tests.conftest import SCHOOL_A1, SCHOOL_A2, client_for, fill_narrative
from tests.devices.conftest import make_batch, make_devices
from tests.reporting.conftest import usage_csv, usage_row

pytestmark = pytest.mark.django_db

USER = ("portal_user", "schools_county", "schools_school")  # the session's user, with its county and school
PLAN_YEAR = ("schools_planyear",)
ROSTER = ("schools_county", "schools_rosterrow", "schools_school")
EXPECTED = {
    "roster_list": (
        "officer_a",
        [
            USER,
            PLAN_YEAR,
            ROSTER,  # the page's count
            ROSTER,  # the page's rows
            ROSTER,  # the rows compared with the MOE's statistics (「與教育部統計比對」)
            ("schools_officialschoolfigures",),
            ("schools_officialschoolfigures",),
            ("schools_officialremoteschool",),
            ("schools_officialremoteschool",),
            ("portal_user", "schools_findinganswer", "schools_school"),
            ("schools_officialsource",),
        ],
    ),
    "device_list": (
        "officer_a",
        [
            USER,
            ("devices_procurementbatch",),  # the batch filter's choices
            ("devices_device",),  # the count
            ("devices_device",),  # the page's ids, in serial order
            ("devices_device", "devices_procurementbatch", "schools_county", "schools_school"),  # those rows
        ],
    ),
    "review_queue": (
        "reviewer",
        [
            USER,
            ("otp_totp_totpdevice",),  # the second factor
            PLAN_YEAR,
            ("budget_countyplan", "schools_county", "schools_planyear"),
            ("schools_county",),
            PLAN_YEAR,
            ("budget_countyplan", "budget_plansubmission", "schools_county", "schools_planyear"),
        ],
    ),
    "usage_overview": (
        "officer_a",
        [
            USER,
            PLAN_YEAR,
            ("reporting_usagerecord",),  # by county
            ("schools_county",),
            ("reporting_usagerecord",),  # by month
            ("reporting_usagerecord",),  # by platform
            ("reporting_usagerecord",),  # the total
            ("reporting_usagerecord", "schools_county", "schools_school"),  # by school: the count
            ("reporting_usagerecord", "schools_county", "schools_school"),  # by school: the page
        ],
    ),
}


def tables(sql: str) -> tuple[str, ...]:
    return tuple(sorted(set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"([a-z_0-9]+)"', sql))))


@pytest.fixture
def busy_county(two_counties, plan_year, county_a, officer_a):
    """County A with devices, a submitted plan and usage hours, so every part of each page has rows."""
    make_devices(make_batch(county_a, plan_year), two_counties[SCHOOL_A1], 3)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    target = ImportTarget(plan_year=plan_year)
    rows = [usage_row(code=code, month=f"111年{m}月") for code in (SCHOOL_A1, SCHOOL_A2) for m in (3, 4)]
    pipeline.import_rows(
        USAGE_IMPORT, pipeline.read_file(USAGE_IMPORT, usage_csv(rows), target=target), target=target, user=None
    )


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_main_list_pages_run_exactly_these_queries(name, busy_county, request, settings, django_assert_num_queries):
    settings.READ_CACHE = False  # the computed page, not the cached one
    who, expected = EXPECTED[name]
    client = client_for(request.getfixturevalue(who))
    client.get(reverse(name))
    with django_assert_num_queries(len(expected)) as captured:
        assert client.get(reverse(name)).status_code == 200
    assert [tables(query["sql"]) for query in captured.captured_queries] == expected
