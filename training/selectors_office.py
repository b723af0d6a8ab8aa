"""The office's gaps (months without a meeting, schools without a public lesson, key schools
against their target) and the figures the budget table takes from the office (staffing, lines 9
and 10). Each is added up in the database in one or two queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from budget import rules as engine
from portal.roc import roc_month
from schools.models import PlanYear, RosterRow
from training.models import OfficeStaff, PublicLesson, SchoolDesignation, StaffKind, TrainingSession


def meeting_months(*, meetings: QuerySet, plan_year: PlanYear) -> list[dict]:
    """Every month of the plan period with its meeting count and whether it reached the target.
    One query."""
    per_month: dict[tuple[int, int], int] = {}
    in_period = meetings.filter(held_on__gte=plan_year.period_start, held_on__lte=plan_year.period_end)
    for held_on in in_period.values_list("held_on", flat=True):
        per_month[(held_on.year, held_on.month)] = per_month.get((held_on.year, held_on.month), 0) + 1
    target = plan_year.rule_set.meetings_per_month
    return [
        {
            "label": roc_month(y, m),
            "year": y,
            "month": m,
            "count": per_month.get((y, m), 0),
            "met": per_month.get((y, m), 0) >= target,
        }
        for y, m in ((first.year, first.month) for first in plan_year.months)
    ]


def schools_without_public_lesson(*, schools: QuerySet, plan_year: PlanYear) -> QuerySet:
    """The roster's schools (of `schools`) that held fewer 公開觀議課 this plan year than the rule
    set asks of each school (五(四)2(1)B: at least `public_lessons_per_school`). One query."""
    in_roster = RosterRow.objects.filter(plan_year=plan_year).values("school_id")
    enough = (
        PublicLesson.objects.filter(plan_year=plan_year)
        .values("school_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=plan_year.rule_set.public_lessons_per_school)
        .values("school_id")
    )
    return schools.filter(pk__in=in_roster).exclude(pk__in=enough).order_by("code")


def roster_school_count(*, county, plan_year: PlanYear) -> int:
    rows = RosterRow.objects.filter(plan_year=plan_year, school__county=county)
    sums = rows.aggregate(schools=Count("school", distinct=True), rows=Count("pk"))
    return engine.school_count(sums["schools"], sums["rows"], plan_year.rule_set)


def key_school_figures(*, county, plan_year: PlanYear) -> dict:
    schools = roster_school_count(county=county, plan_year=plan_year)
    counts = dict(
        SchoolDesignation.objects.filter(plan_year=plan_year, school__county=county)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    target = engine.key_schools_target(schools, plan_year.rule_set)
    key = counts.get("key", 0)
    return {
        "schools": schools,
        "target": target,
        "key": key,
        "model": counts.get("model", 0),
        "met": key >= target,
        "percent": plan_year.rule_set.key_school_percent,
    }


@dataclass(frozen=True)
class StaffLine:
    kind: str
    label: str
    entitled: int
    hired: int
    full_time: int
    part_time: int
    annual_rate: int

    @property
    def amount_ntd(self) -> int:
        return self.hired * self.annual_rate

    @property
    def over(self) -> bool:
        return self.hired > self.entitled


def staffing_figures(*, county, plan_year: PlanYear) -> dict:
    """The engine's entitled headcount per kind beside the hired one, and line 7's amount.

    [reading] a hired person counts as one whether full- or part-time: the plan's figures
    (requested_counselors ...) are persons, and line 7 is persons x the annual rate."""
    rules = plan_year.rule_set
    entitled = engine.entitled_staffing(roster_school_count(county=county, plan_year=plan_year), rules)
    hired = {
        item["kind"]: item
        for item in OfficeStaff.objects.filter(plan_year=plan_year, county=county)
        .values("kind")
        .annotate(n=Count("pk"), full=Count("pk", filter=Q(full_time=True)))
        .order_by()
    }
    entitled_by_kind = {
        StaffKind.COUNSELOR: (entitled.counselors, rules.counselor_annual_rate),
        StaffKind.IT: (entitled.it_staff, rules.it_staff_annual_rate),
        StaffKind.ADMIN: (entitled.admin_staff, rules.admin_staff_annual_rate),
    }
    lines = []
    for kind, (persons, rate) in entitled_by_kind.items():
        item = hired.get(kind, {"n": 0, "full": 0})
        lines.append(StaffLine(kind, kind.label, persons, item["n"], item["full"], item["n"] - item["full"], rate))
    by_kind = {line.kind: line.hired for line in lines}
    part_time = {line.kind: line.hired - line.full_time for line in lines}
    amount = engine.staffing_amount(
        by_kind[StaffKind.COUNSELOR], by_kind[StaffKind.IT], by_kind[StaffKind.ADMIN], rules
    )
    return {"lines": lines, "entitled": entitled, "amount_ntd": amount, "by_kind": by_kind, "part_time": part_time}


def session_budget_figures(*, county, plan_year: PlanYear) -> dict:
    """Lines 9 and 10 from the county's sessions of the year. One query."""
    rules = plan_year.rule_set
    sums = TrainingSession.objects.filter(plan_year=plan_year, county=county).aggregate(
        sessions=Count("pk"),
        elementary=Sum("substitute_periods_elementary"),
        junior=Sum("substitute_periods_junior"),
    )
    periods = {engine.ELEMENTARY: sums["elementary"] or 0, engine.JUNIOR_HIGH: sums["junior"] or 0}
    return {
        "sessions": sums["sessions"],
        "periods_elementary": periods[engine.ELEMENTARY],
        "periods_junior": periods[engine.JUNIOR_HIGH],
        "training_ntd": engine.training_amount(sums["sessions"], rules),
        "substitute_ntd": engine.substitute_amount(periods, rules),
        "session_price": rules.training_session_unit_price,
        "period_prices": dict(rules.substitute_period_unit_price),
    }


def plan_figures(*, county, plan_year: PlanYear) -> dict:
    """What `budget.services.plan_set_county_figures` receives from the office."""
    sessions = session_budget_figures(county=county, plan_year=plan_year)
    staffing = staffing_figures(county=county, plan_year=plan_year)
    staff, part_time = staffing["by_kind"], staffing["part_time"]
    return {
        "training_sessions": sessions["sessions"],
        "substitute_periods_elementary": sessions["periods_elementary"],
        "substitute_periods_junior": sessions["periods_junior"],
        "requested_counselors": staff[StaffKind.COUNSELOR],
        "requested_it_staff": staff[StaffKind.IT],
        "requested_admin_staff": staff[StaffKind.ADMIN],
        # 六(三)5(4): counsellors and IT staff may be part-time; the county enters their share on
        # the budget form (the office knows who is part-time, not at what share).
        "part_time_counselors": part_time[StaffKind.COUNSELOR],
        "part_time_it_staff": part_time[StaffKind.IT],
    }
