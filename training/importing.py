"""The attendance sheet: one row a teacher who completed a session.

Columns (header row anywhere in the first 30 rows, any order): 研習代碼, 學校代碼,
教師識別碼, 姓名 (optional). `parse_attendance` reads the file without the database;
`check_attendance` then looks up the sessions and schools once for the whole file, so the
number of queries does not grow with the rows. Problems use the roster's `Problem`
(Excel row, column, reason in Chinese) and its shared error table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from schools.roster_format import CellError, Problem, _school_code, _text
from schools.workbook import HEADER_SCAN_ROWS, UnreadableFile, read_sheets
from training.models import teacher_code_problem


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("session", "研習代碼", True, ("場次代碼", "研習場次代碼")),
    Column("school", "學校代碼", True),
    Column("teacher", "教師識別碼", True, ("教師代碼", "識別碼", "教師編號")),
    Column("name", "姓名", False, ("教師姓名",)),
)
HEADERS = tuple(c.label for c in COLUMNS)


@dataclass
class AttendanceRow:
    excel_row: int
    session_code: str
    school_code: str
    teacher_code: str
    name: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.session_code, self.school_code, self.teacher_code)


@dataclass
class AttendanceParse:
    sheet_name: str = ""
    rows: list[AttendanceRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def where(self, key: str) -> str:
        label = next(c.label for c in COLUMNS if c.key == key)
        letter = self.letters.get(key)
        return f"{label}（{letter} 欄）" if letter else label


def _header(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _match(text: str) -> str | None:
    for column in COLUMNS:
        if text == column.label or text in column.aliases:
            return column.key
    return None


def parse_attendance(content: bytes, *, max_bytes: int) -> AttendanceParse:
    """Never raises for a bad file: every problem is in `.errors`."""
    result = AttendanceParse()
    try:
        sheets = list(read_sheets(content, max_bytes=max_bytes))
    except UnreadableFile as exc:
        result.errors.append(Problem(None, "", str(exc)))
        return result
    layout, header_row, chosen = None, None, None
    for sheet in sheets:
        for number, values in sheet.rows[:HEADER_SCAN_ROWS]:
            found: dict[str, int] = {}
            for index, value in enumerate(values):
                key = _match(_header(value))
                if key and key not in found:
                    found[key] = index
            if len(found) >= 2 or ("teacher" in found):
                layout, header_row, chosen = found, number, sheet
                break
        if layout:
            break
    if not layout:
        result.errors.append(
            Problem(None, "", f"找不到標題列：第一列須有「{'」「'.join(HEADERS[:3])}」欄位（「姓名」可省略）")
        )
        return result
    result.sheet_name = chosen.name
    result.letters = {key: get_column_letter(index + 1) for key, index in layout.items()}
    missing = [c.label for c in COLUMNS if c.required and c.key not in layout]
    if missing:
        result.errors.append(Problem(header_row, "", f"缺少欄位：{'、'.join(missing)}"))
        return result

    first_seen: dict[tuple[str, str, str], int] = {}
    for number, values in chosen.rows:
        if number <= header_row:
            continue

        def cell(key, values=values):
            index = layout.get(key)
            return values[index] if index is not None and index < len(values) else None

        session_code = _text(cell("session"))
        teacher_code = _text(cell("teacher"))
        name = _text(cell("name"))
        raw_school = cell("school")
        if not session_code and not teacher_code and not _text(raw_school):
            continue
        valid = True
        if not session_code:
            result.errors.append(Problem(number, result.where("session"), "未填寫"))
            valid = False
        try:
            school_code = _school_code(raw_school)
        except CellError as exc:
            result.errors.append(Problem(number, result.where("school"), str(exc)))
            school_code, valid = "", False
        problem = teacher_code_problem(teacher_code)
        if problem:
            result.errors.append(Problem(number, result.where("teacher"), problem))
            valid = False
        if len(name) > 50:
            result.errors.append(Problem(number, result.where("name"), "姓名超過 50 個字"))
            valid = False
        if not valid:
            continue
        row = AttendanceRow(number, session_code, school_code, teacher_code, name)
        earlier = first_seen.get(row.key)
        if earlier is not None:
            result.errors.append(
                Problem(
                    number,
                    result.where("teacher"),
                    f"與第 {earlier} 列重複（同一場次 {session_code}、學校 {school_code}、教師 {teacher_code}）",
                )
            )
            continue
        first_seen[row.key] = number
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(Problem(None, "", "檔案中沒有任何參加紀錄"))
    return result
