"""What-if rule scenarios (MOE): list and create, change the parameters and see the counties
beside the real rules, export as Excel, delete. Thin: access -> service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import rules as engine
from budget import whatif
from budget.models import RuleScenario
from budget.scenarios import (
    ScenarioRefused,
    ScenarioRulesForm,
    changed_rows,
    scenario_comparison,
    scenario_create,
    scenario_delete,
    scenario_update,
    scenario_workbook,
    scenarios_for,
)
from budget.views_shared import form_saved
from portal import access, scope
from portal.downloads import attachment_response
from schools.selectors import plan_years


def _scenario(request: HttpRequest, pk: int) -> RuleScenario:
    access.require(access.may_model_rules(request.user), "只有教育部可以使用補助規則情境")
    return access.get_for_user(scenarios_for(user=request.user), request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_list(request: HttpRequest) -> HttpResponse:
    access.require(access.may_model_rules(request.user), "只有教育部可以使用補助規則情境")
    plan_year = scope.plan_year_for(request)
    if request.method == "POST":
        try:
            scenario = scenario_create(
                user=request.user,
                plan_year=plan_year,
                name=request.POST.get("name", ""),
                note=request.POST.get("note", "")[:2000],
            )
        except ScenarioRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"已複製 {plan_year.year} 年度補助規則為情境「{scenario.name}」，請修改參數。")
            return redirect("scenario_detail", pk=scenario.pk)
    return render(
        request,
        "budget/scenario_list.html",
        {"scenarios": scenarios_for(user=request.user), "plan_years": plan_years(), "plan_year": plan_year},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    form = ScenarioRulesForm(request.POST or None, values=scenario.rules_dict(), initial={"version": scenario.version})
    if request.method == "POST" and form_saved(
        request,
        valid=form.is_valid(),
        save=lambda: scenario_update(
            scenario=scenario,
            user=request.user,
            values=form.rule_values(),
            expected_version=form.cleaned_data["version"],
        ),
        success="情境參數已儲存，下方為重新計算的結果。",
        refusals=(ScenarioRefused, engine.RuleSetError),
        invalid="有參數填寫有誤，請看下方標示。",
    ):
        return redirect("scenario_detail", pk=scenario.pk)
    comparison = scenario_comparison(scenario=scenario, user=request.user)
    return render(
        request,
        "budget/scenario_detail.html",
        {
            "scenario": scenario,
            "form": form,
            "comparison": comparison,
            "measures": whatif.MEASURES,
            "changed": changed_rows(scenario),
            "may_open_year": access.may_manage_plan_years(request.user),
        },
    )


@login_required
@require_GET
def scenario_export(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    content = scenario_workbook(scenario=scenario, comparison=scenario_comparison(scenario=scenario, user=request.user))
    return attachment_response(content, f"{scenario.plan_year.year}年補助規則情境-{scenario.name}.xlsx")


@login_required
@require_POST
def scenario_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    scenario_delete(scenario=scenario, user=request.user)
    messages.success(request, f"已刪除情境「{scenario.name}」。")
    return redirect("scenario_list")
