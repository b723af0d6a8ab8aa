"""A serial list as counties and vendors hand it over: find the header, read every row,
say what is wrong with it. No database here (the preview adds what only the database
knows: batches, schools, serials already registered, blocked brands).

Each problem names the Excel row, the column and the reason in Chinese, exactly like the
roster import (schools.roster_format.Problem, templates/imports/_problems.html).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from devices.models import DeviceStatus, DeviceUse
from portal.roc import parse_roc_date
from schools.roster_format import CellError, Problem, _text, normalize_header
from schools.roster_format import _school_code as roster_school_code
from schools.workbook import HEADER_SCAN_ROWS, UnreadableFile, read_sheets


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = True
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("serial", "產品序號", aliases=("序號", "機身序號", "s/n", "sn", "serial", "serialnumber")),
    Column("tender", "採購案號", aliases=("案號", "標案案號")),
    Column("school", "學校代碼", required=False),
    Column("use", "用途", required=False, aliases=("使用對象", "教師/學生")),
    Column("asset_tag", "財產編號", required=False, aliases=("財產號",)),
    Column("status", "狀態", required=False, aliases=("載具狀態",)),
    Column("delivered_on", "到校日期", required=False, aliases=("交貨日期", "配發日期")),
    Column("mdm_enrolled_on", "mdm註冊日期", required=False, aliases=("mdm日期", "mdm納管日期")),
    Column("brand", "廠牌", required=False, aliases=("品牌",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER_TEXTS = {
    "serial": "產品序號",
    "tender": "採購案號",
    "school": "學校代碼",
    "use": "用途（教師／學生）",
    "asset_tag": "財產編號",
    "status": "狀態",
    "delivered_on": "到校日期",
    "mdm_enrolled_on": "MDM註冊日期",
    "brand": "廠牌",
}

_USES = {"教師": DeviceUse.TEACHER, "教師用": DeviceUse.TEACHER, "學生": DeviceUse.STUDENT, "學生用": DeviceUse.STUDENT}
_STATUSES = {label: value for value, label in DeviceStatus.choices}
MAX_SERIAL = 60


@dataclass
class ParsedDevice:
    excel_row: int
    serial: str = ""
    tender: str = ""
    school: str = ""
    use: str = DeviceUse.STUDENT
    asset_tag: str = ""
    status: str = ""
    delivered_on: datetime.date | None = None
    mdm_enrolled_on: datetime.date | None = None
    brand: str = ""
    valid: bool = True


@dataclass
class DeviceParse:
    sheet_name: str = ""
    rows: list[ParsedDevice] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def where(self, key: str) -> str:
        return f"{HEADER_TEXTS[key].split('（')[0]}（{self.letters[key]} 欄）" if key in self.letters else ""


def _key_text(value) -> str:
    """Serials and codes: width folded, spaces dropped, upper case (ＡＢ １２ -> AB12)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).upper()


def _date(value) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    try:
        return parse_roc_date(str(value))
    except ValueError:
        # parse_roc_date's own message for a text that is no date; date() speaks English for 111/13/40.
        raise CellError(f"「{value}」不是有效的日期（請用 111/09/05 或 111年9月5日）") from None


def _school_code(value) -> str:
    """Blank: the device stays in the county's stock; otherwise read as the roster reads codes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return roster_school_code(value)


def _match(header: str) -> Column | None:
    text = header.casefold()
    for column in COLUMNS:
        if text == column.label.casefold() or text in column.aliases:
            return column
    return None


def parse_devices(content: bytes, *, max_bytes: int) -> DeviceParse:
    """Read a serial list. Never raises for a bad file: every problem is in `.errors`."""
    result = DeviceParse()
    try:
        sheets = list(read_sheets(content, max_bytes=max_bytes))
    except UnreadableFile as exc:
        result.errors.append(Problem(None, "", str(exc)))
        return result

    layout = None
    for sheet in sheets:
        for number, values in sheet.rows[:HEADER_SCAN_ROWS]:
            found: dict[str, int] = {}
            for index, value in enumerate(values):
                column = _match(normalize_header(value)[0])
                if column and column.key not in found:
                    found[column.key] = index
            if "serial" in found:
                layout = (sheet, number, found)
                break
        if layout:
            break
    if layout is None:
        result.errors.append(
            Problem(None, "", "找不到標題列（需有「產品序號」與「採購案號」欄位），請使用本系統的範本")
        )
        return result
    sheet, header_row, columns = layout
    result.sheet_name = sheet.name
    result.letters = {key: get_column_letter(i + 1) for key, i in columns.items()}
    missing = [c.label for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        result.errors.append(Problem(header_row, "", f"缺少欄位：{'、'.join(missing)}"))
        return result

    first_seen: dict[str, int] = {}
    for number, values in sheet.rows:
        if number <= header_row:
            continue
        cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        row = ParsedDevice(excel_row=number)

        def fail(key: str, message: str, row=row, number=number) -> None:
            row.valid = False
            result.errors.append(Problem(number, result.where(key), message))

        row.serial = _key_text(cells.get("serial"))
        if not row.serial:
            fail("serial", "未填寫")
        elif len(row.serial) > MAX_SERIAL:
            fail("serial", f"序號超過 {MAX_SERIAL} 個字元")
        else:
            earlier = first_seen.setdefault(row.serial, number)
            if earlier != number:
                fail("serial", f"序號 {row.serial} 與第 {earlier} 列重複")
        row.tender = _text(cells.get("tender"))
        if not row.tender:
            fail("tender", "未填寫")
        school_unreadable = False
        try:
            row.school = _school_code(cells.get("school"))
        except CellError as exc:
            school_unreadable = True
            fail("school", str(exc))
        use = _text(cells.get("use")).replace(" ", "")
        if use:
            if use in _USES:
                row.use = _USES[use]
            else:
                fail("use", f"「{use}」不是可用的值（應為教師或學生）")
        status = _text(cells.get("status")).replace(" ", "")
        if status:
            if status in _STATUSES:
                row.status = _STATUSES[status]
            else:
                fail("status", f"「{status}」不是可用的狀態（應為{'、'.join(_STATUSES)}）")
        row.asset_tag = _text(cells.get("asset_tag"))[:60]
        row.brand = _text(cells.get("brand"))
        for key in ("delivered_on", "mdm_enrolled_on"):
            try:
                setattr(row, key, _date(cells.get(key)))
            except CellError as exc:
                fail(key, str(exc))
        if row.mdm_enrolled_on and row.delivered_on and row.mdm_enrolled_on < row.delivered_on:
            fail("mdm_enrolled_on", "MDM 註冊日期早於到校日期")
        if row.delivered_on and not row.school and not school_unreadable:
            fail("school", "已填到校日期，但未填學校代碼")
        if row.status and not row.school and row.status not in (DeviceStatus.IN_STOCK, DeviceStatus.SPARE):
            fail("status", f"狀態為{_label(row.status)}，但未填學校代碼")
        if not row.status:
            row.status = DeviceStatus.ASSIGNED if row.school else DeviceStatus.IN_STOCK
        result.rows.append(row)

    if not result.rows and not result.errors:
        result.errors.append(Problem(None, "", "檔案中沒有任何載具資料列"))
    result.errors.sort(key=lambda p: p.row or 0)
    return result


def _label(status: str) -> str:
    return DeviceStatus(status).label
