"""The county plan's workflow: 草稿 -> 已送審 -> 退回 -> (再送審) -> 已核定. Here: the plan's
state, the locks and versions every writer of a plan goes through, and the county's side; the
MOE's side is services_review, 撥款 and 結報 after 核定 services_close.

Every refusal says why (submitted, approved, period closed, what is missing), in Chinese,
so the page can show it as it is.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from budget import rules as engine
from budget.models import (
    COUNTY_EDITABLE,
    ROSTER_LINES,
    BudgetLine,
    CountyPlan,
    PlanEvent,
    PlanNarrative,
    PlanStatus,
    PlanSubmission,
    ReviewComment,
)
from budget.selectors import NARRATIVES, plan_missing, plan_table
from budget.selectors_review import plan_snapshot, snapshot_problems
from portal.actions import Refused
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
    "part_time_counselors",
    "part_time_it_staff",
    "part_time_share_percent",
)
MOE_PLAN_FIELDS = (
    "prev_teacher_devices",
    "prev_student_devices",
    "prev_carts",
    "moe_estimate_teacher_devices",
    "moe_estimate_student_devices",
    "moe_estimate_carts",
    "ap_count",
    "ap_amount_ntd",
    "software_amount_ntd",
)
COUNTY_LINE_FIELDS = ("requested", "recurrent_ntd", "capital_ntd", "explanation", "procurement_note")
STALE = "儲存失敗：計畫在您開啟後已被他人修改，為免覆蓋對方的修改，請重新載入頁面後再改"


class PlanActionRefused(Refused):
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


def roster_states_from_plans(
    county_ids: list[int], plan_year: PlanYear, *, for_update: bool = False
) -> dict[int, RosterState]:
    """schools.guards asks this (one query): a submitted or approved plan locks its roster. A
    roster write asks `for_update`: the plans' rows stay locked until it commits, as a submit
    locks them, so the two take turns."""
    states = {}
    plans = CountyPlan.objects.filter(county_id__in=county_ids, plan_year=plan_year).order_by("pk")
    if for_update:
        plans = plans.select_for_update()
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


def plan_locked(*, plan: CountyPlan) -> CountyPlan:
    """The plan as it is now, its row locked until the transaction ends: every writer of a plan
    or its lines starts here, so nobody writes from a copy read before another's change."""
    return CountyPlan.objects.select_for_update().select_related("county", "plan_year").get(pk=plan.pk)


def plan_refuse_if_stale(*, plan: CountyPlan, expected_version: int | None) -> None:
    """A page opened on an older version of the plan may not overwrite what was saved since."""
    if expected_version is not None and plan.version != expected_version:
        raise PlanActionRefused(STALE)


def plan_save_fields(*, plan: CountyPlan, user: User, fields, reason: str = "") -> None:
    """Write only `fields` of the locked plan and move its version on (a page opened before this
    change is then refused on save)."""
    plan.version += 1
    plan._history_user = user
    if reason:
        plan._change_reason = reason[:100]
    plan.save(update_fields=[*fields, "version", "updated_at"])


# --- The county ---------------------------------------------------------------------------------


@transaction.atomic
def plan_update(
    *, plan: CountyPlan, user: User, plan_values: dict, line_values: dict[int, dict], expected_version: int
) -> CountyPlan:
    """Save the county's figures and its columns of the 11 lines at once, refused when the plan
    was submitted or changed by anyone since the form was opened."""
    plan = plan_locked(plan=plan)
    _refuse_unless_county_may_edit(plan)
    plan_refuse_if_stale(plan=plan, expected_version=expected_version)
    for name in COUNTY_PLAN_FIELDS:
        setattr(plan, name, plan_values[name])
    plan_save_fields(plan=plan, user=user, fields=COUNTY_PLAN_FIELDS)
    for line in plan.lines.all():
        values = line_values.get(line.number)
        if values is None:
            continue
        # Lines 1-3's 申請補助數 are the 附錄's: the county explains them, it does not type them.
        names = [n for n in COUNTY_LINE_FIELDS if not (n == "requested" and line.number in ROSTER_LINES)]
        changed = [n for n in names if getattr(line, n) != values[n]]
        if changed:
            for name in changed:
                setattr(line, name, values[name])
            line._history_user = user
            line.save(update_fields=changed)
    return plan


