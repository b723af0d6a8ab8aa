"""What budget's view modules share: what every page under plans/<year>/<county>/ starts with
(the plan it is about, access-checked), the way back to the plan's page, and how a service's
write becomes the page's message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from budget.models import CountyPlan
from budget.selectors import plan_read
from budget.services import plan_for
from portal import access, scope
from portal.actions import Refused, action_done
from schools.models import County

SAFE_METHODS = ("GET", "HEAD")
INVALID_FORM = "有欄位填寫有誤，請看下方標示。"


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


def form_saved(
    request: HttpRequest,
    *,
    valid: bool,
    save: Callable[[], object],
    success: str,
    refusals: tuple[type[Exception], ...] = (Refused,),
    invalid: str = INVALID_FORM,
) -> bool:
    """An edit page's POST: its forms, when `valid`, saved through the service (as action_done);
    else `invalid` as the message, the errors standing beside their boxes. Whether it was saved:
    the caller then redirects, else it shows the page again with what was typed."""
    if not valid:
        messages.error(request, invalid)
        return False
    return action_done(request, save, success, refusals=refusals)
