"""The school's day with devices (issue 14): only a school's tabs and columns, 借出 from the
list and several devices at once (all or nothing, own devices only), expired warranties
flagged in words."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from devices.models import DeviceStatus, Loan
from devices.services import DeviceActionRefused, device_loans_create
from tests.conftest import client_for
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, make_devices

pytestmark = pytest.mark.django_db

COUNTY_TABS = ("採購案", "配發核對", "無線網路", "教學軟體", "軟體採購")


@pytest.fixture
def own_devices(rosters, batch_a):
    return make_devices(batch_a, rosters[OWN_SCHOOL], 3, prefix="OWN")


def tabs(page: str) -> str:
    return page[page.index('<nav class="tabs"') : page.index("</nav>", page.index('<nav class="tabs"'))]


def test_a_school_sees_only_a_schools_tabs_and_columns(own_devices, school_user_a):
    page = client_for(school_user_a).get(reverse("device_list")).content.decode()
    nav = tabs(page)
    assert not [tab for tab in COUNTY_TABS if tab in nav]
    assert "載具清冊" in nav and "借用" in nav and "本校借用規範" in nav
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert '<th scope="col">縣市</th>' not in header and '<th scope="col">學校</th>' not in header
    assert 'name="school"' not in page  # no school filter on a school's own list


def test_a_county_officer_keeps_the_county_tabs_but_not_a_county_column(own_devices, officer_a):
    page = client_for(officer_a).get(reverse("device_list")).content.decode()
    nav = tabs(page)
    assert all(tab in nav for tab in COUNTY_TABS) and "本校借用規範" not in nav
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert '<th scope="col">縣市</th>' not in header and '<th scope="col">學校</th>' in header


def test_moe_sees_every_column_and_no_lending(own_devices, reviewer):
    page = client_for(reviewer).get(reverse("device_list")).content.decode()
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert '<th scope="col">縣市</th>' in header and '<th scope="col">學校</th>' in header
    assert 'name="device"' not in page and "借出勾選的載具" not in page


def test_expired_warranties_are_flagged_in_words(rosters, batch_a, school_user_a):
    make_devices(batch_a, rosters[OWN_SCHOOL], 1, prefix="OLD", warranty_until=date(2020, 1, 1))
    make_devices(batch_a, rosters[OWN_SCHOOL], 1, prefix="NEW", warranty_until=date(2099, 1, 1))
    page = client_for(school_user_a).get(reverse("device_list")).content.decode()
    rows = {
        line.split("</a>")[0].rsplit(">", 1)[-1]: line for line in page.split("<tr>") if "OLD" in line or "NEW" in line
    }
    assert "保固已過期" in rows["OLD0000000"] and "109年1月1日" in rows["OLD0000000"]
    assert "保固已過期" not in rows["NEW0000000"]


def test_the_list_offers_a_lend_link_and_a_checkbox_per_lendable_device(own_devices, school_user_a):
    lent = own_devices[2]
    lent.status = DeviceStatus.LENT
    lent.save()
    page = client_for(school_user_a).get(reverse("device_list")).content.decode()
    first = own_devices[0]
    assert f'href="{reverse("device_detail", args=[first.pk])}#lend">借出</a>' in page
    assert f'name="device" value="{first.pk}"' in page
    assert f'name="device" value="{lent.pk}"' not in page
    assert f'action="{reverse("device_bulk_lend")}"' in page
    assert 'id="lend"' in client_for(school_user_a).get(reverse("device_detail", args=[first.pk])).content.decode()


def test_a_school_lends_several_devices_at_once(own_devices, school_user_a):
    client = client_for(school_user_a)
    a, b = own_devices[0], own_devices[1]
    due = date.today() + timedelta(days=14)
    form = client.get(reverse("device_bulk_lend"), {"device": [a.pk, b.pk]}).content.decode()
    assert "借出多臺載具（2 臺）" in form and f'name="borrower_{a.pk}"' in form and f'name="borrower_{b.pk}"' in form
    response = client.post(
        reverse("device_bulk_lend"),
        {
            "device": [a.pk, b.pk],
            f"borrower_{a.pk}": "701-15",
            f"borrower_{b.pk}": "701-16",
            "purpose": "class",
            "due_on": f"{due.year - 1911}/{due.month}/{due.day}",
        },
        follow=True,
    )
    assert "已借出 2 臺載具" in response.content.decode()
    loans = {loan.device_id: loan for loan in Loan.objects.all()}
    assert loans[a.pk].borrower_code == "701-15" and loans[b.pk].borrower_code == "701-16"
    assert {loan.due_on for loan in loans.values()} == {due}


def test_bulk_lending_is_all_or_nothing(own_devices, school_user_a):
    a, b = own_devices[0], own_devices[1]
    b.status = DeviceStatus.LENT
    b.save()
    with pytest.raises(DeviceActionRefused, match=r"OWN0000001.*全部未借出"):
        device_loans_create(user=school_user_a, borrowers={a.pk: "701-15", b.pk: "701-16"}, purpose="class")
    assert not Loan.objects.exists()
    a.refresh_from_db()
    assert a.status == DeviceStatus.IN_USE


def test_bulk_lending_refuses_a_name_for_every_device(own_devices, school_user_a):
    a = own_devices[0]
    response = client_for(school_user_a).post(
        reverse("device_bulk_lend"), {"device": [a.pk], f"borrower_{a.pk}": "王小明", "purpose": "class"}
    )
    assert response.status_code == 200 and not Loan.objects.exists()


def test_a_school_cannot_lend_another_schools_device(rosters, batch_a, own_devices, school_user_a, officer_b):
    other = make_devices(batch_a, rosters[OTHER_SCHOOL], 1, prefix="OTH")[0]
    with pytest.raises(DeviceActionRefused):
        device_loans_create(user=school_user_a, borrowers={other.pk: "1"}, purpose="class")
    # Through the page the other school's device is simply not there.
    response = client_for(school_user_a).get(reverse("device_bulk_lend"), {"device": [other.pk]})
    assert response.status_code == 302
    response = client_for(officer_b).post(
        reverse("device_bulk_lend"),
        {"device": [own_devices[0].pk], f"borrower_{own_devices[0].pk}": "1", "purpose": "class"},
    )
    assert response.status_code == 302 and not Loan.objects.exists()


def test_reviewers_and_anonymous_cannot_lend(own_devices, reviewer):
    a = own_devices[0]
    data = {"device": [a.pk], f"borrower_{a.pk}": "701-15", "purpose": "class"}
    assert client_for(reviewer).post(reverse("device_bulk_lend"), data).status_code == 403
    assert client_for(None).post(reverse("device_bulk_lend"), data).status_code == 302
    assert not Loan.objects.exists()


def test_the_bulk_form_uses_a_constant_number_of_queries(
    rosters, batch_a, school_user_a, django_assert_max_num_queries
):
    client = client_for(school_user_a)
    few = make_devices(batch_a, rosters[OWN_SCHOOL], 2, prefix="FEW")
    many = make_devices(batch_a, rosters[OWN_SCHOOL], 30, prefix="MANY")
    client.get(reverse("device_bulk_lend"), {"device": [d.pk for d in few]})
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("device_bulk_lend"), {"device": [d.pk for d in few]})
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("device_bulk_lend"), {"device": [d.pk for d in many]})
    assert len(small) == len(large)
