"""The county plan: its page, budget table, 附件1 and submission (the MOE's review: views_review)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import rules as engine
from budget.forms import BudgetLineForm, DisbursementForm, NarrativeForm, PlanFiguresForm, PlanReviewForm, ReturnForm
from budget.models import ROSTER_LINES, BudgetLine, CountyPlan, PlanEvent, PlanStatus, ReviewComment
from budget.official_text import plan_official_text
from budget.selectors import (
    narrative_snapshot,
    plan_blockers,
    plan_lines,
    plan_narrative,
    plan_roster_requested,
    plan_submit_summary,
    plan_table,
    plan_totals,
    plan_words,
    table_rows,
)
from budget.selectors_review import plan_comments, plan_review, plan_timeline, review_requested
from budget.services import (
    PlanActionRefused,
    county_edit_refusal,
    narrative_update,
    plan_submit,
    plan_update,
    review_comment_reply,
)
from budget.services_review import PlanReviewRefused, plan_review_decide
from budget.views_shared import INVALID_FORM, back_to_plan, form_saved, page_plan, plan_url
from portal import access, scope
from portal.actions import action_done
from portal.audit import recent
from schools.official import review_findings


@login_required
@require_GET
def my_plan(request: HttpRequest) -> HttpResponse:
    """The nav's 「縣市計畫」: a county's own plan, the review queue for the MOE."""
    if access.may_review(request.user) and not request.user.county_id:
        return redirect("review_queue")
    access.require(access.may_read_budget(request.user) and bool(request.user.county_id), "您的帳號沒有縣市計畫")
    plan_year = scope.plan_year_for(request)
    return redirect("plan_detail", year=plan_year.year, county_code=request.user.county.code)


@login_required
@require_GET
def plan_detail(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    return _plan_page(request, plan)


def _plan_page(
    request: HttpRequest,
    plan: CountyPlan,
    *,
    review_form: PlanReviewForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan's page; a bound review or return form (typed values and errors) when a POST
    is answered with the page again."""
    lines = plan_lines(plan)
    totals = plan_totals(plan)
    table = plan_table(plan, lines, totals)
    saved = plan.pk is not None  # else an unsaved draft (plan_read): no rounds, events or history yet
    # The page reads each round's totals and budget, never its frozen roster or narrative.
    submissions = list(plan.submissions.select_related("submitted_by").defer("roster", "narrative")) if saved else []
    latest = submissions[0] if submissions else None
    previous = submissions[1] if len(submissions) > 1 else None
    under_review = plan.status == PlanStatus.SUBMITTED
    audit = _audit_trail(plan) if saved else []
    comments = plan_comments(plan)
    reviewing = under_review and access.may_review(request.user) and latest is not None
    review = None
    if reviewing:
        if review_form is None:
            review_form = PlanReviewForm(
                requested=review_requested(latest),
                approved={n: (lines[n].approved_ntd, lines[n].approval_note) for n in engine.LINE_NUMBERS},
                initial={"version": plan.version},
            )
        review = plan_review(latest=latest, previous=previous, lines=lines, comments=comments, form=review_form)
    rules = plan.plan_year.rule_set
    blockers = plan_blockers(plan, table) if plan.county_may_edit else []
    events = list(plan.events.select_related("actor", "submission")) if saved else []
    state_kind = {PlanStatus.RETURNED: PlanEvent.Kind.RETURNED, PlanStatus.APPROVED: PlanEvent.Kind.APPROVED}
    state_event = next((e for e in events if e.kind == state_kind.get(plan.status)), None)
    official = plan_official_text(
        plan=plan,
        latest=latest,
        comments=comments,
        lines=lines,
        returned_or_approved_at=state_event.at if state_event else None,
    )
    return render(
        request,
        "budget/plan_detail.html",
        {
            "plan": plan,
            "rules": rules,
            "words": plan_words(plan.plan_year),
            "roster_requested": plan_roster_requested(plan),
            "timeline": plan_timeline(plan),
            "disbursements": plan.disbursements.select_related("recorded_by")
            if plan.status == PlanStatus.APPROVED
            else [],
            "disbursement_form": DisbursementForm(),
            "table": table,
            "lines": table_rows(table, lines),
            "table_totals": {
                "recurrent_k": table.recurrent_k,
                "capital_k": table.capital_k,
                "total_k": table.total_k,
                "approved_k": sum(engine.to_thousands(line.approved_ntd or 0) for line in lines.values())
                if any(line.approved_ntd is not None for line in lines.values())
                else None,
            },
            "totals": totals,
            "staffing": engine.entitled_staffing(totals.schools, plan.plan_year.rule_set),
            "missing": blockers,
            "blocked_lines": {item["line"] for item in blockers if item["line"]},
            "refusal": county_edit_refusal(plan),
            "may_edit": access.may_edit_plan(request.user),
            "may_review": access.may_review(request.user),
            "under_review": under_review,
            "submissions": submissions,
            "latest": latest,
            "events": events,
            "official": official,
            "review": review,
            "open_comments": [c for c in comments if c.is_open],
            "answered_comments": [c for c in comments if not c.is_open and c.archived_at is None],
            "archived_comments": [c for c in comments if c.archived_at is not None],
            "reply_choices": ReviewComment.Reply.choices,
            "may_reply": access.may_edit_plan(request.user) and plan.county_may_edit,
            "return_form": return_form
            or ReturnForm(initial={f"line_{n}": lines[n].review_note for n in engine.LINE_NUMBERS}),
            "audit": audit,
            "findings": review_findings(user=request.user, plan_year=plan.plan_year, county=plan.county),
        },
        status=status,
    )


