"""Every endpoint x every persona's token: what each one sees, and that another county's
data never appears (a school token sees its own school)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schools.models import County
from tests.api.conftest import FOREIGN, OTHER, OWN, PERSONAS, bearer
from tests.api.helpers import walk

pytestmark = pytest.mark.django_db

A_SCHOOLS, B_SCHOOLS = {OWN, OTHER}, {FOREIGN}
ALL_SCHOOLS = A_SCHOOLS | B_SCHOOLS
SCHOOL_SCOPE = {
    "officer_a": A_SCHOOLS,
    "officer_b": B_SCHOOLS,
    "school_a": {OWN},
    "reviewer": ALL_SCHOOLS,
    "admin": ALL_SCHOOLS,
}
COUNTY_SCOPE = {"officer_a": {"15"}, "officer_b": {"14"}, "reviewer": {"14", "15"}, "admin": {"14", "15"}}


def _schools_of(items, key="school_code"):
    return {item[key] for item in items}


def _counties_of(items):
    return {item["county_code"] for item in items}


PER_SCHOOL = {
    "api_schools": "code",
    "api_roster_rows": "school_code",
    "api_devices": "school_code",
    "api_usage": "school_code",
    "api_training_progress": "school_code",
}
PER_COUNTY = ("api_plans", "api_monthly_reports", "api_indicators")
NOT_FOR_SCHOOLS = set(PER_COUNTY)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PER_SCHOOL))
def test_per_school_resources_show_exactly_the_personas_schools(api_world, name, persona):
    client = bearer(api_world["tokens"][persona])
    items = walk(client, reverse(name), limit=1)
    assert _schools_of(items, PER_SCHOOL[name]) == SCHOOL_SCOPE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", PER_COUNTY)
def test_per_county_resources_show_exactly_the_personas_counties(api_world, name, persona):
    client = bearer(api_world["tokens"][persona])
    response = client.get(reverse(name))
    if persona == "school_a":
        assert response.status_code == 403
        assert "154602" not in response.content.decode()
        return
    items = walk(client, reverse(name), limit=1)
    counties = _counties_of(items)
    if name == "api_indicators" and persona in ("reviewer", "admin"):
        assert counties == set(County.objects.values_list("code", flat=True))
    else:
        assert counties == COUNTY_SCOPE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_counties(api_world, persona):
    items = walk(bearer(api_world["tokens"][persona]), reverse("api_counties"))
    codes = {item["code"] for item in items}
    expected = {
        "officer_a": {"15"},
        "officer_b": {"14"},
        "school_a": set(),  # school staff see their school, not county records (portal.access)
        "reviewer": set(County.objects.values_list("code", flat=True)),
        "admin": set(County.objects.values_list("code", flat=True)),
    }[persona]
    assert codes == expected


ALL_ENDPOINTS = [*PER_SCHOOL, *PER_COUNTY, "api_counties"]


@pytest.mark.parametrize("name", ALL_ENDPOINTS)
def test_without_a_token_the_answer_is_401_with_its_scheme(api_world, name):
    response = bearer(None).get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize("name", ALL_ENDPOINTS)
@pytest.mark.parametrize("token", ["dlp_not-a-real-token", "something-else", "dlp_" + "x" * 300])
def test_a_wrong_token_is_refused(api_world, name, token):
    response = bearer(token).get(reverse(name))
    assert response.status_code == 401
    assert "154601" not in response.content.decode()


@pytest.mark.parametrize("name", ALL_ENDPOINTS)
def test_another_countys_filter_answers_404_and_a_bad_one_400(api_world, name):
    client = bearer(api_world["tokens"]["officer_a"])
    if name == "api_counties":
        return  # counties take no filter
    assert client.get(reverse(name), {"county": "14"}).status_code == 404
    assert client.get(reverse(name), {"county": "99"}).status_code == 400
    assert client.get(reverse(name), {"county": "<script>"}).status_code == 400
    own = client.get(reverse(name), {"county": "15"})
    assert own.status_code == 200


def test_the_moe_filters_by_county(api_world):
    client = bearer(api_world["tokens"]["reviewer"])
    items = walk(client, reverse("api_roster_rows") + "?county=14")
    assert _schools_of(items) == {FOREIGN}


def test_a_school_token_on_another_county_is_404(api_world):
    client = bearer(api_world["tokens"]["school_a"])
    assert client.get(reverse("api_roster_rows"), {"county": "14"}).status_code == 404
