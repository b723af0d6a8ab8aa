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
        ("reviewer", "dashboard"),  # reporting
        ("officer_a", "usage_overview"),  # reporting, usage hours
        ("officer_a", "home"),  # reporting, the home page
    ],
)
def test_an_unknown_year_is_not_found(request, plan_year, persona, name):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(name) + f"?year={plan_year.year}").status_code == 200
    response = client.get(reverse(name) + "?year=999")
    assert response.status_code == 404
    # The page says why, in the words of portal.scope.
    assert "沒有「999」年度的計畫" in response.content.decode()
    assert client.get(reverse(name) + "?year=abc").status_code == 404


def test_django_s_own_404_messages_are_not_shown(officer_a):
    response = client_for(officer_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "這個網址沒有資料，或您沒有權限查看" in response.content.decode()


def test_a_county_the_moe_names_that_does_not_exist_is_not_found(reviewer, plan_year):
    response = client_for(reviewer).get(reverse("dashboard") + "?county=nope")
    assert response.status_code == 404
    assert "找不到資料，或您沒有權限查看" in response.content.decode()


def test_a_plan_of_an_unknown_year_is_not_found(plan_year, county_a, officer_a):
    client = client_for(officer_a)
    assert client.get(reverse("plan_detail", args=[plan_year.year, county_a.code])).status_code == 200
    assert client.get(reverse("plan_detail", args=[999, county_a.code])).status_code == 404
