"""The 附錄 roster as counties fill it: find the header, read every row, say what is wrong.

No database here: `estimate`, the import preview and the import itself all start from
`parse_roster`, so a file means the same thing everywhere. Each problem names the Excel
row, the column and the reason in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from budget import rules as engine
from schools.counties import COUNTIES, canonical_county
from schools.workbook import HEADER_SCAN_ROWS, Sheet, UnreadableFile, read_sheets

# --- Columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    """How the 附錄 header reads once brackets and the survey year are taken off."""
    required: bool = True
    aliases: tuple[str, ...] = ()
    prefix: bool = False
    """Match any header that starts with the label (the long 符合…原則 header)."""


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
    Column("compliance", "符合", prefix=True),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COUNTY_ORDER = {name: index for index, (_, name) in enumerate(COUNTIES)}
COUNT_KEYS = ("classes", "max_class_size", "teachers", "students")
REQUESTED_KEYS = ("req_carts", "req_teacher_devices", "req_student_devices")


def header_texts(survey_year: int) -> dict[str, str]:
    """The 附錄's header cells as the MOE template writes them (the export writes these)."""
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
        "compliance": "符合偏遠學校師生1人1機、非偏遠學校每6班配發1班學習載具原則\n(是、填否者請說明原因)",
    }


