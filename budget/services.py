"""The county plan's workflow: 草稿 -> 已送審 -> 退回 -> (再送審) -> 已核定.

Every refusal says why (submitted, approved, period closed, what is missing), in Chinese,
so the page can show it as it is.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max

from budget import rules as engine
from budget.models import (
    COUNTY_EDITABLE,
    BudgetLine,
    CountyPlan,
    PlanEvent,
    PlanNarrative,
    PlanStatus,
    PlanSubmission,
)
from budget.selectors import NARRATIVES, plan_missing, plan_snapshot, plan_table
from portal.audit import CREATED, record_history
from portal.cache import invalidate
from portal.models import User
from portal.roc import roc_date
from schools.guards import RosterState
from schools.models import County, PlanYear

COUNTY_PLAN_FIELDS = (
    "existing_devices_without_mdm",
    "training_sessions",
    "substitute_periods_elementary",
    "substitute_periods_junior",
    "requested_counselors",
    "requested_it_staff",
    "requested_admin_staff",
)
MOE_PLAN_FIELDS = (
    "prev_teacher_devices",
    "prev_student_devices",
    "prev_carts",
    "ap_count",
    "ap_amount_ntd",
    "software_amount_ntd",
)
COUNTY_LINE_FIELDS = ("requested", "recurrent_ntd", "capital_ntd", "explanation", "procurement_note")


class PlanActionRefused(Exception):
    """The action cannot be done now; the message says why."""


# --- Reading the plan's state -------------------------------------------------------------


def plan_for(*, county: County, plan_year: PlanYear) -> CountyPlan:
    """The county's plan for the year, created (with its 11 lines) the first time it is asked for."""
    plan = CountyPlan.objects.filter(county=county, plan_year=plan_year).select_related("county", "plan_year").first()
    if plan is not None:
        return plan
    with transaction.atomic():
        plan, created = CountyPlan.objects.get_or_create(county=county, plan_year=plan_year)
        if created:
            lines = BudgetLine.objects.bulk_create([BudgetLine(plan=plan, number=n) for n in engine.LINE_NUMBERS])
            if any(line.pk is None for line in lines):
                lines = list(plan.lines.all())
            # bulk_create sends no signal: give the lines their first audit record here.
            record_history(lines, kind=CREATED, user=None, reason="建立計畫")
    return plan


def _last_event(plan: CountyPlan, kind: str) -> PlanEvent | None:
    return plan.events.filter(kind=kind).order_by("-at", "-pk").first()


def county_edit_refusal(plan: CountyPlan) -> str:
    """Why the county cannot change the plan (or its roster) now; "" when it can."""
    if plan.status == PlanStatus.SUBMITTED:
        event = _last_event(plan, PlanEvent.Kind.SUBMITTED)
        when = f"於 {roc_date(event.at)} " if event else ""
        return f"計畫已{when}送審，教育部審查中，不能修改；如需修改，請洽教育部退回"
    if plan.status == PlanStatus.APPROVED:
        event = _last_event(plan, PlanEvent.Kind.APPROVED)
        when = f"於 {roc_date(event.at)} " if event else ""
        return f"計畫已{when}經教育部核定，不能再修改"
    if plan.plan_year.is_closed:
        return f"{plan.plan_year.year} 年度計畫已於 {roc_date(plan.plan_year.submission_deadline)} 截止送審，不能再修改"
    return ""


def roster_states_from_plans(county_ids: list[int], plan_year: PlanYear) -> dict[int, RosterState]:
    """schools.guards asks this (one query): a submitted or approved plan locks its roster."""
    states = {}
    plans = CountyPlan.objects.filter(county_id__in=county_ids, plan_year=plan_year).select_related("plan_year")
    for plan in plans:
        if plan.status in COUNTY_EDITABLE:
            states[plan.county_id] = RosterState(True, "", plan.get_status_display())
        else:
            reason = (
                "計畫已送審，教育部審查中，名單不能修改"
                if plan.status == PlanStatus.SUBMITTED
                else ("計畫已經教育部核定，名單不能再修改")
            )
            states[plan.county_id] = RosterState(False, reason, plan.get_status_display())
    return states


