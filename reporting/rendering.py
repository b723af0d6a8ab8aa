"""The county plan as documents: 附件1 with its budget table and 附錄 as PDF (WeasyPrint),
the budget table and the 附錄 as Excel (openpyxl). The export jobs (reporting.tasks) and
`manage.py render_plan` call the same functions.

A document shows a submission as it was frozen, or the plan's current data when asked
for a draft; either way it says which (version and status in every page's header) and
carries a 草稿 watermark until the MOE has approved the plan.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from budget import rules as engine
from budget.models import CountyPlan, PlanStatus, PlanSubmission
from budget.selectors import plan_lines, plan_words, roster_requested_sums
from budget.selectors_review import plan_snapshot
from portal import charts
from portal.roc import roc_date
from reporting.importing import roc_month
from reporting.indicators import indicators
from reporting.models import LearningOutcome, MonthlyReport, MonthlySpending, UsageRecord
from reporting.pdf import Stamp, assemble, render_parts
from reporting.selectors_monthly import completeness_grid
from reporting.selectors_usage import roster_school_counts, usage_month_items, usage_sums
from schools.exporting import EXAMPLE_RECORD, compliance_text, fill_roster_sheet
from schools.roster_format import COLUMNS, COUNT_KEYS, REQUESTED_KEYS, header_texts

Progress = Callable[[int, str], None]

# Rows of the 附錄 per table in the PDF. Each chunk is its own table on its own page: one
# 353-row table took ~3 s to lay out (WeasyPrint's cost grows faster than the rows), short
# tables are linear. The header repeats because every chunk has it.
ROSTER_ROWS_PER_PAGE = 22
# The 附錄 is rendered in this many parts at once (one per core of the worker machine) once it
# is long enough for the fork to pay off.
ROSTER_PARTS = max(1, min(4, os.cpu_count() or 1))
PARALLEL_FROM_ROWS = 60


def _quiet(percent: int, note: str) -> None:
    pass


@dataclass
class PlanDocument:
    plan: CountyPlan
    submission: PlanSubmission | None
    data: dict
    """roster, budget, totals, narrative: a submission's frozen dicts or the live ones."""

    @property
    def approved(self) -> bool:
        return self.plan.status == PlanStatus.APPROVED and self.submission is not None

    @property
    def version_label(self) -> str:
        if self.submission is None:
            return "目前資料（草稿，尚未送審）"
        submitted = roc_date(self.submission.submitted_at)
        return f"第 {self.submission.number} 次送審版本（編號 {self.submission.pk}，{submitted}）"

    @property
    def status_label(self) -> str:
        return self.plan.get_status_display()

    @property
    def title(self) -> str:
        return f"{self.plan.plan_year.year}年{self.plan.county.name}國民中小學實施計畫"

    @property
    def words(self) -> dict:
        return plan_words(self.plan.plan_year)

    @property
    def roster_requested(self) -> dict[str, int]:
        """The 附錄's requested sums, a blank row counting its entitlement: computed from the
        rows the document prints, so that its 合計 row and lines 1-3 are checked against them."""
        return roster_requested_sums(self.data["roster"])

    @property
    def indicators(self) -> dict[int, object]:
        return {item["number"]: item["value"] for item in self.data["narrative"].get("indicators", [])}

    def filename(self, suffix: str) -> str:
        version = f"第{self.submission.number}次送審" if self.submission else "草稿"
        return f"{self.title}_{version}.{suffix}"


def plan_document(plan: CountyPlan, submission: PlanSubmission | None) -> PlanDocument:
    if submission is None:
        data = plan_snapshot(plan)
    else:
        data = {
            "roster": submission.roster,
            "budget": submission.budget,
            "totals": submission.totals,
            "narrative": submission.narrative,
        }
    # The MOE's decisions are not part of what the county submitted: read them live.
    lines = plan_lines(plan)
    data["budget"] = [
        {**line, "approved_ntd": lines[line["number"]].approved_ntd if plan.status == PlanStatus.APPROVED else None}
        for line in data["budget"]
    ]
    return PlanDocument(plan=plan, submission=submission, data=data)


