"""Pages that bring every app's data together: the home page first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from budget import rules as engine
from budget.models import CountyPlan, PlanStatus
from budget.selectors import plan_missing, plan_table
from budget.services import county_edit_refusal, plan_for
from portal import access
from schools.guards import roster_state
from schools.selectors import county_entitlements_for, plan_year_or_latest, roster_rows_for

TOTAL_KEYS = (
    "schools",
    "rows",
    "remote_rows",
    "carts",
    "teacher_devices",
    "student_devices",
    "not_complying",
    "missing_reason",
    "not_requested",
    "operating_fee_ntd",
    "device_amount_ntd",
    "cart_amount_ntd",
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = plan_year_or_latest(request.GET.get("year"))
    rows = roster_rows_for(user=user, plan_year=plan_year)
    context = {"plan_year": plan_year, "may_edit": access.may_edit_roster(user)}

    if user.is_school_staff:
        context["school_rows"] = rows.select_related("school")
        context["state"] = roster_state(user.county_id, plan_year)
        return render(request, "reporting/home_school.html", context)

    counties = county_entitlements_for(user=user, plan_year=plan_year)
    plans = list(access.for_user(CountyPlan.objects.filter(plan_year=plan_year), user).select_related("county"))
    status_by_county = {plan.county.name: plan for plan in plans}
    for county in counties:
        county["plan"] = status_by_county.get(county["county"])
    context |= {"counties": counties, "totals": _sum(counties)}

    if user.county_id:
        plan = status_by_county.get(user.county.name) or plan_for(county=user.county, plan_year=plan_year)
        missing = []
        if plan.county_may_edit:
            # The county's line of the aggregate above already has its totals and gaps.
            own = next((c for c in counties if c["county"] == user.county.name), None)
            totals = own["totals"] if own else engine.CountyTotals(0, 0, 0, 0, 0, 0)
            completeness = own or {"rows": 0, "missing_reason": 0, "not_requested": 0}
            missing = plan_missing(plan, plan_table(plan, totals=totals), completeness=completeness)
        context |= {"plan": plan, "refusal": county_edit_refusal(plan), "missing": missing}
    else:
        context["waiting"] = sum(1 for plan in plans if plan.status == PlanStatus.SUBMITTED)
        context["approved"] = sum(1 for plan in plans if plan.status == PlanStatus.APPROVED)
    return render(request, "reporting/home.html", context)


def _sum(counties: list[dict]) -> dict:
    totals = {key: sum(c[key] for c in counties) for key in TOTAL_KEYS}
    totals["staffing_persons"] = sum(c["staffing"].persons for c in counties)
    totals["staffing_amount_ntd"] = sum(c["staffing"].amount_ntd for c in counties)
    return totals