def _refuse_unless_county_may_edit(plan: CountyPlan) -> None:
    refusal = county_edit_refusal(plan)
    if refusal:
        raise PlanActionRefused(refusal)


def _bump_version(plan: CountyPlan, expected_version: int) -> None:
    if not CountyPlan.objects.filter(pk=plan.pk, version=expected_version).update(version=F("version") + 1):
        raise PlanActionRefused("儲存失敗：計畫在您開啟後已被他人修改，為免覆蓋對方的修改，請重新載入頁面後再改")
    plan.version = expected_version + 1


# --- The county ---------------------------------------------------------------------------------


@transaction.atomic
def plan_update(
    *, plan: CountyPlan, user: User, plan_values: dict, line_values: dict[int, dict], expected_version: int
) -> CountyPlan:
    """Save the county's figures and the 11 lines at once (compare-and-set on the version)."""
    _refuse_unless_county_may_edit(plan)
    _bump_version(plan, expected_version)
    for name in COUNTY_PLAN_FIELDS:
        setattr(plan, name, plan_values[name])
    plan._history_user = user
    plan.save()
    for line in plan.lines.all():
        values = line_values.get(line.number)
        if values is None:
            continue
        if any(getattr(line, name) != values[name] for name in COUNTY_LINE_FIELDS):
            for name in COUNTY_LINE_FIELDS:
                setattr(line, name, values[name])
            line._history_user = user
            line.save()
    return plan


