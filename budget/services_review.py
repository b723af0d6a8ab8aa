"""The MOE's side of the plan's workflow: its own figures, 退回 with comments per line, 核定 line
by line, in one form or at once, and its figures for many counties from one uploaded sheet.

Every writer locks the plan first (services.plan_locked), refuses a page opened on an older
version (services.plan_refuse_if_stale) and moves the version on (services.plan_save_fields),
as the county's writers do, so the two sides take turns.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from budget import rules as engine
from budget.models import BudgetLine, CountyPlan, PlanEvent, PlanStatus, PlanSubmission, ReviewComment
from budget.services import (
    MOE_PLAN_FIELDS,
    PlanActionRefused,
    plan_locked,
    plan_refuse_if_stale,
    plan_save_fields,
)
from portal.audit import CHANGED, CREATED, record_history
from portal.db import bulk_update_rows
from portal.models import User
from schools.models import County, PlanYear


def _latest_submission(plan: CountyPlan) -> PlanSubmission:
    # Its budget and totals, not the frozen roster and narrative (hundreds of rows to decode).
    submission = plan.submissions.order_by("-number").defer("roster", "narrative").first()
    if submission is None:
        raise PlanActionRefused("這份計畫還沒有送審過")
    return submission


def _refuse_unless_under_review(plan: CountyPlan) -> None:
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanActionRefused(f"計畫目前為「{plan.get_status_display()}」，不在審查中")


@transaction.atomic
def plan_update_moe_figures(
    *, plan: CountyPlan, user: User, values: dict, expected_version: int | None = None, note: str = ""
) -> CountyPlan:
    """The columns the MOE provides (已受補助數, 預估補助數, AP, software): entered by a reviewer.
    Allowed in any state but 已核定, whatever the county is doing; only these columns are written."""
    plan = plan_locked(plan=plan)
    if plan.status == PlanStatus.APPROVED:
        raise PlanActionRefused("計畫已核定，教育部提供數不能再修改")
    plan_refuse_if_stale(plan=plan, expected_version=expected_version)
    changes = {name: [getattr(plan, name), values[name]] for name in MOE_PLAN_FIELDS if name in values}
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if not changes:
        return plan
    for name, (_old, new) in changes.items():
        setattr(plan, name, new)
    plan_save_fields(plan=plan, user=user, fields=list(changes), reason=note)
    PlanEvent.objects.create(plan=plan, kind=PlanEvent.Kind.MOE_INPUTS, actor=user, note=note, data=changes)
    return plan


@transaction.atomic
def plan_return(*, plan: CountyPlan, user: User, reason: str, line_notes: dict[int, str]) -> CountyPlan:
    plan = plan_locked(plan=plan)
    _refuse_unless_under_review(plan)
    if not reason.strip():
        raise PlanActionRefused("退回時請填寫退回理由")
    submission = _latest_submission(plan)
    for line in plan.lines.all():
        note = line_notes.get(line.number, "").strip()
        if line.review_note != note:
            line.review_note = note
            line._history_user = user
            line.save(update_fields=["review_note"])
    ReviewComment.objects.bulk_create(
        [
            ReviewComment(plan=plan, submission=submission, line_number=number, text=note.strip(), created_by=user)
            for number, note in sorted(line_notes.items())
            if note.strip()
        ]
    )
    plan.status = PlanStatus.RETURNED
    plan.return_reason = reason.strip()
    plan_save_fields(plan=plan, user=user, fields=["status", "return_reason"])
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.RETURNED,
        actor=user,
        note=plan.return_reason,
        data={"lines": {str(n): note for n, note in line_notes.items() if note.strip()}},
    )
    return plan


def _approval_error(number: int, approved_ntd: int, requested: int, note: str) -> str:
    """Why `approved_ntd` cannot be line `number`'s 核定 ("" when it can): at most what was
    submitted, never negative, lower only with a note."""
    if approved_ntd < 0:
        return "核定金額不可為負數"
    if approved_ntd > requested:
        return f"第{number}項核定金額 {approved_ntd:,} 元超過申請的 {requested:,} 元"
    if approved_ntd < requested and not note.strip():
        return f"第{number}項核定金額低於申請的 {requested:,} 元，請填寫核定說明"
    return ""


@transaction.atomic
def budget_line_approve(*, line: BudgetLine, user: User, approved_ntd: int, note: str) -> BudgetLine:
    """教育部核定 for one line: at most what was submitted; a lower amount needs a note."""
    plan = plan_locked(plan=line.plan)
    _refuse_unless_under_review(plan)
    line = plan.lines.get(pk=line.pk)
    submission = _latest_submission(plan)
    submitted = next(item for item in submission.budget if item["number"] == line.number)
    requested = submitted["total_ntd"]
    error = _approval_error(line.number, approved_ntd, requested, note)
    if error:
        raise PlanActionRefused(error)
    line.approved_ntd = approved_ntd
    line.approval_note = note.strip()
    line._history_user = user
    line.save(update_fields=["approved_ntd", "approval_note"])
    plan_save_fields(plan=plan, user=user, fields=[])
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.LINE_APPROVED,
        actor=user,
        note=f"第{line.number}項 {line.name} 核定 {approved_ntd:,} 元"
        + (f"（申請 {requested:,} 元；{line.approval_note}）" if line.approval_note else ""),
        data={"line": line.number, "approved_ntd": approved_ntd, "requested_ntd": requested},
    )
    return line


class PlanReviewRefused(PlanActionRefused):
    """The one-form review could not be saved: `line_errors` says why, line by line."""

    def __init__(self, message: str, line_errors: dict[int, str]):
        super().__init__(message)
        self.line_errors = line_errors


@transaction.atomic
def plan_review_decide(
    *,
    plan: CountyPlan,
    user: User,
    decisions: dict[int, tuple[int | None, str]],
    approve: bool,
    expected_version: int | None = None,
) -> CountyPlan:
    """The MOE's review of all 11 lines in one call: each line's (核定金額, 核定說明), an amount
    of None meaning 「依申請數核定」 (what was submitted); with `approve`, the plan is then
    核定 in the same transaction. All or nothing: any line refused, nothing is written and
    PlanReviewRefused names every refused line. Under the plan's lock and version."""
    plan = plan_locked(plan=plan)
    _refuse_unless_under_review(plan)
    plan_refuse_if_stale(plan=plan, expected_version=expected_version)
    submission = _latest_submission(plan)
    requested = {item["number"]: item["total_ntd"] for item in submission.budget}
    names = {item["number"]: item["name"] for item in submission.budget}
    lines = {line.number: line for line in plan.lines.all()}
    chosen: dict[int, tuple[int, str]] = {}
    errors: dict[int, str] = {}
    for number in engine.LINE_NUMBERS:
        amount, note = decisions.get(number, (None, ""))
        amount = requested.get(number, 0) if amount is None else amount
        error = _approval_error(number, amount, requested.get(number, 0), note)
        if error:
            errors[number] = error
        chosen[number] = (amount, note.strip())
    if errors:
        raise PlanReviewRefused(f"有 {len(errors)} 項核定金額需要修正，未儲存任何項目", errors)
    changed = []
    for number, (amount, note) in chosen.items():
        line = lines[number]
        if line.approved_ntd != amount or line.approval_note != note:
            line.approved_ntd, line.approval_note = amount, note
            line._history_user = user
            line.save(update_fields=["approved_ntd", "approval_note"])
            changed.append(number)
    if approve:
        plan.status = PlanStatus.APPROVED
        plan_save_fields(plan=plan, user=user, fields=["status"])
    else:
        plan_save_fields(plan=plan, user=user, fields=[])
    if changed:
        PlanEvent.objects.create(
            plan=plan,
            submission=submission,
            kind=PlanEvent.Kind.LINE_APPROVED,
            actor=user,
            note="；".join(
                f"第{n}項 {names.get(n, '')} 核定 {chosen[n][0]:,} 元"
                + (f"（申請 {requested[n]:,} 元；{chosen[n][1]}）" if chosen[n][0] < requested[n] else "")
                for n in changed
            ),
            data={"lines": {str(n): chosen[n][0] for n in changed}},
        )
    if approve:
        _record_approval(plan, submission, user, approved=sum(amount for amount, _ in chosen.values()))
    return plan


