"""Reads of the office/training app: progress against the targets of 五(四)2 and the summary
reporting reads (the office's gaps and the budget table's figures: selectors_office).
Everything is added up in the database, in a constant number of queries.

`county_training_summary` is the contract between this app and `reporting/`: its keys are
fixed here (TRAINING_SUMMARY_KEYS).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from budget import rules as engine
from portal import access, charts
from portal.cache import cached, cached_for, version
from schools.models import PlanYear, RosterRow, School
from schools.selectors import ROSTER
from training.models import (
    LITERACY_KINDS,
    Attendance,
    PublicLesson,
    SessionKind,
    TrainingSession,
    WorkingMeeting,
)
from training.selectors_office import meeting_months

TRAINING = "training"
"""The read cache's namespace of this app: every write of the app invalidates it; cached
reads also carry the roster's token (teachers, schools and the year's rules live there)."""


def cached_read(parts: tuple, compute, *, user=None):
    """With `user`, keyed by the reader's access scope too (portal.cache.cached_for)."""
    if user is not None:
        return cached_for(user, TRAINING, (*parts, version(ROSTER)), compute)
    return cached(TRAINING, (*parts, version(ROSTER)), compute)


# The keys of one county's summary, all integers, cumulative up to `until` within the plan year
# unless said otherwise.
TRAINING_SUMMARY_KEYS = (
    "sessions_held",  # training sessions of the plan year held on or before `until`
    "teachers_trained",  # distinct teachers of the county's schools who completed any session
    "a1a2_teachers",  # distinct teachers who completed both A1 and A2 (any plan year up to `until`)
    "literacy_teachers",  # distinct teachers trained in digital literacy this plan year
    "it_staff_trained",  # distinct IT staff (資訊組長) trained this plan year
    "teachers_total",  # the roster's 編制教師數, summed over the county's rows
    "meetings_held",  # working meetings of the office held on or before `until`
    "public_lessons",  # 公開觀議課 in digital-learning mode held
    "schools_with_public_lesson",  # distinct schools with at least one
    "schools_total",  # distinct schools in the county's roster
)


# --- Teachers trained --------------------------------------------------------------------


