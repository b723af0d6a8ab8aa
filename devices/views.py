"""The devices pages. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget.models import CountyPlan
from budget.services import PlanActionRefused, plan_for
from devices import selectors, services
from devices.exporting import purchases_workbook
from devices.forms import (
    BatchForm,
    BulkLoanForm,
    DeviceFilterForm,
    InspectionForm,
    LendingRulesForm,
    LoanForm,
    RepairCloseForm,
    RepairForm,
    ReturnForm,
    SoftwareDecisionForm,
    SoftwareProposalForm,
    SoftwarePurchaseForm,
    StatusForm,
    WirelessClassroomsForm,
)
from devices.models import (
    Device,
    DeviceStatus,
    InspectionCount,
    LendingRules,
    Loan,
    ProcurementBatch,
    RepairTicket,
    SoftwareItem,
    WirelessAllocation,
)
from portal import access
from portal.downloads import attachment_response
from portal.pagination import list_page
from portal.search import fold_name, name_matches
from schools.models import County, School
from schools.selectors import plan_year_or_latest

PAGE_SIZE = 50
NO_PROCUREMENT = "只有縣市承辦可以辦理採購、匯入與分配"
NO_DEVICES = "您的帳號不能異動載具"
LIST_FIELDS = ("pk", "serial", "asset_tag", "use", "status", "delivered_on", "mdm_enrolled_on", "warranty_until")
STATUS_LABELS = dict(DeviceStatus.choices)


def _plan_year(request: HttpRequest):
    return plan_year_or_latest(request.GET.get("year"))


def _own_county(request: HttpRequest) -> County:
    """The county a county officer acts for; others choose one with ?county=<code>."""
    user = request.user
    if user.county_id:
        return user.county
    code = request.POST.get("county") or request.GET.get("county")
    return access.get_for_user(County.objects.all(), user, code=code or "")


# --- Devices ----------------------------------------------------------------------------


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    batches = list(selectors.batches_for(user=user).values("pk", "tender_number").order_by("tender_number"))
    form = DeviceFilterForm(request.GET or None, batches=batches)
    filters = form.cleaned_data if form.is_valid() else {}
    devices = selectors.devices_for(user=user)
    if filters.get("q"):
        q = fold_name(filters["q"]).upper()
        devices = devices.filter(Q(serial__startswith=q) | Q(asset_tag__startswith=q))
    if filters.get("school"):
        devices = devices.filter(school__code=fold_name(filters["school"]).upper())
    if filters.get("status"):
        devices = devices.filter(status=filters["status"])
    if filters.get("batch"):
        devices = devices.filter(batch_id=filters["batch"])
    rows = devices.order_by("serial").values(
        *LIST_FIELDS,
        school_code=F("school__code"),
        school_name=F("school__name"),
        tender=F("batch__tender_number"),
        brand=F("batch__brand"),
        county_name=F("county__name"),
    )
    page = selectors.device_page(
        user=user,
        parts=("device_list", tuple(sorted(filters.items()))),
        devices=devices,
        rows=rows,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "devices/device_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status_labels": STATUS_LABELS,
            "may_import": access.may_manage_procurement(user),
            "detail_url": reverse("device_detail", args=[0]).removesuffix("0/"),
            "show_county": not access.sees_one_county(user),
            "show_school": not access.sees_one_school(user),
            "may_lend": access.may_manage_devices(user),
            "today": timezone.localdate(),
            "columns": 11
            - access.sees_one_county(user)
            - access.sees_one_school(user)
            + 2 * access.may_manage_devices(user),
        },
    )


def _device(request: HttpRequest, pk: int) -> Device:
    devices = Device.objects.select_related("school", "batch", "county", "batch__plan_year")
    return access.get_for_user(devices, request.user, pk=pk)


@login_required
@require_GET
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    loans = list(device.loans.select_related("created_by")[:20])
    repairs = list(device.repairs.select_related("spare")[:20])
    open_loan = next((loan for loan in loans if loan.returned_on is None), None)
    open_repair = next((r for r in repairs if r.closed_on is None), None)
    rules = LendingRules.objects.filter(school_id=device.school_id).first() if device.school_id else None
    return render(
        request,
        "devices/device_detail.html",
        {
            "device": device,
            "loans": loans,
            "repairs": repairs,
            "open_loan": open_loan,
            "open_repair": open_repair,
            "lending_rules": rules,
            "today": timezone.localdate(),
            "may_manage": access.may_manage_devices(request.user),
            "loan_form": LoanForm(),
            "return_form": ReturnForm(),
            "repair_form": RepairForm(),
            "close_form": RepairCloseForm(),
            "status_form": StatusForm(initial={"status": device.status}),
        },
    )


def _done(request: HttpRequest, action, success: str, to: str) -> HttpResponse:
    try:
        action()
    except services.DeviceActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect(to)


@login_required
@require_POST
def device_status(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "請選擇狀態")
        return redirect("device_detail", pk=pk)
    status = form.cleaned_data["status"]
    return _done(
        request,
        lambda: services.device_status_set(device=device, status=status, user=request.user),
        f"{device.serial} 的狀態已改為{STATUS_LABELS[status]}",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_POST
def device_lend(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = LoanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "借用資料不完整：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("device_detail", pk=pk)
    data = form.cleaned_data
    return _done(
        request,
        lambda: services.loan_create(
            device=device,
            user=request.user,
            borrower_code=data["borrower_code"],
            purpose=data["purpose"],
            due_on=data["due_on"],
            note=data["note"],
        ),
        f"已借出 {device.serial} 給 {data['borrower_code']}",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_bulk_lend(request: HttpRequest) -> HttpResponse:
    """Lend the devices ticked on the list (?device=1&device=2): one borrower identifier a
    device, a shared purpose and due date; all lent or none (services.device_loans_create)."""
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = sorted({int(value) for value in source.getlist("device")})[: services.MAX_BULK_LOANS]
    except ValueError:
        ids = []
    devices = list(
        access.for_user(Device.objects.select_related("school"), request.user).filter(pk__in=ids).order_by("serial")
    )
    if not devices:
        messages.error(request, "請先在清冊勾選要借出的載具")
        return redirect("device_list")
    form = BulkLoanForm(request.POST if request.method == "POST" else None, devices=devices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loans = services.device_loans_create(
                user=request.user,
                borrowers=form.borrowers(),
                purpose=data["purpose"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except services.DeviceActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"已借出 {len(loans)} 臺載具")
            return redirect("loan_list")
    return render(request, "devices/bulk_lend.html", {"form": form, "devices": devices})


def _safe_next(request: HttpRequest) -> str | None:
    """The page to go back to, only when it is one of ours (never an outside address)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and allowed else None