def _record_approval(plan: CountyPlan, submission: PlanSubmission, user: User, *, approved: int) -> None:
    """The 核定 event with its total, and what approval closes: the returns' comments, archived
    with their round."""
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.APPROVED,
        actor=user,
        note=f"核定總經費 {approved:,} 元",
        data={"approved_ntd": approved},
    )
    ReviewComment.objects.filter(plan=plan, archived_at__isnull=True).update(archived_at=timezone.now())


@transaction.atomic
def plan_approve(*, plan: CountyPlan, user: User) -> CountyPlan:
    plan = plan_locked(plan=plan)
    _refuse_unless_under_review(plan)
    submission = _latest_submission(plan)
    requested = {item["number"]: item["total_ntd"] for item in submission.budget}
    lines = list(plan.lines.all())
    undecided = [line.number for line in lines if line.approved_ntd is None and requested[line.number] > 0]
    if undecided:
        raise PlanActionRefused(f"尚有經費項目未核定：第 {'、'.join(map(str, undecided))} 項")
    for line in lines:
        if line.approved_ntd is None:
            line.approved_ntd = 0
            line._history_user = user
            line.save(update_fields=["approved_ntd"])
    plan.status = PlanStatus.APPROVED
    plan_save_fields(plan=plan, user=user, fields=["status"])
    _record_approval(plan, submission, user, approved=sum(line.approved_ntd for line in lines))
    return plan


