"""Pages that bring every app's data together: the home page first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from budget import rules as engine
from budget.models import CountyPlan, PlanStatus, PlanSubmission
from budget.selectors import NARRATIVES, plan_missing, plan_narrative, plan_read, plan_table
from budget.services import county_edit_refusal, plan_for
from devices.selectors import home_panel as device_home_panel
from portal import access
from portal.cache import cached_for
from portal.cache import version as cache_version
from portal.scope import plan_year_for
from reporting.forms import ExportRequestForm
from reporting.html import home_county_rows
from reporting.models import ExportJob
from reporting.selectors import export_job_get, export_jobs_recent, plan_document_submission
from reporting.selectors_monthly import home_panel
from reporting.services import export_job_cancel, export_job_request
from schools.guards import roster_state
from schools.models import County
from schools.selectors import PLAN_YEARS, ROSTER, county_entitlements_for, roster_rows_for
from training.selectors import home_panel as training_home_panel

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
    plan_year = plan_year_for(request)
    rows = roster_rows_for(user=user, plan_year=plan_year)
    context = {"plan_year": plan_year, "may_edit": access.may_edit_roster(user)}
    context["reporting_panel"] = _reporting_panel(user, plan_year)

    if user.is_school_staff:
        context["school_rows"] = rows.select_related("school")
        context["state"] = roster_state(user.county_id, plan_year)
        return render(request, "reporting/home_school.html", context)
    context["device_panel"] = device_home_panel(user=user, plan_year=plan_year)

    counties = county_entitlements_for(user=user, plan_year=plan_year)
    plans = access.for_user(CountyPlan.objects.filter(plan_year=plan_year), user)
    if user.county_id:
        # The county's own plan, with what its 「尚缺」 list reads.
        plans = plans.select_related("county", "plan_year", "narrative")
    else:
        # 22 plans for their status only: not their 附件1 texts.
        plans = plans.select_related("county").only("county__code", "county__name", "status", "plan_year_id")
    plans = list(plans)
    status_by_county = {plan.county.name: plan for plan in plans}
    for county in counties:
        county["plan"] = status_by_county.get(county["county"])
    plan_url = reverse("plan_detail", args=[plan_year.year, "__COUNTY__"])
    context |= {"counties": counties, "totals": _sum(counties), "county_rows": home_county_rows(counties, plan_url)}
    context["training_panel"] = training_home_panel(user=user, plan_year=plan_year)

    if user.county_id:
        plan = status_by_county.get(user.county.name) or plan_read(county=user.county, plan_year=plan_year)
        missing = []
        if plan.county_may_edit:
            # The county's line of the aggregate above already has its totals and gaps.
            own = next((c for c in counties if c["county"] == user.county.name), None)
            missing = _missing(user, plan, own)
        context |= {"plan": plan, "refusal": county_edit_refusal(plan), "missing": missing}
        if plan.status == PlanStatus.RETURNED:
            # The MOE's per-line reasons, not only the overall one (issue 14).
            context["return_comments"] = list(
                plan.review_comments.filter(answered_in__isnull=True, archived_at__isnull=True).select_related(
                    "submission"
                )
            )
    else:
        context["waiting"] = sum(1 for plan in plans if plan.status == PlanStatus.SUBMITTED)
        context["approved"] = sum(1 for plan in plans if plan.status == PlanStatus.APPROVED)
    return render(request, "reporting/home.html", context)


def _missing(user, plan: CountyPlan, own: dict | None) -> list[str]:
    """The plan's 「尚缺」 list (its lines, the budget engine, a roster count): cached under
    everything it reads, so the county's home page does not recompute it on every load. A
    write to the plan or its lines moves plan.version (budget.services.plan_save_fields), to its 附件1
    the narrative's version and token, to the roster or the rules their namespace tokens."""

    def compute() -> list[str]:
        totals = own["totals"] if own else engine.CountyTotals(0, 0, 0, 0, 0, 0)
        completeness = own or {"rows": 0, "missing_reason": 0, "not_requested": 0}
        return plan_missing(plan, plan_table(plan, totals=totals), completeness=completeness)

    narrative = plan_narrative(plan)
    parts = (
        "home_missing",
        plan.pk,  # None for a plan not yet written (budget.selectors.plan_read): county and year say which
        plan.county_id,
        plan.plan_year_id,
        plan.version,
        plan.status,
        narrative.version,
        cache_version(NARRATIVES),
        cache_version(PLAN_YEARS),
    )
    return cached_for(user, ROSTER, parts, compute)


def _reporting_panel(user, plan_year) -> dict:
    panel = home_panel(user=user, plan_year=plan_year)
    if panel.get("report"):
        panel["report_url"] = reverse("monthly_report", args=[plan_year.year, user.county.code, panel["month_param"]])
    return panel


def _sum(counties: list[dict]) -> dict:
    totals = {key: sum(c[key] for c in counties) for key in TOTAL_KEYS}
    totals["staffing_persons"] = sum(c["staffing"].persons for c in counties)
    totals["staffing_amount_ntd"] = sum(c["staffing"].amount_ntd for c in counties)
    return totals


# --- Documents rendered in the background --------------------------------------------------


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_request_exports(user), "學校帳號不能產製縣市文件")
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "無法辨識要產製的文件，請重新操作。")
        return redirect("home")
    data = form.cleaned_data
    plan_year = plan_year_for(request, year=data["year"])
    county = access.get_for_user(County, user, code=data["county"]) if data["county"] else None
    if county is None and not user.sees_every_county:
        county = user.county
    plan = submission = None
    if data["kind"] == ExportJob.Kind.RESULTS_PDF:
        if county is None:
            raise Http404("請指定縣市")
    elif data["kind"] != ExportJob.Kind.ROSTER_XLSX:
        access.require(access.may_read_budget(user), "您的帳號不能查看縣市計畫")
        if county is None:
            raise Http404("請指定縣市")
        plan = plan_for(county=county, plan_year=plan_year)
        try:
            submission = plan_document_submission(plan, number=data["submission"], draft=data["draft"])
        except PlanSubmission.DoesNotExist:
            raise Http404("找不到這一次的送審版本") from None
    job = export_job_request(
        user=user, kind=data["kind"], plan_year=plan_year, county=county, plan=plan, submission=submission
    )
    return redirect("export_detail", pk=job.pk)


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reporting/export_detail.html", {"job": export_job_get(user=request.user, pk=pk)})


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the job's progress; it stops asking once the job is finished."""
    return render(request, "reporting/_export_status.html", {"job": export_job_get(user=request.user, pk=pk)})


@login_required
@require_POST
def export_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the requester stops a job (another user's job is not found)."""
    job = export_job_get(user=request.user, pk=pk)
    if job.requested_by_id != request.user.pk:
        raise Http404("找不到資料，或您沒有權限查看")
    if export_job_cancel(job=job, user=request.user):
        messages.info(request, f"已取消「{job.get_kind_display()}」的產製。")
    else:
        messages.info(request, f"「{job.get_kind_display()}」已經{job.get_status_display()}，不需取消。")
    return redirect("export_detail", pk=job.pk)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, pk=pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未完成，或已超過保存期限被刪除，請重新產製")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    access.require(access.may_request_exports(request.user), "學校帳號不能產製縣市文件")
    return render(request, "reporting/export_list.html", {"jobs": export_jobs_recent(user=request.user)})
