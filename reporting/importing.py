"""Usage hours (學習平臺使用時數) as schools and counties fill them, as an import kind of the
pipeline. One row per school, month and platform:

    學校代碼 | 月份 | 平臺 | 使用時數 | 活躍學生數 | 活躍載具數   (學校名稱 may be there; it is ignored)

月份 is 111年3月, 111/03, 11103, 2022-03 or a date cell. A re-upload replaces the same
school+month+platform and the preview says so.

The write does not go through per-row machinery: a national year is 216,000 rows. The
schools and the year's existing records are read once per file, new records go out with
bulk_create (PostgreSQL: COPY above a few thousand rows) and replaced ones with one
`UPDATE ... FROM`: the query count does not grow with the rows.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import functools
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.html import format_html

from budget import rules as engine
from portal import access
from portal.cache import invalidate
from portal.db import bulk_update_rows, refresh_statistics
from portal.imports import cells
from portal.imports.kinds import (
    NOTHING_BEFORE_CONFIRM,
    Card,
    ImportKind,
    ImportTarget,
    Notice,
    Parse,
    Preview,
    Urls,
    register,
    strong,
)
from portal.imports.table import Column, Problem
from portal.models import Role
from portal.roc import roc_month as roc_month_label
from portal.templatetags.portal_tags import decimal_text
from reporting.models import UsageRecord
from schools.models import County, School

USAGE = "usage"
NEW, REPLACED, UNCHANGED = "new", "replaced", "unchanged"
STATUS_LABELS = {NEW: "新增", REPLACED: "取代既有", UNCHANGED: "與既有相同"}
FIGURES = ("hours", "active_students", "active_devices")
HOURS_STEP = Decimal("0.1")
BATCH = 5000
COPY_FROM_ROWS = 2000  # below this, bulk_create is as quick and runs on every database
COPY_COLUMNS = (
    "plan_year_id",
    "county_id",
    "school_id",
    "month",
    "platform",
    "hours",
    "active_students",
    "active_devices",
    "uploaded_by_id",
    "updated_at",
)

COLUMNS = (
    Column("code", "學校代碼", read=cells.school_code, aliases=("學校代號",)),
    Column("month", "月份", read=cells.roc_month, aliases=("年月", "填報月份")),
    Column(
        "platform",
        "平臺",
        read=lambda value: cells.required_text(value),
        aliases=("平台", "數位學習平臺", "數位學習平台", "平臺名稱", "平台名稱"),
    ),
    Column("hours", "使用時數", read=lambda value: cells.decimal(value, step=HOURS_STEP), aliases=("時數",)),
    Column("active_students", "活躍學生數", read=lambda value: _whole(value), aliases=("使用學生數",)),
    Column("active_devices", "活躍載具數", read=lambda value: _whole(value), aliases=("使用載具數",)),
)
TEMPLATE_HEADERS = ("學校代碼", "學校名稱", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數")


def _whole(value) -> int:
    return cells.count(value, not_a_number="不是整數")


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


def roc_month(month: datetime.date) -> str:
    return roc_month_label(month.year, month.month)


@functools.cache
def hours_in_month(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1] * 24


def row_problems(
    row: UsageRow, *, rule_set: engine.RuleSet, months: list[datetime.date] | frozenset
) -> list[tuple[str, str]]:
    """(column key, reason) for what a row's own figures make impossible; the form checks the same."""
    problems = []
    if row.platform and row.platform not in rule_set.usage_platforms:
        names = "、".join(rule_set.usage_platforms)
        problems.append(("platform", f"「{row.platform}」不是本年度的平臺（{names}）"))
    if row.month is not None and row.month not in months:
        ordered = sorted(months)
        period = f"{roc_month(ordered[0])}至{roc_month(ordered[-1])}" if ordered else "未設定"
        problems.append(("month", f"{roc_month(row.month)}不在計畫期程（{period}）內"))
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


