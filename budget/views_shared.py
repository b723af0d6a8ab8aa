"""What every page under plans/<year>/<county>/ starts with, for budget's view modules: the
plan it is about (access-checked) and the way back to the plan's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from budget.models import CountyPlan
from budget.selectors import plan_read
from budget.services import plan_for
from portal import access, scope
from schools.models import County

SAFE_METHODS = ("GET", "HEAD")


def page_plan(request: HttpRequest, *, year: int, county_code: str) -> CountyPlan:
    """The plan of the URL's year and county. A GET reads (an unsaved draft when the county has
    none yet, so looking writes nothing); a POST is about to write, so the plan is created."""
    access.require(access.may_read_budget(request.user), "學校帳號不能查看縣市經費表")
    county = access.get_for_user(County, request.user, code=county_code)
    plan_year = scope.plan_year_for(request, year=year)
    if request.method in SAFE_METHODS:
        return plan_read(county=county, plan_year=plan_year)
    return plan_for(county=county, plan_year=plan_year)


def plan_url(plan: CountyPlan) -> str:
    return reverse("plan_detail", kwargs={"year": plan.plan_year.year, "county_code": plan.county.code})


def back_to_plan(plan: CountyPlan) -> HttpResponse:
    return redirect(plan_url(plan))