@transaction.atomic
def plan_set_county_figures(*, plan: CountyPlan, user: User, values: dict, source: str) -> CountyPlan:
    """Copy figures another app computed (devices: existing devices needing MDM; the office:
    training sessions, substitute periods, requested staff) into the plan, as the county.

    Only the county's own figures (COUNTY_PLAN_FIELDS) and only while the county may edit;
    the version moves on, so a budget form opened before this is refused on save."""
    unknown = set(values) - set(COUNTY_PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not county figures of the plan: {sorted(unknown)}")
    plan = CountyPlan.objects.select_for_update().select_related("plan_year", "county").get(pk=plan.pk)
    _refuse_unless_county_may_edit(plan)
    changed = {name: value for name, value in values.items() if getattr(plan, name) != value}
    if not changed:
        return plan
    for name, value in changed.items():
        setattr(plan, name, value)
    plan.version += 1
    plan._history_user = user
    plan._change_reason = source[:100]
    plan.save()
    return plan


@transaction.atomic
def narrative_update(*, narrative: PlanNarrative, user: User, values: dict, expected_version: int) -> PlanNarrative:
    """Save 附件1's text (compare-and-set on the narrative's own version)."""
    _refuse_unless_county_may_edit(narrative.plan)
    if not PlanNarrative.objects.filter(pk=narrative.pk, version=expected_version).update(version=F("version") + 1):
        raise PlanActionRefused("儲存失敗：計畫內容在您開啟後已被他人修改，為免覆蓋對方的修改，請重新載入頁面後再改")
    for name, value in values.items():
        setattr(narrative, name, value)
    narrative.version = expected_version + 1
    narrative._history_user = user
    narrative.save()
    invalidate(NARRATIVES)
    return narrative


@transaction.atomic
def plan_submit(*, plan: CountyPlan, user: User) -> PlanSubmission:
    plan = CountyPlan.objects.select_for_update().select_related("county", "plan_year").get(pk=plan.pk)
    _refuse_unless_county_may_edit(plan)
    table = plan_table(plan)
    missing = plan_missing(plan, table)
    if missing:
        raise PlanActionRefused("尚不能送審：" + "；".join(missing))
    snapshot = plan_snapshot(plan)
    number = (plan.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
    submission = PlanSubmission.objects.create(plan=plan, number=number, submitted_by=user, **snapshot)
    plan.status = PlanStatus.SUBMITTED
    plan._history_user = user
    plan.save(update_fields=["status", "updated_at"])
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.SUBMITTED,
        actor=user,
        note=f"第 {number} 次送審",
        data={"total_k": snapshot["totals"]["total_k"]},
    )
    return submission


# --- The MOE --------------------------------------------------------------------------------------


def _latest_submission(plan: CountyPlan) -> PlanSubmission:
    submission = plan.submissions.order_by("-number").first()
    if submission is None:
        raise PlanActionRefused("這份計畫還沒有送審過")
    return submission


def _refuse_unless_under_review(plan: CountyPlan) -> None:
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanActionRefused(f"計畫目前為「{plan.get_status_display()}」，不在審查中")


@transaction.atomic
def plan_update_moe_figures(*, plan: CountyPlan, user: User, values: dict) -> CountyPlan:
    """The columns the MOE provides (已受補助數, AP, software): entered by a reviewer."""
    if plan.status == PlanStatus.APPROVED:
        raise PlanActionRefused("計畫已核定，教育部提供數不能再修改")
    changes = {
        name: [getattr(plan, name), values[name]] for name in MOE_PLAN_FIELDS if getattr(plan, name) != values[name]
    }
    if not changes:
        return plan
    for name in MOE_PLAN_FIELDS:
        setattr(plan, name, values[name])
    plan._history_user = user
    plan.save()
    PlanEvent.objects.create(plan=plan, kind=PlanEvent.Kind.MOE_INPUTS, actor=user, data=changes)
    return plan


@transaction.atomic
def plan_return(*, plan: CountyPlan, user: User, reason: str, line_notes: dict[int, str]) -> CountyPlan:
    plan = CountyPlan.objects.select_for_update().get(pk=plan.pk)
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
    plan.status = PlanStatus.RETURNED
    plan.return_reason = reason.strip()
    plan._history_user = user
    plan.save(update_fields=["status", "return_reason", "updated_at"])
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.RETURNED,
        actor=user,
        note=plan.return_reason,
        data={"lines": {str(n): note for n, note in line_notes.items() if note.strip()}},
    )
    return plan


@transaction.atomic
def budget_line_approve(*, line: BudgetLine, user: User, approved_ntd: int, note: str) -> BudgetLine:
    """教育部核定 for one line: at most what was submitted; a lower amount needs a note."""
    plan = CountyPlan.objects.select_for_update().get(pk=line.plan_id)
    _refuse_unless_under_review(plan)
    submission = _latest_submission(plan)
    submitted = next(item for item in submission.budget if item["number"] == line.number)
    requested = submitted["total_ntd"]
    if approved_ntd < 0:
        raise PlanActionRefused("核定金額不可為負數")
    if approved_ntd > requested:
        raise PlanActionRefused(f"第{line.number}項核定金額 {approved_ntd:,} 元超過申請的 {requested:,} 元")
    if approved_ntd < requested and not note.strip():
        raise PlanActionRefused(f"第{line.number}項核定金額低於申請的 {requested:,} 元，請填寫核定說明")
    line.approved_ntd = approved_ntd
    line.approval_note = note.strip()
    line._history_user = user
    line.save(update_fields=["approved_ntd", "approval_note"])
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


@transaction.atomic
def plan_approve(*, plan: CountyPlan, user: User) -> CountyPlan:
    plan = CountyPlan.objects.select_for_update().get(pk=plan.pk)
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
    plan._history_user = user
    plan.save(update_fields=["status", "updated_at"])
    approved = sum(line.approved_ntd for line in lines)
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.APPROVED,
        actor=user,
        note=f"核定總經費 {approved:,} 元",
        data={"approved_ntd": approved},
    )
    return plan
