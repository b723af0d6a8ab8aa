"""After 核定: the county records the money received (撥款) and files the final report (結報)
once the period is over; the MOE confirms it (核結) or returns it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from budget.forms import DisbursementForm, FinalReportForm
from budget.models import CountyPlan, FinalReport, PlanStatus
from budget.services_close import (
    final_report_close,
    final_report_for,
    final_report_return,
    final_report_submit,
    final_report_summary,
    final_report_update,
    plan_disbursement_add,
)
from budget.views_shared import back_to_plan, form_saved, page_plan
from portal import access
from portal.actions import action_done


def _final_url(plan: CountyPlan) -> HttpResponse:
    return redirect("final_report", year=plan.plan_year.year, county_code=plan.county.code)


@login_required
@require_POST
def plan_disbursement_add_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_record_plan_money(request.user), "只有縣市承辦可以登錄撥款")
    form = DisbursementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撥款：" + "；".join(f"{form[n].label}{e[0]}" for n, e in form.errors.items()))
        return back_to_plan(plan)
    action_done(
        request,
        lambda: plan_disbursement_add(plan=plan, user=request.user, **form.cleaned_data),
        f"已登錄撥款 {form.cleaned_data['amount_ntd']:,} 元。",
    )
    return back_to_plan(plan)


@login_required
@require_http_methods(["GET", "POST"])
def final_report_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    if plan.status != PlanStatus.APPROVED:
        messages.info(request, "計畫核定後才有結報。")
        return back_to_plan(plan)
    report = final_report_for(plan=plan)
    lines = list(report.lines.all())
    may_edit = access.may_record_plan_money(request.user) and report.county_may_edit
    form = FinalReportForm(
        request.POST or None, lines=lines, initial={"version": report.version, "notes": report.notes}
    )
    if request.method == "POST":
        access.require(access.may_record_plan_money(request.user), "只有縣市承辦可以填寫結報")
        if form_saved(
            request,
            valid=form.is_valid(),
            save=lambda: final_report_update(
                report=report,
                user=request.user,
                spent=form.spent(),
                notes=form.cleaned_data["notes"].strip(),
                expected_version=form.cleaned_data["version"],
            ),
            success="結報已儲存。",
        ):
            return _final_url(plan)
    summary = final_report_summary(plan=plan, report=report)
    rows = [row | {"fields": form.line_fields(row["number"])} for row in summary["lines"]]
    return render(
        request,
        "budget/final_report.html",
        {
            "plan": plan,
            "report": report,
            "summary": summary,
            "rows": rows,
            "form": form,
            "may_edit": may_edit,
            "may_review": access.may_review(request.user) and report.status == FinalReport.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
def final_report_submit_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_record_plan_money(request.user), "只有縣市承辦可以提交結報")
    action_done(
        request,
        lambda: final_report_submit(report=final_report_for(plan=plan), user=request.user),
        "結報已提交，請等候教育部核結。",
    )
    return _final_url(plan)


@login_required
@require_POST
def final_report_return_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以退回結報")
    action_done(
        request,
        lambda: final_report_return(
            report=final_report_for(plan=plan), user=request.user, reason=request.POST.get("reason", "")
        ),
        f"已退回{plan.county.name}結報。",
    )
    return _final_url(plan)


@login_required
@require_POST
def final_report_close_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以核結")
    action_done(
        request,
        lambda: final_report_close(report=final_report_for(plan=plan), user=request.user),
        f"{plan.county.name}計畫已核結。",
    )
    return _final_url(plan)
