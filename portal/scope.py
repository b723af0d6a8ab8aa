"""Which plan year and which county a request is about: the one resolver every view uses.

Beside `portal.access` (who may see what), this answers what a page is about:

    plan_year_for(request)            ?year=113 (GET, then POST), or the year in the URL, or
                                      the latest year; an unknown year is a 404 naming it
    county_for(request)               county and school staff: their own county; the MOE and
                                      admins: ?county=<code> (GET, then POST) or None; a code
                                      the user may not see is a 404
    county_for(request, required=True)  as above, and a 404 asking to choose when there is none

`portal` imports no app, so the app that owns plan years and counties registers them once at
start-up (`schools.apps.SchoolsConfig.ready` calls `register`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Model
from django.http import Http404, HttpRequest

from portal import access

NO_PLAN_YEAR = "尚未設定計畫年度"
CHOOSE_COUNTY = "請先選擇縣市"

_plan_years: Callable[[], Sequence[Any]] | None = None
_county_model: type[Model] | None = None


def register(*, plan_years: Callable[[], Sequence[Any]], county_model: type[Model]) -> None:
    """`plan_years()` returns every plan year, the latest first (each with an int `.year`)."""
    global _plan_years, _county_model
    _plan_years = plan_years
    _county_model = county_model


def _asked(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def plan_year_for(request: HttpRequest, year: int | str | None = None):
    """The plan year the request is about; `year` is the one in the URL, when it has one."""
    if _plan_years is None:
        raise RuntimeError("portal.scope.register was not called (is the schools app installed?)")
    years = _plan_years()
    wanted = str(year) if year is not None else _asked(request, "year")
    if not wanted:
        if not years:
            raise Http404(NO_PLAN_YEAR)
        return years[0]
    if wanted.isdigit():
        for plan_year in years:
            if plan_year.year == int(wanted):
                return plan_year
    raise Http404(f"沒有「{wanted[:10]}」年度的計畫，請從年度選單選擇")


def county_for(request: HttpRequest, *, required: bool = False):
    """The county the request is about, checked against what the user may see."""
    if _county_model is None:
        raise RuntimeError("portal.scope.register was not called (is the schools app installed?)")
    user = request.user
    if user.county_id and not user.sees_every_county:
        return user.county
    code = _asked(request, "county")
    if code:
        return access.get_for_user(_county_model, user, code=code)
    if required:
        raise Http404(CHOOSE_COUNTY)
    return None
