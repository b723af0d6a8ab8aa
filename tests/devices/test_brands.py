"""The blocked-brand rule: matching ignores case, width and spacing; every register refuses."""

from datetime import date

import pytest
from django.urls import reverse

from devices.admin import SoftwareItemForm
from devices.brands import blocked_key, blocked_match, normalize_brand
from devices.models import BlockedBrand, ProcurementBatch, SoftwareItem
from devices.services import DeviceActionRefused, batch_create, software_item_propose
from tests.conftest import client_for

BLOCKED = [("Huawei／華為", blocked_key("Huawei／華為")), ("Hikvision", blocked_key("Hikvision")), ("聯想", "聯想")]


@pytest.mark.parametrize(
    "text",
    [
        "Huawei",
        "HUAWEI",
        "huawei",
        "ＨＵＡＷＥＩ",
        "Hua Wei",
        "hua-wei",
        "華為",
        "華 為",
        "Huawei Technologies",
        "HIK VISION",
    ],
)
def test_case_width_and_spacing_do_not_matter(text):
    assert blocked_match(text, BLOCKED) is not None


@pytest.mark.parametrize("text", ["Acer", "ASUS", "Apple", "", "  ", "華碩"])
def test_other_brands_pass(text):
    assert blocked_match(text, BLOCKED) is None


def test_the_message_names_the_blocked_entry():
    assert blocked_match("ＬＥＮＯＶＯ 聯想", BLOCKED) == "聯想"
    assert normalize_brand("  Ａ c-e.r ") == "acer"
    assert blocked_key("ZTE、中興") == "zte|中興"


@pytest.mark.django_db
def test_a_batch_of_a_blocked_brand_or_vendor_is_refused(county_a, plan_year, officer_a):
    BlockedBrand.objects.create(name="Huawei／華為")
    values = {
        "tender_number": "111-X",
        "funding": "plan",
        "vendor": "某代理商",
        "brand": "ＨＵＡ ＷＥＩ",
        "model_name": "MatePad",
        "unit_price": 10_000,
        "quantity": 10,
        "contract_date": date(2022, 7, 1),
        "delivery_date": None,
        "mdm_years": 4,
        "warranty_years": 4,
    }
    with pytest.raises(DeviceActionRefused, match="屬於禁用廠牌「Huawei／華為」"):
        batch_create(county=county_a, plan_year=plan_year, values=values, user=officer_a)
    with pytest.raises(DeviceActionRefused, match="廠商"):
        batch_create(
            county=county_a, plan_year=plan_year, values=values | {"brand": "Acer", "vendor": "華為"}, user=officer_a
        )
    assert not ProcurementBatch.objects.exists()
    # Through the page: the form says why.
    response = client_for(officer_a).post(
        reverse("batch_create"),
        {**{k: v for k, v in values.items() if v is not None}, "contract_date": "111/07/01"},
    )
    assert response.status_code == 200 and "屬於禁用廠牌" in response.content.decode()


@pytest.mark.django_db
def test_software_of_a_blocked_brand_is_refused_in_proposals_and_the_catalogue(county_a, officer_a):
    BlockedBrand.objects.create(name="Hikvision")
    with pytest.raises(DeviceActionRefused, match="禁用廠牌"):
        software_item_propose(
            county=county_a,
            values={
                "name": "監控",
                "vendor": "代理",
                "brand": "HIK-vision",
                "unit": "套",
                "unit_price": 1,
                "security_statement": "符合",
            },
            user=officer_a,
        )
    form = SoftwareItemForm(
        data={
            "name": "某軟體",
            "vendor": "海康 Hikvision",
            "brand": "某",
            "unit": "套",
            "unit_price": 100,
            "status": "listed",
        }
    )
    assert not form.is_valid() and "屬於禁用廠牌" in str(form.errors["vendor"])
    assert not SoftwareItem.objects.exists()