def _copy_csv(rows: list[tuple]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # None is written as an empty field, which COPY ... (FORMAT csv) reads as NULL.
    writer.writerows(rows)
    buffer.seek(0)
    return buffer


def _copy_write(created: list[tuple], replaced: list[tuple]) -> None:
    """PostgreSQL's COPY: Django's bulk_create spends ~60 us of Python a row building its INSERTs,
    COPY takes the rows as one CSV stream (216,000 rows: 13 s -> 2 s). Replacements go through a
    temporary table and one UPDATE ... FROM. An empty CSV field is NULL (uploaded_by)."""
    table = UsageRecord._meta.db_table
    columns = ", ".join(COPY_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor for copy_expert
        if created:
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", _copy_csv(created))
        if replaced:
            cursor.execute(f"CREATE TEMPORARY TABLE usage_replace (LIKE {table}) ON COMMIT DROP")
            raw.copy_expert(f"COPY usage_replace (id, {columns}) FROM STDIN WITH (FORMAT csv)", _copy_csv(replaced))
            assignments = ", ".join(
                f"{c} = r.{c}" for c in ("hours", "active_students", "active_devices", "uploaded_by_id", "updated_at")
            )
            cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM usage_replace AS r WHERE t.id = r.id")  # noqa: S608


class UsageKind(ImportKind):
    name = "usage"
    title = "平臺使用時數"
    unit = "筆"
    columns = COLUMNS
    anchors = ("code", "month")
    no_header = "找不到標題列：前 30 列中須有「學校代碼」與「月份」欄"
    # A national year: 3,600 schools x 12 months x 5 platforms = 216,000 rows.
    max_rows = 250_000
    max_columns = 30
    urls = Urls(
        upload="usage_import",
        preview="usage_import_preview",
        confirm="usage_import_confirm",
        discard="usage_import_discard",
        done="usage_overview",
        template="usage_template",
    )
    refusal = "您的帳號不能上傳使用時數"
    nav_template = "reporting/_nav.html"
    status_labels = STATUS_LABELS

    def may_use(self, user) -> bool:
        return access.may_upload_usage(user)

    def instructions(self, *, user, plan_year) -> list[str]:
        months = plan_year.months
        who = {
            Role.SCHOOL: "學校帳號只能上傳本校資料。",
            Role.COUNTY: "縣市帳號可一次上傳所屬全部學校的資料。",
        }.get(user.role, "")
        return [
            format_html(
                "每列一所學校、一個月份、一個平臺。欄位：{}（學校名稱可有可無）。"
                "月份可寫 111年3月、111/03 或 11103。上傳後會先檢查每一列，{}；只要有一列有錯，整個檔案都不會匯入。",
                strong("學校代碼、月份、平臺、使用時數、活躍學生數、活躍載具數"),
                strong(NOTHING_BEFORE_CONFIRM),
            ),
            f"計畫期程：{roc_month(months[0])}至{roc_month(months[-1])}（{plan_year.year}年度）；期程外的月份會被拒絕。"
            f"平臺：{'、'.join(plan_year.rule_set.usage_platforms)}。",
            "使用時數不可超過「活躍載具數 x 當月小時數」（例如 30 臺 x 31 天 x 24 小時 = 22,320 小時）。"
            "同一學校、月份、平臺再上傳一次，會取代原有數字，預覽時會列出被取代的資料。" + who,
        ]

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        plan_year = target.plan_year
        rule_set, months = plan_year.rule_set, frozenset(plan_year.months)
        seen: dict[tuple, int] = {}
        for number, row_cells in parse.layout.rows():
            values, valid = self.read_cells(number, row_cells, parse)
            row = UsageRow(excel_row=number, valid=valid, **{k: v for k, v in values.items() if v is not None})
            for column, message in row_problems(row, rule_set=rule_set, months=months):
                parse.errors.append(Problem(number, parse.where(column), message))
                row.valid = False
            if row.valid:
                earlier = seen.get(row.key)
                if earlier is not None:
                    parse.errors.append(Problem(number, "", f"與第 {earlier} 列重複（同一學校、月份、平臺只能填一列）"))
                    row.valid = False
                else:
                    seen[row.key] = number
            parse.rows.append(row)

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        """Every row the portal's data refuses (unknown schools, schools the user may not report
        for) with the file's own problems; then what confirming would add or replace."""
        if not parse.rows:
            return Preview(parse=parse)
        codes = {row.code for row in parse.rows if row.code}
        schools = {
            code: {"pk": pk, "county_id": county_id, "name": name}
            for code, pk, county_id, name in School.objects.filter(code__in=codes).values_list(
                "code", "pk", "county_id", "name"
            )
        }
        errors: list[Problem] = []
        # Which of the file's schools this user may report for: the access helper decides.
        if user is None:
            allowed = {school["pk"] for school in schools.values()}
        else:
            allowed = set(access.for_user(School.objects.filter(code__in=codes), user).values_list("pk", flat=True))
        own_county = user.county_id if user is not None else None
        county_names = dict(County.objects.values_list("pk", "name")) if len(allowed) < len(schools) else {}
        where = parse.where("code")
        for row in parse.rows:
            school = schools.get(row.code)
            if not row.code:
                continue
            if school is None:
                errors.append(
                    Problem(row.excel_row, where, f"查無學校代碼 {row.code}（請確認代碼，或請縣市先匯入名單）")
                )
            elif school["pk"] in allowed:
                continue
            elif user.role == Role.SCHOOL:
                errors.append(Problem(row.excel_row, where, f"本帳號只能填報本校，{row.code} 不是本校"))
            else:
                errors.append(
                    Problem(
                        row.excel_row,
                        where,
                        f"{row.code} {school['name']}屬於{county_names.get(school['county_id'], '其他縣市')}，"
                        f"本帳號只能填報{county_names.get(own_county, '本縣市')}的學校",
                    )
                )
        if errors or not parse.ok:
            return Preview(parse=parse, errors=errors, found={"schools": schools})
        months = {row.month for row in parse.rows}
        existing = UsageRecord.objects.filter(
            plan_year=target.plan_year, school_id__in=[s["pk"] for s in schools.values()], month__in=months
        ).values_list("school_id", "month", "platform", "pk", *FIGURES)
        existing = {(s, m, p): (pk, *figures) for s, m, p, pk, *figures in existing}
        statuses = {}
        for row in parse.rows:
            current = existing.get((schools[row.code]["pk"], row.month, row.platform))
            if current is None:
                statuses[row.key] = NEW
            elif tuple(current[1:]) == (row.hours, row.active_students, row.active_devices):
                statuses[row.key] = UNCHANGED
            else:
                statuses[row.key] = REPLACED
        counts = {status: sum(1 for s in statuses.values() if s == status) for status in STATUS_LABELS}
        summary = {
            "rows": len(parse.rows),
            **counts,
            "schools": len(codes),
            "months": sorted({roc_month(row.month) for row in parse.rows if row.month}),
        }
        return Preview(
            parse=parse,
            statuses=statuses,
            summary=summary,
            changes=counts[NEW] + counts[REPLACED],
            found={"schools": schools, "existing": existing},
        )

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        """Every row of the file, replacing the same school+month+platform."""
        schools, existing = preview.found["schools"], preview.found["existing"]
        now = timezone.now()
        user_id = user.pk if user is not None else None
        # Plain tuples in COPY_COLUMNS order (a replaced row's pk first): 216,000 model instances
        # would cost more than writing them.
        created, replaced = [], []
        for row in preview.parse.rows:
            status = preview.statuses[row.key]
            if status == UNCHANGED:
                continue
            school = schools[row.code]
            values = (
                target.plan_year.pk,
                school["county_id"],
                school["pk"],
                row.month,
                row.platform,
                row.hours,
                row.active_students,
                row.active_devices,
                user_id,
                now,
            )
            if status == REPLACED:
                replaced.append((existing[(school["pk"], row.month, row.platform)][0], *values))
            else:
                created.append(values)
        if connection.vendor == "postgresql" and len(created) + len(replaced) > COPY_FROM_ROWS:
            _copy_write(created, replaced)
        else:
            records = [UsageRecord(**dict(zip(COPY_COLUMNS, values, strict=True))) for values in created]
            for start in range(0, len(records), BATCH):
                UsageRecord.objects.bulk_create(records[start : start + BATCH])
            changed = [UsageRecord(pk=pk, **dict(zip(COPY_COLUMNS, values, strict=True))) for pk, *values in replaced]
            if changed:
                bulk_update_rows(UsageRecord, changed, [*FIGURES, "uploaded_by", "updated_at"])
        if len(created) > 1000:
            refresh_statistics(UsageRecord)
        invalidate(USAGE)
        return preview.summary

    def cards(self, summary: dict) -> list[Card]:
        return [
            Card("資料筆數", summary["rows"], "、".join(summary["months"])),
            Card("學校數", summary["schools"]),
            Card("新增", summary[NEW]),
            Card("取代既有", summary[REPLACED], warn=bool(summary[REPLACED])),
            Card("與既有相同", summary[UNCHANGED]),
        ]

    def sample(self):
        return [
            ("學校代碼", lambda row: row.code),
            ("月份", lambda row: roc_month(row.month) if row.month else ""),
            ("平臺", lambda row: row.platform),
            ("使用時數", lambda row: row.hours),
            ("活躍學生數", lambda row: row.active_students),
            ("活躍載具數", lambda row: row.active_devices),
        ]

    def notices(self, preview: Preview) -> list[Notice]:
        """What a confirmation would overwrite: old and new figures side by side."""
        replaced = [row for row in preview.parse.rows if preview.statuses.get(row.key) == REPLACED]
        if not replaced:
            return []
        schools, existing = preview.found["schools"], preview.found["existing"]
        shown = []
        for row in replaced[:200]:
            school = schools[row.code]
            old = existing[(school["pk"], row.month, row.platform)]
            shown.append(
                (
                    row.excel_row,
                    f"{row.code} {school['name']}",
                    roc_month(row.month),
                    row.platform,
                    f"{decimal_text(old[1])} → {decimal_text(row.hours)}",
                    f"{old[2]:,} → {row.active_students:,}",
                    f"{old[3]:,} → {row.active_devices:,}",
                )
            )
        return [
            Notice(
                "確認後將取代既有資料（原數字 → 新數字）",
                ("列", "學校", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數"),
                shown,
                more=len(replaced) - len(shown),
            )
        ]

    def done_message(self, summary: dict) -> str:
        replaced = f"，取代既有 {summary[REPLACED]:,} 筆" if summary[REPLACED] else ""
        return (
            f"已匯入 {summary['rows']:,} 筆使用時數：新增 {summary[NEW]:,} 筆{replaced}，"
            f"與既有相同 {summary[UNCHANGED]:,} 筆。"
        )

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return (
            f"{target.plan_year.year} 年度使用時數已匯入 {summary['rows']:,} 筆（{summary['schools']:,} 校）："
            f"新增 {summary[NEW]:,}、取代 {summary[REPLACED]:,}、相同 {summary[UNCHANGED]:,}"
        )


USAGE_IMPORT = register(UsageKind())
