"""The roster pages. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access
from schools.forms import RosterFilterForm, RosterUploadForm
from schools.models import PlanYear, RosterUpload
from schools.selectors import county_entitlements, roster_export_workbook, roster_rows_for
from schools.services import (
    STATUS_LABELS,
    RosterImportRefused,
    roster_parse_file,
    roster_preview,
    roster_upload_confirm,
    roster_upload_create,
    roster_upload_discard,
    roster_upload_read,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _plan_year(request: HttpRequest) -> PlanYear:
    """The year asked for (?year=111), else the latest."""
    years = PlanYear.objects.all()
    year = request.GET.get("year")
    if year and year.isdigit():
        found = years.filter(year=int(year)).first()
        if found:
            return found
    return years.first()


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    plan_year = _plan_year(request)
    rows = roster_rows_for(user=request.user, plan_year=plan_year)
    counties = county_entitlements(rows=rows, rule_set=plan_year.rule_set)
    school_rows = rows.select_related("school") if request.user.is_school_staff else None
    return render(
        request,
        "schools/home.html",
        {
            "plan_year": plan_year,
            "counties": counties,
            "totals": _sum_counties(counties),
            "school_rows": school_rows,
            "may_edit": access.may_edit_roster(request.user),
        },
    )


def _sum_counties(counties: list[dict]) -> dict:
    keys = (
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
    totals = {key: sum(c[key] for c in counties) for key in keys}
    totals["staffing_persons"] = sum(c["staffing"].persons for c in counties)
    totals["staffing_amount_ntd"] = sum(c["staffing"].amount_ntd for c in counties)
    return totals


@login_required
@require_GET
def roster_list(request: HttpRequest) -> HttpResponse:
    plan_year = _plan_year(request)
    form = RosterFilterForm(request.GET or None)
    rows = roster_rows_for(user=request.user, plan_year=plan_year).select_related("school__county")
    if form.is_valid():
        rows = _filter_rows(rows, form.cleaned_data, plan_year)
    rows = rows.order_by("school__county__sort_order", "school__code", "level")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schools/roster_list.html",
        {
            "plan_year": plan_year,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_edit": access.may_edit_roster(request.user),
        },
    )


def _filter_rows(rows, data: dict, plan_year: PlanYear):
    if data.get("q"):
        q = data["q"].strip()
        rows = rows.filter(Q(school__code__icontains=q) | Q(name__icontains=q) | Q(school__name__icontains=q))
    if data.get("level"):
        rows = rows.filter(level=data["level"])
    if data.get("area") == "remote":
        rows = rows.filter(area__in=plan_year.rule_set.remote_areas)
    elif data.get("area"):
        rows = rows.filter(area=data["area"])
    complies = data.get("complies")
    if complies == "yes":
        rows = rows.filter(complies=True)
    elif complies == "no":
        rows = rows.filter(complies=False)
    elif complies == "no_reason":
        rows = rows.filter(complies=False, reason="")
    elif complies == "blank":
        rows = rows.filter(complies__isnull=True)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    access.require(access.may_edit_roster(request.user), "只有縣市承辦可以匯入名單")
    form = RosterUploadForm(request.POST or None, request.FILES or None, initial={"plan_year": _plan_year(request)})
    if request.method == "POST" and form.is_valid():
        upload = roster_upload_create(
            user=request.user, plan_year=form.cleaned_data["plan_year"], uploaded_file=form.cleaned_data["file"]
        )
        return redirect("roster_import_preview", upload_id=upload.pk)
    return render(request, "schools/roster_import.html", {"form": form})


def _own_upload(request: HttpRequest, upload_id: int) -> RosterUpload:
    uploads = access.for_user(RosterUpload.objects.select_related("plan_year"), request.user)
    return access.get_for_user(uploads.filter(uploaded_by=request.user), request.user, pk=upload_id)


@login_required
@require_GET
def roster_import_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    access.require(access.may_edit_roster(request.user), "只有縣市承辦可以匯入名單")
    upload = _own_upload(request, upload_id)
    if upload.status != RosterUpload.Status.PENDING:
        messages.info(request, f"「{upload.original_name}」已經{upload.get_status_display()}。")
        return redirect("roster_list")
    parse = roster_parse_file(content=roster_upload_read(upload), plan_year=upload.plan_year)
    preview = roster_preview(plan_year=upload.plan_year, parse=parse, user=request.user)
    rows = [(row, STATUS_LABELS.get(preview.statuses.get(row.key), "")) for row in parse.rows]
    return render(
        request,
        "schools/roster_preview.html",
        {
            "upload": upload,
            "preview": preview,
            "parse": parse,
            "rows": rows,
            "summary": preview.summary if preview.ok else None,
        },
    )


@login_required
@require_POST
def roster_import_confirm(request: HttpRequest, upload_id: int) -> HttpResponse:
    access.require(access.may_edit_roster(request.user), "只有縣市承辦可以匯入名單")
    upload = _own_upload(request, upload_id)
    try:
        summary = roster_upload_confirm(upload=upload, user=request.user)
    except RosterImportRefused as refused:
        messages.error(request, f"未匯入任何資料：{refused}")
        return redirect("roster_import_preview", upload_id=upload.pk)
    messages.success(
        request,
        f"已匯入 {summary['rows']} 列：新增 {summary['new']}、更新 {summary['updated']}、"
        f"不變 {summary['unchanged']}、刪除 {summary['removed']}。",
    )
    return redirect(f"{reverse('roster_list')}?year={upload.plan_year.year}")


@login_required
@require_POST
def roster_import_discard(request: HttpRequest, upload_id: int) -> HttpResponse:
    access.require(access.may_edit_roster(request.user), "只有縣市承辦可以匯入名單")
    upload = _own_upload(request, upload_id)
    if upload.status == RosterUpload.Status.PENDING:
        roster_upload_discard(upload=upload)
        messages.info(request, "已放棄這次上傳，名單沒有任何變動。")
    return redirect("roster_import")


@login_required
@require_GET
def roster_export(request: HttpRequest) -> HttpResponse:
    plan_year = _plan_year(request)
    content, _count = roster_export_workbook(plan_year=plan_year, county=None, user=request.user)
    label = request.user.county.name if request.user.county_id else "全國"
    filename = f"{plan_year.year}年{label}國民中小學名單.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
