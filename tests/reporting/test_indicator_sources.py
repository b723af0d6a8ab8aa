"""The indicators and the dashboard read the real devices and training apps (no monkeypatch):
devices delivered to schools and teachers who finished A1 and A2 reach 附件1 五(一)."""

from datetime import date

import pytest
from django.urls import reverse

from reporting.indicators import indicators
from schools.models import School
from tests.conftest import client_for
from tests.devices.conftest import make_batch, make_devices
from tests.devices.conftest import rosters as _rosters
from training.models import Attendance, SessionKind, TrainingSession

rosters = _rosters  # the devices tests' roster fixture, used here too

pytestmark = pytest.mark.django_db


def by_number(items):
    return {item["number"]: item["total"] for item in items}


@pytest.fixture
def county_a_data(plan_year, county_a, rosters):
    """154601 (一般: entitled 8 teacher + 112 student devices) gets all 120; 154602 (偏遠, 37
    teachers and 516 students) gets 300 student devices only. 10 of 154601's 37 teachers and
    none of 154602's 37 finished both A1 and A2."""
    batch = make_batch(county_a, plan_year)
    make_devices(batch, rosters["154601"], 8, prefix="T", use="teacher")
    make_devices(batch, rosters["154601"], 112, prefix="S", use="student")
    make_devices(batch, rosters["154602"], 300, prefix="R", use="student")
    sessions = {
        kind: TrainingSession.objects.create(
            plan_year=plan_year,
            county=county_a,
            code=f"{kind}-1",
            kind=kind,
            title=kind,
            held_on=date(2022, 5, 1),
            place="花蓮縣教育網路中心",
        )
        for kind in (SessionKind.A1, SessionKind.A2)
    }
    school = School.objects.get(code="154601")
    Attendance.objects.bulk_create(
        [Attendance(session=sessions[SessionKind.A1], school=school, teacher_code=f"T{i:03d}") for i in range(15)]
        + [Attendance(session=sessions[SessionKind.A2], school=school, teacher_code=f"T{i:03d}") for i in range(10)]
    )


def test_device_and_training_figures_come_from_their_apps(county_a_data, plan_year, county_a):
    got = by_number(indicators(plan_year=plan_year, counties=[county_a]))
    assert got[1]["value"] == 420  # every device of the plan's batch
    assert got[2]["value"] == 300  # of them at the remote school
    assert (got[3]["numerator"], got[3]["denominator"]) == (0, 1)  # 154602 is short of 1 人 1 機
    assert (got[4]["numerator"], got[4]["denominator"]) == (1, 1)  # 154601 has its class set
    assert got[6]["value"] == 14  # 10 of 74 teachers finished A1 and A2: 13.5% rounds half up


def test_the_dashboard_shows_them(county_a_data, officer_a):
    page = client_for(officer_a).get(reverse("dashboard")).content.decode()
    assert '<td class="num">420臺</td>' in page and '<td class="num">673臺</td>' in page  # bought / asked for
    assert '<td class="num">14%</td>' in page  # indicator 6 from the attendance records
