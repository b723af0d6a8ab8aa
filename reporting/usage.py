"""Usage hours: single entries, reads and the CSV export for the MOE's designated system
(五(四)2(1)C). Files come in through reporting.importing (the import pipeline's usage kind).
"""

from __future__ import annotations

import csv
import datetime
import io

from django.db.models import Count, QuerySet, Sum

from portal import access
from portal.cache import cached, cached_for
from portal.downloads import safe_text
from portal.figures import stored_figure
from portal.imports.kinds import ImportTarget, Parse
from portal.imports.pipeline import import_rows, preview
from portal.models import User
from portal.roc import ROC_OFFSET
from reporting.importing import FIGURES, TEMPLATE_HEADERS, USAGE, USAGE_IMPORT, UsageRow, roc_month
from reporting.models import UsageRecord
from schools.models import County, PlanYear, RosterRow, School
from schools.selectors import ROSTER

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


def usage_record_save(*, plan_year: PlanYear, user: User, row: UsageRow) -> str:
    """One month of one platform typed in the form; the same checks and write as a file.
    Returns the row's status (new, replaced, unchanged); raises ImportRefused."""
    target = ImportTarget(plan_year=plan_year)
    parse = Parse(rows=[row])
    status = preview(USAGE_IMPORT, parse, target=target, user=user).statuses.get(row.key)
    import_rows(USAGE_IMPORT, parse, target=target, user=user, source="逐筆填報")
    return status


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
    """Per month, per platform, per county (and the total) of what the user may see; cached
    (the national figures, for those who see every county, kept between writes)."""
    if county is None and access.scope_key(user) == "all":
        here = lambda: _aggregates(UsageRecord.objects.filter(plan_year=plan_year))  # noqa: E731
        return national_usage_aggregates.value(here, plan_year_id=plan_year.pk)

    def compute() -> dict:
        records = usage_for(user=user, plan_year=plan_year)
        if county is not None:
            records = records.filter(county=county)
        return _aggregates(records)

    return cached_for(user, USAGE, ("aggregates", plan_year.pk, county.pk if county else None), compute)


@stored_figure("national_usage_aggregates", depends=(USAGE,))
def national_usage_aggregates(*, plan_year_id: int) -> dict:
    return _aggregates(UsageRecord.objects.filter(plan_year_id=plan_year_id))


def _aggregates(records: QuerySet) -> dict:
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
    """(county id, month) -> distinct schools with any usage record that month; cached (every
    county's: kept between writes)."""
    if county_ids is None:
        here = lambda: _reporting_school_counts(UsageRecord.objects.filter(plan_year=plan_year))  # noqa: E731
        return national_reporting_school_counts.value(here, plan_year_id=plan_year.pk)
    return cached(
        USAGE,
        ("reporting_schools", plan_year.pk, tuple(county_ids)),
        lambda: _reporting_school_counts(UsageRecord.objects.filter(plan_year=plan_year, county_id__in=county_ids)),
    )


@stored_figure("national_reporting_school_counts", depends=(USAGE,))
def national_reporting_school_counts(*, plan_year_id: int) -> dict[tuple[int, datetime.date], int]:
    return _reporting_school_counts(UsageRecord.objects.filter(plan_year_id=plan_year_id))


def _reporting_school_counts(records: QuerySet) -> dict[tuple[int, datetime.date], int]:
    rows = records.values("county_id", "month").annotate(n=Count("school", distinct=True))
    return {(r["county_id"], r["month"]): r["n"] for r in rows}


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


LAST_MONTH_HEADERS = ("上月使用時數（參考）", "上月活躍學生數（參考）", "上月活躍載具數（參考）")


def usage_template_csv(*, plan_year: PlanYear, schools: list[School]) -> bytes:
    """The file to fill, prefilled: for a school that has reported, every remaining month of
    the plan period (after the last month it reported) x the platforms it reported that month,
    with that month's figures beside the blanks (for reference: the import reads only the
    blank columns); for a school that has not, one row of the first month and platform.
    Months are ROC (111年12月), hours without a trailing 「.0」. One query whatever the size."""
    from portal.templatetags.portal_tags import decimal_text

    months = plan_year.months
    last: dict[int, dict] = {}
    records = (
        UsageRecord.objects.filter(plan_year=plan_year, school__in=[school.pk for school in schools])
        .order_by("school_id", "-month", "platform")
        .values_list("school_id", "month", "platform", "hours", "active_students", "active_devices")
    )
    for school_id, month, platform, hours, students, devices in records:
        latest = last.setdefault(school_id, {"month": month, "platforms": {}})
        if month == latest["month"]:
            latest["platforms"][platform] = (decimal_text(hours), students, devices)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*TEMPLATE_HEADERS, *LAST_MONTH_HEADERS))
    for school in schools:
        name = safe_text(school.name)
        reported = last.get(school.pk)
        if reported is None:
            for platform in plan_year.rule_set.usage_platforms[:1]:
                writer.writerow([school.code, name, roc_month(months[0]), platform, "", "", "", "", "", ""])
            continue
        remaining = [month for month in months if month > reported["month"]]
        for month in remaining:
            for platform, figures in sorted(reported["platforms"].items()):
                writer.writerow([school.code, name, roc_month(month), platform, "", "", "", *figures])
    return buffer.getvalue().encode("utf-8-sig")
