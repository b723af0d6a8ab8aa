"""The usage-hours file (學習平臺使用時數) as schools and counties fill it, read without the database.

One row per school, month and platform:

    學校代碼 | 月份 | 平臺 | 使用時數 | 活躍學生數 | 活躍載具數   (學校名稱 may be there; it is ignored)

月份 is 111年3月, 111/03, 11103, 2022-03 or a date cell. Every problem names the row, the
column and the reason in Chinese; nothing is refused halfway (all rows are read).
The same header is the layout of the CSV export (`USAGE_EXPORT_HEADERS` adds the county).
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openpyxl.utils import get_column_letter

from budget import rules as engine
from portal.roc import ROC_OFFSET
from schools.roster_format import CellError, Problem, _school_code, _text
from schools.workbook import HEADER_SCAN_ROWS, UnreadableFile, read_sheets

MAX_ROWS = 250_000
COLUMNS = (
    ("code", "學校代碼", ("學校代號",)),
    ("month", "月份", ("年月", "填報月份")),
    ("platform", "平臺", ("平台", "數位學習平臺", "數位學習平台", "平臺名稱", "平台名稱")),
    ("hours", "使用時數", ("時數", "使用時數(小時)")),
    ("active_students", "活躍學生數", ("使用學生數",)),
    ("active_devices", "活躍載具數", ("使用載具數",)),
)
LABELS = {key: label for key, label, _ in COLUMNS}
TEMPLATE_HEADERS = ("學校代碼", "學校名稱", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數")
HOURS_STEP = Decimal("0.1")


@dataclass
class UsageRow:
    excel_row: int
    code: str = ""
    month: datetime.date | None = None
    platform: str = ""
    hours: Decimal | None = None
    active_students: int | None = None
    active_devices: int | None = None
    valid: bool = True

    @property
    def key(self) -> tuple[str, datetime.date | None, str]:
        return (self.code, self.month, self.platform)


@dataclass
class UsageParse:
    rows: list[UsageRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header(value) -> str:
    return re.sub(r"\s+", "", _text(value))


_MONTH_PATTERNS = (
    re.compile(r"^(\d{2,4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{2,4})[/.-](\d{1,2})(?:[/.-]\d{1,2})?$"),
    re.compile(r"^(\d{3})(\d{2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def parse_month(value) -> datetime.date:
    """111年3月, 111/03, 11103, 2022-03, 202203 or a date -> the month's first day."""
    if isinstance(value, datetime.datetime | datetime.date):
        return datetime.date(value.year, value.month, 1)
    text = _text(value).replace(" ", "")
    if not text:
        raise CellError("未填寫")
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if year < 1000:
                year += ROC_OFFSET
            if 1 <= month <= 12:
                return datetime.date(year, month, 1)
    raise CellError(f"「{text}」不是月份（請寫 111年3月 或 111/03）")


def _count(value) -> int:
    text = _text(value).replace(",", "")
    if not text:
        raise CellError("未填寫")
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
        raise CellError(f"「{text}」不是整數")
    number = int(text)
    if number < 0:
        raise CellError(f"不可為負數（填了 {number}）")
    return number


def _hours(value) -> Decimal:
    text = _text(value).replace(",", "")
    if not text:
        raise CellError("未填寫")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"「{text}」不是數字") from None
    if not number.is_finite():
        raise CellError(f"「{text}」不是數字")
    if number < 0:
        raise CellError(f"不可為負數（填了 {text}）")
    return number.quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def hours_in_month(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1] * 24


