"""An unknown ?year= is a 404 on the pages of devices, training, schools, budget and the
imports (portal.scope.plan_year_for), where they used to show the latest year instead."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("officer_a", "batch_list"),  # devices
        ("officer_a", "training_office"),  # training
        ("officer_a", "roster_list"),  # schools
        ("officer_a", "official_findings"),  # schools, the official statistics
        ("reviewer", "review_queue"),  # budget
        ("reviewer", "scenario_list"),  # budget, the rule scenarios
        ("officer_a", "roster_import"),  # the imports
    ],
)
def test_an_unknown_year_is_not_found(request, plan_year, persona, name):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(name) + f"?year={plan_year.year}").status_code == 200
    assert client.get(reverse(name) + "?year=999").status_code == 404
    assert client.get(reverse(name) + "?year=abc").status_code == 404


def test_a_plan_of_an_unknown_year_is_not_found(plan_year, county_a, officer_a):
    client = client_for(officer_a)
    assert client.get(reverse("plan_detail", args=[plan_year.year, county_a.code])).status_code == 200
    assert client.get(reverse("plan_detail", args=[999, county_a.code])).status_code == 404
