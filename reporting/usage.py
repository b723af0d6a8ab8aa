"""Usage hours: the import (preview -> confirm, all or nothing), single entries, reads and the
CSV export for the MOE's designated system (五(四)2(1)C).

The import does not go through django-import-export: a national year is 216,000 rows and
the resource's per-row machinery (instance loading, diffing, a Result row each) would cost
more than the whole budget. Instead the schools and the year's existing records are read
once per file, new records go out with bulk_create and replaced ones with one
`UPDATE ... FROM unnest(...)` (portal.db.bulk_update_rows): the query count does not grow
with the rows.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from portal import access
from portal.cache import cached, invalidate
from portal.db import bulk_update_rows, refresh_statistics
from portal.models import PendingUpload, Role, User
from portal.roc import ROC_OFFSET
from portal.uploads import upload_confirmed, upload_read
from reporting.models import UsageRecord
from reporting.usage_format import UsageParse, UsageRow, parse_usage
from schools.exporting import safe_text
from schools.models import County, PlanYear, RosterRow, School
from schools.roster_format import Problem
from schools.selectors import ROSTER

USAGE = "usage"
UPLOAD_KIND = "usage"
NEW, REPLACED, UNCHANGED = "new", "replaced", "unchanged"
STATUS_LABELS = {NEW: "新增", REPLACED: "取代既有", UNCHANGED: "與既有相同"}
FIGURES = ("hours", "active_students", "active_devices")
BATCH = 5000
COPY_FROM_ROWS = 2000  # below this, bulk_create is as quick and runs on every database
# The export's columns, in order (documented in README.md, 「平臺使用時數 CSV」).
EXPORT_HEADERS = (
    "計畫年度",
    "縣市代碼",
    "縣市",
    "學校代碼",
    "學校名稱",
    "月份",
    "平臺",
    "使用時數",
    "活躍學生數",
    "活躍載具數",
)


class UsageImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(str(p) for p in problems[:5]))
        self.problems = problems


def roc_month(month: datetime.date) -> str:
    return f"{month.year - ROC_OFFSET}年{month.month}月"


@dataclass
class UsagePreview:
    parse: UsageParse
    errors: list[Problem]
    statuses: dict[tuple, str] = field(default_factory=dict)
    schools: dict[str, dict] = field(default_factory=dict)
    """code -> {pk, county_id, name}"""
    existing: dict[tuple, tuple] = field(default_factory=dict)
    """(school pk, month, platform) -> (record pk, hours, active_students, active_devices)"""

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def summary(self) -> dict:
        return {
            "rows": len(self.parse.rows),
            NEW: self.count(NEW),
            REPLACED: self.count(REPLACED),
            UNCHANGED: self.count(UNCHANGED),
            "schools": len({row.code for row in self.parse.rows}),
            "months": sorted({roc_month(row.month) for row in self.parse.rows if row.month}),
        }

    def replaced_rows(self, limit: int = 200) -> list[dict]:
        """What a confirmation would overwrite: old and new figures side by side."""
        out = []
        for row in self.parse.rows:
            if self.statuses.get(row.key) != REPLACED:
                continue
            school = self.schools[row.code]
            old = self.existing[(school["pk"], row.month, row.platform)]
            out.append({"row": row, "name": school["name"], "old": dict(zip(FIGURES, old[1:], strict=True))})
            if len(out) >= limit:
                break
        return out


def usage_parse_file(*, content: bytes, plan_year: PlanYear, max_bytes: int | None = None) -> UsageParse:
    return parse_usage(
        content,
        plan_year.rule_set,
        months=plan_year.months,
        max_bytes=settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes,
    )


def usage_preview(*, plan_year: PlanYear, parse: UsageParse, user: User | None) -> UsagePreview:
    """What confirming would do, and every row the portal's data refuses. Writes nothing."""
    if not parse.rows:
        return UsagePreview(parse=parse, errors=list(parse.errors))
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
    for row in parse.rows:
        school = schools.get(row.code)
        if not row.code:
            continue
        if school is None:
            errors.append(
                Problem(row.excel_row, "學校代碼", f"查無學校代碼 {row.code}（請確認代碼，或請縣市先匯入名單）")
            )
        elif school["pk"] in allowed:
            continue
        elif user.role == Role.SCHOOL:
            errors.append(Problem(row.excel_row, "學校代碼", f"本帳號只能填報本校，{row.code} 不是本校"))
        else:
            errors.append(
                Problem(
                    row.excel_row,
                    "學校代碼",
                    f"{row.code} {school['name']}屬於{county_names.get(school['county_id'], '其他縣市')}，"
                    f"本帳號只能填報{county_names.get(own_county, '本縣市')}的學校",
                )
            )
    # Every bad row at once, the file's and the portal's, in the file's order.
    errors = sorted([*parse.errors, *errors], key=lambda p: p.row or 0)
    preview = UsagePreview(parse=parse, errors=errors, schools=schools)
    if errors:
        return preview
    months = {row.month for row in parse.rows}
    existing = UsageRecord.objects.filter(
        plan_year=plan_year, school_id__in=[s["pk"] for s in schools.values()], month__in=months
    ).values_list("school_id", "month", "platform", "pk", *FIGURES)
    preview.existing = {(s, m, p): (pk, *figures) for s, m, p, pk, *figures in existing}
    for row in parse.rows:
        current = preview.existing.get((schools[row.code]["pk"], row.month, row.platform))
        if current is None:
            preview.statuses[row.key] = NEW
        elif tuple(current[1:]) == (row.hours, row.active_students, row.active_devices):
            preview.statuses[row.key] = UNCHANGED
        else:
            preview.statuses[row.key] = REPLACED
    return preview


