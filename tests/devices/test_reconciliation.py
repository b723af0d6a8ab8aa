"""Reconciliation per school and county, its flags, and existing devices feeding line 4."""

from datetime import date

import pytest
from django.urls import reverse

from budget.models import CountyPlan
from budget.services import plan_for
from devices.models import DeviceStatus, Funding, InspectionCount
from devices.selectors import (
    FLAG_INSPECTION,
    FLAG_LOW_MDM,
    FLAG_NOT_DELIVERED,
    existing_devices_without_mdm,
    reconciliation,
)
from devices.services import inspection_record, plan_existing_devices_feed
from tests.conftest import client_for
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, make_batch, make_devices

pytestmark = pytest.mark.django_db
AFTER_DEADLINE = date(2022, 10, 15)
BEFORE_DEADLINE = date(2022, 9, 15)


@pytest.fixture
def delivered(rosters, batch_a):
    """154601: all 120 approved delivered, 100 in MDM (83%); 154602: 300 of 553, 200 in MDM (66%)."""
    own, other = rosters[OWN_SCHOOL], rosters[OTHER_SCHOOL]
    make_devices(batch_a, own, 100, prefix="OWN", mdm_enrolled_on=date(2022, 9, 5))
    make_devices(batch_a, own, 20, prefix="OWX")
    make_devices(batch_a, other, 200, prefix="OTH", mdm_enrolled_on=date(2022, 9, 5))
    make_devices(batch_a, other, 100, prefix="OTX")
    make_devices(batch_a, None, 7, prefix="STK")  # still in the county's stock
    return rosters


def by_code(result):
    return {s.code: s for s in result.schools}


def test_each_school_shows_entitled_approved_delivered_and_mdm(delivered, officer_a, plan_year):
    result = reconciliation(user=officer_a, plan_year=plan_year, county_id=officer_a.county_id, today=BEFORE_DEADLINE)
    schools = by_code(result)
    own, other = schools[OWN_SCHOOL], schools[OTHER_SCHOOL]
    assert (own.entitled, own.approved, own.delivered, own.mdm, own.mdm_percent) == (120, 120, 120, 100, 83)
    assert (other.entitled, other.approved, other.delivered, other.mdm) == (553, 553, 300, 200)
    assert set(schools) == {OWN_SCHOOL, OTHER_SCHOOL}  # county B's school is not in county A's page
    assert result.totals["delivered"] == 420 and result.totals["mdm"] == 300 and result.stock == 7
    # Before the deadline a school still waiting is not late; 66% < 80% is flagged.
    assert own.flags == [] and other.flags == [FLAG_LOW_MDM]


def test_after_the_deadline_a_school_short_of_devices_is_flagged(delivered, officer_a, plan_year):
    result = reconciliation(user=officer_a, plan_year=plan_year, county_id=officer_a.county_id, today=AFTER_DEADLINE)
    assert by_code(result)[OTHER_SCHOOL].flags == [FLAG_NOT_DELIVERED, FLAG_LOW_MDM]
    assert by_code(result)[OWN_SCHOOL].flags == []


def test_the_threshold_and_deadline_are_the_plan_years_rules(delivered, officer_a, plan_year):
    plan_year.rules = {
        **plan_year.rules,
        "mdm_enrolment_threshold_percent": 60,
        "device_delivery_deadline": "2022-12-31",
    }
    plan_year.save()
    plan_year.__dict__.pop("rule_set", None)
    result = reconciliation(user=officer_a, plan_year=plan_year, county_id=officer_a.county_id, today=AFTER_DEADLINE)
    assert by_code(result)[OTHER_SCHOOL].flags == []


