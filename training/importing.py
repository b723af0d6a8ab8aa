"""The attendance sheet (one row a teacher who completed a session), as an import kind of
the pipeline.

Columns (header row anywhere in the first 30 rows, any order): 研習代碼, 學校代碼,
教師識別碼, 姓名 (optional). The check looks the sessions and schools up once for the
whole file; rows already recorded are skipped, new ones go out in one bulk INSERT.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html

from portal import access
from portal.cache import invalidate
from portal.db import refresh_statistics
from portal.imports import cells
from portal.imports.kinds import (
    NOTHING_BEFORE_CONFIRM,
    Card,
    ImportKind,
    ImportTarget,
    Parse,
    Preview,
    Urls,
    register,
    strong,
)
from portal.imports.table import Column, Problem
from training.models import Attendance, TrainingSession, teacher_code_problem
from training.selectors import TRAINING, schools_by_code

INSERT_BATCH = 5_000
NAME_LENGTH = 50
NEW, ALREADY = "new", "already"

COLUMNS = (
    Column("session", "研習代碼", read=cells.text, aliases=("場次代碼", "研習場次代碼"), example="A1-101"),
    Column("school", "學校代碼", read=cells.school_code, example="154601"),
    Column("teacher", "教師識別碼", read=cells.text, aliases=("教師代碼", "識別碼", "教師編號"), example="T0001"),
    Column("name", "姓名", read=cells.text, required=False, aliases=("教師姓名",)),
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


class AttendanceKind(ImportKind):
    name = "attendance"
    title = "研習參加名單"
    unit = "筆"
    file_label = "研習參加名單檔案"
    columns = COLUMNS
    anchors = ("teacher",)
    anchors_at_least = 2
    no_header = f"找不到標題列：第一列須有「{'」「'.join(HEADERS[:3])}」欄位（「姓名」可省略）"
    no_rows = "檔案中沒有任何參加紀錄"
    # 高雄市 trains ~10,000 teachers a year in several sessions; a national year is ~200,000 rows.
    max_rows = 100_000
    urls = Urls(
        upload="training_attendance_import",
        preview="training_attendance_preview",
        confirm="training_attendance_confirm",
        discard="training_attendance_discard",
        done="training_progress",
        template="training_attendance_template",
    )
    refusal = "只有縣市承辦可以管理推動辦公室的資料"
    asks_plan_year = True
    needs_county = True
    template_sheet = "研習參加名單"
    status_labels = {NEW: "新增", ALREADY: "先前已登錄"}

    def may_use(self, user) -> bool:
        return access.may_manage_office(user)

    def instructions(self, *, user, plan_year) -> list[str]:
        return [
            format_html(
                "每一列為一位完成研習的教師，欄位：<strong>{}</strong>（姓名可省略）。研習代碼須為本縣市本年度已建立的場次；"
                "教師以「學校代碼＋教師識別碼」辨識，<strong>請勿填身分證統一編號</strong>。外縣市與國立學校教師可參加開放的場次。",
                "、".join(HEADERS),
            ),
            format_html(
                "上傳後會先列出所有錯誤與將新增的筆數，{}；已登錄過的紀錄不會重複計算。",
                strong(NOTHING_BEFORE_CONFIRM),
            ),
        ]

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        first_seen: dict[tuple[str, str, str], int] = {}
        for number, row_cells in parse.layout.rows():
            if not any(cells.text(row_cells.get(key)) for key in ("session", "teacher", "school")):
                continue
            values, valid = self.read_cells(number, row_cells, parse)
            if values["session"] == "":
                parse.errors.append(Problem(number, parse.where("session"), "未填寫"))
                valid = False
            problem = teacher_code_problem(values["teacher"] or "")
            if problem:
                parse.errors.append(Problem(number, parse.where("teacher"), problem))
                valid = False
            if len(values.get("name") or "") > NAME_LENGTH:
                parse.errors.append(Problem(number, parse.where("name"), f"姓名超過 {NAME_LENGTH} 個字"))
                valid = False
            if not valid:
                continue
            row = AttendanceRow(number, values["session"], values["school"], values["teacher"], values.get("name", ""))
            earlier = first_seen.get(row.key)
            if earlier is not None:
                parse.errors.append(
                    Problem(
                        number,
                        parse.where("teacher"),
                        f"與第 {earlier} 列重複（同一場次 {row.session_code}、學校 {row.school_code}、"
                        f"教師 {row.teacher_code}）",
                    )
                )
                continue
            first_seen[row.key] = number
            parse.rows.append(row)

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        """The county's sessions of the year and the portal's schools: three queries whatever the rows."""
        plan_year, county = target.plan_year, target.county
        if not parse.rows:
            return Preview(parse=parse)
        sessions = {
            s.code: s
            for s in TrainingSession.objects.filter(
                plan_year=plan_year, county=county, code__in={r.session_code for r in parse.rows}
            )
        }
        schools = schools_by_code(r.school_code for r in parse.rows)
        errors: list[Problem] = []
        for row in parse.rows:
            session = sessions.get(row.session_code)
            school = schools.get(row.school_code)
            if session is None:
                errors.append(
                    Problem(
                        row.excel_row,
                        parse.where("session"),
                        f"{county.name} {plan_year.year} 年度沒有研習代碼為「{row.session_code}」的場次"
                        "（請先建立場次）",
                    )
                )
            if school is None:
                errors.append(
                    Problem(row.excel_row, parse.where("school"), f"本系統沒有學校代碼 {row.school_code} 的學校")
                )
            elif session is not None and not session.open_to_other_schools and school.county_id != county.pk:
                errors.append(
                    Problem(
                        row.excel_row,
                        parse.where("school"),
                        f"場次 {session.code} 只開放{county.name}的學校，{school.name}屬於{school.county.name}",
                    )
                )
        if errors or not parse.ok:
            return Preview(parse=parse, errors=errors)
        existing = set(
            Attendance.objects.filter(session__in=sessions.values()).values_list(
                "session__code", "school__code", "teacher_code"
            )
        )
        statuses = {row.key: (ALREADY if row.key in existing else NEW) for row in parse.rows}
        per_session: dict[str, dict] = {}
        for row in parse.rows:
            item = per_session.setdefault(row.session_code, {"session": sessions[row.session_code], NEW: 0, ALREADY: 0})
            item[statuses[row.key]] += 1
        new = sum(1 for status in statuses.values() if status == NEW)
        return Preview(
            parse=parse,
            statuses=statuses,
            summary={"rows": len(parse.rows), NEW: new, ALREADY: len(parse.rows) - new},
            changes=new,
            found={
                "sessions": sessions,
                "schools": schools,
                "per_session": sorted(per_session.values(), key=lambda item: item["session"].code),
            },
        )

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        sessions, schools = preview.found["sessions"], preview.found["schools"]
        records = [
            Attendance(
                session=sessions[row.session_code],
                school=schools[row.school_code],
                teacher_code=row.teacher_code,
                name=row.name,
            )
            for row in preview.parse.rows
            if preview.statuses[row.key] == NEW
        ]
        Attendance.objects.bulk_create(records, batch_size=INSERT_BATCH)
        invalidate(TRAINING)
        if len(records) > 1000:
            refresh_statistics(Attendance)
        return preview.summary

    def cards(self, summary: dict) -> list[Card]:
        return [
            Card("檔案列數", summary["rows"]),
            Card("將新增", summary[NEW]),
            Card("先前已登錄", summary[ALREADY]),
        ]

    def sample(self):
        return [
            ("研習代碼", lambda row: row.session_code),
            ("學校代碼", lambda row: row.school_code),
            ("教師識別碼", lambda row: row.teacher_code),
            ("姓名", lambda row: row.name),
        ]

    def done_message(self, summary: dict) -> str:
        return (
            f"已匯入研習完成紀錄 {summary[NEW]:,} 筆"
            f"（檔案共 {summary['rows']:,} 列，{summary[ALREADY]:,} 列先前已登錄）。"
        )

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return (
            f"{target.plan_year.year} 年度{target.county.name}研習完成紀錄：檔案 {summary['rows']:,} 列，"
            f"新增 {summary[NEW]:,}，先前已登錄 {summary[ALREADY]:,}"
        )


ATTENDANCE = register(AttendanceKind())
