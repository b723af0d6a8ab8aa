"""Reads of the plan's submissions and their review: the snapshot a submission freezes, what
changed between two rounds, the MOE's review comments and lines, the review queue, and the
plan's whole life from the draft to 核結."""

from __future__ import annotations

from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from budget import rules as engine
from budget.models import (
    NARRATIVE_FIELDS,
    BudgetLine,
    CountyPlan,
    FinalReport,
    PlanEvent,
    PlanNarrative,
    PlanStatus,
    PlanSubmission,
    ReviewComment,
)
from budget.selectors import (
    line_snapshot,
    narrative_snapshot,
    plan_lines,
    plan_rows,
    plan_table,
    plan_totals,
    roster_requested_sums,
)
from portal.roc import roc_date
from schools.roster_format import ROW_FIGURES

SNAPSHOT_ROW_FIELDS = ROW_FIGURES
SNAPSHOT_LINE_FIELDS = ("requested", "recurrent_ntd", "capital_ntd", "total_k", "explanation", "procurement_note")
FIELD_LABELS = {
    "name": "學校全銜",
    "area": "地區屬性",
    "classes": "班級數",
    "max_class_size": "最大班級人數",
    "teachers": "編制教師數",
    "students": "學生數",
    "req_carts": "申請充電車",
    "req_teacher_devices": "申請教師載具",
    "req_student_devices": "申請學生載具",
    "entitled_carts": "計算充電車",
    "entitled_teacher_devices": "計算教師載具",
    "entitled_student_devices": "計算學生載具",
    "complies": "符合原則",
    "reason": "原因",
    "requested": "申請補助數",
    "recurrent_ntd": "經常門（元）",
    "capital_ntd": "資本門（元）",
    "total_k": "合計（千元）",
    "explanation": "差異說明",
    "procurement_note": "須發包項目說明",
}


def snapshot_problems(snapshot: dict) -> list[str]:
    """Where a plan's data (a snapshot or a submission) contradicts itself: lines 1-3 against
    the 附錄 rows it carries, indicator 1 against lines 1 and 2. Computed from the frozen rows,
    independently of the aggregates the table was built from."""
    indicators = {item["number"]: item["value"] for item in snapshot["narrative"].get("indicators", [])}
    return engine.consistency_problems(snapshot["budget"], roster_requested_sums(snapshot["roster"]), indicators.get(1))


def plan_snapshot(plan: CountyPlan) -> dict:
    """Everything the reviewer must see exactly as submitted: roster, narrative, budget."""
    totals = plan_totals(plan)
    lines = plan_lines(plan)
    table = plan_table(plan, lines, totals)
    roster = [
        {
            "code": row["school__code"],
            "level": row["level"],
            "ownership": row["school__ownership"],
            "affiliation": row["school__affiliation"],
            **{f: row[f] for f in SNAPSHOT_ROW_FIELDS},
        }
        for row in plan_rows(plan)
        .order_by("school__code", "level")
        .values("school__code", "level", "school__ownership", "school__affiliation", *SNAPSHOT_ROW_FIELDS)
    ]
    return {
        "roster": roster,
        "narrative": narrative_snapshot(plan, table, totals),
        "budget": [line_snapshot(line, lines[line.number]) for line in table.lines],
        "totals": {
            "schools": totals.schools,
            "rows": totals.rows,
            "remote_rows": totals.remote_rows,
            "carts": totals.carts,
            "teacher_devices": totals.teacher_devices,
            "student_devices": totals.student_devices,
            "total_ntd": table.total_ntd,
            "recurrent_k": table.recurrent_k,
            "capital_k": table.capital_k,
            "total_k": table.total_k,
            # The 附錄's own sums (a blank row counting its entitlement): lines 1-3 are these
            # less the previously subsidised.
            "roster_requested": roster_requested_sums(roster),
        },
    }


