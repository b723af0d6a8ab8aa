"""Monthly reports (月報, 五(四)2(1)G) read: the figures compiled from the portal's data, each
month's deadline and state, the completeness grid over counties and months (DHIS2's reporting
rate) and the home page's panel. Writes are in reporting.services_monthly, e-mails in
reporting.reminders.

Timeliness is judged by a report's first submission: a report the MOE returns and the
county corrects after the deadline was still delivered on time. A returned report counts
as not delivered until it is submitted again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from budget import rules as engine
from devices import selectors as device_selectors
from portal.models import User
from reporting.cache import REPORTS, page_part
from reporting.importing import USAGE, roc_month
from reporting.models import MonthlyReport, MonthlySpending, UsageRecord
from reporting.selectors_usage import reporting_school_counts, roster_school_counts
from schools.models import County, PlanYear
from schools.selectors import ROSTER
from training import selectors as training_selectors

NOT_DUE, ON_TIME, LATE, RETURNED, MISSING = "not_due", "on_time", "late", "returned", "missing"
STATE_LABELS = {NOT_DUE: "未到期", ON_TIME: "準時", LATE: "逾期提交", RETURNED: "退回修正", MISSING: "未提交"}
DEVICE_KEYS = ("purchased", "delivered", "mdm_enrolled")
TRAINING_KEYS = ("sessions_held", "teachers_trained", "meetings_held", "public_lessons")
FIGURE_LABELS = {
    "purchased": "購置學習載具（臺）",
    "delivered": "已交貨學習載具（臺）",
    "mdm_enrolled": "已納入 MDM（臺）",
    "sessions_held": "辦理教師研習（場）",
    "teachers_trained": "參訓教師（人）",
    "meetings_held": "召開工作會議（次）",
    "public_lessons": "數位學習公開觀議課（場）",
}


def month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def deadline_of(month: datetime.date, rules: engine.RuleSet) -> datetime.date:
    """The 10th (the rule set's day) of the month after."""
    following = month_end(month) + datetime.timedelta(days=1)
    return following.replace(day=rules.monthly_report_deadline_day)


def parse_month_param(text: str, plan_year: PlanYear) -> datetime.date | None:
    """'2022-03' in a URL -> the month, if it is one of the plan period's."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        value = datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    return value if value in plan_year.months else None


# --- Compiling ---------------------------------------------------------------------------


def _summary_pair(function, plan_year, county_ids, month):
    """(cumulative until the month's end, the month's own change) per county, or {} per side."""
    now = function(plan_year=plan_year, county_ids=county_ids, until=month_end(month))
    before = function(
        plan_year=plan_year, county_ids=county_ids, until=month.replace(day=1) - datetime.timedelta(days=1)
    )
    return now, before


def _section(now: dict | None, before: dict | None, keys) -> dict | None:
    if not now:
        return None
    before = before or {}
    return {key: {"total": now.get(key), "month": (now.get(key) or 0) - (before.get(key) or 0)} for key in keys}


def report_figures(*, plan_year: PlanYear, county: County, month: datetime.date) -> dict:
    """What the portal knows of the county's month, as plain JSON (frozen at submission).

    Devices and training come only from their apps' summaries; a missing summary stays None
    and the page says 尚無資料."""
    devices_now, devices_before = _summary_pair(device_selectors.county_device_summary, plan_year, [county.pk], month)
    training_now, training_before = _summary_pair(
        training_selectors.county_training_summary, plan_year, [county.pk], month
    )
    usage = UsageRecord.objects.filter(plan_year=plan_year, county=county).aggregate(
        month_hours=Sum("hours", filter=Q(month=month)),
        month_students=Sum("active_students", filter=Q(month=month)),
        month_schools=Count("school", filter=Q(month=month), distinct=True),
        hours_to_date=Sum("hours", filter=Q(month__lte=month)),
    )
    expected = roster_school_counts(plan_year=plan_year).get(county.pk, 0)
    spending = dict(
        MonthlySpending.objects.filter(report__plan_year=plan_year, report__county=county, report__month__lte=month)
        .values("line")
        .annotate(total=Sum("amount_ntd"))
        .values_list("line", "total")
    )
    return {
        "devices": _section(devices_now.get(county.pk), devices_before.get(county.pk), DEVICE_KEYS),
        "training": _section(training_now.get(county.pk), training_before.get(county.pk), TRAINING_KEYS),
        "usage": {
            "hours": f"{usage['month_hours'] or 0:,.1f}",
            "hours_to_date": f"{usage['hours_to_date'] or 0:,.1f}",
            "students": usage["month_students"] or 0,
            "schools_reported": usage["month_schools"],
            "schools_expected": expected,
        },
        "spending_to_date": {str(line): total for line, total in spending.items()},
        "compiled_at": timezone.now().isoformat(),
    }


def report_sections(*, figures: dict) -> list[dict]:
    """The report's devices and training figures as titled rows (None: 尚無資料)."""
    out = []
    for key, title, keys in (("devices", "學習載具", DEVICE_KEYS), ("training", "推動辦公室與教師增能", TRAINING_KEYS)):
        section = figures.get(key)
        out.append(
            {
                "title": title,
                "rows": None if section is None else [{"label": FIGURE_LABELS[k], **section[k]} for k in keys],
            }
        )
    return out


# --- Completeness ------------------------------------------------------------------------


def report_state(report: MonthlyReport | None, deadline: datetime.date, today: datetime.date) -> str:
    if report is not None and report.status == MonthlyReport.Status.RETURNED:
        return RETURNED
    if report is not None and report.status == MonthlyReport.Status.SUBMITTED:
        first = timezone.localtime(report.first_submitted_at).date()
        return ON_TIME if first <= deadline else LATE
    return MISSING if today > deadline else NOT_DUE


@dataclass
class Cell:
    state: str
    report_id: int | None
    schools_reported: int
    schools_expected: int

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def _rate(part: int, whole: int) -> int | None:
    return None if not whole else engine.divide_half_up(part * 100, whole)


def _tally(states: list[str]) -> dict:
    expected = sum(1 for s in states if s != NOT_DUE)
    delivered = sum(1 for s in states if s in (ON_TIME, LATE))
    on_time = sum(1 for s in states if s == ON_TIME)
    return {
        "expected": expected,
        "delivered": delivered,
        "on_time": on_time,
        "rate": _rate(delivered, expected),
        "on_time_rate": _rate(on_time, expected),
    }


def completeness_grid(*, plan_year: PlanYear, counties: list[County], today: datetime.date | None = None) -> dict:
    """County x month states (DHIS2's reporting rate): each county's and each month's rate and the
    national one, and per cell how many roster schools reported usage. A fixed number of queries."""
    today = today or timezone.localdate()
    rules = plan_year.rule_set
    months = plan_year.months
    deadlines = {month: deadline_of(month, rules) for month in months}
    county_ids = [c.pk for c in counties]
    reports = {
        (r.county_id, r.month): r
        for r in MonthlyReport.objects.filter(plan_year=plan_year, county_id__in=county_ids).only(
            "pk", "county_id", "month", "status", "first_submitted_at"
        )
    }
    expected_schools = roster_school_counts(plan_year=plan_year)
    reporting = reporting_school_counts(plan_year=plan_year, county_ids=county_ids if len(counties) < 22 else None)
    rows, column_states = [], {month: [] for month in months}
    all_states = []
    for county in counties:
        cells = []
        for month in months:
            report = reports.get((county.pk, month))
            state = report_state(report, deadlines[month], today)
            cells.append(
                Cell(
                    state,
                    report.pk if report else None,
                    reporting.get((county.pk, month), 0),
                    expected_schools.get(county.pk, 0),
                )
            )
            column_states[month].append(state)
            all_states.append(state)
        rows.append({"county": county, "cells": cells, "tally": _tally([c.state for c in cells])})
    return {
        "months": [{"month": m, "label": roc_month(m), "deadline": deadlines[m]} for m in months],
        "rows": rows,
        "columns": [_tally(column_states[m]) for m in months],
        "national": _tally(all_states),
        "today": today,
    }


def usage_reported_by_county(*, plan_year: PlanYear, counties: list[County], month: datetime.date) -> list[dict]:
    """Per county, how many roster schools reported usage for the month (the grid's cells)."""
    grid = completeness_grid(plan_year=plan_year, counties=counties)
    index = plan_year.months.index(month)
    return [
        {
            "county": row["county"],
            "reported": row["cells"][index].schools_reported,
            "expected": row["cells"][index].schools_expected,
            "missing": max(0, row["cells"][index].schools_expected - row["cells"][index].schools_reported),
        }
        for row in grid["rows"]
    ]


def home_panel(*, user: User, plan_year: PlanYear | None) -> dict:
    """The home page's 填報與績效 panel: the county's report that needs attention, or the national rate."""
    if plan_year is None or not user.is_authenticated:
        return {}
    panel: dict = {"links": True}
    if user.is_school_staff:
        return panel
    today = timezone.localdate()
    if user.county_id and not user.sees_every_county:
        grid = cached_grid(plan_year=plan_year, counties=[user.county], scope=f"county:{user.county_id}", today=today)
        ended = [
            (m, cell)
            for m, cell in zip(grid["months"], grid["rows"][0]["cells"], strict=True)
            if month_end(m["month"]) < today
        ]
        if ended:
            month, cell = next(((m, c) for m, c in ended if c.state in (MISSING, RETURNED, NOT_DUE)), ended[-1])
            panel |= {
                "report": True,
                "month_label": month["label"],
                "deadline": month["deadline"],
                "state": cell.state,
                "state_label": cell.label,
                "month_param": month["month"].strftime("%Y-%m"),
            }
        return panel
    panel["national"] = cached_grid(plan_year=plan_year, counties=list(County.objects.all()), scope="all", today=today)[
        "national"
    ]
    return panel


def cached_grid(*, plan_year: PlanYear, counties: list[County], scope: str, today: datetime.date) -> dict:
    """completeness_grid, kept until a report, the usage or the roster changes (or the day does)."""
    return page_part(
        "grid",
        (scope, plan_year.pk, today, tuple(c.pk for c in counties)),
        lambda: completeness_grid(plan_year=plan_year, counties=counties, today=today),
        depends=(USAGE, ROSTER, REPORTS),
    )


def spending_by_line(plan) -> dict[int, int]:
    """{budget line: NTD spent} over the plan year's monthly reports of the plan's county: the
    final report's (結報) starting values (budget.services_close.register_spending_source). One query."""
    return dict(
        MonthlySpending.objects.filter(report__plan_year_id=plan.plan_year_id, report__county_id=plan.county_id)
        .values("line")
        .annotate(total=Sum("amount_ntd"))
        .values_list("line", "total")
        .order_by()
    )
