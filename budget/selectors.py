"""Reads of plans: totals, the budget table, what is missing, snapshots and their differences."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from budget import rules as engine
from budget.models import NARRATIVE_FIELDS, BudgetLine, CountyPlan, PlanNarrative, PlanStatus, PlanSubmission
from portal.cache import cached
from schools.models import RosterRow
from schools.selectors import ROSTER, roster_completeness, roster_totals

NARRATIVES = "narratives"
"""The read cache's namespace of 附件1's text and entered figures (reporting's dashboard reads them)."""

SNAPSHOT_ROW_FIELDS = (
    "name",
    "area",
    "classes",
    "max_class_size",
    "teachers",
    "students",
    "req_carts",
    "req_teacher_devices",
    "req_student_devices",
    "entitled_carts",
    "entitled_teacher_devices",
    "entitled_student_devices",
    "complies",
    "reason",
)
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


def plan_rows(plan: CountyPlan) -> QuerySet:
    return RosterRow.objects.filter(plan_year=plan.plan_year, school__county=plan.county)


def plan_totals(plan: CountyPlan) -> engine.CountyTotals:
    """The county's roster totals, cached until the roster changes (the plan's page is
    reached only through the access check of its county)."""
    return cached(
        ROSTER,
        ("plan_totals", plan.county_id, plan.plan_year_id),
        lambda: roster_totals(rows=plan_rows(plan), rule_set=plan.plan_year.rule_set),
    )


def plan_lines(plan: CountyPlan) -> dict[int, BudgetLine]:
    return {line.number: line for line in plan.lines.all()}


def plan_table(
    plan: CountyPlan, lines: dict[int, BudgetLine] | None = None, totals: engine.CountyTotals | None = None
) -> engine.BudgetTable:
    lines = plan_lines(plan) if lines is None else lines
    totals = plan_totals(plan) if totals is None else totals
    return engine.budget_table(plan.budget_inputs(totals, lines), plan.plan_year.rule_set)


def plan_missing(
    plan: CountyPlan, table: engine.BudgetTable | None = None, completeness: dict | None = None
) -> list[str]:
    """What stands between the plan and its submission, as the county reads it.

    `completeness` (rows, missing_reason, not_requested) may come from an aggregate the
    caller already ran."""
    missing = []
    if completeness is None:
        completeness = cached(
            ROSTER,
            ("plan_completeness", plan.county_id, plan.plan_year_id),
            lambda: roster_completeness(rows=plan_rows(plan)),
        )
    if not completeness["rows"]:
        missing.append("名單沒有任何學校，請先上傳附錄名單")
    if completeness["missing_reason"]:
        examples = plan_rows(plan).filter(complies=False, reason="").select_related("school")
        names = "、".join(f"{row.school.code} {row.name}（{row.level}）" for row in examples[:3])
        more = "等" if completeness["missing_reason"] > 3 else ""
        missing.append(f"有 {completeness['missing_reason']} 列不符原則（否）尚未說明原因：{names}{more}")
    if completeness["not_requested"]:
        missing.append(f"有 {completeness['not_requested']} 列尚未填申請補助數")
    table = plan_table(plan) if table is None else table
    missing.extend(problem.message for problem in table.problems)
    narrative_gaps = plan_narrative(plan).missing_fields()
    if narrative_gaps:
        missing.append(f"附件1 尚未填寫：{'、'.join(narrative_gaps)}")
    return missing


def plan_narrative(plan: CountyPlan) -> PlanNarrative:
    """The plan's 附件1 text, created empty the first time it is asked for (no query when the
    plan was loaded with select_related("narrative"))."""
    try:
        return plan.narrative
    except PlanNarrative.DoesNotExist:
        narrative, _ = PlanNarrative.objects.get_or_create(plan=plan)
        plan.narrative = narrative
        return narrative


def plan_indicators(plan: CountyPlan, table: engine.BudgetTable, narrative: PlanNarrative) -> list[dict]:
    """附件1 五(一): 1-4 computed from the roster and the budget table, 5-9 as the county entered.

    1. devices to buy: lines 1 and 2 as requested; 2. of them for remote schools (their rows'
    requested devices); 3. share of remote schools whose request gives every student and
    teacher a device; 4. share of the other schools whose request reaches their entitlement
    (one class set per six classes)."""
    rules = plan.plan_year.rule_set
    remote = Q(area__in=rules.remote_areas)
    not_requested = Q(req_student_devices__isnull=True)
    remote_short = Q(req_student_devices__lt=F("students")) | Q(req_teacher_devices__lt=F("teachers"))
    other_short = (
        Q(req_student_devices__lt=F("entitled_student_devices"))
        | Q(req_teacher_devices__lt=F("entitled_teacher_devices"))
        | Q(req_carts__lt=F("entitled_carts"))
    )
    sums = plan_rows(plan).aggregate(
        remote_devices=Sum(F("req_teacher_devices") + F("req_student_devices"), filter=remote),
        remote_schools=Count("school", filter=remote, distinct=True),
        remote_short=Count("school", filter=remote & (remote_short | not_requested), distinct=True),
        other_schools=Count("school", filter=~remote, distinct=True),
        other_short=Count("school", filter=~remote & (other_short | not_requested), distinct=True),
    )

    def share(total: int, short: int) -> int | None:
        return None if not total else engine.divide_half_up((total - short) * 100, total)

    trained = narrative.trained_teachers_percent
    if trained is None:
        trained = rules.a1a2_target_percent_first_year
    devices = table.line(engine.LINE_TEACHER_DEVICES).requested + table.line(engine.LINE_STUDENT_DEVICES).requested
    subjects = f"（{narrative.improved_subjects}）" if narrative.improved_subjects else ""
    return [
        {"number": 1, "label": "購置學習載具總臺數", "value": devices, "unit": "臺", "computed": True},
        {
            "number": 2,
            "label": "偏遠地區學校購置學習載具總臺數",
            "value": sums["remote_devices"] or 0,
            "unit": "臺",
            "computed": True,
        },
        {
            "number": 3,
            "label": "偏遠地區學校達成每位學生 1 臺學習載具之學校校數比率",
            "value": share(sums["remote_schools"], sums["remote_short"]),
            "unit": "%",
            "computed": True,
            "target": 100,
        },
        {
            "number": 4,
            "label": "非偏遠地區學校達成每 6 班配發 1 班載具的校數比率",
            "value": share(sums["other_schools"], sums["other_short"]),
            "unit": "%",
            "computed": True,
            "target": 100,
        },
        {
            "number": 5,
            "label": f"抽樣調查學習成效{subjects}提升人數之比率",
            "value": narrative.improved_share_percent,
            "unit": "%",
            "computed": False,
            "target": rules.improved_students_target_percent,
        },
        {
            "number": 6,
            "label": "培訓教師人數占縣市所有教師總數比率",
            "value": trained,
            "unit": "%",
            "computed": False,
            "target": rules.a1a2_target_percent_first_year,
        },
        {
            "number": 7,
            "label": "具備良好無線網路（可提供全班載具同時線上學習）之班級數",
            "value": narrative.wireless_classes,
            "unit": "班",
            "computed": False,
        },
        {
            "number": 8,
            "label": "學習扶助班級融入數位教學之班級數比率",
            "value": narrative.learning_support_share_percent,
            "unit": "%",
            "computed": False,
        },
        {"number": 9, "label": "其他", "value": narrative.other_indicators, "unit": "", "computed": False},
    ]


def narrative_snapshot(plan: CountyPlan, table: engine.BudgetTable, totals: engine.CountyTotals) -> dict:
    """附件1's text as it stands, with the key-school count filled in and the indicators."""
    narrative = plan_narrative(plan)
    key_schools = narrative.key_schools_count
    if key_schools is None:
        key_schools = engine.key_schools_target(totals.schools, plan.plan_year.rule_set)
    return {
        **{name: getattr(narrative, name) for name in NARRATIVE_FIELDS},
        "key_schools_count": key_schools,
        "indicators": plan_indicators(plan, table, narrative),
    }


def line_snapshot(line: engine.BudgetLine, stored: BudgetLine) -> dict:
    return {
        "number": line.number,
        "name": line.name,
        "computed": line.computed,
        "previously_subsidised": line.previously_subsidised,
        "estimate": line.estimate,
        "requested": line.requested,
        "recurrent_ntd": line.recurrent_ntd,
        "capital_ntd": line.capital_ntd,
        "total_ntd": line.total_ntd,
        "recurrent_k": line.recurrent_k,
        "capital_k": line.capital_k,
        "total_k": line.total_k,
        "explanation": line.explanation,
        "procurement_note": stored.procurement_note,
        "is_amount": line.number in engine.AMOUNT_LINES,
    }


def table_rows(table: engine.BudgetTable, lines: dict[int, BudgetLine]) -> list[dict]:
    """The live table as the page shows it: the snapshot's columns plus the MOE's decisions."""
    return [
        line_snapshot(line, lines[line.number])
        | {
            "approved_ntd": lines[line.number].approved_ntd,
            "approval_note": lines[line.number].approval_note,
            "review_note": lines[line.number].review_note,
        }
        for line in table.lines
    ]


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


def _changed_fields(old: dict, new: dict, names) -> list[dict]:
    return [
        {"label": FIELD_LABELS[name], "old": old.get(name), "new": new.get(name)}
        for name in names
        if old.get(name) != new.get(name)
    ]


def review_queue(plans: QuerySet) -> QuerySet:
    """Plans waiting for the MOE, the longest-waiting first."""
    return (
        plans.filter(status=PlanStatus.SUBMITTED)
        .select_related("county", "plan_year")
        .annotate(last_submitted_at=Max("submissions__submitted_at"), submissions_count=Max("submissions__number"))
        .order_by("last_submitted_at")
    )
