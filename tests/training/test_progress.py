"""Progress against 五(四)2's targets, with worked figures; a teacher counts once."""

import datetime

import pytest
from django.urls import reverse

from schools.models import County, PlanYear, School
from tests.conftest import client_for, load_roster, record
from tests.training.factories import attend, make_session
from training.models import SessionKind, TrainingSession
from training.selectors import progress_for_counties, progress_for_schools

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(plan_year, county_a, county_b, roster_ab):
    """154601 (37 teachers): T1 did A1 twice and A2 and two literacy sessions; T2 only A1;
    T3 A1 and A2; T9 is the IT person. 154602 (20): U1 A1 + A2. County B's B1 came to A's A1
    and A2 (counts for B)."""
    s1, s2 = School.objects.get(code="154601"), School.objects.get(code="154602")
    b = School.objects.get(code="144601")
    a1 = make_session(plan_year, county_a, code="A1-1", kind=SessionKind.A1)
    a1b = make_session(plan_year, county_a, code="A1-2", kind=SessionKind.A1)
    a2 = make_session(plan_year, county_a, code="A2-1", kind=SessionKind.A2)
    media = make_session(plan_year, county_a, code="L-1", kind=SessionKind.LITERACY_MEDIA)
    privacy = make_session(plan_year, county_a, code="L-2", kind=SessionKind.LITERACY_PRIVACY)
    it = make_session(plan_year, county_a, code="IT-1", kind=SessionKind.IT_STAFF)
    attend(a1, s1, "T1", "T2", "T3")
    attend(a1b, s1, "T1")
    attend(a2, s1, "T1", "T3")
    attend(media, s1, "T1")
    attend(privacy, s1, "T1")
    attend(it, s1, "T9")
    attend(a1, s2, "U1")
    attend(a2, s2, "U1")
    attend(a1, b, "B1")
    attend(a2, b, "B1")
    return {"s1": s1, "s2": s2}


def test_per_school_and_county_figures(trained, plan_year, county_a):
    report = progress_for_schools(schools=School.objects.filter(county=county_a), plan_year=plan_year, label="花蓮縣")
    by_code = {p.code: p for p in report.rows}
    first, second = by_code["154601"], by_code["154602"]
    assert (first.teachers, first.a1a2, first.literacy, first.it_staff, first.trained) == (37, 2, 1, 1, 4)
    assert (second.teachers, second.a1a2, second.literacy, second.it_staff, second.trained) == (20, 1, 0, 0, 1)
    assert first.a1a2_target == 10  # 25% of 37 = 9.25 -> 10
    assert first.a1a2_tenths == 54  # 2 / 37 = 5.4%
    assert first.literacy_target == 4  # 10% of 37 = 3.7 -> 4
    total = report.total
    assert (total.teachers, total.a1a2, total.literacy, total.trained) == (57, 3, 1, 5)
    assert total.a1a2_target == 15 and total.a1a2_tenths == 53  # 3 / 57 = 5.26%
    assert (total.schools_with_it_staff, total.it_staff_target) == (1, 2)
    assert not total.a1a2_met and not total.it_staff_met


def test_a1_and_a2_of_an_earlier_year_count_and_literacy_only_this_year(trained, plan_year, county_a):
    later = PlanYear.objects.create(
        year=112,
        title="112",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
        rules=plan_year.rule_set.to_dict() | {"year": 112},
    )
    from tests.conftest import load_roster, record

    load_roster(
        later, [record(code="154601", teachers=40), record(code="154602", name="花蓮縣立另一國小", teachers=20)]
    )
    t2_a2 = make_session(later, county_a, code="A2-9", kind=SessionKind.A2, held_on=datetime.date(2023, 3, 1))
    attend(t2_a2, trained["s1"], "T2")
    report = progress_for_schools(schools=School.objects.filter(county=county_a), plan_year=later, label="花蓮縣")
    first = {p.code: p for p in report.rows}["154601"]
    # T1, T3 from 111 and T2 who finished A2 in 112; the 111 literacy sessions are last year's.
    assert (first.teachers, first.a1a2, first.literacy, first.it_staff) == (40, 3, 0, 0)
    assert first.a1a2_target_percent == 50 and first.a1a2_target == 20


def test_the_moe_sees_each_county(trained, plan_year):
    report = progress_for_counties(counties=County.objects.all(), plan_year=plan_year)
    by_name = {p.label: p for p in report.rows}
    assert (by_name["花蓮縣"].teachers, by_name["花蓮縣"].a1a2) == (57, 3)
    assert (by_name["臺東縣"].teachers, by_name["臺東縣"].a1a2) == (10, 1)  # B1 at county A's sessions
    assert report.total.a1a2 == 4 and report.total.teachers == 67


def test_the_pages_for_each_role(trained, officer_a, school_user_a, reviewer, django_assert_max_num_queries):
    url = reverse("training_progress")
    client = client_for(officer_a)
    with django_assert_max_num_queries(6):
        page = client.get(url).content.decode()
    assert "花蓮縣立另一國小" in page and "<svg" in page and "目標 25%" in page
    assert "5.3%" in page  # the county's A1+A2 share
    own = client_for(school_user_a).get(url).content.decode()
    assert "花蓮縣立示範國小" in own and "花蓮縣立另一國小" not in own and "5.4%" in own
    national = client_for(reviewer).get(url).content.decode()
    assert "臺東縣" in national and "花蓮縣" in national
    county_page = client_for(reviewer).get(url, {"county": "15"}).content.decode()
    assert "花蓮縣立另一國小" in county_page


def test_school_staff_see_only_their_schools_attendance(trained, school_user_a):
    page = client_for(school_user_a).get(reverse("training_attendance")).content.decode()
    assert '<td class="code">T1</td>' in page and '<td class="code">U1</td>' not in page
    assert "154602" not in page


def test_the_cached_progress_follows_every_write(trained, plan_year, county_a, officer_a):
    client = client_for(officer_a)
    url = reverse("training_progress")
    assert "3／57 人" in client.get(url).content.decode()
    for code in ("A1-1", "A2-1"):
        session = TrainingSession.objects.get(code=code)
        client.post(
            reverse("training_session_detail", args=[session.pk]), {"school_code": "154602", "teacher_code": "U2"}
        )
    assert "4／57 人" in client.get(url).content.decode()
    # The roster's teachers are the denominator: a roster change shows at once too.
    load_roster(
        plan_year, [record(code="154601", teachers=40), record(code="154602", name="花蓮縣立另一國小", teachers=20)]
    )
    assert "4／60 人" in client.get(url).content.decode()
