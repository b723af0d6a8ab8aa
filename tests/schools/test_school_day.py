"""A school's own roster (issue 14): no filter bar, no 縣市 column; a county's no 縣市 column;
the MOE keeps both."""

import pytest
from django.urls import reverse

from tests.conftest import client_for, record
from tests.schools.test_views import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(plan_year, school_user_a, officer_a, reviewer):
    load(plan_year, [record(), record(code="154602", name="花蓮縣立北濱國小")])


def header(page: str) -> str:
    return page[page.index("<thead>") : page.index("</thead>")]


def test_a_school_sees_its_row_without_filters_or_county(roster, school_user_a):
    page = client_for(school_user_a).get(reverse("roster_list")).content.decode()
    assert 'class="filters"' not in page and ">縣市<" not in header(page)
    assert "154601" in page and "154602" not in page


def test_a_county_has_filters_but_no_county_column(roster, officer_a):
    page = client_for(officer_a).get(reverse("roster_list")).content.decode()
    assert 'class="filters"' in page and ">縣市<" not in header(page)
    assert "154602" in page


def test_the_moe_keeps_the_county_column(roster, reviewer):
    page = client_for(reviewer).get(reverse("roster_list")).content.decode()
    assert 'class="filters"' in page and ">縣市<" in header(page)