def _roster_records(document: PlanDocument) -> list[dict]:
    county = document.plan.county.name
    return [
        {
            "requested_blank": row["req_student_devices"] is None,
            "entitled_carts": row.get("entitled_carts"),
            "entitled_teacher_devices": row.get("entitled_teacher_devices"),
            "entitled_student_devices": row.get("entitled_student_devices"),
            "seq": seq,
            "level": row["level"],
            "code": row["code"],
            "county": county,
            "ownership": row.get("ownership", ""),
            "affiliation": row.get("affiliation", ""),
            "area": row["area"],
            "name": row["name"],
            "classes": row["classes"],
            "max_class_size": row["max_class_size"],
            "teachers": row["teachers"],
            "students": row["students"],
            "req_carts": row["req_carts"],
            "req_teacher_devices": row["req_teacher_devices"],
            "req_student_devices": row["req_student_devices"],
            "compliance": compliance_text(row["complies"], row["reason"]),
        }
        for seq, row in enumerate(document.data["roster"], start=1)
    ]


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]


# The 合計 row adds these up (never the largest class); the requested ones come from the
# document's 附錄 sums, where a blank row counts its entitlement.
SUM_KEYS = ("classes", "teachers", "students")
ROSTER_KEYS = tuple(column.key for column in COLUMNS)
NUMBER_KEYS = ("seq", *COUNT_KEYS, *REQUESTED_KEYS)


def plan_pdf(document: PlanDocument, progress: Progress = _quiet) -> bytes:
    """附件1 and its budget table, then the 附錄 on landscape pages, stamped as one document."""
    progress(15, "組版計畫書")
    records = _roster_records(document)
    narrative = document.data["narrative"]
    plan = document.plan
    headers = header_texts(plan.plan_year.survey_year, plan.plan_year.rule_set)
    common = {
        "document": document,
        "plan": plan,
        "words": document.words,
        "schools": document.data["totals"]["schools"],
        "survey_year": plan.plan_year.survey_year,
        "headers": [headers[key] for key in ROSTER_KEYS],
        "example": [EXAMPLE_RECORD[key] for key in ROSTER_KEYS],
        "example_numbers": [ROSTER_KEYS.index(key) + 1 for key in NUMBER_KEYS],
    }
    main = render_to_string(
        "reporting/plan_pdf_main.html",
        common
        | {
            "n": narrative,
            "fields": {},
            "indicators": narrative.get("indicators", []),
            "rules": plan.plan_year.rule_set,
            "lines": document.data["budget"],
            "table_totals": document.data["totals"] | {"approved_k": _approved_k(document)},
        },
    )
    # Split by pages of rows, so that every part but the last ends on a full page.
    pages = _chunks(records, ROSTER_ROWS_PER_PAGE)
    groups = _split(pages, ROSTER_PARTS if len(records) >= PARALLEL_FROM_ROWS else 1)
    totals = {key: sum(record[key] or 0 for record in records) for key in SUM_KEYS}
    totals |= {f"req_{key}": value for key, value in document.roster_requested.items()}
    blanks = any(record["requested_blank"] for record in records)
    rosters = [
        render_to_string(
            "reporting/plan_pdf_roster.html",
            common
            | {
                "roster_pages": group,
                "first_part": i == 0,
                "last_part": i == len(groups) - 1,
                "roster_totals": totals,
                "blanks": blanks,
            },
        )
        for i, group in enumerate(groups)
    ]
    progress(30, "產製 PDF")
    parts = render_parts([main, *rosters])
    progress(85, "加上頁碼與浮水印")
    pdf = assemble(
        parts,
        Stamp(
            header_left=f"「推動中小學數位學習精進方案」{document.title}",
            header_right=f"{document.version_label}｜{document.status_label}",
            watermark="" if document.approved else "草稿",
            title=document.title,
        ),
    )
    progress(95, "儲存檔案")
    return pdf


def _split(items: list, parts: int) -> list[list]:
    """`items` in `parts` runs of nearly equal length, in order."""
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            runs.append(items[start:end])
        start = end
    return runs or [items]


