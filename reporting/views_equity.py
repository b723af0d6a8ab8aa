"""The equity view (MOE and counties): the tile map of the counties coloured by a measure, the
table beside it, and one county's schools. Thin: access -> selector -> template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from devices.selectors import DEVICES
from portal import access
from portal.pagination import query_without_page
from reporting.cache import page_part
from reporting.equity import MEASURE_BY_KEY, MEASURES, equity, national, shown
from reporting.importing import USAGE
from reporting.tilemap import tile_map
from reporting.views_reports import county_reader_scope
from schools.models import County
from schools.selectors import ROSTER
from training.selectors import TRAINING

PAGE_SIZE = 50


def _line(item, measure) -> dict:
    spread = item.spread(measure)
    return {
        "county": item.county,
        "schools": len(item.schools),
        "value": shown(measure, item.value(measure)),
        "raw": item.value(measure),
        "remote": shown(measure, item.value(measure, remote=True)),
        "other": shown(measure, item.value(measure, remote=False)),
        "remote_schools": sum(1 for s in item.schools if s.remote),
        "spread": spread,
        "min": shown(measure, spread.minimum),
        "q1": shown(measure, spread.q1),
        "median": shown(measure, spread.median),
        "q3": shown(measure, spread.q3),
        "max": shown(measure, spread.maximum),
    }


@login_required
@require_GET
def equity_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year, county = county_reader_scope(request, "學校帳號請查看本校資料")
    measure = MEASURE_BY_KEY.get(request.GET.get("measure", ""), MEASURES[0])
    counties = list(access.for_user(County.objects.all(), user))

    def compute():
        return equity(counties=counties, plan_year=plan_year)

    data = page_part("equity", (plan_year.pk,), compute, user=user, depends=(USAGE, ROSTER, DEVICES, TRAINING))
    base = reverse("equity")
    lines = [_line(item, measure) for item in data]
    whole = _line(national(data), measure) if len(data) > 1 else None
    svg, legend = tile_map(
        {
            line["county"].name: {
                "value": line["raw"],
                "href": f"{base}?year={plan_year.year}&measure={measure.key}&county={line['county'].code}",
            }
            for line in lines
        },
        title=f"{plan_year.year}年度 各縣市{measure.label}",
        shown=lambda value: shown(measure, value),
        selected=county.name if county else "",
    )
    schools_page = None
    if county is not None:
        chosen = next((item for item in data if item.county.pk == county.pk), None)
        schools = chosen.schools if chosen else []
        ordered = sorted(
            schools,
            key=lambda s: (s.value(measure) is None, s.value(measure) or 0, s.code),
            reverse=False,
        )
        rows = [
            {
                "school": s,
                "value": shown(measure, s.value(measure)),
                "numerator": s.counts.get(measure.numerator, 0),
                "denominator": s.counts.get(measure.denominator, 0),
            }
            for s in ordered
        ]
        schools_page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/equity.html",
        {
            "plan_year": plan_year,
            "county": county,
            "counties": counties if user.sees_every_county else [],
            "measure": measure,
            "measures": MEASURES,
            "lines": lines,
            "national": whole,
            "map": svg,
            "legend": legend,
            "page": schools_page,
            "query": query_without_page(request),
        },
    )