def _audit_trail(plan: CountyPlan, limit: int = 60) -> list[dict]:
    """The plan's and its lines' latest changes, newest first (two queries)."""
    numbers = dict(plan.lines.values_list("pk", "number"))
    entries = recent(plan.history.all(), limit)
    for entry in recent(BudgetLine.history.filter(plan_id=plan.pk), limit):
        entry["label"] = f"第{numbers.get(entry['object_id'], '?')}項"
        entries.append(entry)
    return sorted(entries, key=lambda e: e["at"], reverse=True)[:limit]


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_edit_plan(request.user), "只有縣市承辦可以填寫經費表")
    refusal = county_edit_refusal(plan)
    lines = plan_lines(plan)
    data = request.POST or None
    plan_form = PlanFiguresForm(data, instance=plan)
    line_forms = [BudgetLineForm(data, instance=lines[n], prefix=f"line{n}") for n in engine.LINE_NUMBERS]
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return back_to_plan(plan)
        if form_saved(
            request,
            valid=plan_form.is_valid() and all(form.is_valid() for form in line_forms),
            save=lambda: plan_update(
                plan=plan,
                user=request.user,
                plan_values=plan_form.values(),
                line_values={form.instance.number: form.values() for form in line_forms},
                expected_version=plan_form.cleaned_data["version"],
            ),
            success="經費表已儲存。",
        ):
            return back_to_plan(plan)
    totals = plan_totals(plan)
    table = plan_table(plan, lines, totals)
    staffing = engine.entitled_staffing(totals.schools, plan.plan_year.rule_set)
    plan_form.describe_blanks(staffing)
    for form, line in zip(line_forms, table.lines, strict=True):
        form.describe_blanks(line, plan)
    return render(
        request,
        "budget/plan_edit.html",
        {
            "plan": plan,
            "plan_form": plan_form,
            "words": plan_words(plan.plan_year),
            "roster_requested": plan_roster_requested(plan),
            "roster_lines": ROSTER_LINES,
            "rows": list(zip(table.lines, line_forms, strict=True)),
            "refusal": refusal,
            "staffing": staffing,
            "totals": totals,
            "live": _live_totals(table),
            "blocked_lines": {problem.line for problem in table.problems if problem.line},
        },
    )


def _live_totals(table: engine.BudgetTable) -> dict:
    return {
        "recurrent_k": table.recurrent_k,
        "capital_k": table.capital_k,
        "total_k": table.total_k,
        "problems": [problem.message for problem in table.problems],
    }


@login_required
@require_POST
def plan_edit_totals(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    """htmx: the budget table's 經常門／資本門／合計 (千元) for the figures as typed so far,
    computed by the same rules as the saved table; saves nothing."""
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_edit_plan(request.user), "只有縣市承辦可以填寫經費表")
    lines = plan_lines(plan)
    # A valid form writes its figures onto the (unsaved) instances; a box still being typed
    # (invalid) keeps the saved figure.
    PlanFiguresForm(request.POST, instance=plan).is_valid()
    for number in engine.LINE_NUMBERS:
        BudgetLineForm(request.POST, instance=lines[number], prefix=f"line{number}").is_valid()
    table = plan_table(plan, lines)
    return render(request, "budget/_edit_totals.html", {"live": _live_totals(table)})


