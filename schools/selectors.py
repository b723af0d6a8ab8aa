"""Reads of the roster, always through the access helper."""

from __future__ import annotations

from dataclasses import asdict

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from budget import rules as engine
from portal import access
from portal.cache import cached, cached_for
from portal.counties import COUNTIES
from portal.models import User
from portal.search import name_q
from schools.exporting import roster_export_records, write_roster_workbook
from schools.models import County, PlanYear, RosterRow

ROSTER = "roster"
PLAN_YEARS = "plan_years"


def plan_years() -> list[PlanYear]:
    """Every plan year, the latest first (cached until a year is opened or changed)."""
    return cached(PLAN_YEARS, ("all",), lambda: list(PlanYear.objects.order_by("-year")))


def roster_rows_for(*, user: User | None, plan_year: PlanYear, county: County | None = None) -> QuerySet:
    """The year's rows the user may see (user None: a command run by the operator)."""
    rows = RosterRow.objects.filter(plan_year=plan_year)
    if user is not None:
        rows = access.for_user(rows, user)
    if county is not None:
        rows = rows.filter(school__county=county)
    return rows


# The national roster's sortable columns: ?sort=<key> ascending, ?sort=-<key> descending.
# Only these keys reach order_by (anything else sorts as the 附錄 does: county, code, level).
ROSTER_SORTS: dict[str, str] = {
    "students": "學生數",
    "classes": "班級數",
    "entitled_carts": "計算補助充電車",
    "entitled_teacher_devices": "計算補助教師載具",
    "entitled_student_devices": "計算補助學生載具",
    "req_carts": "申請補助充電車",
    "req_teacher_devices": "申請補助教師載具",
    "req_student_devices": "申請補助學生載具",
    "difference": "載具差異（申請－計算）",
}
ROSTER_DEFAULT_ORDER = ("school__county__sort_order", "school__code", "level")
ROSTER_PAGE_SIZES = (50, 100, 200)


def roster_sort(value: str | None) -> str:
    """`value` if it names a whitelisted column (with or without a leading -), else ''."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in ROSTER_SORTS else ""


def with_device_difference(rows: QuerySet) -> QuerySet:
    """Annotate `difference`: devices requested (teacher + student) less devices entitled."""
    return rows.annotate(
        difference=Coalesce(F("req_teacher_devices"), 0)
        + Coalesce(F("req_student_devices"), 0)
        - F("entitled_teacher_devices")
        - F("entitled_student_devices")
    )


def roster_order(rows: QuerySet, sort: str | None) -> QuerySet:
    """`rows` in the order `sort` asks for (a whitelisted key), ties in the 附錄's order."""
    key = roster_sort(sort)
    if not key:
        return rows.order_by(*ROSTER_DEFAULT_ORDER)
    field = key.removeprefix("-")
    expression = F(field).desc(nulls_last=True) if key.startswith("-") else F(field).asc(nulls_last=True)
    return rows.order_by(expression, *ROSTER_DEFAULT_ORDER)


def filter_roster_rows(rows: QuerySet, filters: dict, plan_year: PlanYear) -> QuerySet:
    """The list's filters (RosterFilterForm.cleaned_data), for the page and its export alike."""
    if filters.get("q"):
        rows = rows.filter(name_q(("school__code", "name", "school__name"), filters["q"]))
    if filters.get("county"):
        rows = rows.filter(school__county__code=filters["county"])
    if filters.get("level"):
        rows = rows.filter(level=filters["level"])
    if filters.get("area") == "remote":
        rows = rows.filter(area__in=plan_year.rule_set.remote_areas)
    elif filters.get("area"):
        rows = rows.filter(area=filters["area"])
    complies = filters.get("complies")
    if complies == "yes":
        rows = rows.filter(complies=True)
    elif complies == "no":
        rows = rows.filter(complies=False)
    elif complies == "no_reason":
        rows = rows.filter(complies=False, reason="")
    elif complies == "blank":
        rows = rows.filter(complies__isnull=True)
    return rows


def roster_list_rows(*, user: User, plan_year: PlanYear, filters: dict) -> QuerySet:
    """The rows the list shows: the user's, filtered, with the difference, sorted."""
    rows = filter_roster_rows(roster_rows_for(user=user, plan_year=plan_year), filters, plan_year)
    return roster_order(with_device_difference(rows), filters.get("sort"))


