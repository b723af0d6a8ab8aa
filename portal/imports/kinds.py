"""What an import is: a registered kind with its columns, its parse (no database), its
check (the database's rules) and its write, who may use it and what it tells the user.

An app defines one subclass of `ImportKind` per file it takes in, in its `importing.py`,
and registers an instance with `register`. The pages, the confirm-once logic, the
background job and the management command are the pipeline's (`portal.imports.pipeline`,
`views`, `command`); a new import adds no view, template or confirm code of its own.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.utils.html import format_html

from portal.imports.reader import Limits, Sheet
from portal.imports.table import Column, Layout, Problem, column_letter, find_layout

# Settings names with their defaults (settings.py documents them).
BACKGROUND_ROWS = "IMPORT_BACKGROUND_ROWS"


NOTHING_BEFORE_CONFIRM = "確認之前不會寫入任何資料"


def strong(text: str) -> str:
    return format_html("<strong>{}</strong>", text)


class ImportRefused(Exception):
    """Nothing was written; `problems` says why, each with its row and column."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(None, "", problems)]
        super().__init__("；".join(str(p) for p in problems[:5]) + ("…" if len(problems) > 5 else ""))
        self.problems = problems


@dataclass(frozen=True)
class ImportTarget:
    """What an upload is for: the plan year, and the county when the kind needs one."""

    plan_year: Any
    county: Any = None


@dataclass
class Parse:
    """A file as read by a kind, before the database is asked anything."""

    rows: list = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    layout: Layout | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sheet_name(self) -> str:
        return self.layout.sheet.name if self.layout else ""

    def where(self, key: str) -> str:
        return self.layout.where(key) if self.layout else ""


@dataclass
class Preview:
    """What confirming would do, computed without writing anything."""

    parse: Parse
    errors: list[Problem] = field(default_factory=list)
    """The file's problems and the database's, in row order: any of them refuses the file."""
    warnings: list[Problem] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    """row key -> status (the kind's STATUS_LABELS say what each means)."""
    summary: dict = field(default_factory=dict)
    changes: int | None = None
    """How many rows confirming would write; 0: the file changes nothing."""
    found: dict = field(default_factory=dict)
    """What the check looked up and the write needs (schools, batches, existing rows ...)."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Card:
    label: str
    value: Any
    sub: str = ""
    warn: bool = False


@dataclass(frozen=True)
class Notice:
    """A list the preview shows beside the rows (rows to be removed, figures to be replaced)."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple]
    more: int = 0


@dataclass(frozen=True)
class Urls:
    """The kind's URL names (kept from before the pipeline: links and tests use them)."""

    upload: str
    preview: str
    confirm: str
    discard: str
    done: str
    """Where a finished import sends the user."""
    template: str = ""
    """A view that hands out an empty file to fill in, if the kind has one."""


