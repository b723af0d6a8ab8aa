"""Usage hours, learning outcomes, monthly reports, completeness and the indicator dashboards.

Thin: access check -> form/service/selector -> template. Every queryset goes through
portal.access; another county's objects answer 404."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import rules as engine
from budget.selectors import NARRATIVES
from devices.selectors import DEVICES
from portal import access, charts
from portal.actions import action_done
from portal.downloads import CSV, attachment_response
from portal.imports.kinds import ImportRefused
from portal.pagination import list_page, query_without_page
from portal.scope import county_for, plan_year_for
from reporting import html
from reporting.cache import OUTCOMES, REPORTS, page_part
from reporting.exporting import usage_export_csv, usage_template_csv
from reporting.forms import MonthlyReportForm, OutcomeForm, ReturnForm, SupportClassForm, UsageEntryForm
from reporting.importing import USAGE, UsageRow, roc_month, row_problems
from reporting.indicators import indicators
from reporting.models import MonthlyReport
from reporting.selectors_monthly import (
    STATE_LABELS,
    completeness_grid,
    deadline_of,
    parse_month_param,
    report_figures,
    report_sections,
    report_state,
    usage_reported_by_county,
)
from reporting.selectors_outcomes import outcomes_summary
from reporting.selectors_usage import schools_without_usage, usage_aggregates, usage_by_school, usage_month_items
from reporting.services_monthly import (
    ReportActionRefused,
    monthly_report_for,
    monthly_report_return,
    monthly_report_save,
    monthly_report_submit,
)
from reporting.services_outcomes import outcome_save, support_figures_save
from reporting.services_usage import usage_record_save
from schools.models import County, PlanYear, School
from schools.selectors import ROSTER
from training.selectors import TRAINING

PAGE_SIZE = 50


def county_reader_scope(request: HttpRequest, refusal: str) -> tuple[PlanYear, County | None]:
    """The plan year and county of a page for those who read county reports (school accounts are
    refused with `refusal` before the scope is read: an unknown year or county is then a 404)."""
    access.require(access.may_read_county_reports(request.user), refusal)
    return plan_year_for(request), county_for(request)


# --- Usage hours ----------------------------------------------------------------------------


@login_required
@require_GET
def usage_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = plan_year_for(request)
    county = county_for(request)
    months = plan_year.months
    month = parse_month_param(request.GET.get("month", ""), plan_year)
    aggregates = usage_aggregates(user=user, plan_year=plan_year, county=county)
    month_items = usage_month_items(by_month=aggregates["by_month"], months=months)
    # The national table groups 216,000 rows: cached per reader's scope until the next import.
    page = list_page(
        namespace=USAGE,
        user=user,
        parts=("by_school", plan_year.pk, county.pk if county else None, month),
        rows=usage_by_school(user=user, plan_year=plan_year, county=county, month=month),
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "reporting/usage_overview.html",
        {
            "plan_year": plan_year,
            "county": county,
            "counties": County.objects.all() if user.sees_every_county else [],
            "months": [(m.strftime("%Y-%m"), roc_month(m)) for m in months],
            "month": month,
            "month_label": roc_month(month) if month else "",
            "aggregates": aggregates,
            "month_items": month_items,
            "chart": charts.column_chart(month_items, unit=" 小時", title="各月使用時數"),
            "page": page,
            "query": query_without_page(request),
            "may_upload": access.may_upload_usage(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def usage_entry(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_upload_usage(user), "您的帳號不能填報使用時數")
    plan_year = plan_year_for(request)
    form = UsageEntryForm(
        request.POST or None,
        months=plan_year.months,
        platforms=plan_year.rule_set.usage_platforms,
        school=user.school if user.is_school_staff else None,
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = UsageRow(
            excel_row=0,
            code=(user.school.code if user.is_school_staff else data["code"].strip().upper()),
            month=datetime.date.fromisoformat(data["month"]),
            platform=data["platform"],
            hours=data["hours"],
            active_students=data["active_students"],
            active_devices=data["active_devices"],
        )
        problems = [
            message for _column, message in row_problems(row, rule_set=plan_year.rule_set, months=plan_year.months)
        ]
        if not problems:
            try:
                status = usage_record_save(plan_year=plan_year, user=user, row=row)
            except ImportRefused as refused:
                problems = [p.message for p in refused.problems]
            else:
                verb = (
                    "已取代原有資料"
                    if status == "replaced"
                    else ("與原有資料相同" if status == "unchanged" else "已新增")
                )
                messages.success(request, f"{row.code} {roc_month(row.month)} {row.platform}：{verb}。")
                return redirect("usage_overview")
    return render(request, "reporting/usage_entry.html", {"form": form, "problems": problems, "plan_year": plan_year})


@login_required
@require_GET
def usage_template(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_upload_usage(user), "您的帳號不能上傳使用時數")
    plan_year = plan_year_for(request)
    schools = list(
        access.for_user(School.objects.filter(roster_rows__plan_year=plan_year).distinct(), user).order_by("code")
    )
    return attachment_response(
        usage_template_csv(plan_year=plan_year, schools=schools), f"{plan_year.year}年平臺使用時數填報範本.csv", CSV
    )


@login_required
@require_GET
def usage_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year, county = county_reader_scope(request, "學校帳號不能匯出縣市資料")
    label = county.name if county else "全國"
    return attachment_response(
        usage_export_csv(user=user, plan_year=plan_year, county=county),
        f"{plan_year.year}年{label}平臺使用時數.csv",
        CSV,
    )


@login_required
@require_GET
def usage_missing(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year, county = county_reader_scope(request, "學校帳號不能查看其他學校")
    months = plan_year.months
    month = parse_month_param(request.GET.get("month", ""), plan_year) or months[-1]
    counties = [county] if county else list(access.for_user(County.objects.all(), user))
    summary = usage_reported_by_county(plan_year=plan_year, counties=counties, month=month)
    missing = None
    if county is not None:
        missing = Paginator(schools_without_usage(plan_year=plan_year, county=county, month=month), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "reporting/usage_missing.html",
        {
            "plan_year": plan_year,
            "county": county,
            "month": month,
            "month_label": roc_month(month),
            "months": [(m.strftime("%Y-%m"), roc_month(m)) for m in months],
            "summary": summary,
            "missing": missing,
            "query": query_without_page(request),
            "counties": County.objects.all() if user.sees_every_county else [],
        },
    )


# --- Learning outcomes ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def outcomes(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year, county = county_reader_scope(request, "學校帳號不能查看縣市成效評估")
    editable = county is not None and access.may_edit_county_reports(user)
    outcome_form = OutcomeForm(request.POST if request.POST.get("form") == "outcome" else None)
    support_form = SupportClassForm(request.POST if request.POST.get("form") == "support" else None)
    if request.method == "POST":
        access.require(editable, "只有縣市承辦可以填報成效評估")
        saved = None
        if outcome_form.is_bound and outcome_form.is_valid():
            d = outcome_form.cleaned_data
            outcome_save(
                plan_year=plan_year,
                county=county,
                subject=d["subject"],
                sampled=d["sampled_students"],
                improved=d["improved_students"],
                method=d["method"],
            )
            saved = f"已儲存{d['subject']}的成效評估。"
        elif support_form.is_bound and support_form.is_valid():
            # The form's fields are the service's figures, name for name.
            support_figures_save(plan_year=plan_year, county=county, **support_form.cleaned_data)
            saved = "已儲存學習扶助班級數。"
        if saved:
            messages.success(request, saved)
            return redirect(f"{reverse('outcomes')}?year={plan_year.year}")
    summary = outcomes_summary(user=user, plan_year=plan_year, county=county)
    return render(
        request,
        "reporting/outcomes.html",
        {
            "plan_year": plan_year,
            "county": county,
            **summary,
            "editable": editable,
            "outcome_form": outcome_form,
            "support_form": support_form,
            "chart": charts.bar_chart(
                [
                    {
                        "label": r.subject if county else f"{r.county.name} {r.subject}",
                        "value": r.share,
                        "target": summary["target"],
                    }
                    for r in summary["rows"]
                ],
                unit="%",
                percent=True,
                title="各學科成效提升比率",
            ),
        },
    )


# --- Monthly reports -------------------------------------------------------------------------


@login_required
@require_GET
def monthly_reports(request: HttpRequest) -> HttpResponse:
    """The county's months: state, deadline and a link to each report."""
    plan_year, county = county_reader_scope(request, "學校帳號不能查看月報")
    if county is None:
        return redirect(f"{reverse('completeness')}?year={plan_year.year}")
    grid = completeness_grid(plan_year=plan_year, counties=[county])
    months = [
        {**m, "cell": cell, "param": m["month"].strftime("%Y-%m")}
        for m, cell in zip(grid["months"], grid["rows"][0]["cells"], strict=True)
    ]
    return render(
        request,
        "reporting/monthly_reports.html",
        {"plan_year": plan_year, "county": county, "months": months, "tally": grid["rows"][0]["tally"]},
    )


