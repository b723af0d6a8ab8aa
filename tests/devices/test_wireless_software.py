"""Wireless APs shared out by largest remainder; the software catalogue, purchases, and the
proposal -> MOE accept/refuse flow."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from budget.models import CountyPlan
from budget.services import plan_for
from devices.models import SoftwareItem, SoftwarePurchase, WirelessAllocation
from devices.services import DeviceActionRefused, software_item_decide, wireless_distribute
from schools.models import School
from tests.conftest import client_for, load_roster, record
from tests.devices.conftest import OTHER_SCHOOL, OWN_SCHOOL

pytestmark = pytest.mark.django_db


def test_the_moes_aps_are_shared_by_classes_and_add_up(plan_year, county_a, officer_a, school_a):
    # Classes 20 / 13 / 7: 10 APs -> 5 / 3 / 2, and the amount the same way, to the dollar.
    load_roster(
        plan_year,
        [
            record(code="154601", classes=20),
            record(
                code="154602",
                name="乙國小",
                classes=13,
                students=300,
                req_carts=None,
                req_teacher_devices=None,
                req_student_devices=None,
                compliance="",
            ),
            record(
                code="154603",
                name="丙國小",
                classes=7,
                students=150,
                req_carts=None,
                req_teacher_devices=None,
                req_student_devices=None,
                compliance="",
            ),
        ],
    )
    plan = plan_for(county=county_a, plan_year=plan_year)
    CountyPlan.objects.filter(pk=plan.pk).update(ap_count=10, ap_amount_ntd=1_000_001)
    plan.refresh_from_db()
    wireless_distribute(plan=plan, user=officer_a)
    shares = {a.school.code: a for a in WirelessAllocation.objects.select_related("school")}
    assert {code: a.ap_count for code, a in shares.items()} == {"154601": 5, "154602": 3, "154603": 2}
    assert sum(a.amount_ntd for a in shares.values()) == 1_000_001
    assert shares["154601"].amount_ntd == 500_001
    # Classrooms first: every school has more classrooms than APs here, so no special classroom gets one.
    assert all(a.special_classroom_aps == 0 and a.classroom_aps == a.ap_count for a in shares.values())

    # Whole-class wireless per school (indicator 7).
    client = client_for(officer_a)
    client.post(reverse("wireless_classrooms", args=[shares["154602"].pk]), {"whole_class_classrooms": 9})
    assert WirelessAllocation.objects.get(school__code="154602").whole_class_classrooms == 9
    # Distributing again (the MOE changed its figure) keeps what schools reported.
    CountyPlan.objects.filter(pk=plan.pk).update(ap_count=40)
    plan.refresh_from_db()
    wireless_distribute(plan=plan, user=officer_a)
    again = {a.school.code: a for a in WirelessAllocation.objects.select_related("school")}
    assert {c: a.ap_count for c, a in again.items()} == {"154601": 20, "154602": 13, "154603": 7}
    assert again["154602"].whole_class_classrooms == 9


def test_more_aps_than_classrooms_go_to_special_classrooms(rosters, county_a, plan_year, officer_a):
    plan = plan_for(county=county_a, plan_year=plan_year)
    CountyPlan.objects.filter(pk=plan.pk).update(ap_count=50, ap_amount_ntd=500_000)
    plan.refresh_from_db()
    response = client_for(officer_a).post(reverse("wireless_distribute"), follow=True)
    assert "已依班級數分配 50 個 AP" in response.content.decode()
    own = WirelessAllocation.objects.get(school__code=OWN_SCHOOL)
    assert (own.classes, own.ap_count, own.classroom_aps, own.special_classroom_aps) == (20, 25, 20, 5)
    assert not WirelessAllocation.objects.filter(school__county__name="臺東縣").exists()


@pytest.fixture
def catalogue():
    return SoftwareItem.objects.create(
        name="均一教育平台進階版", vendor="均一", brand="均一", unit="校", unit_price=30_000
    )


def test_a_county_buys_from_the_catalogue_and_exports_the_list(rosters, catalogue, officer_a, officer_b, plan_year):
    client = client_for(officer_a)
    response = client.post(
        reverse("software_purchases"),
        {
            "item": catalogue.pk,
            "seats": 2,
            "amount_ntd": 60_000,
            "meeting_date": "111/03/15",
            "school_codes": f"{OWN_SCHOOL}, {OTHER_SCHOOL}",
            "teaching_use": "數學科差異化教學",
        },
    )
    assert response.status_code == 302
    purchase = SoftwarePurchase.objects.get()
    assert purchase.meeting_date == date(2022, 3, 15) and purchase.schools.count() == 2
    # Another county's school cannot be named.
    response = client_for(officer_b).post(
        reverse("software_purchases"),
        {"item": catalogue.pk, "seats": 1, "amount_ntd": 1, "meeting_date": "111/03/15", "school_codes": OWN_SCHOOL},
    )
    assert "找不到本縣市的學校：154601" in response.content.decode()
    assert SoftwarePurchase.objects.count() == 1

    download = client.get(reverse("software_purchases_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:8] == (
        "花蓮縣",
        "均一教育平台進階版",
        "均一",
        "均一",
        "校",
        2,
        60_000,
        "花蓮縣立示範國小、花蓮縣立另一國小",
    )
    assert rows[0][8] == "111年3月15日" and rows[0][9] == "數學科差異化教學"
    assert rows[-1][:7] == ("合計", None, None, None, None, None, 60_000)
    # County B's export has none of county A's purchases.
    other = openpyxl.load_workbook(
        io.BytesIO(client_for(officer_b).get(reverse("software_purchases_export")).content)
    ).active
    assert [r[0] for r in other.iter_rows(min_row=3, values_only=True)] == ["合計"]


def test_an_item_outside_the_catalogue_is_proposed_and_decided_by_the_moe(county_a, officer_a, officer_b, reviewer):
    client = client_for(officer_a)
    values = {"name": "AI 作文批改", "vendor": "某科技", "brand": "某牌", "unit": "帳號", "unit_price": 500}
    response = client.post(reverse("software_propose"), values)
    assert "目錄外品項須附資安合規聲明" in response.content.decode()
    client.post(reverse("software_propose"), values | {"security_statement": "通過資安檢測，資料存放於國內"})
    item = SoftwareItem.objects.get()
    assert item.status == SoftwareItem.Status.PROPOSED and item.proposed_by_county == county_a
    # Not in the catalogue yet: it cannot be bought.
    assert item not in SoftwareItem.objects.filter(status="listed")
    assert "AI 作文批改" not in client_for(officer_b).get(reverse("software_catalogue")).content.decode()
    assert client.post(reverse("software_decide", args=[item.pk]), {"accept": "1"}).status_code == 403

    moe = client_for(reviewer)
    response = moe.post(reverse("software_decide", args=[item.pk]), {"accept": "0"}, follow=True)
    assert "不通過時請填寫理由" in response.content.decode()
    moe.post(reverse("software_decide", args=[item.pk]), {"accept": "1"})
    item.refresh_from_db()
    assert item.status == SoftwareItem.Status.LISTED and item.decided_by == reviewer
    assert "AI 作文批改" in client_for(officer_b).get(reverse("software_catalogue")).content.decode()


def test_a_refused_proposal_keeps_its_reason(county_a, reviewer):
    item = SoftwareItem.objects.create(
        name="X",
        vendor="V",
        brand="B",
        unit_price=1,
        status="proposed",
        proposed_by_county=county_a,
        security_statement="s",
    )
    software_item_decide(item=item, user=reviewer, accept=False, reason="資料存放於境外")
    item.refresh_from_db()
    assert item.status == SoftwareItem.Status.REFUSED and item.refusal_reason == "資料存放於境外"
    with pytest.raises(DeviceActionRefused, match="不在審查中"):
        software_item_decide(item=item, user=reviewer, accept=True)
    assert School.objects.count() == 0
