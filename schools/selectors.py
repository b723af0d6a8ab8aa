"""Reads of the roster, always through the access helper."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from budget import rules as engine
from portal import access
from portal.cache import cached
from portal.models import User
from schools.exporting import roster_export_records, write_roster_workbook
from schools.models import County, PlanYear, RosterRow

ROSTER = "roster"
PLAN_YEARS = "plan_years"


def plan_years() -> list[PlanYear]:
    """Every plan year, the latest first (cached until a year is opened or changed)."""
    return cached(PLAN_YEARS, ("all",), lambda: list(PlanYear.objects.order_by("-year")))


def plan_year_or_latest(year: str | None) -> PlanYear:
    """The plan year asked for (?year=111), else the latest one. Every page asks: cached."""
    years = plan_years()
    wanted = int(year) if year and str(year).isdigit() else None
    return next((y for y in years if y.year == wanted), years[0] if years else None)


def roster_rows_for(*, user: User | None, plan_year: PlanYear, county: County | None = None) -> QuerySet:
    """The year's rows the user may see (user None: a command run by the operator)."""
    rows = RosterRow.objects.filter(plan_year=plan_year)
    if user is not None:
        rows = access.for_user(rows, user)
    if county is not None:
        rows = rows.filter(school__county=county)
    return rows


def roster_export_workbook(*, plan_year: PlanYear, county: County | None, user: User | None) -> tuple[bytes, int]:
    rows = roster_rows_for(user=user, plan_year=plan_year, county=county).order_by(
        "school__county__sort_order", "school__code", "level"
    )
    records = roster_export_records(rows)
    label = county.name if county else (user.county.name if user and user.is_county_staff else "全國")
    content = write_roster_workbook(
        records,
        plan_year=plan_year.year,
        county_label=label,
        survey_year=plan_year.survey_year,
        rule_set=plan_year.rule_set,
    )
    return content, len(records)


def roster_totals(*, rows: QuerySet, rule_set: engine.RuleSet) -> engine.CountyTotals:
    """The engine's county totals, added up in the database (one query)."""
    sums = rows.aggregate(
        distinct_schools=Count("school", distinct=True),
        rows=Count("pk"),
        remote_rows=Count("pk", filter=Q(area__in=rule_set.remote_areas)),
        carts=Sum("entitled_carts"),
        teacher_devices=Sum("entitled_teacher_devices"),
        student_devices=Sum("entitled_student_devices"),
    )
    return engine.CountyTotals(
        schools=engine.school_count(sums["distinct_schools"], sums["rows"], rule_set),
        rows=sums["rows"],
        remote_rows=sums["remote_rows"],
        carts=sums["carts"] or 0,
        teacher_devices=sums["teacher_devices"] or 0,
        student_devices=sums["student_devices"] or 0,
    )


def roster_completeness(*, rows: QuerySet) -> dict:
    """How many rows still lack what submission needs (one query)."""
    return rows.aggregate(
        rows=Count("pk"),
        missing_reason=Count("pk", filter=Q(complies=False, reason="")),
        not_requested=Count("pk", filter=Q(complies__isnull=True)),
    )


def county_entitlements_for(*, user: User, plan_year: PlanYear) -> list[dict]:
    """county_entitlements of the rows the user may see, cached until the roster changes."""
    return cached(
        ROSTER,
        ("county_entitlements", access.scope_key(user), plan_year.pk),
        lambda: county_entitlements(rows=roster_rows_for(user=user, plan_year=plan_year), rule_set=plan_year.rule_set),
    )


def county_entitlements(*, rows: QuerySet, rule_set: engine.RuleSet) -> list[dict]:
    """Per county: schools, rows and entitled counts added up in the database, then the
    engine's staffing and operating fee for that many schools. One query."""
    per_county = (
        rows.values("school__county__name", "school__county__sort_order")
        .annotate(
            distinct_schools=Count("school", distinct=True),
            rows=Count("pk"),
            remote_rows=Count("pk", filter=Q(area__in=rule_set.remote_areas)),
            carts=Sum("entitled_carts"),
            teacher_devices=Sum("entitled_teacher_devices"),
            student_devices=Sum("entitled_student_devices"),
            not_complying=Count("pk", filter=Q(complies=False)),
            missing_reason=Count("pk", filter=Q(complies=False, reason="")),
            not_requested=Count("pk", filter=Q(complies__isnull=True)),
        )
        .order_by("school__county__sort_order")
    )
    result = []
    for item in per_county:
        schools = engine.school_count(item["distinct_schools"], item["rows"], rule_set)
        staff = engine.entitled_staffing(schools, rule_set)
        result.append(
            {
                "totals": engine.CountyTotals(
                    schools=schools,
                    rows=item["rows"],
                    remote_rows=item["remote_rows"],
                    carts=item["carts"] or 0,
                    teacher_devices=item["teacher_devices"] or 0,
                    student_devices=item["student_devices"] or 0,
                ),
                "county": item["school__county__name"],
                "schools": schools,
                "rows": item["rows"],
                "remote_rows": item["remote_rows"],
                "carts": item["carts"] or 0,
                "teacher_devices": item["teacher_devices"] or 0,
                "student_devices": item["student_devices"] or 0,
                "not_complying": item["not_complying"],
                "missing_reason": item["missing_reason"],
                "not_requested": item["not_requested"],
                "staffing": staff,
                "operating_fee_ntd": engine.operating_fee(schools, rule_set),
                "device_amount_ntd": ((item["teacher_devices"] or 0) + (item["student_devices"] or 0))
                * rule_set.device_unit_price,
                "cart_amount_ntd": (item["carts"] or 0) * rule_set.cart_unit_price,
            }
        )
    return result
