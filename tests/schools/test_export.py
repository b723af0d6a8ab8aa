"""The export writes the 附錄 layout, and what it writes reads back unchanged."""

import io

import openpyxl
import pytest

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow
from schools.selectors import roster_export_workbook
from tests.conftest import record, roster_bytes

pytestmark = pytest.mark.django_db


def load(plan_year, records):
    parsed = pipeline.read_file(ROSTER_IMPORT, roster_bytes(records), target=ImportTarget(plan_year=plan_year))
    assert parsed.ok, parsed.errors[:3]
    pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)


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
    # The 合計 row adds counts up, never the largest class of a school.
    assert [c.value for c in sheet[7]][8:15] == [40, None, 74, 1032, 8, 16, 212]
    assert sheet["C5"].number_format == "@" and sheet["L5"].number_format == "#,##0"
    assert sheet.freeze_panes == "A4"


def test_export_reimports_unchanged(plan_year, county_a, county_a_records):
    load(plan_year, county_a_records)
    before = list(RosterRow.objects.order_by("pk").values())
    content, _ = roster_export_workbook(plan_year=plan_year, county=county_a, user=None)
    parsed = pipeline.read_file(ROSTER_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    assert parsed.ok and parsed.warnings == []
    preview = pipeline.preview(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    assert preview.summary["unchanged"] == len(county_a_records)
    assert preview.summary["new"] == preview.summary["updated"] == preview.summary["removed"] == 0
    pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    assert list(RosterRow.objects.order_by("pk").values()) == before


def test_text_that_looks_like_a_formula_is_escaped_and_read_back(plan_year, county_a):
    load(plan_year, [record(req_student_devices=100, compliance="否", name='=HYPERLINK("x")')])
    content, _ = roster_export_workbook(plan_year=plan_year, county=county_a, user=None)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["H5"].value == '\'=HYPERLINK("x")'
    parsed = pipeline.read_file(ROSTER_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    assert parsed.rows[0].name == '=HYPERLINK("x")'


def test_county_staff_export_only_their_county(plan_year, officer_a, county_a_records, county_b_records):
    load(plan_year, county_a_records)
    parsed = pipeline.read_file(
        ROSTER_IMPORT, roster_bytes(county_b_records, county_label="臺東縣"), target=ImportTarget(plan_year=plan_year)
    )
    pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    content, count = roster_export_workbook(plan_year=plan_year, county=None, user=officer_a)
    assert count == len(county_a_records)
    counties = {
        row[3]
        for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=5, values_only=True)
        if isinstance(row[0], int)
    }
    assert counties == {"花蓮縣"}
