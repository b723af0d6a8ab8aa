"""Procurement and what follows it: the batches, the reconciliation (entitled / approved /
delivered / MDM), inspection counts, expiring licences and warranties, wireless APs. Thin:
access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget.models import CountyPlan
from budget.selectors import plans_for
from budget.services import PlanActionRefused, plan_for
from devices import selectors, selectors_pages, services
from devices.forms import BatchForm, InspectionForm, WirelessClassroomsForm
from devices.models import InspectionCount, ProcurementBatch, WirelessAllocation
from devices.views_shared import NO_DEVICES, NO_PROCUREMENT, PAGE_SIZE, action_then_redirect, managed_with_form
from portal import access, scope
from portal.pagination import query_without_page
from schools.models import County, School


def _procurement_plan(request: HttpRequest) -> tuple[County, CountyPlan]:
    """For a procurement manager: the county the request names (required) and its plan of the
    request's year."""
    access.require(access.may_manage_procurement(request.user), NO_PROCUREMENT)
    county = scope.county_for(request, required=True)
    return county, plan_for(county=county, plan_year=scope.plan_year_for(request))


# --- Procurement batches -------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    plan_year = scope.plan_year_for(request)
    batches = selectors.batches_for(user=request.user, plan_year=plan_year).order_by(
        "county__sort_order", "tender_number"
    )
    rows = [(batch, services.batch_late(batch)) for batch in batches]
    return render(
        request,
        "devices/batch_list.html",
        {"rows": rows, "plan_year": plan_year, "may_edit": access.may_manage_procurement(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_procurement(request.user), NO_PROCUREMENT)
    plan_year = scope.plan_year_for(request)
    rules = plan_year.rule_set
    form = BatchForm(
        request.POST or None, initial={"mdm_years": rules.mdm_licence_years, "warranty_years": rules.warranty_years}
    )
    counties = None if request.user.county_id else County.objects.all()
    if request.method == "POST" and form.is_valid():
        county = scope.county_for(request, required=True)
        values = {k: v for k, v in form.cleaned_data.items()}
        try:
            batch = services.batch_create(county=county, plan_year=plan_year, values=values, user=request.user)
        except services.DeviceActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"已登錄採購案 {batch.tender_number}")
            return redirect("batch_list")
    return render(
        request,
        "devices/batch_form.html",
        {"form": form, "plan_year": plan_year, "deadline": rules.delivery_deadline, "counties": counties},
    )


# --- Reconciliation ----------------------------------------------------------------------


@login_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = scope.plan_year_for(request)
    county = scope.county_for(request)
    national = county is None and not user.is_school_staff
    if national:
        result = selectors.reconciliation_by_county(user=user, plan_year=plan_year)
    else:
        result = selectors.reconciliation(user=user, plan_year=plan_year, county_id=county.pk if county else None)
    flagged_only = request.GET.get("flagged") == "1"
    q = request.GET.get("q", "").strip()[:50]
    schools = selectors_pages.reconciliation_schools(result, flagged_only=flagged_only, q=q)
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    plan = None
    if user.is_county_staff:
        plan = plans_for(user=user, plan_year=plan_year).filter(county_id=user.county_id).first()
    return render(
        request,
        "devices/reconciliation.html",
        {
            "plan_year": plan_year,
            "county": county,
            "result": result,
            "national": national,
            "page": page,
            "list_url": reverse("device_list"),
            "query": query_without_page(request),
            "flagged_only": flagged_only,
            "q": q,
            "county_codes": dict(County.objects.values_list("name", "code")),
            "plan": plan,
            "existing_without_mdm": (
                selectors.existing_devices_without_mdm(county_id=county.pk, plan_year=plan_year)
                if county and not user.is_school_staff
                else None
            ),
            "may_feed": access.may_manage_procurement(user) and county is not None,
        },
    )


@login_required
@require_POST
def mdm_feed(request: HttpRequest) -> HttpResponse:
    county, plan = _procurement_plan(request)
    try:
        count = services.plan_existing_devices_feed(plan=plan, user=request.user)
    except PlanActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"已將需 MDM 授權的既有載具 {count:,} 臺填入經費表第 4 項")
    return redirect(f"{reverse('reconciliation')}?county={county.code}")


