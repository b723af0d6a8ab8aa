"""Licences and warranties ending within the window (180 days), as a list and on the home page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from devices.models import DeviceStatus
from devices.selectors import expiring, expiry_totals
from tests.conftest import client_for
from tests.devices.conftest import OWN_SCHOOL, make_batch, make_devices

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring_soon(rosters, county_a, county_b, plan_year):
    today = date.today()
    soon = make_batch(county_a, plan_year, tender_number="107-A-001")
    own = rosters[OWN_SCHOOL]
    make_devices(
        soon, own, 4, prefix="LIC", licence_until=today + timedelta(days=30), warranty_until=today + timedelta(days=400)
    )
    make_devices(
        soon,
        own,
        2,
        prefix="WAR",
        licence_until=today + timedelta(days=400),
        warranty_until=today + timedelta(days=180),
    )
    make_devices(
        soon,
        own,
        3,
        prefix="FAR",
        licence_until=today + timedelta(days=181),
        warranty_until=today + timedelta(days=181),
    )
    make_devices(soon, own, 1, prefix="GONE", licence_until=today + timedelta(days=5), status=DeviceStatus.SCRAPPED)
    other_county = make_batch(county_b, plan_year, tender_number="107-B-001")
    make_devices(other_county, None, 5, prefix="BBB", licence_until=today + timedelta(days=10))
    return soon


def test_the_window_counts_licences_and_warranties_per_county(expiring_soon, officer_a, officer_b, plan_year, reviewer):
    ended = {"licences_ended": 0, "warranties_ended": 0}
    assert expiry_totals(user=officer_a, plan_year=plan_year) == {"licences": 4, "warranties": 2} | ended
    # County B's five keep their batch's warranty (to 115-08-31): already over.
    assert expiry_totals(user=officer_b, plan_year=plan_year) == {"licences": 5, "warranties": 0} | ended | {
        "warranties_ended": 5
    }
    assert expiry_totals(user=reviewer, plan_year=plan_year) == {"licences": 9, "warranties": 2} | ended | {
        "warranties_ended": 5
    }
    (row,) = expiring(user=officer_a, plan_year=plan_year)
    assert (row["batch__tender_number"], row["licences"], row["warranties"]) == ("107-A-001", 4, 2)


def test_the_window_is_a_rule(expiring_soon, officer_a, plan_year):
    plan_year.rules = {**plan_year.rules, "expiry_window_days": 365}
    plan_year.save()
    plan_year.__dict__.pop("rule_set", None)
    totals = expiry_totals(user=officer_a, plan_year=plan_year)
    assert (totals["licences"], totals["warranties"]) == (7, 5)


def test_licences_already_ended_are_counted_apart(rosters, county_a, plan_year, officer_a):
    old = make_batch(county_a, plan_year, tender_number="105-A-001")
    past = date.today() - timedelta(days=1)
    make_devices(old, rosters[OWN_SCHOOL], 3, prefix="OLD", licence_until=past, warranty_until=past)
    make_devices(old, rosters[OWN_SCHOOL], 1, prefix="DEAD", licence_until=past, status=DeviceStatus.SCRAPPED)
    totals = expiry_totals(user=officer_a, plan_year=plan_year)
    assert totals == {"licences": 0, "warranties": 0, "licences_ended": 3, "warranties_ended": 3}


def test_the_list_and_the_county_home_page(expiring_soon, officer_a):
    client = client_for(officer_a)
    page = client.get(reverse("expiry_list")).content.decode()
    assert "107-A-001" in page and "180 天內" in page
    home = client.get(reverse("home")).content.decode()
    assert "MDM 授權 180 天內到期" in home and "載具與設備" in home
