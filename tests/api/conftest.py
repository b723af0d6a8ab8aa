"""The API's world: county A (花蓮縣) with two schools — 154601 is the school user's own,
154602 another — and county B (臺東縣) with one; for each a plan, usage hours, a monthly
report, devices and training; one token for each persona."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from api.tokens import token_create
from budget.services import plan_for, plan_submit
from reporting.models import MonthlyReport, MonthlySpending, UsageRecord
from reporting.services_monthly import monthly_report_for
from schools.models import School
from tests.conftest import COUNTY_B, fill_narrative, load_roster, record
from tests.devices.conftest import make_batch, make_devices
from tests.training.factories import attend, make_session
from training.models import SessionKind

PERSONAS = ("officer_a", "officer_b", "school_a", "reviewer", "admin")
OWN, OTHER, FOREIGN = "154601", "154602", "144601"


def bearer(raw: str | None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}") if raw else Client()


def usage(plan_year, school, month, platform, hours, students=80, devices=40):
    return UsageRecord(
        plan_year=plan_year,
        county_id=school.county_id,
        school=school,
        month=month,
        platform=platform,
        hours=Decimal(hours),
        active_students=students,
        active_devices=devices,
        updated_at=timezone.now(),
    )


@pytest.fixture
def api_world(plan_year, county_a, county_b, officer_a, officer_b, school_user_a, reviewer, admin_user):
    load_roster(
        plan_year,
        [
            record(code=OWN),
            record(
                code=OTHER,
                name="花蓮縣立另一國小",
                area="偏遠",
                req_carts=20,
                req_teacher_devices=37,
                req_student_devices=516,
            ),
        ],
    )
    load_roster(plan_year, [record(code=FOREIGN, county=COUNTY_B, name="臺東縣立某國小")], county_label=COUNTY_B)
    schools = {s.code: s for s in School.objects.all()}
    plan_a = plan_for(county=county_a, plan_year=plan_year)
    plan_for(county=county_b, plan_year=plan_year)
    fill_narrative(plan_a)
    plan_submit(plan=plan_a, user=officer_a)
    march, april = datetime.date(2022, 3, 1), datetime.date(2022, 4, 1)
    UsageRecord.objects.bulk_create(
        [
            usage(plan_year, schools[OWN], march, "因材網", "120.5"),
            usage(plan_year, schools[OWN], april, "PaGamO", "33.0", 20, 10),
            usage(plan_year, schools[OTHER], march, "因材網", "64.2", 30, 20),
            usage(plan_year, schools[FOREIGN], march, "均一教育平台", "7.5", 5, 5),
        ]
    )
    for county in (county_a, county_b):
        report = monthly_report_for(county=county, plan_year=plan_year, month=march)
        MonthlySpending.objects.create(report=report, line=1, amount_ntd=1_300_000)
    MonthlyReport.objects.filter(county=county_a).update(
        status="submitted", first_submitted_at=timezone.make_aware(datetime.datetime(2022, 4, 8, 9))
    )
    batch = make_batch(county_a, plan_year)
    make_devices(batch, schools[OWN], 5, prefix="OWN", mdm_enrolled_on=datetime.date(2022, 9, 2))
    make_devices(batch, schools[OTHER], 3, prefix="OTH")
    batch_b = make_batch(county_b, plan_year, tender_number="111-B-001")
    make_devices(batch_b, schools[FOREIGN], 2, prefix="FOR")
    for kind, code in ((SessionKind.A1, "A1-001"), (SessionKind.A2, "A2-001")):
        session = make_session(plan_year, county_a, code=code, kind=kind)
        attend(session, schools[OWN], "T001", "T002")
        attend(session, schools[OTHER], "T101")
    users = {
        "officer_a": officer_a,
        "officer_b": officer_b,
        "school_a": school_user_a,
        "reviewer": reviewer,
        "admin": admin_user,
    }
    tokens = {name: token_create(user=user, name="測試")[1] for name, user in users.items()}
    return {"users": users, "tokens": tokens, "schools": schools, "plan": plan_a}


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    """The rate limit has its own tests; the others make many requests with one token."""
    settings.API_RATE_LIMIT = "100000/min"
