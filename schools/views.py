"""The roster pages. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import rules as engine
from portal import access, scope
from portal.audit import recent
from portal.downloads import attachment_response
from portal.pagination import list_page, params_without_page
from schools.forms import RosterFilterForm, RosterRowForm
from schools.guards import roster_state
from schools.models import RosterRow, School
from schools.official import findings_summary
from schools.roster_format import ROW_FIGURES
from schools.selectors import (
    ROSTER,
    ROSTER_SORTS,
    roster_export_workbook,
    roster_list_rows,
    roster_rows_for,
)
from schools.services import EDITABLE_ROW_FIELDS, RosterEditRefused, roster_row_edit_refusal, roster_row_update

PAGE_SIZE = 50
LIST_FIELDS = ("pk", "level", *ROW_FIGURES)


@login_required
@require_GET
def roster_list(request: HttpRequest) -> HttpResponse:
    plan_year = scope.plan_year_for(request)
    form = RosterFilterForm(request.GET or None, national=request.user.sees_every_county)
    filters = _filters(form)
    # Plain values, not three model instances a row: this is the busiest page.
    rows = roster_list_rows(user=request.user, plan_year=plan_year, filters=filters).values(
        *LIST_FIELDS, "difference", code=F("school__code"), county=F("school__county__name")
    )
    per_page = filters.get("per_page") or PAGE_SIZE
    page = list_page(
        namespace=ROSTER,
        user=request.user,
        parts=("roster_list", plan_year.pk, tuple(sorted(filters.items()))),
        rows=rows,
        page=request.GET.get("page"),
        per_page=per_page,
    )
    query = params_without_page(request)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    export_query = query.copy()
    export_query.setlist("year", [str(plan_year.year)])
    return render(
        request,
        "schools/roster_list.html",
        {
            "plan_year": plan_year,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "export_query": export_query.urlencode(),
            "sort": filters.get("sort", ""),
            "sort_label": _sort_label(filters.get("sort", "")),
            "may_edit": access.may_edit_roster(request.user),
            "findings": findings_summary(user=request.user, plan_year=plan_year)
            if access.may_read_budget(request.user)
            else None,
            # One reverse() for the page rather than one a row.
            "school_url": reverse("school_detail", args=["CODE"]).removesuffix("CODE/"),
            # A school's own one- or two-row roster needs no filter bar; nor does a county's
            # list a 縣市 column repeating its own name.
            "show_filters": not access.sees_one_school(request.user),
            "show_county": not access.sees_one_county(request.user),
        },
    )


def _sort_label(sort: str) -> str:
    if not sort:
        return ""
    return ROSTER_SORTS[sort.removeprefix("-")] + ("（由大到小）" if sort.startswith("-") else "（由小到大）")


def _filters(form: RosterFilterForm) -> dict:
    """The valid filters, without the empty ones (they shape neither the rows nor the cache key)."""
    if not form.is_valid():
        return {}
    return {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}


@login_required
@require_GET
def roster_export(request: HttpRequest) -> HttpResponse:
    """The 附錄 workbook of the rows the reader may see; with the list's filters in the query
    string (「匯出目前篩選結果」), of those rows only, in the list's order."""
    plan_year = scope.plan_year_for(request)
    form = RosterFilterForm(request.GET or None, national=request.user.sees_every_county)
    filters = _filters(form)
    filters.pop("per_page", None)
    content, _count = roster_export_workbook(plan_year=plan_year, county=None, user=request.user, filters=filters)
    label = request.user.county.name if request.user.county_id else "全國"
    suffix = "（篩選結果）" if set(filters) - {"sort"} else ""
    filename = f"{plan_year.year}年{label}國民中小學名單{suffix}.xlsx"
    return attachment_response(content, filename)


@login_required
@require_GET
def school_detail(request: HttpRequest, code: str) -> HttpResponse:
    school = access.get_for_user(School.objects.select_related("county"), request.user, code=code)
    plan_year = scope.plan_year_for(request)
    rows = list(roster_rows_for(user=request.user, plan_year=plan_year).filter(school=school).order_by("level"))
    state = roster_state(school.county_id, plan_year)
    history = RosterRow.history.filter(school_id=school.pk, plan_year_id=plan_year.pk)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "plan_year": plan_year,
            "rows": rows,
            "state": state,
            "may_edit": access.may_edit_roster_rows(request.user) and state.editable,
            "history": recent(history),
        },
    )


def _editable_row(request: HttpRequest, pk: int) -> RosterRow:
    access.require(access.may_edit_roster_rows(request.user), "您的帳號不能修改名單")
    rows = RosterRow.objects.select_related("school__county", "plan_year")
    return access.get_for_user(rows, request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def roster_row_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = _editable_row(request, pk)
    refusal = roster_row_edit_refusal(row)
    initial = {name: getattr(row, name) for name in EDITABLE_ROW_FIELDS} | {"version": row.version}
    form = RosterRowForm(request.POST or None, initial=initial, plan_year=row.plan_year, level=row.level)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
        elif form.is_valid():
            try:
                roster_row_update(
                    row=row, user=request.user, values=form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except RosterEditRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"已儲存 {row.school.code} {row.name}（{row.level}）。")
                return redirect(f"{reverse('school_detail', args=[row.school.code])}?year={row.plan_year.year}")
    if form.is_bound:
        result = _entitlement_result(form)
    else:
        entitlement = engine.entitle_row(row.facts, row.plan_year.rule_set)
        result = {"ok": True, "entitlement": entitlement, "complies": row.complies, "errors": []}
    return render(
        request, "schools/roster_row_edit.html", {"row": row, "form": form, "refusal": refusal, "result": result}
    )


def _entitlement_result(form: RosterRowForm) -> dict:
    form.is_valid()
    return {
        "ok": form.entitlement is not None,
        "entitlement": form.entitlement,
        "complies": form.complies,
        "errors": [str(error) for errors in form.errors.values() for error in errors],
    }


@login_required
@require_POST
def roster_row_entitlement(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the entitlement of the numbers as typed so far; saves nothing."""
    row = _editable_row(request, pk)
    form = RosterRowForm(request.POST, plan_year=row.plan_year, level=row.level)
    return render(request, "schools/_entitlement.html", {"result": _entitlement_result(form), "row": row})
