"""「For every county of the national roster, the rendered plan's lines 1-3, indicator 1 and the
附錄 sums agree; the JSON, the PDF and the Excel carry the same numbers.」

One test over the 22 counties of the MOE's open data (3,608 rows once 國立 schools are left
out), with what makes the identities worth checking: rows asking fewer devices than their
entitlement, rows left blank (they count their entitlement), and the MOE's previously
subsidised counts and estimates for every county uploaded as one sheet. The expected sums
are added up here from the records the file was written from, not by the portal's code.
Run in CI; it takes about 40 s (rendering the 22 PDFs is most of it)."""

from __future__ import annotations

import io
import re
import subprocess

import openpyxl
import pytest

from budget import rules as engine
from budget.importing import MOE_FIGURES_IMPORT
from budget.services import plan_for
from portal.counties import COUNTIES
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.rendering import plan_document, plan_json, plan_pdf, plan_xlsx
from schools.models import County
from schools.realdata import roster_records
from tests.budget.moe_sheet import figures_bytes, figures_row
from tests.conftest import fill_narrative, load_roster

pytestmark = pytest.mark.django_db
KEYS = ("teacher_devices", "student_devices", "carts")
LINE_KEYS = {1: "teacher_devices", 2: "student_devices", 3: "carts"}


def national_records() -> list[dict]:
    """The open data as counties would fill it: every 7th row asks 2 student devices fewer (否,
    with a reason), every 11th is left blank."""
    records = []
    for index, source in enumerate(roster_records()):
        row = dict(source)
        row["entitled"] = {key: source[f"req_{key}"] for key in KEYS}
        if index % 11 == 5:
            row |= {"req_carts": None, "req_teacher_devices": None, "req_student_devices": None, "compliance": ""}
        elif index % 7 == 3 and row["req_student_devices"] >= 2:
            row["req_student_devices"] -= 2
            row["compliance"] = "否，已有自購載具 2 臺"
        else:
            row["compliance"] = "是"
        records.append(row)
    return records


def expected_sums(records: list[dict]) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = {}
    for row in records:
        county = sums.setdefault(row["county"], dict.fromkeys(KEYS, 0))
        for key in KEYS:
            requested = row[f"req_{key}"]
            county[key] += row["entitled"][key] if requested is None else requested
    return sums


