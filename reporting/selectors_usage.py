"""Usage hours read back: what the user may see, summed per month, platform, county or school,
and which roster schools have reported (五(四)2(1)C). Writes are in reporting.services_usage,
the files in reporting.importing and reporting.exporting."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet, Sum

from portal import access
from portal.cache import cached, cached_for
from portal.figures import stored_figure
from portal.models import User
from reporting.importing import USAGE, roc_month
from reporting.models import UsageRecord
from schools.models import County, PlanYear, RosterRow, School
from schools.selectors import ROSTER


def usage_for(*, user: User, plan_year: PlanYear) -> QuerySet:
    return access.for_user(UsageRecord.objects.filter(plan_year=plan_year), user)


def usage_sums(queryset: QuerySet, *group: str) -> list[dict]:
    """Hours, active students and devices, schools and records of `queryset` per `group`."""
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


def usage_month_items(*, by_month: list[dict], months: list[datetime.date]) -> list[dict]:
    """One item per month of the plan period (usage_sums per month; None where nothing was
    reported): what the column chart and the table beside it print."""
    hours = {item["month"]: item for item in by_month}
    return [
        {
            "month": m,
            "label": roc_month(m),
            "short": f"{m.month}月",
            "value": hours[m]["hours"] if m in hours else None,
            "students": hours[m]["students"] if m in hours else None,
            "schools": hours[m]["schools"] if m in hours else 0,
        }
        for m in months
    ]


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
    by_county = usage_sums(records, "county_id")
    names = dict(County.objects.values_list("pk", "name"))
    for item in by_county:
        item["county"] = names.get(item["county_id"], "")
    return {
        "by_month": usage_sums(records, "month"),
        "by_platform": usage_sums(records, "platform"),
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


def roster_school_counts(*, plan_year: PlanYear) -> dict[int, int]:
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


def reporting_school_counts(*, plan_year: PlanYear, county_ids=None) -> dict[tuple[int, datetime.date], int]:
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