@transaction.atomic
def plan_set_county_figures(*, plan: CountyPlan, user: User, values: dict, source: str) -> CountyPlan:
    """Copy figures another app computed (devices: existing devices needing MDM; the office:
    training sessions, substitute periods, requested and part-time staff) into the plan, as the
    county.

    Only the county's own figures (COUNTY_PLAN_FIELDS) and only while the county may edit;
    the version moves on, so a budget form opened before this is refused on save."""
    unknown = set(values) - set(COUNTY_PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not county figures of the plan: {sorted(unknown)}")
    plan = plan_locked(plan=plan)
    _refuse_unless_county_may_edit(plan)
    changed = {name: value for name, value in values.items() if getattr(plan, name) != value}
    if not changed:
        return plan
    for name, value in changed.items():
        setattr(plan, name, value)
    plan_save_fields(plan=plan, user=user, fields=list(changed), reason=source)
    return plan


@transaction.atomic
def narrative_update(*, narrative: PlanNarrative, user: User, values: dict, expected_version: int) -> PlanNarrative:
    """Save 附件1's text (compare-and-set on the narrative's own version), unless the plan was
    submitted meanwhile: the plan's lock orders this after (or before) a submit."""
    _refuse_unless_county_may_edit(plan_locked(plan=narrative.plan))
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
    # The year's row first: the MOE's rule-set page changes rules only while nobody submitted.
    PlanYear.objects.select_for_update().filter(pk=plan.plan_year_id).first()
    plan = plan_locked(plan=plan)
    _refuse_unless_county_may_edit(plan)
    table = plan_table(plan)
    missing = plan_missing(plan, table)
    if missing:
        raise PlanActionRefused("尚不能送審：" + "；".join(missing))
    snapshot = plan_snapshot(plan)
    contradictions = snapshot_problems(snapshot)
    if contradictions:
        raise PlanActionRefused("尚不能送審，計畫內容前後不一致：" + "；".join(contradictions))
    open_items = list(ReviewComment.objects.filter(plan=plan, answered_in__isnull=True, archived_at__isnull=True))
    unanswered = [comment for comment in open_items if not comment.reply_kind]
    if unanswered:
        raise PlanActionRefused(
            "尚不能送審：請先逐項回覆教育部審查意見（已修正／說明）："
            + "、".join(f"第{comment.line_number}項" for comment in unanswered)
        )
    number = (plan.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
    submission = PlanSubmission.objects.create(plan=plan, number=number, submitted_by=user, **snapshot)
    if open_items:
        ReviewComment.objects.filter(pk__in=[comment.pk for comment in open_items]).update(answered_in=submission)
    plan.status = PlanStatus.SUBMITTED
    plan_save_fields(plan=plan, user=user, fields=["status"])
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.SUBMITTED,
        actor=user,
        note=f"第 {number} 次送審",
        data={"total_k": snapshot["totals"]["total_k"]},
    )
    return submission


@transaction.atomic
def review_comment_reply(*, comment: ReviewComment, user: User, kind: str, text: str) -> ReviewComment:
    """The county's answer to one comment of a return: 已修正 (a note optional) or 說明 (a note
    needed). Only while the county may edit the returned plan, and only an open comment."""
    plan = plan_locked(plan=comment.plan)
    _refuse_unless_county_may_edit(plan)
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_open:
        raise PlanActionRefused("這則審查意見已隨送審回覆，不能再修改")
    if kind not in ReviewComment.Reply.values:
        raise PlanActionRefused(f"第{comment.line_number}項：請選擇「已修正」或「說明」")
    if kind == ReviewComment.Reply.EXPLAINED and not text.strip():
        raise PlanActionRefused(f"第{comment.line_number}項：選擇「說明」時請填寫說明")
    comment.reply_kind = kind
    comment.reply_text = text.strip()
    comment.replied_by = user
    comment.replied_at = timezone.now()
    comment.save(update_fields=["reply_kind", "reply_text", "replied_by", "replied_at"])
    return comment