def roster_export_workbook(
    *, plan_year: PlanYear, county: County | None, user: User | None, filters: dict | None = None
) -> tuple[bytes, int]:
    """The 附錄 workbook of the rows `user` may see; with `filters`, only those the list's
    filters keep, in the list's order (「匯出目前篩選結果」)."""
    rows = roster_rows_for(user=user, plan_year=plan_year, county=county)
    if filters:
        rows = roster_order(with_device_difference(filter_roster_rows(rows, filters, plan_year)), filters.get("sort"))
    else:
        rows = rows.order_by(*ROSTER_DEFAULT_ORDER)
    records = roster_export_records(rows)
    label = county.name if county else (user.county.name if user and user.is_county_staff else "全國")
    if filters and filters.get("county"):
        label = dict(COUNTIES).get(filters["county"], label)
    content = write_roster_workbook(
        records,
        plan_year=plan_year.year,
        county_label=label,
        survey_year=plan_year.survey_year,
        rule_set=plan_year.rule_set,
    )
    return content, len(records)


def _totals_sums(rule_set: engine.RuleSet) -> dict:
    """The database sums engine.CountyTotals is made of, for aggregate() or annotate()."""
    return {
        "distinct_schools": Count("school", distinct=True),
        "rows": Count("pk"),
        "remote_rows": Count("pk", filter=Q(area__in=rule_set.remote_areas)),
        "carts": Sum("entitled_carts"),
        "teacher_devices": Sum("entitled_teacher_devices"),
        "student_devices": Sum("entitled_student_devices"),
    }


def _totals(sums: dict, rule_set: engine.RuleSet) -> engine.CountyTotals:
    """The engine's county totals from `_totals_sums` (a sum over no rows is None)."""
    return engine.CountyTotals(
        schools=engine.school_count(sums["distinct_schools"], sums["rows"], rule_set),
        rows=sums["rows"],
        remote_rows=sums["remote_rows"],
        carts=sums["carts"] or 0,
        teacher_devices=sums["teacher_devices"] or 0,
        student_devices=sums["student_devices"] or 0,
    )


def roster_totals(*, rows: QuerySet, rule_set: engine.RuleSet) -> engine.CountyTotals:
    """The engine's county totals, added up in the database (one query)."""
    return _totals(rows.aggregate(**_totals_sums(rule_set)), rule_set)


def roster_completeness(*, rows: QuerySet) -> dict:
    """How many rows still lack what submission needs (one query)."""
    return rows.aggregate(
        rows=Count("pk"),
        missing_reason=Count("pk", filter=Q(complies=False, reason="")),
        not_requested=Count("pk", filter=Q(complies__isnull=True)),
    )


def county_entitlements_for(*, user: User, plan_year: PlanYear) -> list[dict]:
    """county_entitlements of the rows the user may see, cached until the roster changes."""
    return cached_for(
        user,
        ROSTER,
        ("county_entitlements", plan_year.pk),
        lambda: county_entitlements(rows=roster_rows_for(user=user, plan_year=plan_year), rule_set=plan_year.rule_set),
    )


def county_entitlements(*, rows: QuerySet, rule_set: engine.RuleSet) -> list[dict]:
    """Per county: schools, rows and entitled counts added up in the database, then the
    engine's staffing and operating fee for that many schools. One query."""
    per_county = (
        rows.values("school__county__name", "school__county__sort_order")
        .annotate(
            **_totals_sums(rule_set),
            not_complying=Count("pk", filter=Q(complies=False)),
            missing_reason=Count("pk", filter=Q(complies=False, reason="")),
            not_requested=Count("pk", filter=Q(complies__isnull=True)),
        )
        .order_by("school__county__sort_order")
    )
    result = []
    for item in per_county:
        totals = _totals(item, rule_set)
        result.append(
            {
                "totals": totals,
                "county": item["school__county__name"],
                **asdict(totals),
                "not_complying": item["not_complying"],
                "missing_reason": item["missing_reason"],
                "not_requested": item["not_requested"],
                "staffing": engine.entitled_staffing(totals.schools, rule_set),
                "operating_fee_ntd": engine.operating_fee(totals.schools, rule_set),
                "device_amount_ntd": totals.devices * rule_set.device_unit_price,
                "cart_amount_ntd": totals.carts * rule_set.cart_unit_price,
            }
        )
    return result
