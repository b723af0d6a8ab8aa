"""The roster written back in the MOE's 附錄 layout: title rows, the template's wrapped
headers, the 範例 row, the data, and a 合計 row. What this writes, `parse_roster` reads
back unchanged."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from budget import rules as engine
from portal.downloads import safe_text
from schools.roster_format import COLUMNS, COUNT_KEYS, REQUESTED_KEYS, header_texts

PROGRAMME_TITLE = "「推動中小學數位學習精進方案」"
EXAMPLE_RECORD = {
    "seq": "範例",
    "level": "國小",
    "code": "999999",
    "county": "○○市",
    "ownership": "市立",
    "affiliation": "高中附屬",
    "area": "一般",
    "name": "○○市○○區○○國民小學",
    "classes": 20,
    "max_class_size": 28,
    "teachers": 37,
    "students": 516,
    "req_carts": 4,
    "req_teacher_devices": 8,
    "req_student_devices": 112,
    "compliance": "是",
}
# The 合計 row adds counts up; the largest class of one school is not a sum of anything.
SUM_KEYS = tuple(key for key in COUNT_KEYS + REQUESTED_KEYS if key != "max_class_size")
_WIDTHS = {
    "seq": 6,
    "level": 7,
    "code": 9,
    "county": 8,
    "ownership": 8,
    "affiliation": 11,
    "area": 9,
    "name": 30,
    "compliance": 30,
}


# 附錄 record key -> the RosterRow lookup it is read from.
RECORD_FIELDS = {
    "level": "level",
    "code": "school__code",
    "county": "school__county__name",
    "ownership": "school__ownership",
    "affiliation": "school__affiliation",
    "area": "area",
    "name": "name",
    **{key: key for key in COUNT_KEYS + REQUESTED_KEYS},
}


def roster_export_records(rows) -> list[dict]:
    """Roster rows as 附錄 records (dicts keyed like roster_format.COLUMNS), in one query."""
    records = []
    for values in rows.values(*RECORD_FIELDS.values(), "complies", "reason"):
        record = {key: values[lookup] for key, lookup in RECORD_FIELDS.items()}
        record["compliance"] = compliance_text(values["complies"], values["reason"])
        records.append(record)
    return records


def compliance_text(complies: bool | None, reason: str) -> str:
    if complies is None:
        return ""
    if complies:
        return "是"
    return f"否，{reason}" if reason else "否"


def write_roster_workbook(
    records: Iterable[dict],
    *,
    plan_year: int,
    county_label: str,
    survey_year: int | None = None,
    rule_set: engine.RuleSet | None = None,
) -> bytes:
    """The 附錄 workbook for `records` (dicts keyed like roster_format.COLUMNS)."""
    workbook = Workbook()
    fill_roster_sheet(
        workbook.active,
        records,
        plan_year=plan_year,
        county_label=county_label,
        survey_year=survey_year,
        rule_set=rule_set,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_roster_sheet(
    sheet,
    records: Iterable[dict],
    *,
    plan_year: int,
    county_label: str,
    survey_year: int | None = None,
    rule_set: engine.RuleSet | None = None,
    requested_totals: dict[str, int] | None = None,
) -> int:
    """Write the 附錄 layout into `sheet`; returns the number of data rows.

    The header names the survey year (the plan year's, default plan year - 1) and the rule
    set's class ratio. `requested_totals` (the plan's 附錄 sums, a blank row counting its
    entitlement) replaces the 合計 of the requested columns, with a note saying so."""
    keys = [column.key for column in COLUMNS]
    headers = header_texts(plan_year - 1 if survey_year is None else survey_year, rule_set or engine.RULES_111)
    sheet.title = "附錄"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last_letter = get_column_letter(len(keys))

    sheet.append([PROGRAMME_TITLE])
    sheet.append([f"{plan_year}年{county_label}國民中小學名單"])
    for row_number in (1, 2):
        sheet.merge_cells(f"A{row_number}:{last_letter}{row_number}")
        cell = sheet.cell(row=row_number, column=1)
        cell.font = Font(bold=True, size=14)
        cell.alignment = Alignment(horizontal="center")

    sheet.append([headers[key] for key in keys])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = border
    sheet.row_dimensions[header_row].height = 75

    sheet.append([EXAMPLE_RECORD[key] for key in keys])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(italic=True, color="808080")

    sums = dict.fromkeys(SUM_KEYS, 0)
    first_data_row = sheet.max_row + 1
    for seq, record in enumerate(records, start=1):
        values = dict(record)
        values["seq"] = seq
        if "compliance" not in values:
            values["compliance"] = compliance_text(values.get("complies"), values.get("reason", ""))
        for key in SUM_KEYS:
            if isinstance(values.get(key), int):
                sums[key] += values[key]
        sheet.append([safe_text(values.get(key)) for key in keys])
    last_data_row = sheet.max_row

    blanks_counted = False
    if requested_totals is not None:
        for key in REQUESTED_KEYS:
            blanks_counted = blanks_counted or requested_totals[key] != sums[key]
            sums[key] = requested_totals[key]
    total_row = ["合計", *[None] * (len(keys) - 1)]
    for index, key in enumerate(keys):
        if key in SUM_KEYS:
            total_row[index] = sums[key]
    sheet.append(total_row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append(["(表格不足處請自行增減)"])
    if blanks_counted:
        sheet.append(["註：未填申請補助數之學校，以依原則計算之補助數計入合計。"])

    code_column = keys.index("code") + 1
    number_columns = [keys.index(key) + 1 for key in SUM_KEYS]
    for row in sheet.iter_rows(min_row=first_data_row - 1, max_row=last_data_row + 1):
        for cell in row:
            cell.border = border
            if cell.column == code_column:
                cell.number_format = "@"
            elif cell.column in number_columns:
                cell.number_format = "#,##0"
            elif cell.column == len(keys):
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    for index, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(key, 10)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return last_data_row - first_data_row + 1
