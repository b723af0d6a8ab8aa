"""List pages keep a constant number of queries whatever the number of devices."""

import pytest
from django.urls import reverse

from devices.models import DeviceStatus
from devices.services import loan_create
from tests.conftest import client_for
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, make_batch, make_devices

pytestmark = pytest.mark.django_db

PAGES = [
    ("device_list", {}),
    ("device_list", {"school": OWN_SCHOOL, "status": "in_use"}),
    ("reconciliation", {}),
    ("loan_list", {}),
    ("repair_list", {}),
    ("inspection_list", {}),
    ("expiry_list", {}),
    ("batch_list", {}),
    ("wireless", {}),
]


def grow(rosters, county_a, plan_year, officer_a, n):
    batch = make_batch(county_a, plan_year, tender_number=f"Q-{n}", quantity=10_000)
    for code in (OWN_SCHOOL, OTHER_SCHOOL):
        devices = make_devices(batch, rosters[code], n, prefix=f"Q{n}{code}")
        for device in devices[: n // 2]:
            loan_create(device=device, user=officer_a, borrower_code="B", purpose="class")
    make_devices(batch, None, n, prefix=f"Q{n}K", status=DeviceStatus.SPARE)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_list_pages_do_not_grow_with_devices(
    name, params, rosters, county_a, plan_year, officer_a, settings, django_assert_max_num_queries
):
    settings.READ_CACHE = False  # measure the computed page, not the cached one
    client = client_for(officer_a)
    client.get(reverse(name), params)  # session, user and plan year warmed up
    counts = []
    for n in (2, 30):
        grow(rosters, county_a, plan_year, officer_a, n)
        with django_assert_max_num_queries(14) as captured:
            assert client.get(reverse(name), params).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], (name, counts)


def test_a_deep_page_holds_the_right_rows_in_serial_order(rosters, county_a, county_b, plan_year, officer_a, settings):
    """The page's ids come first (from the index), then only those rows are joined: the
    rows, their order and their columns are those of the whole list paged in serial order."""
    settings.READ_CACHE = False
    batch = make_batch(county_a, plan_year, tender_number="D-1", quantity=10_000)
    make_devices(batch, rosters[OTHER_SCHOOL], 70, prefix="ZB")
    make_devices(batch, rosters[OWN_SCHOOL], 70, prefix="ZA")
    make_devices(make_batch(county_b, plan_year, tender_number="D-2", quantity=10), None, 5, prefix="ZA9")
    page = client_for(officer_a).get(reverse("device_list"), {"page": 2}).content.decode()
    serials = [f"ZA{n:07d}" for n in range(70)] + [f"ZB{n:07d}" for n in range(70)]
    shown = [serial for serial in serials if serial in page]
    assert shown == serials[50:100]
    assert "共 140 臺" in page and "約" not in page.split("共 140 臺")[0][-5:]
    assert page.index("ZA0000050") < page.index("ZA0000069") < page.index("ZB0000000") < page.index("ZB0000029")
    assert "ZA90000000" not in page  # county B's
    assert page.count(f"{rosters[OWN_SCHOOL].name}") >= 20 and "D-1" in page