def _flag(condition: Q):
    return Max(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _teacher_counts(*, attendances: QuerySet, plan_year: PlanYear, until: datetime.date, by: str) -> dict[int, dict]:
    """{county or school id: counts of distinct teachers}, a teacher being (school, identifier).

    One query: the inner query makes one row a teacher with a flag a target, the outer one
    adds the flags up; so a teacher counts once however many sessions they attended."""
    this_year = Q(session__plan_year=plan_year)
    teachers = (
        attendances.filter(session__held_on__lte=until)
        .values("teacher_code")
        .annotate(
            sid=F("school_id"),
            cid=F("school__county_id"),
            a1=_flag(Q(session__kind=SessionKind.A1)),
            a2=_flag(Q(session__kind=SessionKind.A2)),
            lit=_flag(this_year & Q(session__kind__in=LITERACY_KINDS)),
            it=_flag(this_year & Q(session__kind=SessionKind.IT_STAFF)),
            year=_flag(this_year),
        )
        .order_by()
    )
    inner, params = teachers.query.sql_with_params()
    group = "sid" if by == "school" else "cid"
    sql = (
        f"SELECT {group}, SUM(year), SUM(a1 * a2), SUM(lit), SUM(it) FROM ({inner}) teachers "  # noqa: S608
        f"GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            key: {"trained": trained or 0, "a1a2": a1a2 or 0, "literacy": lit or 0, "it_staff": it or 0}
            for key, trained, a1a2, lit, it in cursor.fetchall()
        }


EMPTY_COUNTS = {"trained": 0, "a1a2": 0, "literacy": 0, "it_staff": 0}


@dataclass
class Progress:
    """One school's or one county's figures against the year's targets."""

    label: str
    teachers: int
    a1a2: int
    literacy: int
    it_staff: int
    trained: int
    a1a2_target_percent: int
    literacy_target_percent: int
    it_staff_target: int
    code: str = ""
    schools_with_it_staff: int | None = None

    @property
    def a1a2_target(self) -> int:
        return engine.teachers_for_percent(self.teachers, self.a1a2_target_percent)

    @property
    def literacy_target(self) -> int:
        return engine.teachers_for_percent(self.teachers, self.literacy_target_percent)

    @property
    def a1a2_tenths(self) -> int | None:
        return engine.share_percent_tenths(self.a1a2, self.teachers)

    @property
    def literacy_tenths(self) -> int | None:
        return engine.share_percent_tenths(self.literacy, self.teachers)

    @property
    def a1a2_met(self) -> bool:
        return self.teachers > 0 and self.a1a2 >= self.a1a2_target

    @property
    def literacy_met(self) -> bool:
        return self.teachers > 0 and self.literacy >= self.literacy_target

    @property
    def it_staff_met(self) -> bool:
        if self.schools_with_it_staff is not None:
            return self.schools_with_it_staff >= self.it_staff_target
        return self.it_staff >= self.it_staff_target

    @property
    def it_staff_done(self) -> int:
        return self.schools_with_it_staff if self.schools_with_it_staff is not None else self.it_staff


def _targets(plan_year: PlanYear) -> dict:
    rules = plan_year.rule_set
    return {
        "a1a2_target_percent": engine.a1a2_target_percent(plan_year.year, rules),
        "literacy_target_percent": rules.literacy_training_target_percent,
    }


@dataclass
class ProgressReport:
    plan_year: PlanYear
    until: datetime.date
    total: Progress
    rows: list[Progress] = field(default_factory=list)
    """Per school (a county or a school's view) or per county (the MOE's view)."""
    per: str = "school"


def progress_for_schools(*, schools: QuerySet, plan_year: PlanYear, label: str) -> ProgressReport:
    """Each school of `schools` (already scoped by the caller) with the county's total. Three queries."""
    until = plan_year.period_end
    rules = plan_year.rule_set
    targets = _targets(plan_year)
    rows = (
        RosterRow.objects.filter(plan_year=plan_year, school__in=schools)
        .values("school_id", "school__code", "school__name")
        .annotate(teachers=Sum("teachers"))
        .order_by("school__code")
    )
    counts = _teacher_counts(
        attendances=Attendance.objects.filter(school__in=schools), plan_year=plan_year, until=until, by="school"
    )
    per_school = []
    for row in rows:
        c = counts.get(row["school_id"], EMPTY_COUNTS)
        per_school.append(
            Progress(
                label=row["school__name"],
                code=row["school__code"],
                teachers=row["teachers"] or 0,
                a1a2=c["a1a2"],
                literacy=c["literacy"],
                it_staff=c["it_staff"],
                trained=c["trained"],
                it_staff_target=rules.it_staff_trained_per_school,
                **targets,
            )
        )
    total = Progress(
        label=label,
        teachers=sum(p.teachers for p in per_school),
        a1a2=sum(p.a1a2 for p in per_school),
        literacy=sum(p.literacy for p in per_school),
        it_staff=sum(p.it_staff for p in per_school),
        trained=sum(p.trained for p in per_school),
        it_staff_target=len(per_school),
        schools_with_it_staff=sum(1 for p in per_school if p.it_staff >= rules.it_staff_trained_per_school),
        **targets,
    )
    return ProgressReport(plan_year=plan_year, until=until, total=total, rows=per_school, per="school")


def progress_for_counties(*, counties: QuerySet, plan_year: PlanYear) -> ProgressReport:
    """The MOE's view: one line a county. Three queries."""
    until = plan_year.period_end
    rules = plan_year.rule_set
    targets = _targets(plan_year)
    teachers = dict(
        RosterRow.objects.filter(plan_year=plan_year, school__county__in=counties)
        .values_list("school__county_id")
        .annotate(t=Sum("teachers"))
        .order_by()
    )
    schools = dict(
        RosterRow.objects.filter(plan_year=plan_year, school__county__in=counties)
        .values_list("school__county_id")
        .annotate(n=Count("school", distinct=True))
        .order_by()
    )
    counts = _teacher_counts(
        attendances=Attendance.objects.filter(school__county__in=counties),
        plan_year=plan_year,
        until=until,
        by="county",
    )
    it_schools = _schools_with_it_staff(counties=counties, plan_year=plan_year, until=until, rules=rules)
    rows = []
    for county in counties.order_by("sort_order"):
        if county.pk not in teachers and county.pk not in counts:
            continue
        c = counts.get(county.pk, EMPTY_COUNTS)
        rows.append(
            Progress(
                label=county.name,
                code=county.code,
                teachers=teachers.get(county.pk) or 0,
                a1a2=c["a1a2"],
                literacy=c["literacy"],
                it_staff=c["it_staff"],
                trained=c["trained"],
                it_staff_target=schools.get(county.pk, 0),
                schools_with_it_staff=it_schools.get(county.pk, 0),
                **targets,
            )
        )
    total = Progress(
        label="全國",
        teachers=sum(p.teachers for p in rows),
        a1a2=sum(p.a1a2 for p in rows),
        literacy=sum(p.literacy for p in rows),
        it_staff=sum(p.it_staff for p in rows),
        trained=sum(p.trained for p in rows),
        it_staff_target=sum(p.it_staff_target for p in rows),
        schools_with_it_staff=sum(p.schools_with_it_staff or 0 for p in rows),
        **targets,
    )
    return ProgressReport(plan_year=plan_year, until=until, total=total, rows=rows, per="county")


def _schools_with_it_staff(*, counties, plan_year, until, rules) -> dict[int, int]:
    per_school = (
        Attendance.objects.filter(
            school__county__in=counties,
            session__plan_year=plan_year,
            session__kind=SessionKind.IT_STAFF,
            session__held_on__lte=until,
        )
        .values("school_id", "school__county_id")
        .annotate(n=Count("teacher_code", distinct=True))
        .filter(n__gte=rules.it_staff_trained_per_school)
        .order_by()
    )
    result: dict[int, int] = {}
    for item in per_school:
        result[item["school__county_id"]] = result.get(item["school__county_id"], 0) + 1
    return result


# --- The contract with reporting -----------------------------------------------------------


def county_training_summary(
    *, plan_year, county_ids: Iterable[int] | None = None, until: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """{county id: {key: int for key in TRAINING_SUMMARY_KEYS}} for the counties that have data.

    `county_ids` None means every county; `until` None means now. A month's own figure is the
    difference of two calls. Aggregated in the database: a constant number of queries."""
    until = until or timezone.localdate()
    ids = None if county_ids is None else list(county_ids)

    def scoped(queryset: QuerySet, lookup: str) -> QuerySet:
        return queryset if ids is None else queryset.filter(**{f"{lookup}__in": ids})

    roster = scoped(RosterRow.objects.filter(plan_year=plan_year), "school__county_id")
    roster_sums = {
        item["school__county_id"]: item
        for item in roster.values("school__county_id")
        .annotate(teachers=Sum("teachers"), schools=Count("school", distinct=True))
        .order_by()
    }
    teachers = _teacher_counts(
        attendances=scoped(Attendance.objects.all(), "school__county_id"), plan_year=plan_year, until=until, by="county"
    )
    sessions = dict(
        scoped(TrainingSession.objects.filter(plan_year=plan_year, held_on__lte=until), "county_id")
        .values_list("county_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    meetings = dict(
        scoped(WorkingMeeting.objects.filter(plan_year=plan_year, held_on__lte=until), "county_id")
        .values_list("county_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    lessons = {
        item["school__county_id"]: item
        for item in scoped(PublicLesson.objects.filter(plan_year=plan_year, held_on__lte=until), "school__county_id")
        .values("school__county_id")
        .annotate(n=Count("pk"), schools=Count("school", distinct=True))
        .order_by()
    }
    summary: dict[int, dict[str, int]] = {}
    for county_id in set(roster_sums) | set(teachers) | set(sessions) | set(meetings) | set(lessons):
        roster_item = roster_sums.get(county_id, {})
        teacher_item = teachers.get(county_id, EMPTY_COUNTS)
        lesson_item = lessons.get(county_id, {})
        summary[county_id] = {
            "sessions_held": sessions.get(county_id, 0),
            "teachers_trained": teacher_item["trained"],
            "a1a2_teachers": teacher_item["a1a2"],
            "literacy_teachers": teacher_item["literacy"],
            "it_staff_trained": teacher_item["it_staff"],
            "teachers_total": roster_item.get("teachers") or 0,
            "meetings_held": meetings.get(county_id, 0),
            "public_lessons": lesson_item.get("n", 0),
            "schools_with_public_lesson": lesson_item.get("schools", 0),
            "schools_total": roster_item.get("schools", 0),
        }
    return summary


def schools_by_code(codes: Iterable[str]) -> dict[str, School]:
    return {school.code: school for school in School.objects.filter(code__in=set(codes)).select_related("county")}


def home_panel(*, user, plan_year: PlanYear) -> dict | None:
    """The office's line on the county home page: training against the year's A1+A2 target,
    meetings missing, schools without a public lesson. None for users without a county."""
    if not user.is_authenticated or not user.is_county_staff or not user.county_id:
        return None
    county = user.county

    def compute() -> dict:
        summary = county_training_summary(plan_year=plan_year, county_ids=[county.pk], until=plan_year.period_end)
        figures = summary.get(county.pk, dict.fromkeys(TRAINING_SUMMARY_KEYS, 0))
        meetings = access.for_user(WorkingMeeting.objects.filter(plan_year=plan_year, county=county), user)
        months = meeting_months(meetings=meetings, plan_year=plan_year)
        return {
            "figures": figures,
            "a1a2_tenths": engine.share_percent_tenths(figures["a1a2_teachers"], figures["teachers_total"]),
            "a1a2_target_percent": engine.a1a2_target_percent(plan_year.year, plan_year.rule_set),
            "months_missing": [m["label"] for m in months if not m["met"]],
            "schools_without_lesson": figures["schools_total"] - figures["schools_with_public_lesson"],
        }

    # The home page is the busiest page: the panel is computed once per write of the app.
    return cached_read(("home_panel", county.pk, plan_year.pk), compute)


def progress_chart(*, report: ProgressReport) -> dict:
    """The three indicators of the report's total against their targets (in tenths of a percent):
    the rows of the table and the same as bars of the portal's chart."""
    total = report.total
    it_tenths = None
    if total.it_staff_target:
        it_tenths = min(1000, total.it_staff_done * 1000 // total.it_staff_target)
    indicators = [
        (
            "完成 A1＋A2 之教師",
            total.a1a2_tenths,
            total.a1a2_target_percent * 10,
            f"{total.a1a2:,}／{total.teachers:,} 人",
        ),
        (
            "本年度數位素養研習教師",
            total.literacy_tenths,
            total.literacy_target_percent * 10,
            f"{total.literacy:,}／{total.teachers:,} 人",
        ),
        (
            "資訊組長已受訓之學校" if total.schools_with_it_staff is not None else "資訊組長已受訓",
            it_tenths,
            1000,
            f"{total.it_staff_done:,}／{total.it_staff_target:,}",
        ),
    ]
    bars = [
        {
            "label": label,
            "value_text": "—" if tenths is None else f"{tenths // 10}.{tenths % 10}%",
            "target_text": f"目標 {target // 10}%",
            "detail": detail,
        }
        for label, tenths, target, detail in indicators
    ]
    svg = charts.bar_chart(
        [
            {"label": label, "value": None if tenths is None else tenths / 10, "target": target / 10}
            for label, tenths, target, _detail in indicators
        ],
        unit="%",
        percent=True,
        title="培訓進度長條圖",
        label_width=170,
    )
    return {"bars": bars, "svg": svg}