def _report(request: HttpRequest, year: int, county_code: str, month: str) -> MonthlyReport:
    access.require(access.may_read_county_reports(request.user), "學校帳號不能查看月報")
    county = access.get_for_user(County, request.user, code=county_code)
    plan_year = plan_year_for(request, year=year)
    the_month = parse_month_param(month, plan_year)
    if the_month is None:
        raise Http404("沒有這個月份的月報")
    report = monthly_report_for(county=county, plan_year=plan_year, month=the_month)
    return access.get_for_user(MonthlyReport.objects.select_related("county", "plan_year"), request.user, pk=report.pk)


def _report_url(report: MonthlyReport) -> str:
    return reverse("monthly_report", args=[report.plan_year.year, report.county.code, report.month.strftime("%Y-%m")])


def _report_action(
    request: HttpRequest, report: MonthlyReport, action: Callable[[], object], done: str
) -> HttpResponse:
    """Run `action` on the report, then back to it, with its refusal or "已{done}<縣市><月>月報。"
    as the message."""
    action_done(request, action, f"已{done}{report.county.name}{roc_month(report.month)}月報。")
    return redirect(_report_url(report))


@login_required
@require_http_methods(["GET", "POST"])
def monthly_report(request: HttpRequest, year: int, county_code: str, month: str) -> HttpResponse:
    user = request.user
    report = _report(request, year, county_code, month)
    rules = report.plan_year.rule_set
    may_edit = access.may_edit_county_reports(user) and report.county_may_edit
    spending = {item.line: item.amount_ntd for item in report.spending.all()}
    initial = {"notes": report.notes, "version": report.version} | {
        f"line_{n}": spending.get(n, 0) for n in engine.LINE_NUMBERS
    }
    form = MonthlyReportForm(request.POST or None, initial=initial, lines=engine.LINE_NAMES)
    if request.method == "POST":
        access.require(access.may_edit_county_reports(user), "只有縣市承辦可以填寫月報")
        if form.is_valid():
            try:
                monthly_report_save(
                    report=report,
                    user=user,
                    notes=form.cleaned_data["notes"],
                    spending=form.spending(),
                    expected_version=form.cleaned_data["version"],
                )
            except ReportActionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, "已儲存月報草稿。")
                return redirect(_report_url(report))
    live = report.status != MonthlyReport.Status.SUBMITTED
    figures = (
        report_figures(plan_year=report.plan_year, county=report.county, month=report.month) if live else report.figures
    )
    deadline = deadline_of(report.month, rules)
    state = report_state(report, deadline, timezone.localdate())
    to_date = figures.get("spending_to_date", {})
    lines = [
        {"number": n, "name": name, "month": spending.get(n, 0), "to_date": to_date.get(str(n), 0)}
        for n, name in engine.LINE_NAMES.items()
    ]
    return render(
        request,
        "reporting/monthly_report.html",
        {
            "report": report,
            "month_label": roc_month(report.month),
            "deadline": deadline,
            "state": state,
            "state_label": STATE_LABELS[state],
            "figures": figures,
            "sections": report_sections(figures=figures),
            "usage": figures["usage"],
            "lines": lines,
            "spending_total": sum(spending.values()),
            "form": form,
            "may_edit": may_edit,
            "may_return": access.may_review(user) and report.status == MonthlyReport.Status.SUBMITTED,
            "return_form": ReturnForm(),
            "events": report.events.select_related("by"),
            "live": live,
        },
    )