def submission_diff(new: PlanSubmission, old: PlanSubmission | None) -> dict | None:
    """What changed between two submissions: roster rows added, removed, changed; budget lines."""
    if old is None:
        return None
    old_rows = {(r["code"], r["level"]): r for r in old.roster}
    new_rows = {(r["code"], r["level"]): r for r in new.roster}
    added = [new_rows[key] for key in sorted(new_rows.keys() - old_rows.keys())]
    removed = [old_rows[key] for key in sorted(old_rows.keys() - new_rows.keys())]
    changed = []
    for key in sorted(new_rows.keys() & old_rows.keys()):
        fields = _changed_fields(old_rows[key], new_rows[key], SNAPSHOT_ROW_FIELDS)
        if fields:
            changed.append({"row": new_rows[key], "fields": fields})
    old_lines = {line["number"]: line for line in old.budget}
    lines = []
    for line in new.budget:
        fields = _changed_fields(old_lines.get(line["number"], {}), line, SNAPSHOT_LINE_FIELDS)
        if fields:
            lines.append({"line": line, "fields": fields})
    narrative = [
        {
            "label": PlanNarrative._meta.get_field(name).verbose_name,
            "old": old.narrative.get(name),
            "new": new.narrative.get(name),
        }
        for name in NARRATIVE_FIELDS
        if old.narrative.get(name) != new.narrative.get(name)
    ]
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "lines": lines,
        "narrative": narrative,
        "empty": not (added or removed or changed or lines or narrative),
    }


def field_unit(name: str) -> str:
    """The unit a diff prints beside a snapshot field's value."""
    if name.endswith("_ntd"):
        return "元"
    if name.endswith("_k"):
        return "千元"
    return ""


def _changed_fields(old: dict, new: dict, names) -> list[dict]:
    return [
        {"label": FIELD_LABELS[name], "old": old.get(name), "new": new.get(name), "unit": field_unit(name)}
        for name in names
        if old.get(name) != new.get(name)
    ]


SNAPSHOT_BULK = ("roster", "narrative", "budget", "totals")


def plan_comments(plan: CountyPlan) -> list[ReviewComment]:
    """Every comment of the plan's returns with its round and answer (one query)."""
    if plan.pk is None:
        return []
    return list(
        ReviewComment.objects.filter(plan=plan)
        .select_related("submission", "answered_in", "replied_by", "created_by")
        # The rounds' numbers, not their frozen roster and narrative (hundreds of rows each).
        .defer(*(f"{round_}__{name}" for round_ in ("submission", "answered_in") for name in SNAPSHOT_BULK))
    )


def comments_by_line(comments) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for comment in comments:
        grouped.setdefault(comment.line_number, []).append(comment)
    return grouped


def comment_threads(submission: PlanSubmission, comments, diff: dict | None) -> list[dict]:
    """For the submission page: each comment answered by this submission, its reply, and what
    changed in its line since the round it was made on (comment → reply → change)."""
    changes = {item["line"]["number"]: item["fields"] for item in (diff or {}).get("lines", [])}
    return [
        {"comment": comment, "changes": changes.get(comment.line_number, [])}
        for comment in comments
        if comment.answered_in_id == submission.pk
    ]


def review_lines(
    *, submission: PlanSubmission, previous: PlanSubmission | None, answered: dict[int, list] | None = None
) -> list[dict]:
    """The 11 lines of the submission under review, those that need a look first: 申請 differs
    from 預估, a 差異說明, a change since the previous round, or an open review comment. Each
    line says why in words (`reasons`), so the page does not rely on colour."""
    old = {item["number"]: item for item in previous.budget} if previous else {}
    answered = answered or {}
    rows = []
    for item in submission.budget:
        number = item["number"]
        reasons = []
        if item["estimate"] is not None and item["requested"] is not None and item["requested"] != item["estimate"]:
            reasons.append(f"申請數 {item['requested']:,} 與預估 {item['estimate']:,} 不同")
        if (item.get("explanation") or "").strip():
            reasons.append("附差異說明")
        if previous is not None and _changed_fields(old.get(number, {}), item, SNAPSHOT_LINE_FIELDS):
            reasons.append(f"較第 {previous.number} 次送審有變動")
        if answered.get(number):
            reasons.append("上次退回有審查意見，縣市已回覆")
        rows.append({"number": number, "item": item, "reasons": reasons, "comments": answered.get(number, [])})
    rows.sort(key=lambda row: (not row["reasons"], row["number"]))
    return rows


def review_requested(submission: PlanSubmission) -> dict[int, int]:
    """{line number: total NTD} the submission asks for."""
    return {item["number"]: item["total_ntd"] for item in submission.budget}