def _rows_of(content: bytes, max_bytes: int) -> list[tuple[int, tuple]]:
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        sheets = list(read_sheets(content, max_bytes=max_bytes))
        # The first sheet with a header wins; a template's 說明 sheet comes after the data.
        for sheet in sheets:
            if _find_header(sheet.rows) is not None:
                return sheet.rows
        return sheets[0].rows if sheets else []
    if not content:
        raise UnreadableFile("檔案是空的")
    if len(content) > max_bytes:
        raise UnreadableFile(f"檔案太大（{len(content):,} 位元組），上限為 {max_bytes:,} 位元組")
    for encoding in ("utf-8-sig", "cp950"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("檔案不是 Excel 活頁簿（.xlsx），也不是 UTF-8 或 Big5 編碼的 CSV 檔")
    if "\x00" in text:
        raise UnreadableFile("檔案不是 Excel 活頁簿（.xlsx），也不是 CSV 檔")
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > MAX_ROWS:
                raise UnreadableFile(f"檔案超過 {MAX_ROWS:,} 列，請分檔上傳")
            if any(v.strip() for v in values):
                rows.append((number, tuple(values[:20])))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 檔格式錯誤：{exc}") from None
    return rows


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    for position, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for index, value in enumerate(values):
            header = _header(value)
            for key, label, aliases in COLUMNS:
                if key not in found and (header == label or header in aliases):
                    found[key] = index
        if "code" in found and "month" in found:
            return position, found
    return None


def parse_usage(
    content: bytes,
    rule_set: engine.RuleSet,
    *,
    months: list[datetime.date],
    max_bytes: int,
) -> UsageParse:
    """Read a usage file. Never raises for a bad file: every problem is in `.errors`."""
    result = UsageParse()
    try:
        rows = _rows_of(content, max_bytes)
    except UnreadableFile as exc:
        result.errors.append(Problem(None, "", str(exc)))
        return result
    located = _find_header(rows)
    if located is None:
        result.errors.append(Problem(None, "", "找不到標題列：前 30 列中須有「學校代碼」與「月份」欄"))
        return result
    position, columns = located
    missing = [label for key, label, _ in COLUMNS if key not in columns]
    if missing:
        result.errors.append(Problem(rows[position][0], "", f"缺少欄位：{'、'.join(missing)}"))
        return result
    where = {key: f"{LABELS[key]}（{get_column_letter(index + 1)} 欄）" for key, index in columns.items()}
    seen: dict[tuple, int] = {}
    errors = result.errors
    readers = (
        ("code", _school_code),
        ("month", parse_month),
        ("platform", _platform),
        ("hours", _hours),
        ("active_students", _count),
        ("active_devices", _count),
    )
    for number, values in rows[position + 1 :]:
        row = UsageRow(excel_row=number)
        for key, reader in readers:
            index = columns[key]
            try:
                setattr(row, key, reader(values[index] if index < len(values) else None))
            except CellError as exc:
                errors.append(Problem(number, where[key], str(exc)))
                row.valid = False
        for column, message in row_problems(row, rule_set=rule_set, months=months):
            errors.append(Problem(number, where[column], message))
            row.valid = False
        if row.valid:
            earlier = seen.get(row.key)
            if earlier is not None:
                errors.append(Problem(number, "", f"與第 {earlier} 列重複（同一學校、月份、平臺只能填一列）"))
                row.valid = False
            else:
                seen[row.key] = number
        result.rows.append(row)
    if not result.rows and not errors:
        errors.append(Problem(None, "", "檔案中沒有任何資料列"))
    return result


def _platform(value) -> str:
    text = _text(value)
    if not text:
        raise CellError("未填寫")
    return text


def _roc(month: datetime.date) -> str:
    return f"{month.year - ROC_OFFSET}年{month.month}月"


def row_problems(row: UsageRow, *, rule_set: engine.RuleSet, months: list[datetime.date]) -> list[tuple[str, str]]:
    """(column key, reason) for what a row's own figures make impossible; the form checks the same."""
    problems = []
    if row.platform and row.platform not in rule_set.usage_platforms:
        names = "、".join(rule_set.usage_platforms)
        problems.append(("platform", f"「{row.platform}」不是本年度的平臺（{names}）"))
    if row.month is not None and row.month not in months:
        period = f"{_roc(months[0])}至{_roc(months[-1])}" if months else "未設定"
        problems.append(("month", f"{_roc(row.month)}不在計畫期程（{period}）內"))
    if row.hours is not None and row.active_devices is not None and row.month is not None:
        ceiling = row.active_devices * hours_in_month(row.month)
        if row.hours > ceiling:
            problems.append(
                (
                    "hours",
                    f"使用時數 {row.hours:,} 超過活躍載具數 {row.active_devices:,} 臺 x 當月 "
                    f"{hours_in_month(row.month)} 小時 = {ceiling:,} 小時，不可能",
                )
            )
    return problems
