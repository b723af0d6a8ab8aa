"""The 附錄 roster as counties fill it: find the header, read every row, say what is wrong.

No database here: `estimate`, the import preview and the import itself all start from
`parse_roster`, so a file means the same thing everywhere. Each problem names the Excel
row, the column and the reason in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from budget import rules as engine
from portal.counties import COUNTIES, canonical_county
from portal.imports import cells
from portal.imports.cells import CellError
from portal.imports.kinds import Parse
from portal.imports.reader import Limits, Sheet, UnreadableFile, read_sheets
from portal.imports.table import Column, Layout, Problem, find_layout

# --- Columns ----------------------------------------------------------------------------

COLUMNS: tuple[Column, ...] = (
    Column("seq", "序號", required=False, aliases=("編號", "項次")),
    Column("level", "學制"),
    Column("code", "學校代碼"),
    Column("county", "縣市別", aliases=("縣市", "縣市名稱")),
    Column("ownership", "設立別", aliases=("公/私立",)),
    Column("affiliation", "附屬"),
    Column("area", "地區屬性"),
    Column("name", "學校全銜", aliases=("學校名稱",)),
    Column("classes", "班級數"),
    Column("max_class_size", "最大班級人數"),
    Column("teachers", "編制教師數"),
    Column("students", "學生數"),
    Column("req_carts", "申請補助充電車數"),
    Column("req_teacher_devices", "申請補助教師載具數"),
    Column("req_student_devices", "申請補助學生載具數"),
    Column("compliance", "符合", prefix=True, short="符合原則"),
)
ANCHORS = ("code", "level")
COUNTY_ORDER = {name: index for index, (_, name) in enumerate(COUNTIES)}
# A roster row's figures, named once: the 附錄's columns above and RosterRow's fields share
# these names. Every list of them (the import, the edit form, the list page, the snapshot,
# the export, the API) is built from these.
COUNT_KEYS = ("classes", "max_class_size", "teachers", "students")
REQUESTED_KEYS = ("req_carts", "req_teacher_devices", "req_student_devices")
ENTITLED_KEYS = ("entitled_carts", "entitled_teacher_devices", "entitled_student_devices")
# What the county may correct on one row (the entitlement follows from it).
EDITABLE_KEYS = ("area", *COUNT_KEYS, *REQUESTED_KEYS, "reason")
# Everything a row holds besides its school and level: what an import writes, a snapshot keeps.
ROW_FIGURES = ("name", "area", *COUNT_KEYS, *REQUESTED_KEYS, *ENTITLED_KEYS, "complies", "reason")
NO_HEADER = "找不到名單的標題列（需有「學制」與「學校代碼」等欄位），請使用教育部附錄格式"
NO_ROWS = "檔案中沒有任何學校資料列"
MISSING_HINT = "（請使用教育部附錄格式）"
# The largest county (高雄市) has 353 rows, the national roster 3,633: an operator's import
# of the whole country fits, a runaway file does not.
MAX_ROWS = 5_000


def header_texts(survey_year: int, rule_set: engine.RuleSet = engine.RULES_111) -> dict[str, str]:
    """The 附錄's header cells as the MOE template writes them (the export and the PDF write
    these), with the year's survey year and the rule set's class ratio."""
    per = rule_set.classes_per_device_class
    return {
        "seq": "序號",
        "level": "學制\n(國小、國中)",
        "code": "學校代碼",
        "county": "縣市別",
        "ownership": "設立別\n(公立、市立、私立)",
        "affiliation": "附屬\n(大學附屬、高中附屬、完全中學、國中小)",
        "area": "地區屬性\n(偏遠、非山非市、一般)",
        "name": "學校全銜",
        "classes": f"{survey_year}年\n班級數",
        "max_class_size": f"{survey_year}年\n最大班級人數",
        "teachers": f"{survey_year}年\n編制教師數",
        "students": f"{survey_year}年\n學生數",
        "req_carts": "申請補助\n充電車數",
        "req_teacher_devices": "申請補助\n教師載具數",
        "req_student_devices": "申請補助\n學生載具數",
        "compliance": f"符合偏遠學校師生1人1機、非偏遠學校每{per}班配發1班學習載具原則\n(是、填否者請說明原因)",
    }


EXAMPLE_SCHOOL_CODE = "999999"


# --- Results ----------------------------------------------------------------------------


@dataclass
class ParsedRow:
    excel_row: int
    seq: str = ""
    level: str = ""
    code: str = ""
    county: str = ""
    ownership: str = ""
    affiliation: str = ""
    area: str = ""
    name: str = ""
    # None until the row's numbers are all read (an invalid row shows blanks, not zeros).
    classes: int | None = None
    max_class_size: int | None = None
    teachers: int | None = None
    students: int | None = None
    requested: engine.Requested | None = None
    declared: bool | None = None
    """What the 符合原則 cell says (是 True, 否 False, blank None)."""
    reason: str = ""
    entitlement: engine.Entitlement | None = None
    complies: bool | None = None
    valid: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.level)

    @property
    def facts(self) -> engine.RowFacts:
        return engine.RowFacts(self.level, self.area, self.classes, self.max_class_size, self.teachers, self.students)


@dataclass
class RosterParse(Parse):
    survey_year: int | None = None

    @property
    def counties(self) -> list[str]:
        return sorted({row.county for row in self.rows if row.county}, key=COUNTY_ORDER.get)


# --- Cells ------------------------------------------------------------------------------

_LEVELS = {
    "國小": engine.ELEMENTARY,
    "國民小學": engine.ELEMENTARY,
    "小學": engine.ELEMENTARY,
    "國小部": engine.ELEMENTARY,
    "國中": engine.JUNIOR_HIGH,
    "國民中學": engine.JUNIOR_HIGH,
    "國中部": engine.JUNIOR_HIGH,
    "附設國中": engine.JUNIOR_HIGH,
}

_AREAS = {
    "偏遠": engine.AREA_REMOTE,
    "一般偏遠": engine.AREA_REMOTE,
    "特偏": engine.AREA_SPECIAL_REMOTE,
    "特殊偏遠": engine.AREA_SPECIAL_REMOTE,
    "極偏": engine.AREA_EXTREME_REMOTE,
    "極度偏遠": engine.AREA_EXTREME_REMOTE,
    "非山非市": engine.AREA_NEITHER,
    "一般": engine.AREA_GENERAL,
}

_OWNERSHIPS = {"公立", "市立", "縣立", "私立", "國立"}
_AFFILIATIONS = {"大學附屬", "高中附屬", "完全中學", "國中小"}
_BLANK_MARKS = {"", "-", "無", "—", "–"}


def _compliance(value) -> tuple[bool | None, str]:
    text = cells.text(value)
    if not text:
        return None, ""
    head, rest = text[0], text[1:]
    if head not in "是否":
        raise CellError(f"「{text}」應填「是」或「否」並說明原因")
    reason = rest.strip().lstrip("，,：:、;；。.()（）-— ").rstrip(")）").strip()
    return head == "是", reason


# --- The sheet --------------------------------------------------------------------------


def parse_roster(content: bytes, rule_set: engine.RuleSet, *, max_bytes: int) -> RosterParse:
    """Read a roster file. Never raises for a bad file: every problem is in `.errors`."""
    try:
        sheets = read_sheets(content, limits=Limits(max_bytes=max_bytes, max_rows=MAX_ROWS))
    except UnreadableFile as exc:
        return RosterParse(errors=[Problem(None, "", str(exc))])
    return parse_sheets(sheets, rule_set)


def parse_sheets(sheets: list[Sheet], rule_set: engine.RuleSet, *, survey_year: int | None = None) -> RosterParse:
    result = RosterParse()
    layout = find_layout(sheets, COLUMNS, anchors=ANCHORS, prefer="附錄")
    if not layout:
        result.errors.append(Problem(None, "", NO_HEADER))
        return result
    result.layout = layout
    result.survey_year = layout.years.pop() if len(layout.years) == 1 else None
    if layout.missing:
        result.errors.append(Problem(layout.header_row, "", f"缺少欄位：{'、'.join(layout.missing)}{MISSING_HINT}"))
        return result
    rows = sum(1 for number, _ in layout.sheet.rows if number > layout.header_row)
    if rows > MAX_ROWS:
        result.errors.append(
            Problem(None, "", f"檔案有 {rows:,} 列資料，超過名單每次匯入的上限 {MAX_ROWS:,} 列，請分檔上傳")
        )
        return result
    expected_year = rule_set.year - 1 if survey_year is None else survey_year
    if result.survey_year is not None and result.survey_year != expected_year:
        result.warnings.append(
            Problem(
                layout.header_row,
                "",
                f"欄位標題為 {result.survey_year} 年的資料，{rule_set.year} 年計畫應填 {expected_year} 年的資料",
            )
        )

    first_seen: dict[tuple[str, str], int] = {}
    school_county: dict[str, tuple[int, str]] = {}
    for number, row_cells in layout.rows():
        if _skip_row(row_cells):
            continue
        row, problems = _parse_row(number, row_cells, layout, rule_set)
        result.errors.extend(problems["errors"])
        result.warnings.extend(problems["warnings"])
        if row.code and row.level:
            earlier = first_seen.get(row.key)
            if earlier is not None:
                row.valid = False
                result.errors.append(
                    Problem(number, layout.where("code"), f"學校代碼 {row.code}（{row.level}）與第 {earlier} 列重複")
                )
            else:
                first_seen[row.key] = number
        if row.code and row.county:
            # A school's two 學制 rows may name it differently (附設國小部 / 附設國中部),
            # but it cannot lie in two counties.
            first_row, first_county = school_county.setdefault(row.code, (number, row.county))
            if first_county != row.county:
                row.valid = False
                result.errors.append(
                    Problem(
                        number,
                        layout.where("county"),
                        f"學校代碼 {row.code} 在第 {first_row} 列屬於{first_county}，本列卻是{row.county}",
                    )
                )
        result.rows.append(row)

    if not result.rows and not result.errors:
        result.errors.append(Problem(None, "", NO_ROWS))
    result.errors.sort(key=lambda p: p.row or 0)
    return result


def consistency_problems(classes: int, max_class_size: int, students: int) -> list[tuple[str, str]]:
    """The spec's consistency checks of one row, as (column key, reason) pairs."""
    problems = []
    if max_class_size > students:
        problems.append(("max_class_size", f"最大班級人數 {max_class_size} 大於學生數 {students}"))
    if classes == 0 and students > 0:
        problems.append(("classes", f"班級數為 0，學生數卻是 {students}"))
    elif max_class_size * classes < students:
        problems.append(("students", f"學生數 {students} 大於 班級數 {classes} × 最大班級人數 {max_class_size}"))
    return problems