def plan_review(
    *, latest: PlanSubmission, previous: PlanSubmission | None, lines: dict[int, BudgetLine], comments, form
) -> dict:
    """The review block of the plan's page: each line of the submission under review with its
    stored line, its two inputs of the one-form review (`form`, bound or not) and their errors;
    the lines that need a look first (`flagged`) apart from the rest."""
    errors = form.line_errors() if form.is_bound else {}
    answered = comments_by_line(c for c in comments if c.answered_in_id == latest.pk)
    rows = [
        row
        | {
            "line": lines[row["number"]],
            "amount": form[f"amount_{row['number']}"],
            "note": form[f"note_{row['number']}"],
            "errors": errors.get(row["number"], []),
        }
        for row in review_lines(submission=latest, previous=previous, answered=answered)
    ]
    return {
        "form": form,
        "flagged": [row for row in rows if row["reasons"]],
        "rest": [row for row in rows if not row["reasons"]],
        "requested_ntd": sum(review_requested(latest).values()),
    }


def review_queue(plans: QuerySet) -> QuerySet:
    """Plans waiting for the MOE, the longest-waiting first."""
    return (
        plans.filter(status=PlanStatus.SUBMITTED)
        .select_related("county", "plan_year")
        .annotate(last_submitted_at=Max("submissions__submitted_at"), submissions_count=Max("submissions__number"))
        .order_by("last_submitted_at")
    )


# --- The plan's whole life ---------------------------------------------------------------------------


def plan_timeline(plan: CountyPlan) -> list[dict]:
    """From the draft to 核結, each step with its date or deadline and whether it is done:
    [{label, state (done / current / pending), when, note}] (four queries)."""
    today = timezone.localdate()
    year = plan.plan_year
    rules = year.rule_set
    events = {}
    received, report = 0, None
    if plan.pk is not None:  # an unsaved draft (plan_read) has no events, money or report yet
        for event in plan.events.filter(
            kind__in=[PlanEvent.Kind.SUBMITTED, PlanEvent.Kind.APPROVED, PlanEvent.Kind.DISBURSED]
        ).order_by("at"):
            events.setdefault(event.kind, []).append(event)
        received = plan.disbursements.aggregate(total=Sum("amount_ntd"))["total"] or 0
        report = FinalReport.objects.filter(plan=plan).first()
    submitted, approved = events.get(PlanEvent.Kind.SUBMITTED, []), events.get(PlanEvent.Kind.APPROVED, [])
    approved_ntd = sum(line.approved_ntd or 0 for line in plan.lines.all()) if approved else 0
    is_approved = plan.status == PlanStatus.APPROVED

    def state(done: bool, current: bool) -> str:
        return "done" if done else ("current" if current else "pending")

    deadline = year.submission_deadline
    due = year.final_report_due
    closed = report is not None and report.status == FinalReport.Status.CLOSED
    filed = report is not None and report.status in (FinalReport.Status.SUBMITTED, FinalReport.Status.CLOSED)
    return [
        {
            "label": "縣市填寫計畫",
            "state": state(bool(submitted), plan.county_may_edit),
            "when": plan.created_at,
            "note": f"送審截止 {roc_date(deadline)}" if deadline else "",
            "deadline": deadline,
        },
        {
            "label": "送審",
            "state": state(plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED), False),
            "when": submitted[-1].at if submitted else None,
            "note": f"共 {len(submitted)} 次" if submitted else "",
        },
        {
            "label": "教育部核定",
            "state": state(is_approved, plan.status == PlanStatus.SUBMITTED),
            "when": approved[-1].at if approved else None,
            "note": f"核定 {approved_ntd:,} 元" if is_approved else "",
        },
        {
            "label": "撥款",
            "state": state(is_approved and approved_ntd > 0 and received >= approved_ntd, is_approved),
            "when": events[PlanEvent.Kind.DISBURSED][-1].at if events.get(PlanEvent.Kind.DISBURSED) else None,
            "note": f"已入帳 {received:,}／{approved_ntd:,} 元" if is_approved else "",
        },
        {
            # A deadline of the rule set (五(五)3): the devices app follows the deliveries themselves.
            "label": "學習載具配發到校期限",
            "state": state(today > rules.delivery_deadline, is_approved),
            "when": None,
            "note": f"期限 {roc_date(rules.delivery_deadline)}",
            "deadline": rules.delivery_deadline,
        },
        {
            "label": "結報",
            "state": state(filed, is_approved and today > year.period_end),
            "when": report.submitted_at if report and report.submitted_at else None,
            "note": f"期限 {roc_date(due)}（計畫結束後 {rules.final_report_due_months} 個月）"
            + (f"・{report.get_status_display()}" if report else ""),
            "deadline": due,
            "late": not filed and today > due and is_approved,
        },
        {
            "label": "核結",
            "state": state(closed, filed and not closed),
            "when": report.closed_at if closed else None,
            "note": "",
        },
    ]
