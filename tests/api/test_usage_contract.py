"""/usage/export.csv (for the MOE's designated system) and the API's usage resource carry the
same figures, row for row, for every reader who may have both."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.api.conftest import bearer
from tests.api.helpers import walk
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def csv_rows(content: bytes) -> set[tuple]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return {
        (
            int(row["計畫年度"]),
            row["縣市代碼"],
            row["縣市"],
            row["學校代碼"],
            row["學校名稱"],
            row["月份"],
            row["平臺"],
            row["使用時數"],
            int(row["活躍學生數"]),
            int(row["活躍載具數"]),
        )
        for row in reader
    }


def api_rows(items: list[dict]) -> set[tuple]:
    return {
        (
            item["roc_year"],
            item["county_code"],
            item["county"],
            item["school_code"],
            item["school_name"],
            item["roc_month"],
            item["platform"],
            f"{item['hours']:.1f}",
            item["active_students"],
            item["active_devices"],
        )
        for item in items
    }


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "reviewer", "admin"])
def test_the_csv_and_the_api_carry_the_same_usage_figures(api_world, persona):
    exported = client_for(api_world["users"][persona]).get(reverse("usage_export"), {"year": 111})
    assert exported.status_code == 200
    from_csv = csv_rows(exported.content)
    from_api = api_rows(walk(bearer(api_world["tokens"][persona]), reverse("api_usage") + "?year=111", limit=1))
    assert from_csv == from_api
    assert len(from_api) == {"officer_a": 3, "officer_b": 1}.get(persona, 4)


def test_the_month_filter_and_iso_months(api_world):
    items = walk(bearer(api_world["tokens"]["reviewer"]), reverse("api_usage") + "?month=2022-04")
    assert [(i["month"], i["roc_month"], i["hours"]) for i in items] == [("2022-04", "11104", 33.0)]
    refused = bearer(api_world["tokens"]["reviewer"]).get(reverse("api_usage"), {"month": "2021-04"})
    assert refused.status_code == 400 and "month" in refused.json()
