"""The national roster narrowed and sorted (issue 14): the 縣市 filter for MOE users, whitelisted
sort keys, 50/100/200 a page, 「匯出目前篩選結果」, and name search folding 台→臺 / full-width."""

import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from schools.models import RosterRow
from schools.selectors import ROSTER_SORTS, roster_sort
from tests.conftest import COUNTY_B, client_for, record
from tests.schools.test_views import load

pytestmark = pytest.mark.django_db


def codes(client, query: str) -> list[str]:
    page = client.get(reverse("roster_list") + "?year=111&" + query).content.decode()
    return re.findall(r'class="code"><a href="[^"]*">(\d{6})<', page)


@pytest.fixture
def two_counties(plan_year):
    load(
        plan_year,
        [
            record(code="154601", name="花蓮縣立示範國小", students=516, req_student_devices=112),
            record(
                code="154602",
                name="花蓮縣立台地國小",
                students=41,
                classes=6,
                req_carts=None,
                req_teacher_devices=None,
                req_student_devices=None,
                compliance="",
            ),
            record(
                code="154603",
                name="花蓮縣立ABC國小",
                students=900,
                classes=30,
                max_class_size=30,
                req_student_devices=200,
                compliance="否，需求較高",
            ),
        ],
    )
    load(
        plan_year,
        [
            record(
                code="144601",
                county=COUNTY_B,
                name="臺東縣立臺東國小",
                students=300,
                classes=12,
                compliance="否，示範",
            ),
            record(
                code="144602",
                county=COUNTY_B,
                name="臺東縣立豐里國小",
                students=120,
                classes=8,
                compliance="否，示範",
            ),
        ],
        county_label=COUNTY_B,
    )


def test_moe_filters_by_county_and_sorts(two_counties, reviewer, county_b):
    client = client_for(reviewer)
    assert sorted(codes(client, f"county={county_b.code}")) == ["144601", "144602"]
    assert codes(client, "sort=-students") == ["154603", "154601", "144601", "144602", "154602"]
    assert codes(client, "sort=students") == ["154602", "144602", "144601", "154601", "154603"]
    assert codes(client, f"county={county_b.code}&sort=-classes") == ["144601", "144602"]
    page = client.get(reverse("roster_list") + "?year=111&sort=-students").content.decode()
    assert "依學生數（由大到小）排序" in page
    assert 'aria-sort="descending"' in page


def test_unknown_sort_keys_never_reach_order_by(two_counties, reviewer):
    client = client_for(reviewer)
    default = codes(client, "")
    for hostile in ("school__county__name", "-password", "students; DROP TABLE x", "?", "-"):
        assert roster_sort(hostile) == ""
        response = client.get(reverse("roster_list"), {"year": 111, "sort": hostile})
        assert response.status_code == 200
        assert codes(client, f"sort={hostile}") == default
    assert all(roster_sort(key) == key and roster_sort(f"-{key}") == f"-{key}" for key in ROSTER_SORTS)


def test_every_sort_key_works_and_nulls_go_last(two_counties, reviewer):
    client = client_for(reviewer)
    for key in ROSTER_SORTS:
        for value in (key, f"-{key}"):
            assert len(codes(client, f"sort={value}")) == 5, value
    # 154602 requested no student devices: last either way.
    assert codes(client, "sort=req_student_devices")[-1] == "154602"
    assert codes(client, "sort=-req_student_devices")[-1] == "154602"


def test_county_staff_get_no_county_filter_and_cannot_widen(two_counties, officer_a, county_b):
    client = client_for(officer_a)
    page = client.get(reverse("roster_list") + "?year=111").content.decode()
    assert 'name="county"' not in page
    # A county code in the query string does not show another county's rows.
    assert sorted(codes(client, f"county={county_b.code}")) == ["154601", "154602", "154603"]


def test_school_staff_see_their_own_rows_only(school_user_a, two_counties):
    assert codes(client_for(school_user_a), "sort=-students") == ["154601"]


def test_page_size_50_100_200(plan_year, reviewer):
    load(plan_year, [record(code=f"{154000 + i:06d}") for i in range(120)])
    client = client_for(reviewer)
    assert len(codes(client, "")) == 50
    assert len(codes(client, "per_page=100")) == 100
    assert len(codes(client, "per_page=200")) == 120
    assert len(codes(client, "per_page=7")) == 50  # not a choice: the default


def test_search_folds_tai_and_full_width(two_counties, reviewer):
    client = client_for(reviewer)
    assert codes(client, "q=台東") == codes(client, "q=臺東") == ["144601", "144602"]
    assert codes(client, "q=臺地") == codes(client, "q=台地") == ["154602"]
    assert codes(client, "q=ａｂｃ") == ["154603"]
    assert codes(client, "q=１５４６０１") == ["154601"]


def test_export_of_the_current_filter(two_counties, reviewer, officer_a, county_b, county_a):
    client = client_for(reviewer)
    response = client.get(reverse("roster_export"), {"year": 111, "county": county_b.code, "sort": "-students"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    exported = [row[2] for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert exported == ["144601", "144602"]
    assert sheet["A2"].value == f"111年{COUNTY_B}國民中小學名單"
    # The page links to the export with its filters.
    page = client.get(reverse("roster_list"), {"year": 111, "county": county_b.code, "q": "台"}).content.decode()
    assert "匯出目前篩選結果" in page and f"county={county_b.code}" in page
    # County staff: their own rows whatever the query string says.
    mine = client_for(officer_a).get(reverse("roster_export"), {"year": 111, "county": county_b.code})
    sheet = openpyxl.load_workbook(io.BytesIO(mine.content)).active
    exported = {row[2] for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)}
    assert exported == {"154601", "154602", "154603"}


def test_anonymous_is_sent_to_login(client, plan_year):
    for url in (reverse("roster_list") + "?sort=-students", reverse("roster_export") + "?county=14"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_sorted_filtered_list_queries_do_not_grow(plan_year, reviewer, county_a, django_assert_max_num_queries):
    client = client_for(reviewer)

    def count(n):
        RosterRow.objects.all().delete()
        load(plan_year, [record(code=f"{154000 + i:06d}", students=400 + i) for i in range(n)])
        cache.clear()
        with django_assert_max_num_queries(20) as captured:
            response = client.get(
                reverse("roster_list"), {"county": county_a.code, "sort": "-difference", "per_page": 200, "q": "台"}
            )
            assert response.status_code == 200
        return len(captured.captured_queries)

    assert count(5) == count(150)