@login_required
@require_POST
def monthly_report_submit_view(request: HttpRequest, year: int, county_code: str, month: str) -> HttpResponse:
    report = _report(request, year, county_code, month)
    access.require(access.may_edit_county_reports(request.user), "只有縣市承辦可以提交月報")
    return _report_action(request, report, lambda: monthly_report_submit(report=report, user=request.user), "提交")


@login_required
@require_POST
def monthly_report_return_view(request: HttpRequest, year: int, county_code: str, month: str) -> HttpResponse:
    report = _report(request, year, county_code, month)
    access.require(access.may_review(request.user), "只有教育部可以退回月報")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回時請寫明理由（2,000 字以內），縣市才知道要修正什麼")
        return redirect(_report_url(report))
    reason = form.cleaned_data["reason"]
    return _report_action(
        request, report, lambda: monthly_report_return(report=report, user=request.user, reason=reason), "退回"
    )


# --- Completeness and dashboards ---------------------------------------------------------------


@login_required
@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_read_county_reports(user), "學校帳號不能查看填報情形")
    plan_year = plan_year_for(request)
    counties = list(access.for_user(County.objects.all(), user))
    today = timezone.localdate()
    url_template = reverse("monthly_report", args=[plan_year.year, "__COUNTY__", "__MONTH__"])

    def compute() -> dict:
        grid = completeness_grid(plan_year=plan_year, counties=counties, today=today)
        return {"grid": grid, "rows_html": html.completeness_rows(grid, url_template)}

    part = page_part(
        "completeness",
        (plan_year.pk, today, url_template),
        compute,
        user=user,
        depends=(USAGE, ROSTER, REPORTS),
    )
    return render(request, "reporting/completeness.html", {"plan_year": plan_year, **part})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year, county = county_reader_scope(request, "學校帳號請查看本校資料")
    every_county = list(County.objects.all()) if user.sees_every_county else []
    counties = [county] if county else every_county

    def compute() -> dict:
        items = indicators(plan_year=plan_year, counties=counties)
        for item in items:
            percent = item["kind"] == "percent"
            bars = [{"label": "全國" if county is None else county.name, **item["total"]}]
            if county is None:
                bars += [{"label": r["county"].name, **r} for r in item["counties"]]
            item["chart"] = charts.bar_chart(bars, unit=item["unit"], percent=percent, title=item["label"])
            label = county.name if county else "全國"
            item["rows_html"] = html.indicator_rows(item, label, with_counties=county is None)
        aggregates = usage_aggregates(user=user, plan_year=plan_year, county=county)
        month_items = usage_month_items(by_month=aggregates["by_month"], months=plan_year.months)
        return {
            "indicators": items,
            "month_items": month_items,
            "usage_chart": charts.column_chart(month_items, unit=" 小時", title="各月平臺使用時數"),
        }

    part = page_part(
        "dashboard",
        (plan_year.pk, county.pk if county else None),
        compute,
        user=user,
        depends=(USAGE, ROSTER, OUTCOMES, NARRATIVES, DEVICES, TRAINING),
    )
    return render(
        request,
        "reporting/dashboard.html",
        {"plan_year": plan_year, "county": county, "counties": every_county, **part},
    )
