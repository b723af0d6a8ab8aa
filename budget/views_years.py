"""Plan years as data: the MOE opens a year from an earlier one and reads or changes its rule
set (each parameter with the section of the MOE's text it comes from and the reading chosen),
until the first county submits."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budget.forms import PlanYearOpenForm, RulesEditForm
from budget.models import RuleScenario
from budget.years import (
    PlanYearRefused,
    plan_year_open,
    plan_year_rules_update,
    proposed_rules,
    rules_diff,
    rules_digest,
    rules_locked_reason,
    rules_locked_reasons,
)
from portal import access
from portal.scope import plan_year_for
from schools.models import PlanYear


def _shift(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@login_required
@require_GET
def plan_years(request: HttpRequest) -> HttpResponse:
    access.require(access.may_read_budget(request.user), "學校帳號不能查看計畫年度與補助規則")
    years = list(PlanYear.objects.order_by("-year").select_related("previous"))
    locked = rules_locked_reasons(years)
    rows = [{"year": year, "locked": locked.get(year.pk, "")} for year in years]
    return render(
        request,
        "budget/plan_years.html",
        {"rows": rows, "may_manage": access.may_manage_plan_years(request.user)},
    )


def _int(value, default: int) -> int:
    return int(value) if str(value or "").strip().isdigit() else default


def _date(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return default


@login_required
@require_http_methods(["GET", "POST"])
def plan_year_open_view(request: HttpRequest) -> HttpResponse:
    """The year, the year it starts from, the period and every parameter, prefilled with what
    the new year would take unchanged (the source's values, its dates moved a year on)."""
    access.require(access.may_manage_plan_years(request.user), "只有教育部與系統管理者可以開啟新的計畫年度")
    years = list(PlanYear.objects.order_by("-year"))
    data = request.POST if request.method == "POST" else request.GET
    latest = years[0]
    source = next((y for y in years if y.year == _int(data.get("source"), latest.year)), latest)
    year = _int(data.get("year"), latest.year + 1)
    start = _date(data.get("period_start"), _shift(source.period_start, year - source.year))
    end = _date(data.get("period_end"), _shift(source.period_end, year - source.year))
    # 「以此情境開啟下一年度」 on a what-if scenario: its changes are the form's starting values.
    scenario = None
    if data.get("scenario", "").isdigit():
        scenario = access.get_for_user(
            RuleScenario.objects.select_related("plan_year"), request.user, pk=data["scenario"]
        )
    changes = scenario.changed_values() if scenario is not None else {}
    try:
        baseline = proposed_rules(year=year, source=source, values=changes, period_start=start, period_end=end)
    except PlanYearRefused:
        baseline = source.rule_set.to_dict() | changes
    deadline = source.submission_deadline and _shift(source.submission_deadline, year - source.year)
    form = PlanYearOpenForm(
        request.POST or None,
        values=baseline,
        years=[y.year for y in years],
        initial={
            "year": year,
            "source": source.year,
            "period_start": start,
            "period_end": end,
            "submission_deadline": deadline,
            "survey_year": source.survey_year + (year - source.year),
        },
    )
    if request.method == "POST":
        if form.is_valid():
            values = form.changed_values()
            if form.is_valid():
                data = form.cleaned_data
                try:
                    opened = plan_year_open(
                        year=data["year"],
                        source=source,
                        values=values,
                        user=request.user,
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        submission_deadline=data["submission_deadline"],
                        survey_year=data["survey_year"],
                    )
                except PlanYearRefused as refused:
                    form.add_problems(refused.problems)
                else:
                    changed = "、".join(sorted(values)) or "無"
                    messages.success(
                        request,
                        f"已開啟 {opened.year} 年度（沿用 {source.year} 年度，修改的參數：{changed}）；"
                        "名單已帶入，申請補助數待縣市重新填寫或上傳附錄。",
                    )
                    return redirect("plan_year_rules", year=opened.year)
        messages.error(request, "有欄位填寫有誤，請看下方標示。")
    return render(request, "budget/plan_year_open.html", {"form": form, "source": source, "scenario": scenario})


@login_required
@require_http_methods(["GET", "POST"])
def plan_year_rules(request: HttpRequest, year: int) -> HttpResponse:
    access.require(access.may_read_budget(request.user), "學校帳號不能查看補助規則")
    plan_year = plan_year_for(request, year=year)
    locked = rules_locked_reason(plan_year)
    may_edit = access.may_manage_plan_years(request.user) and not locked
    current = plan_year.rule_set.to_dict()
    form = None
    if may_edit:
        form = RulesEditForm(request.POST or None, values=current, initial={"digest": rules_digest(plan_year.rules)})
    if request.method == "POST":
        access.require(access.may_manage_plan_years(request.user), "只有教育部與系統管理者可以修改補助規則")
        if form is None:
            messages.error(request, locked)
            return redirect("plan_year_rules", year=year)
        if form.is_valid():
            values = form.changed_values()
            if form.is_valid():
                try:
                    plan_year_rules_update(
                        plan_year=plan_year,
                        values=values,
                        user=request.user,
                        expected_digest=form.cleaned_data["digest"],
                    )
                except PlanYearRefused as refused:
                    form.add_problems(refused.problems)
                else:
                    changed = "、".join(sorted(values))
                    messages.success(
                        request, f"已修改：{changed}；名單的計算補助數已依新規則重算。" if values else "沒有變更。"
                    )
                    return redirect("plan_year_rules", year=year)
        messages.error(request, "有欄位填寫有誤，請看下方標示。")
    diff = rules_diff(plan_year)
    fields = {field.name.removeprefix("rule_"): field for field in form.rule_fields()} if form else {}
    for row in diff:
        row["field"] = fields.get(row["name"])
    history = plan_year.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "budget/plan_year_rules.html",
        {
            "plan_year": plan_year,
            "rows": diff,
            "form": form,
            "locked": locked,
            "may_manage": access.may_manage_plan_years(request.user),
            "previous": plan_year.previous
            or PlanYear.objects.filter(year__lt=plan_year.year).order_by("-year").first(),
            "history": history,
        },
    )
