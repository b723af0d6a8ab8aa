"""Reading one cell as people type it into Excel: each reader returns the value or raises
`CellError` with the reason in Chinese (the caller adds the row and the column).

Every import uses these; none has its own copy. No database here.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from portal.roc import ROC_OFFSET, parse_roc_date

# What a spreadsheet runs as a formula; our exports prefix these with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+\.\d+")
_SCHOOL_CODE = re.compile(r"[0-9A-Z]{6}")


class CellError(ValueError):
    """One cell cannot be read; the message says why, in Chinese."""


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """Any cell as trimmed text: width folded (ＡＢ１ -> AB1), 12.0 -> '12', our export's
    apostrophe before formula-like text taken off."""
    if value is None:
        return ""
    if type(value) is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    # Every cell of a national file passes here: ASCII needs no folding.
    result = (value if value.isascii() else nfkc(value)).strip()
    if result[:1] == "'" and result[1:2] in FORMULA_START:
        result = result[1:]
    return result


def key_text(value) -> str:
    """Serials and codes: width folded, every space dropped, upper case (ＡＢ １２ -> AB12)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(nfkc("" if value is None else str(value)).split()).upper()


def count(value, *, allow_blank: bool = False, not_a_number: str = "不是數字") -> int | None:
    """A whole number >= 0: 12, 12.0, '12', '1,234'."""
    if isinstance(value, bool):
        raise CellError(f"「{value}」{not_a_number}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"「{value:g}」不是整數")
        number = int(value)
    else:
        typed = text(value)
        if not typed:
            if allow_blank:
                return None
            raise CellError("未填寫")
        bare = typed.replace(",", "")
        if _INTEGER.fullmatch(bare):
            number = int(bare)
        elif _DECIMAL.fullmatch(bare):
            raise CellError(f"「{bare}」不是整數")
        else:
            raise CellError(f"「{typed}」{not_a_number}")
    if number < 0:
        raise CellError(f"不可為負數（填了 {number}）")
    return number


def decimal(value, *, step: Decimal) -> Decimal:
    """A number >= 0 rounded half up to `step` (hours: 0.1)."""
    typed = text(value).replace(",", "")
    if not typed:
        raise CellError("未填寫")
    if isinstance(value, bool):
        raise CellError(f"「{typed}」不是數字")
    try:
        number = Decimal(typed)
    except InvalidOperation:
        raise CellError(f"「{typed}」不是數字") from None
    if not number.is_finite():
        raise CellError(f"「{typed}」不是數字")
    if number < 0:
        raise CellError(f"不可為負數（填了 {typed}）")
    return number.quantize(step, rounding=ROUND_HALF_UP)


def school_code(value, *, allow_blank: bool = False) -> str:
    """學校代碼: six characters, digits or capitals (07C301). Excel drops the leading zeros
    of a code typed as a number: 14630 was 014630."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"「{value:g}」不是學校代碼")
        number = int(value)
        if not 0 <= number <= 999_999:
            raise CellError(f"「{number}」不是 6 碼的學校代碼")
        return f"{number:06d}"
    return _school_code_text(text(value), allow_blank)


# A file repeats its codes, months and dates on row after row: each text is read once.
@functools.lru_cache(maxsize=8192)
def _school_code_text(typed: str, allow_blank: bool) -> str:
    code = typed.upper()
    if not code:
        if allow_blank:
            return ""
        raise CellError("未填寫")
    if not _SCHOOL_CODE.fullmatch(code):
        hint = "（若 Excel 去掉了開頭的 0，請把這欄設為文字格式）" if code.isdigit() and len(code) < 6 else ""
        raise CellError(f"「{code}」不是 6 碼的學校代碼{hint}")
    return code


def roc_date(value) -> datetime.date | None:
    """A date cell, or 111/09/05, 1110905, 111年9月5日, 2022-09-05; blank is None."""
    if blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    return _roc_date_text(text(value))


@functools.lru_cache(maxsize=4096)
def _roc_date_text(typed: str) -> datetime.date:
    try:
        return parse_roc_date(typed)
    except ValueError:
        raise CellError(f"「{typed}」不是有效的日期（請用 111/09/05 或 111年9月5日）") from None


_MONTH_PATTERNS = (
    re.compile(r"^(\d{2,4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{2,4})[/.-](\d{1,2})(?:[/.-]\d{1,2})?$"),
    re.compile(r"^(\d{3})(\d{2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def roc_month(value) -> datetime.date:
    """111年3月, 111/03, 11103, 2022-03, 202203 or a date cell -> the month's first day."""
    if isinstance(value, datetime.datetime | datetime.date):
        return datetime.date(value.year, value.month, 1)
    return _roc_month_text(text(value).replace(" ", ""))


@functools.lru_cache(maxsize=4096)
def _roc_month_text(typed: str) -> datetime.date:
    if not typed:
        raise CellError("未填寫")
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(typed)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if year < 1000:
                year += ROC_OFFSET
            if 1 <= month <= 12 and 1 <= year <= 9999:
                return datetime.date(year, month, 1)
    raise CellError(f"「{typed}」不是月份（請寫 111年3月 或 111/03）")


def choice(value, mapping: dict[str, str], allowed: str, *, allow_blank: bool = False) -> str:
    """One of the words of `mapping` (spaces ignored) -> its value; `allowed` lists them for the message."""
    typed = text(value).replace(" ", "")
    if not typed:
        if allow_blank:
            return ""
        raise CellError("未填寫")
    try:
        return mapping[typed]
    except KeyError:
        raise CellError(f"「{typed}」不是可用的值（應為{allowed}）") from None


def required_text(value, *, max_length: int | None = None) -> str:
    typed = text(value)
    if not typed:
        raise CellError("未填寫")
    if max_length is not None and len(typed) > max_length:
        raise CellError(f"超過 {max_length} 個字")
    return typed
