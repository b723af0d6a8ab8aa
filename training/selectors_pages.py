"""Reads of the office's pages: one kind of record and the figures above its list, the office
at a glance (one county, or every county), the attendance list, the progress report. They
build on training.selectors (the figures, the progress and the contract with reporting)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Sum

from portal import access
from portal.cache import version
from portal.pagination import ListPage, list_page
from portal.search import fold_name, name_matches, name_q
from schools.models import County, PlanYear, School
from schools.selectors import ROSTER
from training.models import Attendance, HelpRequest, PromotionKind, WorkingMeeting
from training.selectors import (
    TRAINING,
    ProgressReport,
    cached_read,
    county_training_summary,
    progress_for_counties,
    progress_for_schools,
)
from training.selectors_office import (
    key_school_figures,
    meeting_months,
    schools_without_public_lesson,
    session_budget_figures,
    staffing_figures,
)


def progress_for_user(*, user, plan_year: PlanYear, county=None) -> ProgressReport:
    """The progress report the user's page shows: their school, the chosen county's schools,
    or (county None, MOE and admins) every county. Cached until the app or the roster changes."""

    def compute() -> ProgressReport:
        if user.is_school_staff:
            schools = access.for_user(School.objects.all(), user)
            return progress_for_schools(schools=schools, plan_year=plan_year, label=user.school.name)
        if county is None:
            counties = access.for_user(County.objects.all(), user)
            return progress_for_counties(counties=counties, plan_year=plan_year)
        schools = access.for_user(School.objects.filter(county=county), user)
        return progress_for_schools(schools=schools, plan_year=plan_year, label=county.name)

    return cached_read(("progress", plan_year.pk, county.pk if county else None), compute, user=user)


def office_records(*, user, record_type, plan_year: PlanYear, county=None, q: str = "", status: str = "") -> QuerySet:
    """One kind of the office's records (training.records.RecordType) of the year that the user
    may see: the county's with `county`; matching `q` where the kind is searchable; with
    `status` (requests only)."""
    records = access.for_user(record_type.model.objects.select_related(*record_type.related), user)
    records = records.filter(plan_year=plan_year)
    if county is not None:
        lookup = "school__county" if record_type.school_bound else "county"
        records = records.filter(**{lookup: county})
    if q and record_type.search:
        records = records.filter(name_q(record_type.search, q))
    if record_type.slug == "requests" and status:
        records = records.filter(status=status)
    return records


def record_panel(*, user, record_type, plan_year: PlanYear, county=None) -> dict:
    """The figures shown above a list of records: targets, gaps and budget lines of the county
    in view (none without one)."""
    if county is None:
        return {}
    slug = record_type.slug
    if slug == "staff":
        return {"staffing": staffing_figures(county=county, plan_year=plan_year)}
    if slug == "meetings":
        months = meeting_months(
            meetings=WorkingMeeting.objects.filter(plan_year=plan_year, county=county), plan_year=plan_year
        )
        return {"months": months, "months_missing": [m for m in months if not m["met"]]}
    if slug == "lessons":
        schools = access.for_user(School.objects.filter(county=county), user)
        missing = schools_without_public_lesson(schools=schools, plan_year=plan_year)
        return {"schools_missing": list(missing.values("code", "name"))}
    if slug == "designations":
        return {"key_schools": key_school_figures(county=county, plan_year=plan_year)}
    if slug == "sessions":
        return {"budget": session_budget_figures(county=county, plan_year=plan_year)}
    if slug == "promotions":
        totals = (
            access.for_user(record_type.model.objects.filter(plan_year=plan_year, county=county), user)
            .values("kind")
            .annotate(n=Count("pk"), participants=Sum("participants"), schools=Sum("schools"))
            .order_by("kind")
        )
        labels = dict(PromotionKind.choices)
        return {"promotion_totals": [dict(t, label=labels.get(t["kind"], t["kind"])) for t in totals]}
    return {}


def office_counties(*, user, plan_year: PlanYear) -> list[tuple]:
    """The national office page: each county the user may see, with its training summary."""
    counties = access.for_user(County.objects.all(), user)
    summary = county_training_summary(
        plan_year=plan_year, county_ids=list(counties.values_list("pk", flat=True)), until=plan_year.period_end
    )
    return [(c, summary.get(c.pk)) for c in counties.order_by("sort_order")]


def office_figures(*, user, plan_year: PlanYear, county) -> dict:
    """One county's office at a glance: staffing, sessions' budget, key schools, months without
    a meeting, schools without a public lesson, the training summary and the open requests.
    Seven aggregates, cached until the office, its sessions or the roster change."""

    def compute() -> dict:
        months = meeting_months(
            meetings=WorkingMeeting.objects.filter(plan_year=plan_year, county=county), plan_year=plan_year
        )
        schools = access.for_user(School.objects.filter(county=county), user)
        summary = county_training_summary(plan_year=plan_year, county_ids=[county.pk], until=plan_year.period_end)
        requests = HelpRequest.objects.filter(plan_year=plan_year, county=county)
        return {
            "staffing": staffing_figures(county=county, plan_year=plan_year),
            "budget": session_budget_figures(county=county, plan_year=plan_year),
            "key_schools": key_school_figures(county=county, plan_year=plan_year),
            "months_missing": [m for m in months if not m["met"]],
            "months": months,
            "schools_missing_lesson": schools_without_public_lesson(schools=schools, plan_year=plan_year).count(),
            "summary": summary.get(county.pk, {}),
            "open_requests": access.for_user(requests, user).exclude(status="closed").count(),
        }

    return cached_read(("office", plan_year.pk, county.pk), compute, user=user)


def attendance_page(*, user, plan_year: PlanYear, q: str, page: str | None, per_page: int) -> ListPage:
    """Who completed what (county staff: their sessions', school staff: their school's
    teachers'), matching `q`. Plain values, newest first (the primary key's index), the page and
    its count cached until the next write: a page deep into a county's 70,000 rows costs no sort."""
    records = access.for_user(Attendance.objects.all(), user).filter(session__plan_year=plan_year)
    if q:
        records = records.filter(
            name_q(("teacher_code", "name", "session__code"), q) | Q(school__code=fold_name(q).upper())
        )
    rows = records.order_by("-pk").values(
        "pk",
        "session_id",
        "teacher_code",
        "name",
        session_code=F("session__code"),
        session_title=F("session__title"),
        held_on=F("session__held_on"),
        school_code=F("school__code"),
        school_name=F("school__name"),
    )
    parts = ("attendance", plan_year.pk, q, version(ROSTER))
    return list_page(namespace=TRAINING, user=user, parts=parts, rows=rows, page=page, per_page=per_page)


def progress_rows(report: ProgressReport, *, q: str = "") -> list:
    """The report's lines matching `q` (a school's or county's name or code)."""
    return [r for r in report.rows if name_matches(q, r.label, r.code)] if q else report.rows
