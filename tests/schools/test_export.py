"""The export writes the 附錄 layout, and what it writes reads back unchanged."""

import io

import openpyxl
import pytest

from schools.models import RosterRow
from schools.selectors import roster_export_workbook
from schools.services import roster_import, roster_parse_file, roster_preview
from tests.conftest import record, roster_bytes

pytestmark = pytest.mark.django_db


def load(plan_year, records):
    parsed = roster_parse_file(content=roster_bytes(records), plan_year=plan_year)
    assert parsed.ok, parsed.errors[:3]
    roster_import(plan_year=plan_year, parse=parsed, user=None)


def test_export_has_the_appendix_layout(plan_year, county_a):
    load(plan_year, [record(), record(code="154602", req_student_devices=100, compliance="否，已有自購載具")])
    content, count = roster_export_workbook(plan_year=plan_year, county=county_a, user=None)
    assert count == 2
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "「推動中小學數位學習精進方案」"
    assert sheet["A2"].value == "111年花蓮縣國民中小學名單"
    assert sheet["B3"].value == "學制\n(國小、國中)"
    assert sheet["I3"].value == "110年\n班級數"
    assert [c.value for c in sheet[4]][:3] == ["範例", "國小", "999999"]
    assert [c.value for c in sheet[5]] == [
        1,
        "國小",
        "154601",
        "花蓮縣",
        "縣立",
        None,
        "一般",
        "花蓮縣立示範國小",
        20,
        28,
        37,
        516,
        4,
        8,
        112,
        "是",
    ]
    assert sheet["P6"].value == "否，已有自購載具"
    assert [c.value for c in sheet[7]][:1] == ["合計"]
    assert [c.value for c in sheet[7]][8:15] == [40, 56, 74, 1032, 8, 16, 212]
    assert sheet["C5"].number_format == "@" and sheet["L5"].number_format == "#,##0"
    assert sheet.freeze_panes == "A4"


def test_export_reimports_unchanged(plan_year, county_a, county_a_records):
    load(plan_year, county_a_records)
    before = list(RosterRow.objects.order_by("pk").values())
    content, _ = roster_export_workbook(plan_year=plan_year, county=county_a, user=None)
    parsed = roster_parse_file(content=content, plan_year=plan_year)
    assert parsed.ok and parsed.warnings == []
    preview = roster_preview(plan_year=plan_year, parse=parsed, user=None)
    assert preview.summary["unchanged"] == len(county_a_records)
    assert preview.summary["new"] == preview.summary["updated"] == preview.summary["removed"] == 0
    roster_import(plan_year=plan_year, parse=parsed, user=None)
    assert list(RosterRow.objects.order_by("pk").values()) == before


def test_text_that_looks_like_a_formula_is_escaped_and_read_back(plan_year, county_a):
    load(plan_year, [record(req_student_devices=100, compliance="否", name='=HYPERLINK("x")')])
    content, _ = roster_export_workbook(plan_year=plan_year, county=county_a, user=None)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["H5"].value == '\'=HYPERLINK("x")'
    parsed = roster_parse_file(content=content, plan_year=plan_year)
    assert parsed.rows[0].name == '=HYPERLINK("x")'


def test_county_staff_export_only_their_county(plan_year, officer_a, county_a_records, county_b_records):
    load(plan_year, county_a_records)
    parsed = roster_parse_file(content=roster_bytes(county_b_records, county_label="臺東縣"), plan_year=plan_year)
    roster_import(plan_year=plan_year, parse=parsed, user=None)
    content, count = roster_export_workbook(plan_year=plan_year, county=None, user=officer_a)
    assert count == len(county_a_records)
    counties = {
        row[3]
        for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=5, values_only=True)
        if isinstance(row[0], int)
    }
    assert counties == {"花蓮縣"}
