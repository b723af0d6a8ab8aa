"""The MOE's review of a county plan: its figures, 退回, 核定 line by line or at once, the
submissions and what changed between them, the review queue. The one-form review re-renders
the plan's page, so it stays in views.py beside it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import rules as engine
from budget.forms import LineApproveForm, MoeFiguresForm, ReturnForm
from budget.models import CountyPlan, PlanStatus, PlanSubmission
from budget.selectors import plan_roster_requested, plan_totals, plan_words
from budget.selectors_review import comment_threads, plan_comments, review_queue, submission_diff
from budget.services_review import budget_line_approve, plan_approve, plan_return, plan_update_moe_figures
from budget.views_shared import back_to_plan, form_saved, page_plan
from portal import access, scope
from portal.actions import action_done
from schools.models import County
from schools.selectors import plan_years


@login_required
@require_http_methods(["GET", "POST"])
def plan_moe_figures(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以填寫教育部提供數")
    form = MoeFiguresForm(request.POST or None, instance=plan)
    if request.method == "POST" and form_saved(
        request,
        valid=form.is_valid(),
        save=lambda: plan_update_moe_figures(
            plan=plan, user=request.user, values=form.values(), expected_version=form.cleaned_data["version"]
        ),
        success="教育部提供數已更新。",
    ):
        return back_to_plan(plan)
    totals = plan_totals(plan)
    return render(
        request,
        "budget/plan_moe_figures.html",
        {"plan": plan, "form": form, "totals": totals, "roster_requested": plan_roster_requested(plan)},
    )


@login_required
@require_POST
def plan_return_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    """退回: the first POST shows what will be returned (the confirmation step), the second
    (confirm=1) returns it."""
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以退回計畫")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回時請填寫退回理由。")
        return back_to_plan(plan)
    if request.POST.get("confirm") != "1":
        notes = {number: note for number, note in form.line_notes().items() if note.strip()}
        latest = plan.submissions.order_by("-number").first()
        return render(
            request,
            "budget/plan_return_confirm.html",
            {
                "plan": plan,
                "form": form,
                "latest": latest,
                "notes": [(number, engine.LINE_NAMES[number], note) for number, note in sorted(notes.items())],
            },
        )
    action_done(
        request,
        lambda: plan_return(
            plan=plan, user=request.user, reason=form.cleaned_data["reason"], line_notes=form.line_notes()
        ),
        f"已退回{plan.county.name}計畫。",
    )
    return back_to_plan(plan)


@login_required
@require_POST
def line_approve_view(request: HttpRequest, year: int, county_code: str, number: int) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以核定")
    line = get_object_or_404(plan.lines, number=number)
    form = LineApproveForm(request.POST, prefix=f"line{number}")
    if not form.is_valid():
        messages.error(request, f"第{number}項：請填寫不小於 0 的核定金額。")
        return back_to_plan(plan)
    approved_ntd = form.cleaned_data["approved_ntd"]
    action_done(
        request,
        lambda: budget_line_approve(
            line=line, user=request.user, approved_ntd=approved_ntd, note=form.cleaned_data["note"]
        ),
        f"第{number}項已核定 {approved_ntd:,} 元。",
    )
    return back_to_plan(plan)


@login_required
@require_POST
def plan_approve_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以核定")
    action_done(request, lambda: plan_approve(plan=plan, user=request.user), f"{plan.county.name}計畫已核定。")
    return back_to_plan(plan)


@login_required
@require_GET
def submission_detail(request: HttpRequest, year: int, county_code: str, number: int) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    if plan.pk is None:
        raise Http404("這份計畫尚未送審")
    submission = get_object_or_404(PlanSubmission.objects.select_related("submitted_by"), plan=plan, number=number)
    previous = plan.submissions.filter(number=number - 1).first()
    diff = submission_diff(submission, previous)
    return render(
        request,
        "budget/submission_detail.html",
        {
            "plan": plan,
            "submission": submission,
            "previous": previous,
            "diff": diff,
            "threads": comment_threads(submission, plan_comments(plan), diff),
            "words": plan_words(plan.plan_year),
        },
    )


@login_required
@require_GET
def review_queue_view(request: HttpRequest) -> HttpResponse:
    access.require(access.may_review(request.user), "只有教育部審查人員可以查看審查佇列")
    plan_year = scope.plan_year_for(request)
    plans = access.for_user(CountyPlan.objects.filter(plan_year=plan_year), request.user)
    by_county = {plan.county_id: plan for plan in plans.select_related("county")}
    counties = access.for_user(County.objects.all(), request.user)
    overview = [(county, by_county.get(county.pk)) for county in counties]
    counts = {status: sum(1 for _, p in overview if p and p.status == status) for status in PlanStatus.values}
    counts[PlanStatus.DRAFT] += sum(1 for _, p in overview if p is None)
    return render(
        request,
        "budget/review_queue.html",
        {
            "plan_year": plan_year,
            "plan_years": plan_years(),
            "queue": review_queue(plans),
            "overview": overview,
            "counts": counts,
            "statuses": PlanStatus,
        },
    )
