"""The county plan's workflow: 草稿 -> 已送審 -> 退回 -> (再送審) -> 已核定.

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
from portal.audit import CHANGED, CREATED, record_history
from portal.cache import invalidate
from portal.db import bulk_update_rows
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


def _refuse_if_stale(plan: CountyPlan, expected_version: int | None) -> None:
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
    _refuse_if_stale(plan, expected_version)
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


# --- The MOE --------------------------------------------------------------------------------------


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
    _refuse_if_stale(plan, expected_version)
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
    _refuse_if_stale(plan, expected_version)
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
        approved = sum(amount for amount, _ in chosen.values())
        PlanEvent.objects.create(
            plan=plan,
            submission=submission,
            kind=PlanEvent.Kind.APPROVED,
            actor=user,
            note=f"核定總經費 {approved:,} 元",
            data={"approved_ntd": approved},
        )
        _on_approved(plan)
    return plan


def _on_approved(plan: CountyPlan) -> None:
    """What approval closes: the returns' comments, archived with their round."""
    ReviewComment.objects.filter(plan=plan, archived_at__isnull=True).update(archived_at=timezone.now())


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
    approved = sum(line.approved_ntd for line in lines)
    PlanEvent.objects.create(
        plan=plan,
        submission=submission,
        kind=PlanEvent.Kind.APPROVED,
        actor=user,
        note=f"核定總經費 {approved:,} 元",
        data={"approved_ntd": approved},
    )
    _on_approved(plan)
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