@login_required
@require_http_methods(["GET", "POST"])
def plan_narrative_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    """附件1 with the county's text at each ○: editable by the county while it may edit."""
    plan = page_plan(request, year=year, county_code=county_code)
    narrative = plan_narrative(plan)
    refusal = county_edit_refusal(plan)
    form = None
    if access.may_edit_plan(request.user) and not refusal:
        form = NarrativeForm(request.POST or None, instance=narrative)
        if request.method == "POST" and form_saved(
            request,
            valid=form.is_valid(),
            save=lambda: narrative_update(
                narrative=narrative,
                user=request.user,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
            ),
            success="計畫內容（附件1）已儲存。",
        ):
            return redirect("plan_narrative", year=year, county_code=county_code)
    elif request.method == "POST":
        access.require(access.may_edit_plan(request.user), "只有縣市承辦可以填寫計畫內容")
        messages.error(request, refusal)
        return redirect("plan_narrative", year=year, county_code=county_code)
    totals = plan_totals(plan)
    table = plan_table(plan, totals=totals)
    snapshot = narrative_snapshot(plan, table, totals)
    return render(
        request,
        "budget/plan_narrative.html",
        {
            "plan": plan,
            "form": form,
            "fields": {name: form[name] for name in form.fields} if form else {},
            "n": snapshot,
            "words": plan_words(plan.plan_year),
            "indicators": snapshot["indicators"],
            "schools": totals.schools,
            "rules": plan.plan_year.rule_set,
            "refusal": refusal,
            "missing": narrative.missing_fields(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_submit_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    """送審 in two steps: without `confirmed` the page shows what is about to happen
    (「第 N 次送審・合計 X 千元・送審後名單與經費表鎖定」); only the confirmed POST submits."""
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_edit_plan(request.user), "只有縣市承辦可以送審")
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        action_done(
            request,
            lambda: plan_submit(plan=plan, user=request.user),
            lambda submission: f"已送出第 {submission.number} 次送審，請等候教育部審查。",
        )
        return back_to_plan(plan)
    table = plan_table(plan)
    refusal = county_edit_refusal(plan)
    blockers = plan_blockers(plan, table) if not refusal else []
    return render(
        request,
        "budget/plan_submit_confirm.html",
        {
            "plan": plan,
            "summary": plan_submit_summary(plan, table),
            "refusal": refusal,
            "blockers": blockers,
        },
    )


@login_required
@require_POST
def plan_review_view(request: HttpRequest, year: int, county_code: str) -> HttpResponse:
    """The one-form review: every line's 核定 in one submit (blank or untouched: 依申請數),
    saved (action=save) or saved and the plan 核定 (action=approve). On an error the page
    comes back with what was typed and the error on its row."""
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_review(request.user), "只有教育部審查人員可以核定")
    latest = plan.submissions.order_by("-number").defer("roster", "narrative").first()
    if plan.status != PlanStatus.SUBMITTED or latest is None:
        messages.error(request, f"計畫目前為「{plan.get_status_display()}」，不在審查中")
        return back_to_plan(plan)
    form = PlanReviewForm(request.POST, requested=review_requested(latest), approved={})
    approve = request.POST.get("action") == "approve"
    if form.is_valid():
        try:
            plan_review_decide(
                plan=plan,
                user=request.user,
                decisions=form.decisions(),
                approve=approve,
                expected_version=form.cleaned_data["version"],
            )
        except PlanReviewRefused as refused:
            form.add_line_errors(refused.line_errors)
            messages.error(request, str(refused))
        except PlanActionRefused as refused:
            messages.error(request, str(refused))
        else:
            if approve:
                messages.success(request, f"{plan.county.name}計畫已核定。")
                return redirect(plan_url(plan) + "#approval-text")
            messages.success(request, "核定金額已儲存，計畫仍在審查中。")
            return redirect(plan_url(plan) + "#review")
    else:
        messages.error(request, INVALID_FORM)
    plan.refresh_from_db()
    return _plan_page(request, plan, review_form=form)


@login_required
@require_POST
def plan_comment_reply(request: HttpRequest, year: int, county_code: str, pk: int) -> HttpResponse:
    """The county answers one comment of a return (已修正／說明) before it resubmits."""
    plan = page_plan(request, year=year, county_code=county_code)
    access.require(access.may_edit_plan(request.user), "只有縣市承辦可以回覆審查意見")
    comment = get_object_or_404(ReviewComment.objects.select_related("plan"), plan=plan, pk=pk)
    action_done(
        request,
        lambda: review_comment_reply(
            comment=comment,
            user=request.user,
            kind=request.POST.get("reply_kind", ""),
            text=request.POST.get("reply_text", "")[:2000],
        ),
        f"已回覆第{comment.line_number}項審查意見。",
    )
    return redirect(plan_url(plan) + "#comments")
