"""The contract reporting reads: county_training_summary, its keys and meaning."""

import datetime

import pytest

from schools.models import School
from tests.training.factories import attend, make_session
from training import models as m
from training.selectors import TRAINING_SUMMARY_KEYS, county_training_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(plan_year, county_a, county_b, roster_ab):
    s1, s2, b = (School.objects.get(code=c) for c in ("154601", "154602", "144601"))
    a1 = make_session(plan_year, county_a, code="A1", kind=m.SessionKind.A1, held_on=datetime.date(2022, 4, 1))
    a2 = make_session(plan_year, county_a, code="A2", kind=m.SessionKind.A2, held_on=datetime.date(2022, 6, 1))
    lit = make_session(
        plan_year, county_a, code="L", kind=m.SessionKind.LITERACY_SECURITY, held_on=datetime.date(2022, 6, 2)
    )
    it = make_session(plan_year, county_a, code="IT", kind=m.SessionKind.IT_STAFF, held_on=datetime.date(2022, 8, 1))
    make_session(plan_year, county_a, code="LATER", held_on=datetime.date(2022, 11, 1))
    attend(a1, s1, "T1", "T2")
    attend(a2, s1, "T1")
    attend(lit, s1, "T1", "T3")
    attend(it, s2, "I1")
    attend(a1, b, "B1")
    for day in (datetime.date(2022, 2, 10), datetime.date(2022, 3, 10), datetime.date(2022, 9, 10)):
        m.WorkingMeeting.objects.create(plan_year=plan_year, county=county_a, held_on=day, topic="會議")
    for day in (datetime.date(2022, 5, 1), datetime.date(2022, 10, 1)):
        m.PublicLesson.objects.create(plan_year=plan_year, school=s1, held_on=day, teacher="甲", subject="數學")


def test_the_summary_of_a_county_until_a_day(data, plan_year, county_a, county_b, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        summary = county_training_summary(plan_year=plan_year, until=datetime.date(2022, 8, 31))
    a = summary[county_a.pk]
    assert set(a) == set(TRAINING_SUMMARY_KEYS)
    assert a == {
        "sessions_held": 4,
        "teachers_trained": 4,  # T1, T2, T3, I1: T1 counted once for three sessions
        "a1a2_teachers": 1,
        "literacy_teachers": 2,
        "it_staff_trained": 1,
        "teachers_total": 57,
        "meetings_held": 2,
        "public_lessons": 1,
        "schools_with_public_lesson": 1,
        "schools_total": 2,
    }
    assert summary[county_b.pk]["teachers_trained"] == 1  # B1 came to county A's session
    assert summary[county_b.pk]["sessions_held"] == 0


def test_a_month_is_the_difference_of_two_calls(data, plan_year, county_a):
    may = county_training_summary(plan_year=plan_year, county_ids=[county_a.pk], until=datetime.date(2022, 5, 31))
    june = county_training_summary(plan_year=plan_year, county_ids=[county_a.pk], until=datetime.date(2022, 6, 30))
    assert list(june) == [county_a.pk]
    assert june[county_a.pk]["a1a2_teachers"] - may[county_a.pk]["a1a2_teachers"] == 1
    assert june[county_a.pk]["literacy_teachers"] - may[county_a.pk]["literacy_teachers"] == 2


def test_counties_without_data_are_left_out(plan_year, county_a):
    assert county_training_summary(plan_year=plan_year) == {}


def test_queries_do_not_grow_with_counties_or_rows(data, plan_year, county_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:
        county_training_summary(plan_year=plan_year, county_ids=[county_a.pk])
    session = m.TrainingSession.objects.get(code="A1")
    for i in range(300):
        m.Attendance.objects.create(session=session, school=School.objects.get(code="154602"), teacher_code=f"X{i}")
    with django_assert_max_num_queries(6) as many:
        county_training_summary(plan_year=plan_year)
    assert len(few.captured_queries) == len(many.captured_queries)