# --- The MOE's figures for many counties at once (one uploaded sheet) ---------------------------------


def plans_set_moe_figures(*, plan_year: PlanYear, values: dict[int, dict], user: User, source: str) -> dict:
    """{county id: {MOE field: value}} written into the year's plans under their locks, plans
    created where a county has none yet; an approved plan is refused. A constant number of
    queries whatever the counties: the plans are locked, created, updated and their events
    written in bulk. Returns {"changed": n, "unchanged": n, "created": n}."""
    plans = {
        plan.county_id: plan
        for plan in CountyPlan.objects.select_for_update().filter(plan_year=plan_year, county_id__in=list(values))
    }
    approved = [plan for plan in plans.values() if plan.status == PlanStatus.APPROVED]
    if approved:
        names = "、".join(
            sorted(County.objects.filter(pk__in=[p.county_id for p in approved]).values_list("name", flat=True))
        )
        raise PlanActionRefused(f"{names}的計畫已核定，教育部提供數不能再修改")
    missing = [county_id for county_id in values if county_id not in plans]
    if missing:
        CountyPlan.objects.bulk_create([CountyPlan(county_id=c, plan_year=plan_year) for c in missing])
        new = list(CountyPlan.objects.filter(plan_year=plan_year, county_id__in=missing))
        BudgetLine.objects.bulk_create([BudgetLine(plan=p, number=n) for p in new for n in engine.LINE_NUMBERS])
        record_history(new, kind=CREATED, user=user, reason="建立計畫")
        # Lock the new rows too: the update below must not race a first page view.
        plans |= {
            p.county_id: p
            for p in CountyPlan.objects.select_for_update().filter(plan_year=plan_year, county_id__in=missing)
        }
    changed, events = [], []
    for county_id, figures in values.items():
        plan = plans[county_id]
        changes = {
            name: [getattr(plan, name), value] for name, value in figures.items() if getattr(plan, name) != value
        }
        if not changes:
            continue
        for name, (_old, value) in changes.items():
            setattr(plan, name, value)
        plan.version += 1
        changed.append(plan)
        events.append(PlanEvent(plan=plan, kind=PlanEvent.Kind.MOE_INPUTS, actor=user, note=source[:200], data=changes))
    if changed:
        now = timezone.now()
        for plan in changed:
            plan.updated_at = now
        bulk_update_rows(CountyPlan, changed, (*MOE_PLAN_FIELDS, "version", "updated_at"))
        record_history(changed, kind=CHANGED, user=user, reason=source)
        PlanEvent.objects.bulk_create(events)
    return {"changed": len(changed), "unchanged": len(values) - len(changed), "created": len(missing)}
