"""portal.scope: the one answer to "which plan year, which county" for every view."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from portal import scope
from schools.models import PlanYear


def _later(plan_year: PlanYear) -> PlanYear:
    return PlanYear.objects.create(
        year=plan_year.year + 1,
        title="later",
        period_start=plan_year.period_start,
        period_end=plan_year.period_end,
        survey_year=plan_year.year,
        rules=plan_year.rule_set.to_dict() | {"year": plan_year.year + 1},
    )


def _request(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return request


def test_latest_year_when_none_is_asked(db, plan_year, officer_a):
    _later(plan_year)
    assert scope.plan_year_for(_request(officer_a)).year == plan_year.year + 1


def test_the_year_asked_for(db, plan_year, officer_a):
    _later(plan_year)
    assert scope.plan_year_for(_request(officer_a, year=str(plan_year.year))) == plan_year


def test_the_year_in_the_url_wins(db, plan_year, officer_a):
    _later(plan_year)
    assert scope.plan_year_for(_request(officer_a, year="999"), year=plan_year.year) == plan_year


@pytest.mark.parametrize("asked", ["999", "abc", "111; drop"])
def test_an_unknown_year_is_a_404_naming_it(db, plan_year, officer_a, asked):
    with pytest.raises(Http404, match="年度的計畫"):
        scope.plan_year_for(_request(officer_a, year=asked))


def test_no_year_at_all(db, officer_a):
    PlanYear.objects.all().delete()
    with pytest.raises(Http404, match=scope.NO_PLAN_YEAR):
        scope.plan_year_for(_request(officer_a))


def test_county_staff_always_get_their_own_county(officer_a, county_a, county_b):
    assert scope.county_for(_request(officer_a, county=county_b.code)) == county_a


def test_school_staff_get_their_schools_county(school_user_a, county_a, county_b):
    assert scope.county_for(_request(school_user_a, county=county_b.code)) == county_a


def test_the_moe_chooses_a_county_or_none(reviewer, county_b):
    assert scope.county_for(_request(reviewer, county=county_b.code)) == county_b
    assert scope.county_for(_request(reviewer)) is None
    with pytest.raises(Http404, match=scope.CHOOSE_COUNTY):
        scope.county_for(_request(reviewer), required=True)


def test_an_unknown_county_code_is_a_404(reviewer):
    with pytest.raises(Http404):
        scope.county_for(_request(reviewer, county="nope"))
