"""The inspection page (the school's self-check, the county's count), a device's status,
and the reconciliation page's filters."""

from datetime import date

import pytest
from django.urls import reverse

from devices.models import DeviceStatus, InspectionCount
from devices.services import DeviceActionRefused, device_status_set, loan_create
from tests.conftest import client_for
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, make_devices

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(rosters, batch_a):
    make_devices(batch_a, rosters[OWN_SCHOOL], 10, prefix="OWN", mdm_enrolled_on=date(2022, 9, 5))
    make_devices(batch_a, rosters[OTHER_SCHOOL], 10, prefix="OTH")
    return rosters


def test_the_school_self_checks_and_the_county_counts(delivered, batch_a, school_user_a, officer_a, officer_b):
    url = reverse("inspection_list") + "?semester=111-1"
    school = client_for(school_user_a)
    page = school.get(url).content.decode()
    assert "花蓮縣立示範國小" in page and "花蓮縣立另一國小" not in page
    post = {"semester": "111-1", "batch": batch_a.pk, "school": OWN_SCHOOL, "count": 9, "reason": "", "note": ""}
    response = school.post(url, post, follow=True)
    assert "盤點數 9 與到校數 10 不同，請選擇差異原因" in response.content.decode()
    assert not InspectionCount.objects.exists()
    school.post(url, post | {"reason": "repair"})
    county = client_for(officer_a)
    county.post(url, post | {"count": 10})
    record = InspectionCount.objects.get()
    assert (record.self_count, record.county_count, record.reason) == (9, 10, "")
    # Another county's officer cannot count county A's school.
    assert client_for(officer_b).post(url, post).status_code == 404
    # Nor the school another school.
    assert school.post(url, post | {"school": OTHER_SCHOOL}).status_code == 404


def test_a_device_status_changes_only_in_order(delivered, officer_a):
    device = make_devices(delivered[OWN_SCHOOL].devices.first().batch, delivered[OWN_SCHOOL], 1, prefix="ST")[0]
    device_status_set(device=device, status=DeviceStatus.SCRAPPED, user=officer_a)
    device.refresh_from_db()
    assert device.status == DeviceStatus.SCRAPPED
    with pytest.raises(DeviceActionRefused, match="借用、送修功能"):
        device_status_set(device=device, status=DeviceStatus.LENT, user=officer_a)
    other = delivered[OWN_SCHOOL].devices.exclude(pk=device.pk).first()
    loan_create(device=other, user=officer_a, borrower_code="X", purpose="class")
    with pytest.raises(DeviceActionRefused, match="請先辦理歸還或完修"):
        device_status_set(device=other, status=DeviceStatus.IN_USE, user=officer_a)


def test_the_reconciliation_page_filters_flagged_schools(delivered, officer_a, plan_year):
    plan_year.rules = {**plan_year.rules, "device_delivery_deadline": "2099-12-31"}
    plan_year.save()
    client = client_for(officer_a)
    # Before the deadline: 154601 has 10 of 10 in MDM; 154602 none, so only it is flagged.
    page = client.get(reverse("reconciliation"), {"flagged": "1"}).content.decode()
    assert "花蓮縣立另一國小" in page and "花蓮縣立示範國小" not in page
    page = client.get(reverse("reconciliation"), {"q": "示範"}).content.decode()
    assert "花蓮縣立示範國小" in page and "花蓮縣立另一國小" not in page
