"""The equity view: the measures per school and county, remote beside other schools, the
spread with its extreme schools, the tile map, who sees what, the national data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import equity as eq
from reporting.models import UsageRecord
from reporting.tilemap import TILES, tile_map
from schools.models import County, PlanYear
from schools.realdata import roster_records
from tests.conftest import COUNTY_A, COUNTY_B, client_for, load_roster, load_two_counties
from tests.devices.conftest import make_batch, make_devices
from tests.training.factories import attend, make_session
from training.models import SessionKind

pytestmark = pytest.mark.django_db
MEASURE = eq.MEASURE_BY_KEY


@pytest.fixture
def world(plan_year, county_a, county_b, school_a):
    # 154601: 一般, 516 students, entitled 112 student devices; 154602: 偏遠, 41 students.
    schools = load_two_counties(
        plan_year,
        a2={
            "name": "花蓮縣立偏遠國小",
            "area": "偏遠",
            "classes": 6,
            "max_class_size": 9,
            "teachers": 12,
            "students": 41,
            "req_carts": 6,
            "req_teacher_devices": 12,
            "req_student_devices": 41,
        },
    )
    batch = make_batch(county_a, plan_year)
    make_devices(batch, schools["154601"], 200, prefix="A", mdm_enrolled_on=datetime.date(2022, 9, 2))
    make_devices(batch, schools["154601"], 58, prefix="B")
    make_devices(batch, schools["154602"], 41, prefix="C", mdm_enrolled_on=datetime.date(2022, 9, 2))
    make_devices(batch, schools["154602"], 5, prefix="L", status="lost")
    month = datetime.date(2022, 3, 1)
    now = timezone.now()
    UsageRecord.objects.bulk_create(
        [
            UsageRecord(
                plan_year=plan_year,
                county_id=county_a.pk,
                school=schools["154601"],
                month=month,
                platform=p,
                hours=Decimal(h),
                active_students=10,
                active_devices=d,
                updated_at=now,
            )
            for p, h, d in (("因材網", "100.0", 40), ("PaGamO", "50.5", 25))
        ]
    )
    for kind, code in ((SessionKind.A1, "A1-1"), (SessionKind.A2, "A2-1")):
        attend(make_session(plan_year, county_a, code=code, kind=kind), schools["154602"], "T1", "T2", "T3")
    return schools


def figures(plan_year, county):
    return {s.code: s for s in eq.equity(counties=[county], plan_year=plan_year)[0].schools}


def test_each_measure_of_a_school(world, plan_year, county_a):
    schools = figures(plan_year, county_a)
    general, remote = schools["154601"], schools["154602"]
    assert general.remote is False and remote.remote is True
    assert general.value(MEASURE["students_per_device"]) == 200  # 516 students / 258 devices = 2.00
    assert remote.value(MEASURE["students_per_device"]) == 100  # the lost devices are not counted
    assert general.value(MEASURE["students_per_entitled"]) == 461  # 516 / 112 = 4.607
    assert general.value(MEASURE["mdm_percent"]) == 7752  # 200 of 258 = 77.52%
    # 150.5 hours in March on the school's most active platform's 40 devices: 3.7625 -> 3.76
    assert general.value(MEASURE["hours_per_device"]) == 376
    assert remote.value(MEASURE["hours_per_device"]) is None  # no usage reported: no value, not zero
    assert remote.value(MEASURE["a1a2_percent"]) == 2500  # 3 of 12 teachers


def test_a_county_value_is_its_sums_not_an_average_of_schools(world, plan_year, county_a):
    county = eq.equity(counties=[county_a], plan_year=plan_year)[0]
    assert county.value(MEASURE["students_per_device"]) == eq.ratio(516 + 41, 258 + 41, 100)
    assert county.value(MEASURE["students_per_device"], remote=True) == 100
    assert county.value(MEASURE["students_per_device"], remote=False) == 200
    spread = county.spread(MEASURE["students_per_device"])
    assert (spread.minimum, spread.maximum, spread.schools) == (100, 200, 2)
    assert spread.lowest.code == "154602" and spread.highest.code == "154601"
    assert spread.median == 150


@pytest.mark.parametrize(
    ("values", "q1", "median", "q3"),
    [([84, 100, 150, 398], 96, 125, 212), ([5], 5, 5, 5), ([1, 2], 1, 2, 2), ([1, 2, 3, 4, 5], 2, 3, 4)],
)
def test_quartiles_are_excels_inclusive_ones(values, q1, median, q3):
    assert eq.quantile(values, 1, 4) == q1
    assert eq.quantile(values, 1, 2) == median
    assert eq.quantile(values, 3, 4) == q3


def test_shown():
    assert eq.shown(MEASURE["students_per_device"], 84) == "0.84"
    assert eq.shown(MEASURE["students_per_device"], 398) == "3.98"
    assert eq.shown(MEASURE["mdm_percent"], 6245) == "62.5%"
    assert eq.shown(MEASURE["mdm_percent"], None) == "—"


def test_the_tile_map_has_22_linked_counties_coloured_by_value():
    items = {name: {"value": index * 10, "href": f"/equity/?county={index:02d}"} for index, name in enumerate(TILES)}
    items["連江縣"]["value"] = None
    svg, legend = tile_map(items, title="測試", shown=lambda v: f"{v}")
    assert len(TILES) == 22 and svg.count("<a href=") == 22 and svg.count("<rect") == 22
    assert (
        "尚無資料" in svg and "新竹市" in svg and "新竹縣" in svg and "http" not in svg.replace("http://www.w3.org", "")
    )
    assert len({colour for colour, _low, _high in legend}) == 5
    hostile, _ = tile_map({"臺北市": {"value": 1, "href": '/x?"><script>'}}, title="<b>", shown=str)
    assert "<script>" not in hostile and "<b>" not in hostile


def test_the_moe_sees_every_county_and_a_countys_schools(world, reviewer, county_a):
    client = client_for(reviewer)
    page = client.get(reverse("equity"), {"measure": "students_per_device"})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('<a href="/equity/?year=111&amp;measure=students_per_device&amp;county=') == 22
    lines = {line["county"].name: line for line in page.context["lines"]}
    assert lines[COUNTY_A]["value"] == "1.86" and lines[COUNTY_B]["value"] == "—"
    drill = client.get(reverse("equity"), {"measure": "students_per_device", "county": county_a.code})
    assert [row["school"].code for row in drill.context["page"]] == ["154602", "154601"]
    for measure in eq.MEASURES:
        assert client.get(reverse("equity"), {"measure": measure.key}).status_code == 200
    assert client.get(reverse("equity"), {"measure": "<script>"}).status_code == 200


def test_a_county_sees_only_itself(world, officer_b, county_a):
    client = client_for(officer_b)
    page = client.get(reverse("equity"))
    assert [line["county"].name for line in page.context["lines"]] == [COUNTY_B]
    assert "154601" not in page.content.decode() and "示範國小" not in page.content.decode()
    other = client.get(reverse("equity"), {"county": county_a.code})
    assert other.context["county"].name == COUNTY_B  # county staff always see their own


def test_schools_are_refused(world, school_user_a):
    assert client_for(school_user_a).get(reverse("equity")).status_code == 403


def test_the_queries_do_not_grow_with_schools(world, reviewer, django_assert_max_num_queries, settings):
    settings.READ_CACHE = False
    client = client_for(reviewer)
    with django_assert_max_num_queries(14):
        client.get(reverse("equity"), {"county": "15"})


def test_the_national_data_renders(plan_year, reviewer):
    for name in sorted({r["county"] for r in roster_records()}):
        load_roster(plan_year, roster_records(name), county_label=name)
    page = client_for(reviewer).get(reverse("equity"), {"measure": "students_per_entitled"})
    assert page.status_code == 200
    lines = page.context["lines"]
    assert len(lines) == 22 and all(line["raw"] is not None for line in lines)
    assert page.content.decode().count("尚無資料") == 1  # only the legend's swatch
    assert PlanYear.objects.get(year=111) and County.objects.count() == 22