def previously(county_index: int, sums: dict[str, int]) -> dict[str, int]:
    """Some counties had devices before (one in three), one had more than it asks for."""
    if county_index == 4:
        return {key: sums[key] + 10 for key in KEYS}
    if county_index % 3:
        return dict.fromkeys(KEYS, 0)
    return {key: sums[key] // 20 for key in KEYS}


def number(text: str) -> int:
    return int(text.replace(",", ""))


def pdf_figures(content: bytes) -> dict:
    """Lines 1-3, indicator 1 and the 附錄's 合計 row as the PDF prints them."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout
    text = text.decode()
    lines = {}
    for line_number, name in ((1, "學習載具-教師"), (2, "學習載具-學生"), (3, "行動充電車")):
        # computed, previously, estimate, requested, 經常門, 資本門, 合計 (千元)
        figures = r"\s+([\d,]+)" * 7
        match = re.search(rf"^\s*{line_number} {name}{figures}\s*$", text, re.M)
        assert match, (line_number, text[:3000])
        computed, prev, estimate, requested, _recurrent_k, capital_k, _total_k = (number(g) for g in match.groups())
        lines[line_number] = {
            "computed": computed,
            "previously": prev,
            "estimate": estimate,
            "requested": requested,
            "capital_k": capital_k,
        }
    indicator = number(re.search(r"購置學習載具總臺數\s*([\d,]+)\s*臺", text).group(1))
    total = re.search(r"合計（([\d,]+) 校）\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)", text)
    assert total, text[-2000:]
    schools, _classes, _teachers, _students, carts, teacher_devices, student_devices = (
        number(g) for g in total.groups()
    )
    return {
        "lines": lines,
        "indicator_1": indicator,
        "roster": {"teacher_devices": teacher_devices, "student_devices": student_devices, "carts": carts},
        "schools": schools,
    }


def xlsx_figures(content: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    budget = list(workbook["經費需求"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(budget) if row[0] == "項次")
    lines = {
        row[0]: {"computed": row[2], "previously": row[3], "estimate": row[4], "requested": row[5], "capital_k": row[8]}
        for row in budget[header + 1 : header + 4]
    }
    appendix = list(workbook["附錄"].iter_rows(values_only=True))
    total = next(row for row in appendix if row[0] == "合計")
    workbook.close()
    return {"lines": lines, "roster": {"carts": total[12], "teacher_devices": total[13], "student_devices": total[14]}}


def test_every_county_tells_one_story_in_json_pdf_and_excel(plan_year, reviewer):
    records = national_records()
    load_roster(
        plan_year,
        [{key: value for key, value in row.items() if key != "entitled"} for row in records],
        county_label="全國",
    )
    sums = expected_sums(records)
    prev = {name: previously(index, sums[name]) for index, (_, name) in enumerate(COUNTIES)}
    sheet = [
        figures_row(
            name,
            prev_teacher_devices=prev[name]["teacher_devices"],
            prev_student_devices=prev[name]["student_devices"],
            prev_carts=prev[name]["carts"],
            moe_estimate_student_devices=sums[name]["student_devices"] + 30 if index % 5 == 0 else None,
        )
        for index, (_, name) in enumerate(COUNTIES)
    ]
    target = ImportTarget(plan_year=plan_year)
    parse = pipeline.read_file(MOE_FIGURES_IMPORT, figures_bytes(sheet), target=target)
    pipeline.import_rows(MOE_FIGURES_IMPORT, parse, target=target, user=reviewer)

    for county in County.objects.order_by("sort_order"):
        plan = plan_for(county=county, plan_year=plan_year)
        fill_narrative(plan)
        document = plan_document(plan, None)
        data = plan_json(document)
        lines = {line["number"]: line for line in data["lines"]}
        asked = sums[county.name]
        # The 附錄's sums, as the document adds them up, are the records' sums.
        assert data["roster_requested"] == asked, county.name
        for number_, key in LINE_KEYS.items():
            line = lines[number_]
            assert line["previously"] == prev[county.name][key]
            assert line["requested"] == max(0, asked[key] - line["previously"]), (county.name, number_)
            price = 50_000 if number_ == 3 else 13_000
            assert line["capital_ntd"] == line["requested"] * price
        assert data["indicators"]["1"] == lines[1]["requested"] + lines[2]["requested"], county.name
        assert engine.consistency_problems(document.data["budget"], asked, data["indicators"]["1"]) == []

        # The Excel carries the same numbers.
        sheet_figures = xlsx_figures(plan_xlsx(document))
        assert sheet_figures["roster"] == asked, county.name
        for number_ in LINE_KEYS:
            line = lines[number_]
            assert sheet_figures["lines"][number_] == {
                "computed": line["computed"],
                "previously": line["previously"],
                "estimate": line["estimate"],
                "requested": line["requested"],
                "capital_k": engine.to_thousands(line["capital_ntd"]),
            }, (county.name, number_)

        # And so does the PDF.
        printed = pdf_figures(plan_pdf(document))
        assert printed["roster"] == asked, county.name
        assert printed["indicator_1"] == data["indicators"]["1"], county.name
        assert printed["schools"] == document.data["totals"]["schools"]
        for number_ in LINE_KEYS:
            line = lines[number_]
            assert printed["lines"][number_] == {
                "computed": line["computed"],
                "previously": line["previously"],
                "estimate": line["estimate"],
                "requested": line["requested"],
                "capital_k": engine.to_thousands(line["capital_ntd"]),
            }, (county.name, number_)