# --- Inspection --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = scope.plan_year_for(request)
    if request.method == "POST":
        access.require(access.may_manage_devices(user), NO_DEVICES)
        _inspection_record(request)
        return redirect(reverse("inspection_list") + "?" + request.GET.urlencode())
    semester = request.GET.get("semester") or f"{plan_year.year}-1"
    page, rows = selectors_pages.inspection_page(
        user=user, plan_year=plan_year, semester=semester, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "devices/inspection_list.html",
        {
            "page": page,
            "rows": rows,
            "semester": semester,
            "plan_year": plan_year,
            "reasons": InspectionCount._meta.get_field("reason").choices,
            "may_edit": access.may_manage_devices(user),
            "query": f"semester={semester}",
        },
    )


def _inspection_record(request: HttpRequest) -> None:
    """One school's count of one batch (the county's or the school's own), as a message."""
    user = request.user
    form = InspectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "盤點資料有誤：" + "；".join(e for errs in form.errors.values() for e in errs))
        return
    data = form.cleaned_data
    batch = access.get_for_user(ProcurementBatch.objects.all(), user, pk=data["batch"])
    school = access.get_for_user(School.objects.all(), user, code=data["school"])
    who = {"self_count": data["count"]} if user.is_school_staff else {"county_count": data["count"]}
    try:
        services.inspection_record(
            batch=batch,
            school=school,
            semester=data["semester"],
            user=user,
            reason=data["reason"],
            note=data["note"],
            **who,
        )
    except services.DeviceActionRefused as refused:
        messages.error(request, f"{school.name}／{batch.tender_number}：{refused}")
    else:
        messages.success(request, f"已記錄{school.name}／{batch.tender_number}的盤點數")


# --- Expiry -------------------------------------------------------------------------------


@login_required
@require_GET
def expiry_list(request: HttpRequest) -> HttpResponse:
    plan_year = scope.plan_year_for(request)
    start, end = selectors.expiry_window(plan_year)
    return render(
        request,
        "devices/expiry_list.html",
        {
            "rows": selectors.expiring(user=request.user, plan_year=plan_year),
            "totals": selectors.expiry_totals(user=request.user, plan_year=plan_year),
            "start": start,
            "end": end,
            "days": plan_year.rule_set.expiry_window_days,
        },
    )


# --- Wireless ----------------------------------------------------------------------------


@login_required
@require_GET
def wireless(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = scope.plan_year_for(request)
    allocations = list(selectors.wireless_for(user=user, plan_year=plan_year))
    return render(
        request,
        "devices/wireless.html",
        {
            "plan_year": plan_year,
            "allocations": allocations,
            "totals": selectors_pages.wireless_totals(allocations),
            "plans": plans_for(user=user, plan_year=plan_year) if not user.is_school_staff else [],
            "may_distribute": access.may_manage_procurement(user),
            "may_edit": access.may_manage_devices(user),
        },
    )


@login_required
@require_POST
def wireless_distribute(request: HttpRequest) -> HttpResponse:
    county, plan = _procurement_plan(request)
    return action_then_redirect(
        request,
        lambda: services.wireless_distribute(plan=plan, user=request.user),
        f"已依班級數分配 {plan.ap_count:,} 個 AP（{plan.ap_amount_ntd:,} 元）至{county.name}各校",
        reverse("wireless"),
    )


@login_required
@require_POST
def wireless_classrooms(request: HttpRequest, pk: int) -> HttpResponse:
    allocations = WirelessAllocation.objects.select_related("school")
    allocation, form = managed_with_form(request, allocations, pk, WirelessClassroomsForm)
    if form.is_valid():
        services.wireless_classrooms_set(
            allocation=allocation, whole_class_classrooms=form.cleaned_data["whole_class_classrooms"], user=request.user
        )
        messages.success(request, f"已更新{allocation.school.name}可全班同時上網之教室數")
    else:
        messages.error(request, "請填寫 0 以上的整數")
    return redirect("wireless")
