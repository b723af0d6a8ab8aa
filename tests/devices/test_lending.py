"""Lending (borrower identifiers, no names), the overdue list, repairs with spares and the
warranty check; school staff manage their own school's devices only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from devices.models import DeviceStatus, Loan, RepairTicket
from devices.selectors import overdue_loans
from devices.services import DeviceActionRefused, loan_create, loan_return, repair_close, repair_open
from tests.conftest import client_for
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL, make_devices

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_devices(rosters, batch_a):
    return make_devices(batch_a, rosters[OWN_SCHOOL], 3, prefix="OWN")


def test_a_school_lends_and_takes_back_its_own_device(own_devices, school_user_a):
    device = own_devices[0]
    client = client_for(school_user_a)
    due = date.today() + timedelta(days=14)
    response = client.post(
        reverse("device_lend", args=[device.pk]),
        {
            "borrower_code": "701-15",
            "purpose": "home_disadvantaged",
            "due_on": f"{due.year - 1911}/{due.month}/{due.day}",
        },
        follow=True,
    )
    assert "已借出 OWN0000000 給 701-15" in response.content.decode()
    device.refresh_from_db()
    loan = Loan.objects.get()
    assert device.status == DeviceStatus.LENT and loan.due_on == due
    assert loan.purpose == Loan.Purpose.HOME_DISADVANTAGED and loan.created_by == school_user_a
    # Lent once: a second loan is refused.
    response = client.post(
        reverse("device_lend", args=[device.pk]), {"borrower_code": "701-16", "purpose": "class"}, follow=True
    )
    assert "目前為「借出」，不能借出" in response.content.decode()

    response = client.post(reverse("loan_return", args=[loan.pk]), {"condition": "good"}, follow=True)
    assert "已歸還 OWN0000000" in response.content.decode()
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.returned_on == date.today() and device.status == DeviceStatus.IN_USE


def test_a_school_cannot_touch_another_schools_device(rosters, batch_a, school_user_a):
    other = make_devices(batch_a, rosters[OTHER_SCHOOL], 1, prefix="OTH")[0]
    response = client_for(school_user_a).post(reverse("device_lend", args=[other.pk]), {"borrower_code": "1"})
    assert response.status_code == 404
    assert not Loan.objects.exists()


def test_the_due_date_defaults_from_the_rules_and_a_lost_return_marks_the_device(own_devices, officer_a):
    loan = loan_create(
        device=own_devices[0], user=officer_a, borrower_code=" B-02 ", purpose="class", lent_on=date(2022, 9, 1)
    )
    assert loan.borrower_code == "B-02" and loan.due_on == date(2022, 10, 1)  # loan_default_days = 30
    loan_return(loan=loan, user=officer_a, condition=Loan.Condition.LOST, returned_on=date(2022, 9, 20))
    own_devices[0].refresh_from_db()
    assert own_devices[0].status == DeviceStatus.LOST
    with pytest.raises(DeviceActionRefused, match="已歸還"):
        loan_return(loan=loan, user=officer_a, condition="good")
    with pytest.raises(DeviceActionRefused, match="請填寫借用人編號"):
        loan_create(device=own_devices[1], user=officer_a, borrower_code="  ", purpose="class")


def test_the_overdue_list(own_devices, officer_a, officer_b, school_user_a):
    today = date.today()
    late = loan_create(
        device=own_devices[0],
        user=officer_a,
        borrower_code="L1",
        purpose="class",
        lent_on=today - timedelta(days=40),
        due_on=today - timedelta(days=10),
    )
    loan_create(
        device=own_devices[1],
        user=officer_a,
        borrower_code="L2",
        purpose="class",
        lent_on=today,
        due_on=today + timedelta(days=5),
    )
    assert list(overdue_loans(user=officer_a)) == [late]
    assert list(overdue_loans(user=officer_b)) == []
    # A borrower is looked for as its table cell: a bare "L1" can turn up in the page's random
    # CSRF token.
    page = client_for(school_user_a).get(reverse("loan_list"), {"overdue": "1"}).content.decode()
    assert "<td>L1</td>" in page and "<td>L2</td>" not in page and "逾期" in page
    assert "<td>L1</td>" not in client_for(officer_b).get(reverse("loan_list"), {"overdue": "1"}).content.decode()


def test_a_repair_lends_a_spare_and_checks_the_warranty(rosters, batch_a, officer_a):
    own = rosters[OWN_SCHOOL]
    device = make_devices(batch_a, own, 1, prefix="BRK")[0]
    spare = make_devices(batch_a, None, 1, prefix="SPR", status=DeviceStatus.SPARE)[0]
    ticket = repair_open(device=device, user=officer_a, fault="無法開機", spare=spare, opened_on=date(2023, 3, 1))
    device.refresh_from_db()
    spare.refresh_from_db()
    assert ticket.under_warranty is True  # warranty until 115-08-31
    assert device.status == DeviceStatus.REPAIR
    assert spare.status == DeviceStatus.IN_USE and spare.school == own
    with pytest.raises(DeviceActionRefused, match="不能送修"):
        repair_open(device=device, user=officer_a, fault="again")
    repair_close(ticket=ticket, user=officer_a, outcome="更換主機板")
    device.refresh_from_db()
    spare.refresh_from_db()
    assert device.status == DeviceStatus.IN_USE and spare.status == DeviceStatus.SPARE
    # After the warranty the ticket says so (the school pays).
    late = repair_open(device=device, user=officer_a, fault="電池老化", opened_on=date(2026, 9, 1))
    assert late.under_warranty is False


def test_a_spare_must_be_a_spare(rosters, batch_a, officer_a):
    device, not_spare = make_devices(batch_a, rosters[OWN_SCHOOL], 2, prefix="X")
    with pytest.raises(DeviceActionRefused, match="不是可用的備品"):
        repair_open(device=device, user=officer_a, fault="破裂", spare=not_spare)
    assert not RepairTicket.objects.exists()


def test_repairs_through_the_pages(rosters, batch_a, school_user_a):
    device = make_devices(batch_a, rosters[OWN_SCHOOL], 1, prefix="PG")[0]
    spare = make_devices(batch_a, rosters[OWN_SCHOOL], 1, prefix="PS", status=DeviceStatus.SPARE)[0]
    client = client_for(school_user_a)
    response = client.post(
        reverse("device_repair", args=[device.pk]), {"fault": "螢幕破裂", "spare_serial": "ps0000000"}, follow=True
    )
    assert "PG0000000 已送修" in response.content.decode()
    ticket = RepairTicket.objects.get()
    assert ticket.spare == spare
    page = client.get(reverse("repair_list")).content.decode()
    # The batch's warranty ended 115-08-31: the list says so.
    assert "螢幕破裂" in page and "已過保固" in page and "PS0000000" in page
    client.post(reverse("repair_close", args=[ticket.pk]), {"outcome": "已修復"})
    ticket.refresh_from_db()
    assert ticket.closed_on == date.today()


def test_lending_rules_of_a_school(rosters, school_user_a, officer_b):
    client = client_for(school_user_a)
    client.post(reverse("lending_rules", args=[OWN_SCHOOL]), {"text": "攜回須家長簽署同意書。"})
    assert "攜回須家長簽署同意書" in client.get(reverse("lending_rules", args=[OWN_SCHOOL])).content.decode()
    assert client.get(reverse("lending_rules", args=[OTHER_SCHOOL])).status_code == 404
    assert client_for(officer_b).post(reverse("lending_rules", args=[OWN_SCHOOL]), {"text": "x"}).status_code == 404


# 個資: a borrower is a code the school chooses, never a name or a national ID (issue 12).
def test_the_lending_form_refuses_a_name(school_user_a, own_devices):
    response = client_for(school_user_a).post(
        reverse("device_lend", args=[own_devices[0].pk]), {"borrower_code": "王小明", "purpose": "class"}, follow=True
    )
    assert "看起來是姓名" in response.content.decode()
    assert not Loan.objects.exists()


def test_the_lending_service_refuses_a_national_id(officer_a, own_devices):
    with pytest.raises(DeviceActionRefused, match="身分證"):
        loan_create(device=own_devices[0], user=officer_a, borrower_code="A123456789", purpose="class")