def _approved_k(document: PlanDocument) -> int | None:
    amounts = [line["approved_ntd"] for line in document.data["budget"]]
    if all(amount is None for amount in amounts):
        return None
    return sum(engine.to_thousands(amount or 0) for amount in amounts)


# --- Data -------------------------------------------------------------------------------------


def plan_json(document: PlanDocument) -> dict:
    """The plan as data, the figures the PDF and the Excel print: integers, None where the
    table shows nothing."""
    data = document.data
    indicators = document.indicators
    return {
        "county": document.plan.county.name,
        "year": document.plan.plan_year.year,
        "status": str(document.plan.status),
        "version": document.version_label,
        "lines": [
            {
                "number": line["number"],
                "name": line["name"],
                "computed": line["computed"],
                "previously": line["previously_subsidised"],
                "estimate": line["estimate"],
                "requested": line["requested"],
                "recurrent_ntd": line["recurrent_ntd"],
                "capital_ntd": line["capital_ntd"],
                "approved_ntd": line.get("approved_ntd"),
            }
            for line in data["budget"]
        ],
        "roster_requested": document.roster_requested,
        "indicators": {
            str(number): value if isinstance(value, int) and not isinstance(value, bool) else None
            for number, value in sorted(indicators.items())
            if number != 9
        },
    }


# --- Excel ------------------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BUDGET_HEADERS = (
    "項次",
    "規劃項目",
    "計算補助數",
    "110、111年\n已受補助數",
    "預估補助數",
    "申請補助數",
    "預估補助數與申請補助數\n之差異說明",
    "經費需求(千元)\n經常門",
    "經費需求(千元)\n資本門",
    "經費需求(千元)\n合計",
    "須發包項目說明",
    "教育部核定\n(千元)",
)
BUDGET_WIDTHS = (6, 30, 12, 12, 12, 12, 30, 12, 12, 12, 30, 12)