class ImportKind:
    name: ClassVar[str]
    """PendingUpload.kind and the registry's key."""
    title: ClassVar[str]
    """「附錄名單」: what the pages call the file."""
    unit: ClassVar[str] = "列"
    file_label: ClassVar[str] = "檔案"
    columns: ClassVar[tuple[Column, ...]]
    anchors: ClassVar[tuple[str, ...]]
    """Column keys that together mark the header row."""
    anchors_at_least: ClassVar[int] = 0
    """Or this many of the columns (0: the anchors only)."""
    prefer_sheet: ClassVar[str] = ""
    no_header: ClassVar[str]
    """The message when no sheet has the header row."""
    no_rows: ClassVar[str] = "檔案中沒有任何資料列"
    max_rows: ClassVar[int]
    """Data rows one file may hold (set from the real data, with room to spare)."""
    max_columns: ClassVar[int] = 60
    urls: ClassVar[Urls]
    refusal: ClassVar[str] = "您的帳號不能匯入這類檔案"
    asks_plan_year: ClassVar[bool] = False
    """The upload form asks for the plan year (otherwise ?year= or the latest)."""
    needs_county: ClassVar[bool] = False
    """The upload is for one county: county staff their own, admins choose."""
    nav_template: ClassVar[str] = ""
    template_sheet: ClassVar[str] = ""
    """Set: the pipeline hands out an empty workbook of the columns, with this sheet name."""
    status_labels: ClassVar[dict[str, str]] = {}

    # --- Who, and what the pages say ------------------------------------------------------

    def may_use(self, user) -> bool:
        raise NotImplementedError

    def instructions(self, *, user, plan_year) -> list[str]:
        """Paragraphs of the upload page (HTML-safe: built with format_html)."""
        return []

    def column_help(self) -> str:
        names = "、".join(c.label for c in self.columns if c.required)
        optional = "、".join(c.label for c in self.columns if not c.required)
        return format_html("欄位：<strong>{}</strong>{}", names, f"（可有可無：{optional}）" if optional else "")

    def template_workbook(self) -> bytes:
        """The columns' headers and one example row, with every column as text (codes keep their zeros)."""
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.template_sheet
        sheet.append([column.template_header for column in self.columns])
        sheet.append([column.example for column in self.columns])
        for index in range(len(self.columns)):
            letter = column_letter(index)
            sheet.column_dimensions[letter].width = 18
            for row in (1, 2):
                sheet[f"{letter}{row}"].number_format = "@"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def limits(self, *, max_bytes: int | None = None) -> Limits:
        return Limits(
            max_bytes=settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes,
            max_rows=self.max_rows,
            max_columns=self.max_columns,
            memory_bytes=settings.IMPORT_READ_MEMORY_BYTES,
            seconds=settings.IMPORT_READ_SECONDS,
        )

    def background(self, rows: int) -> bool:
        """A confirm of this many rows runs as a job, not in the request."""
        return rows > getattr(settings, BACKGROUND_ROWS)

    def cards(self, summary: dict) -> list[Card]:
        return [Card(f"{self.title}{self.unit}數", summary.get("rows", 0))]

    def sample(self) -> list[tuple[str, Callable[[Any], Any]]]:
        """(header, value of a parsed row) of the preview's table of rows."""
        return [(c.label, lambda row, key=c.key: getattr(row, key, "")) for c in self.columns]

    def notices(self, preview: Preview) -> list[Notice]:
        return []

    def row_status(self, preview: Preview, row) -> str:
        key = getattr(row, "key", None)
        return self.status_labels.get(preview.statuses.get(key), "") if key is not None else ""

    def done_message(self, summary: dict) -> str:
        return f"已匯入 {summary.get('rows', 0):,} {self.unit}。"

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return self.done_message(summary)

    # --- The work -------------------------------------------------------------------------

    def parse(self, sheets: list[Sheet], *, target: ImportTarget) -> Parse:
        """Find the header, read every row (`read_row`), report every problem."""
        parse = self.new_parse()
        layout = find_layout(
            sheets, self.columns, anchors=self.anchors, at_least=self.anchors_at_least, prefer=self.prefer_sheet
        )
        if layout is None:
            parse.errors.append(Problem(None, "", self.no_header))
            return parse
        parse.layout = layout
        if layout.missing:
            parse.errors.append(Problem(layout.header_row, "", f"缺少欄位：{'、'.join(layout.missing)}"))
            return parse
        data_rows = sum(1 for number, _ in layout.sheet.rows if number > layout.header_row)
        if data_rows > self.max_rows:
            parse.errors.append(
                Problem(
                    None,
                    "",
                    f"檔案有 {data_rows:,} 列資料，超過{self.title}每次匯入的上限 {self.max_rows:,} 列，請分檔上傳",
                )
            )
            return parse
        self.read_rows(parse, target=target)
        if not parse.rows and not parse.errors:
            parse.errors.append(Problem(None, "", self.no_rows))
        parse.errors.sort(key=lambda p: p.row or 0)
        return parse

    def new_parse(self) -> Parse:
        return Parse()

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        raise NotImplementedError

    def read_cells(self, number: int, cells: dict, parse: Parse) -> tuple[dict, bool]:
        """Every column with a reader, read: (values, all read). Each bad cell is a problem."""
        values, ok = {}, True
        get = cells.get
        for key, read in self._readers:
            try:
                values[key] = read(get(key))
            except ValueError as exc:
                parse.errors.append(Problem(number, parse.where(key), str(exc)))
                values[key] = None
                ok = False
        return values, ok

    @functools.cached_property
    def _readers(self) -> tuple:
        return tuple((column.key, column.read) for column in self.columns if column.read is not None)

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        """The database's rules (scope, what exists, limits). Reads only; its queries do not
        grow with the rows."""
        raise NotImplementedError

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        """Write what the preview found, in bulk; the pipeline holds the transaction."""
        raise NotImplementedError


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    if kind.name in _KINDS and type(_KINDS[kind.name]) is not type(kind):
        raise ValueError(f"two import kinds are named {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind:
    return _KINDS[name]


def registered() -> list[ImportKind]:
    return list(_KINDS.values())