@login_required
@require_POST
def loan_return(request: HttpRequest, pk: int) -> HttpResponse:
    loan = access.get_for_user(Loan.objects.select_related("device"), request.user, pk=pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = ReturnForm(request.POST)
    condition = form.cleaned_data["condition"] if form.is_valid() else Loan.Condition.GOOD
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return _done(
        request,
        lambda: services.loan_return(loan=loan, user=request.user, condition=condition, note=note),
        f"已歸還 {loan.device.serial}",
        _safe_next(request) or reverse("device_detail", args=[loan.device_id]),
    )


@login_required
@require_POST
def device_repair(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = RepairForm(request.POST)
    if not form.is_valid():
        messages.error(request, "請填寫故障情形")
        return redirect("device_detail", pk=pk)
    spare = None
    serial = form.cleaned_data["spare_serial"].strip().upper()
    if serial:
        spare = selectors.devices_for(user=request.user).filter(serial=serial).first()
        if spare is None:
            messages.error(request, f"找不到備品 {serial}")
            return redirect("device_detail", pk=pk)
    fault = form.cleaned_data["fault"]
    return _done(
        request,
        lambda: services.repair_open(device=device, user=request.user, fault=fault, spare=spare),
        f"{device.serial} 已送修",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_POST
def repair_close(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_for_user(RepairTicket.objects.all(), request.user, pk=pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = RepairCloseForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else "已修復"
    return _done(
        request,
        lambda: services.repair_close(ticket=ticket, user=request.user, outcome=outcome),
        "維修單已結案，備品已收回",
        reverse("device_detail", args=[ticket.device_id]),
    )


@login_required
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        loans = selectors.overdue_loans(user=request.user, today=today)
    else:
        loans = selectors.loans_for(user=request.user).filter(returned_on__isnull=True).order_by("due_on", "pk")
    loans = loans.values(
        "pk",
        "borrower_code",
        "purpose",
        "lent_on",
        "due_on",
        "device_id",
        serial=F("device__serial"),
        school_code=F("school__code"),
        school_name=F("school__name"),
    )
    page = list_page(
        namespace=selectors.DEVICES,
        user=request.user,
        parts=("loans", overdue, today),
        rows=loans,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "devices/loan_list.html",
        {
            "page": page,
            "overdue": overdue,
            "today": today,
            "purposes": dict(Loan.Purpose.choices),
            "query": "overdue=1" if overdue else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lending_rules(request: HttpRequest, code: str) -> HttpResponse:
    school = access.get_for_user(School.objects.all(), request.user, code=code)
    current = LendingRules.objects.filter(school=school).first()
    form = LendingRulesForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST":
        access.require(access.may_manage_devices(request.user), NO_DEVICES)
        if form.is_valid():
            services.lending_rules_save(school=school, text=form.cleaned_data["text"], user=request.user)
            messages.success(request, f"已儲存{school.name}的借用規範")
            return redirect("lending_rules", code=code)
    return render(
        request,
        "devices/lending_rules.html",
        {"school": school, "form": form, "current": current, "may_edit": access.may_manage_devices(request.user)},
    )


@login_required
@require_GET
def repair_list(request: HttpRequest) -> HttpResponse:
    tickets = selectors.repairs_for(user=request.user)
    if request.GET.get("open") != "0":
        tickets = tickets.filter(closed_on__isnull=True)
    tickets = tickets.values(
        "pk",
        "opened_on",
        "closed_on",
        "fault",
        "under_warranty",
        "outcome",
        device_pk=F("device__pk"),
        serial=F("device__serial"),
        spare_serial=F("spare__serial"),
        school_name=F("school__name"),
    )
    page = list_page(
        namespace=selectors.DEVICES,
        user=request.user,
        parts=("repairs", request.GET.get("open")),
        rows=tickets,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render(request, "devices/repair_list.html", {"page": page, "query": ""})


# --- Procurement batches -------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    plan_year = _plan_year(request)
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
    plan_year = _plan_year(request)
    rules = plan_year.rule_set
    form = BatchForm(
        request.POST or None, initial={"mdm_years": rules.mdm_licence_years, "warranty_years": rules.warranty_years}
    )
    counties = None if request.user.county_id else County.objects.all()
    if request.method == "POST" and form.is_valid():
        county = _own_county(request)
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
    plan_year = _plan_year(request)
    county = None
    if user.county_id:
        county = user.county
    elif request.GET.get("county"):
        county = access.get_for_user(County.objects.all(), user, code=request.GET["county"])
    national = county is None and not user.is_school_staff
    if national:
        result = selectors.reconciliation_by_county(user=user, plan_year=plan_year)
    else:
        result = selectors.reconciliation(user=user, plan_year=plan_year, county_id=county.pk if county else None)
    schools = result.schools
    flagged_only = request.GET.get("flagged") == "1"
    q = request.GET.get("q", "").strip()[:50]
    if flagged_only:
        schools = [s for s in schools if s.flags]
    if q:
        schools = [s for s in schools if name_matches(q, s.code, s.name)]
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    plan = None
    if user.is_county_staff:
        plan = CountyPlan.objects.filter(county=user.county, plan_year=plan_year).first()
    codes = dict(County.objects.values_list("name", "code"))
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
            "query": query.urlencode(),
            "flagged_only": flagged_only,
            "q": q,
            "county_codes": codes,
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
    access.require(access.may_manage_procurement(request.user), NO_PROCUREMENT)
    county = _own_county(request)
    plan = plan_for(county=county, plan_year=plan_year_or_latest(request.POST.get("year")))
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
    plan_year = _plan_year(request)
    if request.method == "POST":
        access.require(access.may_manage_devices(user), NO_DEVICES)
        form = InspectionForm(request.POST)
        if form.is_valid():
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
        else:
            messages.error(request, "盤點資料有誤：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(reverse("inspection_list") + "?" + request.GET.urlencode())

    # What there is to count: this plan's delivered devices per school and batch, with the counts so far.
    delivered = (
        selectors.devices_for(user=user)
        .filter(batch__plan_year=plan_year, school__isnull=False, delivered_on__isnull=False)
        .values(
            "school_id", "batch_id", code=F("school__code"), name=F("school__name"), tender=F("batch__tender_number")
        )
        .annotate(delivered=Count("pk"))
        .order_by("code", "tender")
    )
    page = list_page(
        namespace=selectors.DEVICES,
        user=user,
        parts=("inspection", plan_year.pk),
        rows=delivered,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    semester = request.GET.get("semester") or f"{plan_year.year}-1"
    counts = {
        (c.school_id, c.batch_id): c
        for c in access.for_user(InspectionCount.objects.filter(semester=semester), user).filter(
            school_id__in=[row["school_id"] for row in page]
        )
    }
    rows = [(row, counts.get((row["school_id"], row["batch_id"]))) for row in page]
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


# --- Expiry -------------------------------------------------------------------------------


@login_required
@require_GET
def expiry_list(request: HttpRequest) -> HttpResponse:
    plan_year = _plan_year(request)
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
    plan_year = _plan_year(request)
    allocations = list(selectors.wireless_for(user=request.user, plan_year=plan_year))
    plans = access.for_user(CountyPlan.objects.filter(plan_year=plan_year), request.user).select_related("county")
    totals = {
        key: sum(getattr(a, key) for a in allocations)
        for key in (
            "classes",
            "ap_count",
            "classroom_aps",
            "special_classroom_aps",
            "amount_ntd",
            "whole_class_classrooms",
        )
    }
    return render(
        request,
        "devices/wireless.html",
        {
            "plan_year": plan_year,
            "allocations": allocations,
            "totals": totals,
            "plans": plans if not request.user.is_school_staff else [],
            "may_distribute": access.may_manage_procurement(request.user),
            "may_edit": access.may_manage_devices(request.user),
        },
    )


@login_required
@require_POST
def wireless_distribute(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_procurement(request.user), NO_PROCUREMENT)
    county = _own_county(request)
    plan = plan_for(county=county, plan_year=plan_year_or_latest(request.POST.get("year")))
    return _done(
        request,
        lambda: services.wireless_distribute(plan=plan, user=request.user),
        f"已依班級數分配 {plan.ap_count:,} 個 AP（{plan.ap_amount_ntd:,} 元）至{county.name}各校",
        reverse("wireless"),
    )


@login_required
@require_POST
def wireless_classrooms(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = access.get_for_user(WirelessAllocation.objects.select_related("school"), request.user, pk=pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    form = WirelessClassroomsForm(request.POST)
    if form.is_valid():
        services.wireless_classrooms_set(
            allocation=allocation, whole_class_classrooms=form.cleaned_data["whole_class_classrooms"], user=request.user
        )
        messages.success(request, f"已更新{allocation.school.name}可全班同時上網之教室數")
    else:
        messages.error(request, "請填寫 0 以上的整數")
    return redirect("wireless")


# --- Software ----------------------------------------------------------------------------


@login_required
@require_GET
def software_catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "devices/software_catalogue.html",
        {
            "items": selectors.catalogue(q=q),
            "proposals": selectors.proposals_for(user=request.user),
            "q": q,
            "may_propose": access.may_manage_procurement(request.user),
            "may_decide": access.may_review(request.user),
            "decision_form": SoftwareDecisionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def software_propose(request: HttpRequest) -> HttpResponse:
    access.require(access.may_manage_procurement(request.user), NO_PROCUREMENT)
    form = SoftwareProposalForm(request.POST or None)
    counties = None if request.user.county_id else County.objects.all()
    if request.method == "POST" and form.is_valid():
        county = _own_county(request)
        try:
            item = services.software_item_propose(county=county, values=form.cleaned_data, user=request.user)
        except services.DeviceActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"已提出「{item.name}」，待教育部審查")
            return redirect("software_catalogue")
    return render(request, "devices/software_propose.html", {"form": form, "counties": counties})


@login_required
@require_POST
def software_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(access.may_review(request.user), "只有教育部審查人員可以審查目錄外品項")
    item = access.get_for_user(SoftwareItem.objects.exclude(status=SoftwareItem.Status.LISTED), request.user, pk=pk)
    form = SoftwareDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "請選擇審查結果")
        return redirect("software_catalogue")
    accept, reason = form.cleaned_data["accept"], form.cleaned_data["reason"]
    return _done(
        request,
        lambda: services.software_item_decide(item=item, user=request.user, accept=accept, reason=reason),
        f"「{item.name}」{'已列入推薦目錄' if accept else '不通過'}",
        reverse("software_catalogue"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def software_purchases(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = _plan_year(request)
    form = SoftwarePurchaseForm(request.POST or None, items=selectors.catalogue())
    if request.method == "POST":
        access.require(access.may_manage_procurement(user), NO_PROCUREMENT)
        if form.is_valid():
            county = _own_county(request)
            codes = form.codes()
            schools = list(access.for_user(School.objects.filter(code__in=codes), user))
            missing = sorted(set(codes) - {s.code for s in schools})
            if missing:
                form.add_error("school_codes", f"找不到本縣市的學校：{'、'.join(missing)}")
            else:
                data = form.cleaned_data
                values = {k: data[k] for k in ("seats", "amount_ntd", "meeting_date", "teaching_use")}
                try:
                    services.software_purchase_create(
                        county=county, plan_year=plan_year, item=data["item"], schools=schools, values=values, user=user
                    )
                except services.DeviceActionRefused as refused:
                    form.add_error(None, str(refused))
                else:
                    messages.success(request, f"已登錄採購「{data['item'].name}」")
                    return redirect("software_purchases")
    purchases = list(selectors.purchases_for(user=user, plan_year=plan_year))
    return render(
        request,
        "devices/software_purchases.html",
        {
            "form": form,
            "purchases": purchases,
            "total": sum(p.amount_ntd for p in purchases),
            "plan_year": plan_year,
            "may_edit": access.may_manage_procurement(user),
            "counties": None if user.county_id else County.objects.all(),
        },
    )


@login_required
@require_GET
def software_purchases_export(request: HttpRequest) -> HttpResponse:
    access.require(access.may_request_exports(request.user), "學校帳號不能匯出")
    plan_year = _plan_year(request)
    content = purchases_workbook(
        list(selectors.purchases_for(user=request.user, plan_year=plan_year)), plan_year=plan_year
    )
    label = request.user.county.name if request.user.county_id else "全國"
    return attachment_response(content, f"{plan_year.year}年{label}教學軟體採購清單.xlsx")