EXAMPLE_SCHOOL_CODE = "999999"

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_SURVEY_YEAR = re.compile(r"^(\d{2,3})年")
_SPACES = re.compile(r"\s+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normalize_header(value) -> tuple[str, int | None]:
    """(the bare header, the survey year it states) - '110年\\n最大班級人數' -> ('最大班級人數', 110)."""
    if value is None:
        return "", None
    text = _SPACES.sub("", _nfkc(str(value)))
    text = _BRACKETED.sub("", text)
    match = _SURVEY_YEAR.match(text)
    year = int(match.group(1)) if match else None
    if match:
        text = text[match.end() :]
    return text, year


def _match_column(header: str) -> Column | None:
    if not header:
        return None
    for column in COLUMNS:
        if column.prefix and header.startswith(column.label):
            return column
        if header == column.label or header in column.aliases:
            return column
    return None


# --- Results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int | None
    """Excel row number; None for a problem of the whole file."""
    column: str
    """The column's label and letter, e.g. '最大班級人數（J 欄）'; '' for the whole row."""
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 列" if self.row else "檔案"
        column = f"，{self.column}" if self.column else ""
        return f"{where}{column}：{self.message}"


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
class RosterParse:
    sheet_name: str = ""
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    survey_year: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counties(self) -> list[str]:
        return sorted({row.county for row in self.rows if row.county}, key=COUNTY_ORDER.get)


# --- Cells ------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _nfkc(str(value)).strip()
    # Our own export prefixes an apostrophe to text that a spreadsheet would run as a formula.
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text


def _count(value, *, allow_blank: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_blank:
            return None
        raise CellError("未填寫")
    if isinstance(value, bool):
        raise CellError(f"「{value}」不是數字")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"「{value:g}」不是整數")
        number = int(value)
    else:
        text = _text(value).replace(",", "")
        if re.fullmatch(r"-?\d+", text):
            number = int(text)
        elif re.fullmatch(r"-?\d+\.\d+", text):
            raise CellError(f"「{text}」不是整數")
        else:
            raise CellError(f"「{_text(value)}」不是數字")
    if number < 0:
        raise CellError(f"不可為負數（填了 {number}）")
    return number


def _school_code(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("未填寫")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel drops leading zeros of a code typed as a number: 14630 was 014630.
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"「{value:g}」不是學校代碼")
        number = int(value)
        if not 0 <= number <= 999_999:
            raise CellError(f"「{number}」不是 6 碼的學校代碼")
        return f"{number:06d}"
    code = _text(value).upper()
    if not re.fullmatch(r"[0-9A-Z]{6}", code):
        hint = "（若 Excel 去掉了開頭的 0，請把這欄設為文字格式）" if code.isdigit() and len(code) < 6 else ""
        raise CellError(f"「{code}」不是 6 碼的學校代碼{hint}")
    return code


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


def _choice(value, mapping: dict[str, str], allowed: str) -> str:
    text = _text(value).replace(" ", "")
    if not text:
        raise CellError("未填寫")
    try:
        return mapping[text]
    except KeyError:
        raise CellError(f"「{text}」不是可用的值（應為{allowed}）") from None


def _compliance(value) -> tuple[bool | None, str]:
    text = _text(value)
    if not text:
        return None, ""
    head, rest = text[0], text[1:]
    if head not in "是否":
        raise CellError(f"「{text}」應填「是」或「否」並說明原因")
    reason = rest.strip().lstrip("，,：:、;；。.()（）-— ").rstrip(")）").strip()
    return head == "是", reason


# --- The sheet --------------------------------------------------------------------------


@dataclass
class _Layout:
    header_row: int
    columns: dict[str, int]  # key -> 0-based column index
    letters: dict[str, str]
    survey_year: int | None


def _find_layout(sheet: Sheet) -> tuple[_Layout | None, list[str]]:
    """The header row: the first row (of the first 30) that names 學校代碼 and 學制."""
    for number, values in sheet.rows[:HEADER_SCAN_ROWS]:
        headers = [normalize_header(v) for v in values]
        matched: dict[str, int] = {}
        years = set()
        for index, (text, year) in enumerate(headers):
            column = _match_column(text)
            if column and column.key not in matched:
                matched[column.key] = index
                if year is not None:
                    years.add(year)
        if "code" in matched and "level" in matched:
            # A header may continue on the next row ("(國小、國中)" under 學制): ignore it.
            missing = [c.label for c in COLUMNS if c.required and c.key not in matched]
            letters = {key: get_column_letter(index + 1) for key, index in matched.items()}
            survey_year = years.pop() if len(years) == 1 else None
            return _Layout(number, matched, letters, survey_year), missing
    return None, []


def parse_roster(content: bytes, rule_set: engine.RuleSet, *, max_bytes: int) -> RosterParse:
    """Read a roster file. Never raises for a bad file: every problem is in `.errors`."""
    result = RosterParse()
    try:
        sheets = list(read_sheets(content, max_bytes=max_bytes))
    except UnreadableFile as exc:
        result.errors.append(Problem(None, "", str(exc)))
        return result

    layout = missing = chosen = None
    for sheet in sorted(sheets, key=lambda s: "附錄" not in s.name):
        layout, missing = _find_layout(sheet)
        if layout:
            chosen = sheet
            break
    if not layout:
        result.errors.append(
            Problem(None, "", "找不到名單的標題列（需有「學制」與「學校代碼」等欄位），請使用教育部附錄格式")
        )
        return result
    result.sheet_name = chosen.name
    result.survey_year = layout.survey_year
    if missing:
        result.errors.append(Problem(layout.header_row, "", f"缺少欄位：{'、'.join(missing)}（請使用教育部附錄格式）"))
        return result
    expected_year = rule_set.year - 1
    if layout.survey_year is not None and layout.survey_year != expected_year:
        result.warnings.append(
            Problem(
                layout.header_row,
                "",
                f"欄位標題為 {layout.survey_year} 年的資料，{rule_set.year} 年計畫應填 {expected_year} 年的資料",
            )
        )

    first_seen: dict[tuple[str, str], int] = {}
    school_county: dict[str, tuple[int, str]] = {}
    for number, values in chosen.rows:
        if number <= layout.header_row:
            continue
        cells = {key: (values[i] if i < len(values) else None) for key, i in layout.columns.items()}
        if _skip_row(cells):
            continue
        row, problems = _parse_row(number, cells, layout, rule_set)
        result.errors.extend(problems["errors"])
        result.warnings.extend(problems["warnings"])
        if row.code and row.level:
            earlier = first_seen.get(row.key)
            if earlier is not None:
                row.valid = False
                result.errors.append(
                    Problem(number, _where("code", layout), f"學校代碼 {row.code}（{row.level}）與第 {earlier} 列重複")
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
                        _where("county", layout),
                        f"學校代碼 {row.code} 在第 {first_row} 列屬於{first_county}，本列卻是{row.county}",
                    )
                )
        result.rows.append(row)

    if not result.rows and not result.errors:
        result.errors.append(Problem(None, "", "檔案中沒有任何學校資料列"))
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


