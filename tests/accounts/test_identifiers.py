"""個資: borrower and trainee identifiers refuse names and national IDs."""

import pytest

from portal.identifiers import personal_identifier_problem
from training.models import teacher_code_problem


@pytest.mark.parametrize(
    "value",
    [
        "王小明",
        "歐陽 小明",
        "瓦歷斯·諾幹",
        "Wang Xiao-Ming",
        "xiaoming.wang",
        "Chen",
        "A123456789",
        "a 123-456-789",
        "Ａ１２３４５６７８９",
        "FC12345678",
    ],
)
def test_names_and_national_ids_are_refused(value):
    assert personal_identifier_problem(value)


@pytest.mark.parametrize("value", ["701-15", "B-02", "X", "L1", "IT01", "T001", "S12345", "借用證 23", "3年2班12號"])
def test_codes_pass(value):
    assert personal_identifier_problem(value) == ""


def test_trainee_codes_refuse_latin_names_too():
    assert "姓名" in teacher_code_problem("WangXiaoMing")
    assert "身分證" in teacher_code_problem("A123456789")
    assert teacher_code_problem("T001") == ""


@pytest.mark.django_db
def test_the_lending_form_refuses_a_name(school_user_a, own_devices):
    from django.urls import reverse

    from devices.models import Loan
    from tests.conftest import client_for

    response = client_for(school_user_a).post(
        reverse("device_lend", args=[own_devices[0].pk]), {"borrower_code": "王小明", "purpose": "class"}, follow=True
    )
    assert "看起來是姓名" in response.content.decode()
    assert not Loan.objects.exists()


@pytest.mark.django_db
def test_the_lending_service_refuses_a_national_id(officer_a, own_devices):
    from devices.services import DeviceActionRefused, loan_create

    with pytest.raises(DeviceActionRefused, match="身分證"):
        loan_create(device=own_devices[0], user=officer_a, borrower_code="A123456789", purpose="class")