@transaction.atomic
def usage_import(*, plan_year: PlanYear, parse: UsageParse, user: User | None) -> dict:
    """All or nothing: every row of the file is written, replacing the same school+month+platform."""
    preview = usage_preview(plan_year=plan_year, parse=parse, user=user)
    if not preview.ok:
        raise UsageImportRefused(preview.errors)
    now = timezone.now()
    user_id = user.pk if user is not None else None
    # Plain tuples in COPY_COLUMNS order (a replaced row's pk first): 216,000 model instances
    # would cost more than writing them.
    created, replaced = [], []
    for row in parse.rows:
        status = preview.statuses[row.key]
        if status == UNCHANGED:
            continue
        school = preview.schools[row.code]
        values = (
            plan_year.pk,
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
            replaced.append((preview.existing[(school["pk"], row.month, row.platform)][0], *values))
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


def usage_upload_confirm(*, upload: PendingUpload, user: User) -> dict:
    if upload.status != PendingUpload.Status.PENDING:
        raise UsageImportRefused([Problem(None, "", "這個檔案已處理過，請重新上傳")])
    parse = usage_parse_file(content=upload_read(upload), plan_year=upload.plan_year)
    with transaction.atomic():
        summary = usage_import(plan_year=upload.plan_year, parse=parse, user=user)
        upload_confirmed(upload=upload, summary=summary)
    return summary


def usage_record_save(*, plan_year: PlanYear, user: User, row: UsageRow) -> str:
    """One month of one platform typed in the form; the same checks as a file. Returns the status."""
    parse = UsageParse(rows=[row])
    preview = usage_preview(plan_year=plan_year, parse=parse, user=user)
    if not preview.ok:
        raise UsageImportRefused(preview.errors)
    usage_import(plan_year=plan_year, parse=parse, user=user)
    return preview.statuses[row.key]


# --- Reads ---------------------------------------------------------------------------------


def usage_for(*, user: User, plan_year: PlanYear) -> QuerySet:
    return access.for_user(UsageRecord.objects.filter(plan_year=plan_year), user)


def _sums(queryset: QuerySet, *group: str) -> list[dict]:
    rows = (
        queryset.values(*group)
        .annotate(
            sum_hours=Sum("hours"),
            students=Sum("active_students"),
            devices=Sum("active_devices"),
            schools=Count("school", distinct=True),
            records=Count("pk"),
        )
        .order_by(*group)
    )
    # "hours" is the model's field: an annotation may not take its name.
    return [{**row, "hours": row.pop("sum_hours")} for row in rows]


def usage_aggregates(*, user: User, plan_year: PlanYear, county: County | None = None) -> dict:
    """Per month, per platform, per county (and the total) of what the user may see; cached."""

    def compute() -> dict:
        records = usage_for(user=user, plan_year=plan_year)
        if county is not None:
            records = records.filter(county=county)
        by_county = _sums(records, "county_id")
        names = dict(County.objects.values_list("pk", "name"))
        for item in by_county:
            item["county"] = names.get(item["county_id"], "")
        return {
            "by_month": _sums(records, "month"),
            "by_platform": _sums(records, "platform"),
            "by_county": by_county,
            "total": records.aggregate(
                total_hours=Sum("hours"), total_students=Sum("active_students"), records=Count("pk")
            ),
        }

    scope = (access.scope_key(user), plan_year.pk, county.pk if county else None)
    return cached(USAGE, ("aggregates", *scope), compute)


def usage_by_school(*, user: User, plan_year: PlanYear, county: County | None, month: datetime.date | None):
    """Per school (by code): hours, active students and devices summed, and how many records."""
    records = usage_for(user=user, plan_year=plan_year)
    if county is not None:
        records = records.filter(county=county)
    if month is not None:
        records = records.filter(month=month)
    return (
        records.values("school__code", "school__name", "county__name")
        .annotate(
            total_hours=Sum("hours"),
            students=Sum("active_students"),
            devices=Sum("active_devices"),
            records=Count("pk"),
        )
        .order_by("school__code")
    )


def roster_school_counts(plan_year: PlanYear) -> dict[int, int]:
    """county id -> distinct schools on the year's roster (the schools expected to report); cached
    until the roster changes."""
    return cached(
        ROSTER,
        ("roster_school_counts", plan_year.pk),
        lambda: dict(
            RosterRow.objects.filter(plan_year=plan_year)
            .values("school__county_id")
            .annotate(n=Count("school", distinct=True))
            .values_list("school__county_id", "n")
        ),
    )


def reporting_school_counts(plan_year: PlanYear, county_ids=None) -> dict[tuple[int, datetime.date], int]:
    """(county id, month) -> distinct schools with any usage record that month; cached."""

    def compute():
        records = UsageRecord.objects.filter(plan_year=plan_year)
        if county_ids is not None:
            records = records.filter(county_id__in=county_ids)
        rows = records.values("county_id", "month").annotate(n=Count("school", distinct=True))
        return {(r["county_id"], r["month"]): r["n"] for r in rows}

    return cached(USAGE, ("reporting_schools", plan_year.pk, tuple(county_ids or ())), compute)


def schools_without_usage(*, plan_year: PlanYear, county: County, month: datetime.date) -> QuerySet:
    """The county's roster schools that have reported no platform for the month."""
    reported = UsageRecord.objects.filter(plan_year=plan_year, county=county, month=month).values("school_id")
    return (
        School.objects.filter(county=county, roster_rows__plan_year=plan_year)
        .exclude(pk__in=reported)
        .distinct()
        .order_by("code")
    )


def usage_export_csv(*, user: User, plan_year: PlanYear, county: County | None = None) -> bytes:
    """The plain CSV the MOE's system takes: UTF-8 with BOM, one row per school+month+platform,
    月份 as ROC YYYMM (11103), hours with one decimal, counts as integers."""
    records = usage_for(user=user, plan_year=plan_year)
    if county is not None:
        records = records.filter(county=county)
    rows = records.order_by("county__sort_order", "school__code", "month", "platform").values_list(
        "county__code", "county__name", "school__code", "school__name", "month", "platform", *FIGURES
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for county_code, county_name, code, name, month, platform, hours, students, devices in rows.iterator(
        chunk_size=5000
    ):
        writer.writerow(
            [
                plan_year.year,
                county_code,
                county_name,
                code,
                safe_text(name),
                f"{month.year - ROC_OFFSET}{month.month:02d}",
                safe_text(platform),
                f"{hours:.1f}",
                students,
                devices,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def usage_template_csv(*, plan_year: PlanYear, schools: list[School]) -> bytes:
    """An empty file to fill: the header and one row per school and platform of the first month."""
    from reporting.usage_format import TEMPLATE_HEADERS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    month = plan_year.months[0]
    for school in schools:
        for platform in plan_year.rule_set.usage_platforms[:1]:
            writer.writerow([school.code, safe_text(school.name), roc_month(month), platform, "", "", ""])
    return buffer.getvalue().encode("utf-8-sig")
