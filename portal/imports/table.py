"""Columns, the header row and problems: how every import finds its table in a sheet and
says what is wrong with it. No database here.

A header cell matches a column after width folding, with spaces, bracketed notes
("(國小、國中)", "（教師／學生）") and a leading survey year ("110年班級數") taken off,
ignoring case; a column may also match any header that starts with its label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from portal.imports.cells import nfkc
from portal.imports.reader import Sheet

HEADER_SCAN_ROWS = 30

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_SURVEY_YEAR = re.compile(r"^(\d{2,3})年")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    row: int | None
    """Excel row number; None for a problem of the whole file."""
    column: str
    """The column's name and letter, e.g. '最大班級人數（J 欄）'; '' for the whole row."""
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 列" if self.row else "檔案"
        column = f"，{self.column}" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    """The header as the import reads it (brackets and year taken off), and its name in messages."""
    read: Callable[[Any], Any] | None = None
    """The cell reader (portal.imports.cells); None when the kind reads the cell itself."""
    required: bool = True
    aliases: tuple[str, ...] = ()
    prefix: bool = False
    """Match any header that starts with the label (the long 符合…原則 header)."""
    short: str = ""
    """The name in messages when the label is long."""
    header: str = ""
    """What our templates write in the header cell (default: the label)."""
    example: Any = ""
    """The template's example value."""

    @property
    def name(self) -> str:
        return self.short or self.label

    @property
    def template_header(self) -> str:
        return self.header or self.label

    def matches(self, header: str) -> bool:
        if not header:
            return False
        folded = header.casefold()
        if self.prefix and folded.startswith(self.label.casefold()):
            return True
        return folded == self.label.casefold() or folded in (alias.casefold() for alias in self.aliases)


def normalize_header(value) -> tuple[str, int | None]:
    """(the bare header, the survey year it states): '110年\\n最大班級人數' -> ('最大班級人數', 110)."""
    if value is None:
        return "", None
    text = _SPACES.sub("", nfkc(str(value)))
    text = _BRACKETED.sub("", text)
    match = _SURVEY_YEAR.match(text)
    year = int(match.group(1)) if match else None
    if match:
        text = text[match.end() :]
    return text, year


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Layout:
    """Where a kind's table sits in a sheet: the header row and each column's position."""

    sheet: Sheet
    header_row: int
    columns: tuple[Column, ...]
    indexes: dict[str, int]
    """column key -> 0-based position"""
    years: set[int] = field(default_factory=set)
    """Survey years the headers state (110年班級數 -> 110)."""

    @property
    def missing(self) -> list[str]:
        return [column.label for column in self.columns if column.required and column.key not in self.indexes]

    def letter(self, key: str) -> str:
        return column_letter(self.indexes[key]) if key in self.indexes else ""

    def where(self, key: str) -> str:
        column = next(c for c in self.columns if c.key == key)
        letter = self.letter(key)
        return f"{column.name}（{letter} 欄）" if letter else column.name

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(Excel row number, {column key: raw value}) of every row below the header."""
        indexes = self.indexes
        for number, values in self.sheet.rows:
            if number <= self.header_row:
                continue
            width = len(values)
            yield number, {key: (values[index] if index < width else None) for key, index in indexes.items()}


def find_layout(
    sheets: Iterable[Sheet],
    columns: tuple[Column, ...],
    *,
    anchors: tuple[str, ...],
    at_least: int = 0,
    prefer: str = "",
) -> Layout | None:
    """The first row (of a sheet's first 30) naming every anchor column, or `at_least` of the
    columns when that is set (so that a header missing an anchor is named as missing); sheets
    whose name holds `prefer` are looked at first (the 附錄 sheet among a template's others)."""
    ordered = sorted(sheets, key=lambda sheet: prefer not in sheet.name) if prefer else list(sheets)
    for sheet in ordered:
        for number, values in sheet.rows[:HEADER_SCAN_ROWS]:
            found: dict[str, int] = {}
            years: set[int] = set()
            for index, value in enumerate(values):
                text, year = normalize_header(value)
                column = next((c for c in columns if c.key not in found and c.matches(text)), None)
                if column is not None:
                    found[column.key] = index
                    if year is not None:
                        years.add(year)
            if all(key in found for key in anchors) or (at_least and len(found) >= at_least):
                return Layout(sheet, number, columns, found, years)
    return None