def _skip_row(row_cells: dict) -> bool:
    seq = cells.text(row_cells.get("seq"))
    if seq == "範例" or cells.text(row_cells.get("code")) == EXAMPLE_SCHOOL_CODE:
        return True
    leading = [cells.text(row_cells.get(k)) for k in ("seq", "level", "code", "county")]
    if any(t.startswith(("合計", "總計", "小計")) for t in leading):
        return True
    # Notes under the table such as 「(表格不足處請自行增減)」 carry none of the row's keys.
    keys = ("level", "code", "county", "name", "classes", "students")
    return all(cells.text(row_cells.get(k)) == "" for k in keys)


def _parse_row(number: int, row_cells: dict, layout: Layout, rule_set: engine.RuleSet):
    errors: list[Problem] = []
    warnings: list[Problem] = []
    row = ParsedRow(excel_row=number, seq=cells.text(row_cells.get("seq")))

    def fail(key: str, message: str) -> None:
        row.valid = False
        errors.append(Problem(number, layout.where(key), message))

    def read(key, reader):
        try:
            return reader(row_cells.get(key))
        except CellError as exc:
            fail(key, str(exc))
            return None

    row.level = read("level", lambda v: cells.choice(v, _LEVELS, "國小或國中")) or ""
    row.code = read("code", cells.school_code) or ""
    county_text = cells.text(row_cells.get("county"))
    if not county_text:
        fail("county", "未填寫")
    else:
        row.county = canonical_county(county_text) or ""
        if not row.county:
            fail("county", f"「{county_text}」不是 22 個縣市之一")
    ownership = cells.text(row_cells.get("ownership")).replace(" ", "")
    if ownership in _OWNERSHIPS and ownership not in rule_set.ownerships_in_scope:
        # 實施對象: 「縣(市)政府所轄國民中小學」; a 國立 school is the MOE's, not the county's.
        fail(
            "ownership",
            engine.OUT_OF_SCOPE_NATIONAL if ownership == "國立" else f"{ownership}學校不列入本年度縣市計畫",
        )
    elif ownership in _OWNERSHIPS:
        row.ownership = ownership
    else:
        fail(
            "ownership",
            "未填寫" if not ownership else f"「{ownership}」不是可用的值（應為公立、市立、縣立、私立或國立）",
        )
    affiliation = cells.text(row_cells.get("affiliation")).replace(" ", "")
    if affiliation in _BLANK_MARKS:
        row.affiliation = ""
    elif affiliation in _AFFILIATIONS:
        row.affiliation = affiliation
    else:
        fail("affiliation", f"「{affiliation}」不是可用的值（應為大學附屬、高中附屬、完全中學、國中小或空白）")
    row.area = read("area", lambda v: cells.choice(v, _AREAS, "偏遠、特偏、極偏、非山非市或一般")) or ""
    row.name = cells.text(row_cells.get("name"))
    if not row.name:
        fail("name", "未填寫")

    counts = {key: read(key, cells.count) for key in COUNT_KEYS}
    requested = {key: read(key, lambda v: cells.count(v, allow_blank=True)) for key in REQUESTED_KEYS}
    declared, reason = None, ""
    try:
        declared, reason = _compliance(row_cells.get("compliance"))
    except CellError as exc:
        fail("compliance", str(exc))
    row.declared, row.reason = declared, reason

    if any(value is None for value in counts.values()):
        return row, {"errors": errors, "warnings": warnings}
    row.classes, row.max_class_size = counts["classes"], counts["max_class_size"]
    row.teachers, row.students = counts["teachers"], counts["students"]

    problems = consistency_problems(row.classes, row.max_class_size, row.students)
    for key, message in problems:
        fail(key, message)
    consistent = not problems

    filled = [key for key in REQUESTED_KEYS if cells.text(row_cells.get(key))]
    if filled and len(filled) < len(REQUESTED_KEYS):
        for key in REQUESTED_KEYS:
            if key not in filled:
                fail(key, "三個申請補助數須全部填寫（可填 0），或全部留白")
    elif filled and all(requested[key] is not None for key in REQUESTED_KEYS):
        row.requested = engine.Requested(*(requested[key] for key in REQUESTED_KEYS))

    if not row.level or not row.area or not consistent:
        return row, {"errors": errors, "warnings": warnings}

    row.entitlement = engine.entitle_row(row.facts, rule_set)
    row.complies = engine.complies(row.requested, row.entitlement)
    ent = row.entitlement
    if row.complies is False and declared is True:
        fail(
            "compliance",
            f"填「是」，但申請數（充電車 {row.requested.carts}、教師 {row.requested.teacher_devices}、"
            f"學生 {row.requested.student_devices}）與依原則計算之數（充電車 {ent.carts}、"
            f"教師 {ent.teacher_devices}、學生 {ent.student_devices}）不符",
        )
    elif row.complies is False and not reason:
        warnings.append(
            Problem(number, layout.where("compliance"), "申請數與原則不符，請填「否」並說明原因（送審前須補齊）")
        )
    elif row.complies is True and declared is False:
        warnings.append(Problem(number, layout.where("compliance"), "申請數與原則相符，將記為「是」"))
    if row.complies is not False:
        row.reason = "" if row.complies else row.reason
    return row, {"errors": errors, "warnings": warnings}


