"""ROC (民國) dates as the MOE writes them: 111年9月30日. No ROC calendar exists in Django."""

import datetime
import re

from django.utils import timezone

ROC_OFFSET = 1911


def roc_date(value: datetime.date | datetime.datetime | None) -> str:
    """2022-09-30 -> '111年9月30日'; a datetime also gets its Taipei time: '111年2月1日 09:05'."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.year - ROC_OFFSET}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{value.year - ROC_OFFSET}年{value.month}月{value.day}日"


def roc_month(year: int, month: int) -> str:
    return f"{year - ROC_OFFSET}年{month}月"


_ROC_INPUT = (
    re.compile(r"^(\d{2,3})[/.-](\d{1,2})[/.-](\d{1,2})$"),
    re.compile(r"^(\d{2,3})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{3})(\d{2})(\d{2})$"),
)


def parse_roc_date(text: str) -> datetime.date:
    """'111/09/05', '1110905', '111年9月5日' (and 2022-09-05) -> date; ValueError otherwise."""
    text = str(text).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _ROC_INPUT:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year + ROC_OFFSET, month, day)
    raise ValueError(f"「{text}」不是日期（請用 111/09/05 或 111年9月5日）")