def plan_xlsx(document: PlanDocument, progress: Progress = _quiet) -> bytes:
    """經費需求 (the 11 lines and 合計) and 附錄 (the roster), in the MOE's layouts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "經費需求"
    progress(30, "經費需求")
    _fill_budget_sheet(sheet, document)
    progress(60, "附錄名單")
    plan_year = document.plan.plan_year
    fill_roster_sheet(
        workbook.create_sheet("附錄"),
        [{key: record[key] for key in ROSTER_KEYS} for record in _roster_records(document)],
        plan_year=plan_year.year,
        county_label=document.plan.county.name,
        survey_year=plan_year.survey_year,
        rule_set=plan_year.rule_set,
        requested_totals={f"req_{key}": value for key, value in document.roster_requested.items()},
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    progress(95, "儲存檔案")
    return buffer.getvalue()


def _fill_budget_sheet(sheet, document: PlanDocument) -> None:
    last = get_column_letter(len(BUDGET_HEADERS))
    sheet.append([f"「推動中小學數位學習精進方案」{document.title}"])
    sheet.append([f"六、經費需求（{document.version_label}・{document.status_label}）"])
    for row in (1, 2):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.cell(row=row, column=1).font = Font(bold=True, size=13 if row == 1 else 11)
    headers = list(BUDGET_HEADERS)
    headers[3] = f"{document.words['previously_years']}年\n已受補助數"
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.fill = HEADER_FILL
        cell.border = BORDER
    sheet.row_dimensions[header_row].height = 45

    lines = document.data["budget"]
    for line in lines:
        approved = line.get("approved_ntd")
        sheet.append(
            [
                line["number"],
                line["name"],
                line["computed"],
                line["previously_subsidised"],
                line["estimate"],
                line["requested"],
                line["explanation"],
                line["recurrent_k"],
                line["capital_k"],
                line["total_k"],
                line["procurement_note"],
                None if approved is None else engine.to_thousands(approved),
            ]
        )
    approved_k = _approved_k(document)
    sheet.append(
        [
            "合計",
            None,
            None,
            None,
            None,
            None,
            None,
            sum(line["recurrent_k"] for line in lines),
            sum(line["capital_k"] for line in lines),
            sum(line["total_k"] for line in lines),
            None,
            approved_k,
        ]
    )
    total_row = sheet.max_row
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=total_row):
        for cell in row:
            cell.border = BORDER
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
            if cell.column in (2, 7, 11):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[total_row]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append(
        ["說明：金額單位為新臺幣千元（元以下四捨五入至千元）；第 6、8、11 項之計算、預估與申請補助數為金額（元）。"]
    )
    sheet.append(["第 1～3 項申請補助數由附錄彙總（扣除已受補助數）。"])
    for line in lines:
        if line.get("estimate_provisional"):
            sheet.append([f"第 {line['number']} 項預估補助數為暫估（教育部尚未提供）。"])
        for label, amount in line.get("parts") or []:
            sheet.append([f"第 {line['number']} 項：{label} {amount:,} 元"])
    for index, width in enumerate(BUDGET_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


# --- The year-end results report (成果報告, 五(四)2(1)G) -----------------------------------------


def results_title(plan_year, county) -> str:
    return f"{plan_year.year}年{county.name}推動中小學數位學習精進方案成果報告"


def results_pdf(plan_year, county, progress: Progress = _quiet) -> bytes:
    """The county's year in one document: indicators against targets, usage, outcomes, monthly
    reports and spending. Everything is read with the operator's view (the job was access-checked
    when it was asked for)."""
    progress(10, "彙整績效指標")
    items = indicators(plan_year=plan_year, counties=[county])
    records = UsageRecord.objects.filter(plan_year=plan_year, county=county)
    month_items = usage_month_items(by_month=usage_sums(records, "month"), months=plan_year.months)
    usage = {
        "by_platform": usage_sums(records, "platform"),
        "total": records.aggregate(total_hours=Sum("hours")),
    }
    usage["total"]["records"] = records.count()
    progress(30, "彙整成效評估與月報")
    target = plan_year.rule_set.improved_students_target_percent
    outcomes = list(LearningOutcome.objects.filter(plan_year=plan_year, county=county))
    for outcome in outcomes:
        outcome.share = engine.divide_half_up(outcome.improved_students * 100, outcome.sampled_students)
    grid = completeness_grid(plan_year=plan_year, counties=[county])
    months = [{**m, "cell": c} for m, c in zip(grid["months"], grid["rows"][0]["cells"], strict=True)]
    spent = dict(
        MonthlySpending.objects.filter(report__plan_year=plan_year, report__county=county)
        .values("line")
        .annotate(total=Sum("amount_ntd"))
        .values_list("line", "total")
    )
    spending = [{"number": n, "name": name, "amount": spent.get(n, 0)} for n, name in engine.LINE_NAMES.items()]
    notes = [
        {"label": roc_month(r.month), "notes": r.notes}
        for r in MonthlyReport.objects.filter(
            plan_year=plan_year, county=county, status=MonthlyReport.Status.SUBMITTED
        ).order_by("month")
        if r.notes.strip()
    ]
    title = results_title(plan_year, county)
    html = render_to_string(
        "reporting/results_pdf.html",
        {
            "title": title,
            "plan_year": plan_year,
            "county": county,
            "generated": timezone.localdate(),
            "indicators": items,
            "usage": usage,
            "month_items": month_items,
            "usage_chart": charts.column_chart(month_items, unit=" 小時", title="各月使用時數"),
            "schools_expected": roster_school_counts(plan_year=plan_year).get(county.pk, 0),
            "outcomes": outcomes,
            "target": target,
            "months": months,
            "tally": grid["rows"][0]["tally"],
            "spending": spending,
            "spending_total": sum(line["amount"] for line in spending),
            "notes": notes,
        },
    )
    progress(50, "產製 PDF")
    parts = render_parts([html])
    progress(85, "加上頁碼")
    pdf = assemble(
        parts, Stamp(header_left=title, header_right=f"產製日期 {roc_date(timezone.localdate())}", title=title)
    )
    progress(95, "儲存檔案")
    return pdf