def _skip_row(cells: dict) -> bool:
    seq = _text(cells.get("seq"))
    if seq == "範例" or _text(cells.get("code")) == EXAMPLE_SCHOOL_CODE:
        return True
    leading = [_text(cells.get(k)) for k in ("seq", "level", "code", "county")]
    if any(t.startswith(("合計", "總計", "小計")) for t in leading):
        return True
    # Notes under the table such as 「(表格不足處請自行增減)」 carry none of the row's keys.
    keys = ("level", "code", "county", "name", "classes", "students")
    return all(_text(cells.get(k)) == "" for k in keys)


def _where(key: str, layout: _Layout) -> str:
    return f"{COLUMN_BY_KEY[key].label if key != 'compliance' else '符合原則'}（{layout.letters[key]} 欄）"


def _parse_row(number: int, cells: dict, layout: _Layout, rule_set: engine.RuleSet):
    errors: list[Problem] = []
    warnings: list[Problem] = []
    row = ParsedRow(excel_row=number, seq=_text(cells.get("seq")))

    def fail(key: str, message: str) -> None:
        row.valid = False
        errors.append(Problem(number, _where(key, layout), message))

    def read(key, reader):
        try:
            return reader(cells.get(key))
        except CellError as exc:
            fail(key, str(exc))
            return None

    row.level = read("level", lambda v: _choice(v, _LEVELS, "國小或國中")) or ""
    row.code = read("code", _school_code) or ""
    county_text = _text(cells.get("county"))
    if not county_text:
        fail("county", "未填寫")
    else:
        row.county = canonical_county(county_text) or ""
        if not row.county:
            fail("county", f"「{county_text}」不是 22 個縣市之一")
    ownership = _text(cells.get("ownership")).replace(" ", "")
    if ownership in _OWNERSHIPS:
        row.ownership = ownership
    else:
        fail(
            "ownership",
            "未填寫" if not ownership else f"「{ownership}」不是可用的值（應為公立、市立、縣立、私立或國立）",
        )
    affiliation = _text(cells.get("affiliation")).replace(" ", "")
    if affiliation in _BLANK_MARKS:
        row.affiliation = ""
    elif affiliation in _AFFILIATIONS:
        row.affiliation = affiliation
    else:
        fail("affiliation", f"「{affiliation}」不是可用的值（應為大學附屬、高中附屬、完全中學、國中小或空白）")
    row.area = read("area", lambda v: _choice(v, _AREAS, "偏遠、特偏、極偏、非山非市或一般")) or ""
    row.name = _text(cells.get("name"))
    if not row.name:
        fail("name", "未填寫")

    counts = {key: read(key, _count) for key in COUNT_KEYS}
    requested = {key: read(key, lambda v: _count(v, allow_blank=True)) for key in REQUESTED_KEYS}
    declared, reason = None, ""
    try:
        declared, reason = _compliance(cells.get("compliance"))
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

    filled = [key for key in REQUESTED_KEYS if _text(cells.get(key))]
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
            Problem(number, _where("compliance", layout), "申請數與原則不符，請填「否」並說明原因（送審前須補齊）")
        )
    elif row.complies is True and declared is False:
        warnings.append(Problem(number, _where("compliance", layout), "申請數與原則相符，將記為「是」"))
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