# --- What the estimate command prints ---------------------------------------------------


def estimate_report(rows: Iterable[ParsedRow], rule_set: engine.RuleSet) -> dict:
    """Rows in file order, then per county (in the order counties first appear), then totals."""
    row_objects = []
    per_county: dict[str, list[engine.RosterEntry]] = {}
    for row in rows:
        ent = row.entitlement
        row_objects.append(
            {
                "row": row.excel_row,
                "code": row.code,
                "level": row.level,
                "county": row.county,
                "area": row.area,
                "remote": ent.remote,
                "carts": ent.carts,
                "teacher_devices": ent.teacher_devices,
                "student_devices": ent.student_devices,
                "complies": row.complies,
            }
        )
        per_county.setdefault(row.county, []).append(engine.RosterEntry(row.code, row.facts))

    counties = []
    for county, entries in per_county.items():
        totals = engine.county_totals(entries, rule_set)
        staff = engine.entitled_staffing(totals.schools, rule_set)
        counties.append(
            {
                "county": county,
                "schools": totals.schools,
                "carts": totals.carts,
                "teacher_devices": totals.teacher_devices,
                "student_devices": totals.student_devices,
                "staffing": {
                    "counselors": staff.counselors,
                    "it": staff.it_staff,
                    "admin": staff.admin_staff,
                    "amount_ntd": staff.amount_ntd,
                },
                "operating_fee_ntd": engine.operating_fee(totals.schools, rule_set),
            }
        )

    def total(key):
        return sum(c[key] for c in counties)

    teacher_devices, student_devices, carts = total("teacher_devices"), total("student_devices"), total("carts")
    totals = {
        "schools": total("schools"),
        "carts": carts,
        "teacher_devices": teacher_devices,
        "student_devices": student_devices,
        "staffing": {
            key: sum(c["staffing"][key] for c in counties) for key in ("counselors", "it", "admin", "amount_ntd")
        },
        "operating_fee_ntd": total("operating_fee_ntd"),
        "device_amount_ntd": (teacher_devices + student_devices) * rule_set.device_unit_price,
        "cart_amount_ntd": carts * rule_set.cart_unit_price,
    }
    return {"rows": row_objects, "counties": counties, "totals": totals}