def test_an_inspection_difference_needs_a_reason_code(delivered, batch_a, officer_a, school_user_a, plan_year):
    own = delivered[OWN_SCHOOL]
    from devices.services import DeviceActionRefused

    with pytest.raises(DeviceActionRefused, match="盤點數 118 與到校數 120 不同，請選擇差異原因"):
        inspection_record(batch=batch_a, school=own, semester="111-1", user=school_user_a, self_count=118)
    # A count stored without a reason (e.g. entered before the rule) is flagged.
    InspectionCount.objects.create(semester="111-1", batch=batch_a, school=own, self_count=118)
    result = reconciliation(user=officer_a, plan_year=plan_year, county_id=officer_a.county_id, today=BEFORE_DEADLINE)
    line = by_code(result)[OWN_SCHOOL]
    assert line.found == 118 and line.unexplained == 2 and FLAG_INSPECTION in line.flags
    # With the reason, the difference is explained; the county's count takes precedence over the school's.
    inspection_record(batch=batch_a, school=own, semester="111-1", user=officer_a, county_count=119, reason="repair")
    result = reconciliation(user=officer_a, plan_year=plan_year, county_id=officer_a.county_id, today=BEFORE_DEADLINE)
    line = by_code(result)[OWN_SCHOOL]
    assert line.found == 119 and line.flags == []
    record = InspectionCount.objects.get()
    assert (record.self_count, record.county_count, record.reason) == (118, 119, "repair")


def test_the_page_for_each_role(delivered, officer_a, officer_b, school_user_a, reviewer, county_a):
    url = reverse("reconciliation")
    page = client_for(officer_a).get(url).content.decode()
    assert OWN_SCHOOL in page and OTHER_SCHOOL in page and FLAG_LOW_MDM in page
    assert OWN_SCHOOL not in client_for(officer_b).get(url).content.decode()
    school_page = client_for(school_user_a).get(url).content.decode()
    assert OWN_SCHOOL in school_page and OTHER_SCHOOL not in school_page
    national = client_for(reviewer).get(url).content.decode()
    assert "花蓮縣" in national and "各縣市合計" in national
    county_page = client_for(reviewer).get(url, {"county": county_a.code}).content.decode()
    assert OTHER_SCHOOL in county_page


def test_existing_devices_without_mdm_feed_budget_line_4(rosters, county_a, plan_year, officer_a):
    own = rosters[OWN_SCHOOL]
    earlier = make_batch(
        county_a,
        plan_year,
        tender_number="109-A-001",
        funding=Funding.EARLIER_MOE,
        contract_date=date(2020, 8, 1),
        delivery_date=date(2020, 9, 1),
        mdm_years=0,
    )
    school_bought = make_batch(
        county_a,
        plan_year,
        tender_number="110-S-001",
        funding=Funding.SCHOOL,
        contract_date=date(2021, 8, 1),
        delivery_date=date(2021, 9, 1),
        mdm_years=4,
    )
    this_plan = make_batch(county_a, plan_year, tender_number="111-A-009")
    make_devices(earlier, own, 30, prefix="E")  # no licence at all
    make_devices(earlier, own, 2, prefix="EL", status=DeviceStatus.LOST)  # gone: needs none
    make_devices(school_bought, own, 10, prefix="S")  # licensed until 115-08-31: covered
    make_devices(school_bought, own, 5, prefix="SX", licence_until=date(2022, 10, 31))  # ends within the plan period
    make_devices(this_plan, own, 50, prefix="T")  # this plan's own: licensed with the purchase
    assert existing_devices_without_mdm(county_id=county_a.pk, plan_year=plan_year) == 35

    plan = plan_for(county=county_a, plan_year=plan_year)
    assert plan_existing_devices_feed(plan=plan, user=officer_a) == 35
    plan = CountyPlan.objects.get(pk=plan.pk)
    assert plan.existing_devices_without_mdm == 35
    from budget.selectors import plan_table

    line = plan_table(plan).line(4)
    assert line.requested == 35 and line.capital_ntd == 35 * 900  # MDM licences are 資本門

    response = client_for(officer_a).post(reverse("mdm_feed"), follow=True)
    assert "已將需 MDM 授權的既有載具 35 臺填入經費表第 4 項" in response.content.decode()
