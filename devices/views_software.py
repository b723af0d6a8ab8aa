"""Teaching software: the MOE's recommended catalogue, items proposed off it and their review,
the county's purchases and their workbook. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import selectors, services
from devices.exporting import purchases_workbook
from devices.forms import SoftwareDecisionForm, SoftwareProposalForm, SoftwarePurchaseForm
from devices.models import SoftwareItem
from devices.views_shared import NO_PROCUREMENT, action_then_redirect
from portal import access, scope
from portal.downloads import attachment_response
from schools.models import County, School


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
        county = scope.county_for(request, required=True)
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
    return action_then_redirect(
        request,
        lambda: services.software_item_decide(item=item, user=request.user, accept=accept, reason=reason),
        f"「{item.name}」{'已列入推薦目錄' if accept else '不通過'}",
        reverse("software_catalogue"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def software_purchases(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan_year = scope.plan_year_for(request)
    form = SoftwarePurchaseForm(request.POST or None, items=selectors.catalogue())
    if request.method == "POST":
        access.require(access.may_manage_procurement(user), NO_PROCUREMENT)
        if form.is_valid():
            county = scope.county_for(request, required=True)
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
    plan_year = scope.plan_year_for(request)
    content = purchases_workbook(
        list(selectors.purchases_for(user=request.user, plan_year=plan_year)), plan_year=plan_year
    )
    label = request.user.county.name if request.user.county_id else "全國"
    return attachment_response(content, f"{plan_year.year}年{label}教學軟體採購清單.xlsx")
