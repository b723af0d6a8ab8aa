"""A fifth import, as an app would add one: its columns, its check and write, registered,
and one line of URLs (tests/imports/toy_urls.py). Nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from portal import access
from portal.imports import cells
from portal.imports.kinds import ImportKind, ImportTarget, Parse, Preview, Urls, register
from portal.imports.table import Column, Problem
from schools.models import School

WRITTEN: list[list[tuple[str, str]]] = []


@dataclass
class Note:
    excel_row: int
    code: str
    note: str


class SchoolNotes(ImportKind):
    name = "school_notes"
    title = "學校備註"
    unit = "筆"
    columns = (
        Column("code", "學校代碼", read=cells.school_code),
        Column("note", "備註", read=lambda value: cells.required_text(value, max_length=20)),
    )
    anchors = ("code",)
    no_header = "找不到標題列（需有「學校代碼」欄）"
    max_rows = 100
    urls = Urls(
        upload="toy_import",
        preview="toy_import_preview",
        confirm="toy_import_confirm",
        discard="toy_import_discard",
        done="roster_list",
    )

    def may_use(self, user) -> bool:
        return access.may_edit_roster(user)

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        for number, row_cells in parse.layout.rows():
            values, ok = self.read_cells(number, row_cells, parse)
            if ok:
                parse.rows.append(Note(number, values["code"], values["note"]))

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        codes = {row.code for row in parse.rows}
        visible = set(access.for_user(School.objects.filter(code__in=codes), user).values_list("code", flat=True))
        errors = [
            Problem(row.excel_row, parse.where("code"), f"看不到學校 {row.code}")
            for row in parse.rows
            if row.code not in visible
        ]
        return Preview(parse=parse, errors=errors, summary={"rows": len(parse.rows)}, changes=len(parse.rows))

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        WRITTEN.append([(row.code, row.note) for row in preview.parse.rows])
        return preview.summary


TOY = register(SchoolNotes())
