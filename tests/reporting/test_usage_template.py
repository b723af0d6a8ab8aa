"""The usage template (issue 14): a school that reported gets every remaining month x the
platforms it reported last, last month's figures beside the blanks; ROC months, hours
without 「.0」; the filled file imports as it is."""

import csv
import io

import pytest
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.importing import USAGE_IMPORT
from tests.conftest import client_for
from tests.reporting.conftest import usage_csv, usage_row

pytestmark = pytest.mark.django_db


def load_usage(plan_year, rows):
    parsed = pipeline.read_file(USAGE_IMPORT, usage_csv(rows), target=ImportTarget(plan_year=plan_year))
    pipeline.import_rows(USAGE_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)


def template_rows(user) -> list[list[str]]:
    content = client_for(user).get(reverse("usage_template")).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_a_school_gets_the_remaining_months_of_its_platforms_with_last_months_figures(roster, plan_year, school_user_a):
    load_usage(
        plan_year,
        [
            usage_row(month="111年2月", hours="10"),
            usage_row(month="111年3月", hours="120.5"),
            usage_row(month="111年3月", platform="均一教育平台", hours="30.0", students=12, devices=10),
        ],
    )
    header, *rows = template_rows(school_user_a)
    assert header[-3:] == ["上月使用時數（參考）", "上月活躍學生數（參考）", "上月活躍載具數（參考）"]
    months = [f"111年{m}月" for m in range(4, 13)]
    assert [(row[2], row[3]) for row in rows] == [(m, p) for m in months for p in ("因材網", "均一教育平台")]
    assert {row[0] for row in rows} == {"154601"}  # the school's own rows only
    assert rows[0][4:7] == ["", "", ""]
    assert rows[0][7:] == ["120.5", "80", "40"]
    assert rows[1][7:] == ["30", "12", "10"]  # no trailing .0


def test_a_school_that_has_not_reported_gets_one_row_to_start(roster, plan_year, school_user_a):
    _header, *rows = template_rows(school_user_a)
    assert [(row[0], row[2]) for row in rows] == [("154601", "111年2月")]


def test_the_filled_template_imports(roster, plan_year, school_user_a):
    load_usage(plan_year, [usage_row(month="111年11月", hours="12.0")])
    header, *rows = template_rows(school_user_a)
    assert [row[2] for row in rows] == ["111年12月"]
    rows[0][4:7] = ["15", "82", "40"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    parsed = pipeline.read_file(
        USAGE_IMPORT, buffer.getvalue().encode("utf-8"), target=ImportTarget(plan_year=plan_year)
    )
    preview = pipeline.preview(USAGE_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=school_user_a)
    assert preview.ok, [str(p) for p in preview.errors]
    assert len(preview.parse.rows) == 1


def test_the_template_costs_the_same_queries_for_many_records(
    roster, plan_year, officer_a, django_assert_max_num_queries
):
    client = client_for(officer_a)
    client.get(reverse("usage_template"))
    load_usage(plan_year, [usage_row(code=c, month="111年3月") for c in ("154601", "154602")])
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("usage_template"))
    load_usage(plan_year, [usage_row(code=c, month=f"111年{m}月") for c in ("154601", "154602") for m in range(4, 10)])
    with django_assert_max_num_queries(10) as many:
        client.get(reverse("usage_template"))
    assert len(few) == len(many)
