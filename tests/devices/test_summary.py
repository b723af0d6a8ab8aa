"""The contract with reporting: county_device_summary's keys, semantics and constant queries."""

from datetime import date

import pytest

from devices.models import Funding, WirelessAllocation
from devices.selectors import DEVICE_SUMMARY_KEYS, county_device_summary
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, SCHOOL_B, make_batch, make_devices

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(rosters, county_a, county_b, plan_year, batch_a):
    own, other, b = rosters[OWN_SCHOOL], rosters[OTHER_SCHOOL], rosters[SCHOOL_B]
    # 154601 (一般, entitled 120): 120 delivered in September, 100 of them in MDM by 9/10, the rest in October.
    make_devices(batch_a, own, 100, prefix="A", delivered_on=date(2022, 9, 5), mdm_enrolled_on=date(2022, 9, 10))
    make_devices(batch_a, own, 20, prefix="B", delivered_on=date(2022, 9, 20), mdm_enrolled_on=date(2022, 10, 3))
    # 154602 (偏遠, 37 teachers, 516 students): teachers complete, students not yet.
    make_devices(batch_a, other, 37, prefix="T", use="teacher", delivered_on=date(2022, 9, 5))
    make_devices(batch_a, other, 500, prefix="S", delivered_on=date(2022, 9, 5))
    make_devices(batch_a, None, 16, prefix="K")  # purchased, in the county's stock
    # Devices of earlier programmes are not this plan's.
    earlier = make_batch(county_a, plan_year, tender_number="109-A-001", funding=Funding.EARLIER_MOE)
    make_devices(earlier, own, 50, prefix="E")
    # County B: a batch contracted in October.
    b_batch = make_batch(county_b, plan_year, tender_number="111-B-001", contract_date=date(2022, 10, 1))
    make_devices(b_batch, b, 120, prefix="Z", delivered_on=date(2022, 10, 5))
    WirelessAllocation.objects.create(plan_year=plan_year, school=own, whole_class_classrooms=12)
    WirelessAllocation.objects.create(plan_year=plan_year, school=other, whole_class_classrooms=8)
    return rosters


def test_the_figures_of_each_county(figures, county_a, county_b, plan_year):
    summary = county_device_summary(plan_year=plan_year, until=date(2022, 10, 31))
    assert set(summary) == {county_a.pk, county_b.pk}
    assert all(set(s) == set(DEVICE_SUMMARY_KEYS) for s in summary.values())
    assert summary[county_a.pk] == {
        "purchased": 673,
        "remote_purchased": 537,
        "delivered": 657,
        "mdm_enrolled": 120,
        "remote_schools": 1,
        "remote_schools_complete": 0,
        "other_schools": 1,
        "other_schools_complete": 1,
        "wireless_classes": 20,
    }
    assert summary[county_b.pk]["purchased"] == 120 and summary[county_b.pk]["other_schools_complete"] == 1


def test_until_makes_the_figures_cumulative(figures, county_a, county_b, plan_year):
    september = county_device_summary(
        plan_year=plan_year, county_ids=[county_a.pk, county_b.pk], until=date(2022, 9, 30)
    )
    a = september[county_a.pk]
    assert (a["delivered"], a["mdm_enrolled"], a["other_schools_complete"]) == (657, 100, 1)
    # County B's batch was contracted in October: nothing of it by the end of September.
    b = september[county_b.pk]
    assert (b["purchased"], b["delivered"], b["other_schools"], b["other_schools_complete"]) == (0, 0, 1, 0)
    early = county_device_summary(plan_year=plan_year, county_ids=[county_a.pk], until=date(2022, 9, 10))
    assert early[county_a.pk]["delivered"] == 637 and early[county_a.pk]["other_schools_complete"] == 0


def test_a_county_list_limits_the_answer(figures, county_a, county_b, plan_year):
    assert set(county_device_summary(plan_year=plan_year, county_ids=[county_b.pk])) == {county_b.pk}
    assert county_device_summary(plan_year=plan_year, county_ids=[]) == {}


def test_the_queries_are_constant(figures, plan_year, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        county_device_summary(plan_year=plan_year)
