"""Reads of plans: totals, the budget table, what is missing, 附件1 and its indicators. The
submissions' snapshots, their differences and the review are in selectors_review."""

from __future__ import annotations

import re

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from budget import rules as engine
from budget.models import (
    NARRATIVE_FIELDS,
    ROSTER_LINES,
    BudgetLine,
    CountyPlan,
    PlanNarrative,
    PlanStatus,
    ReviewComment,
)
from portal import access
from portal.cache import cached
from schools.models import RosterRow
from schools.selectors import ROSTER, roster_completeness, roster_totals

NARRATIVES = "narratives"
"""The read cache's namespace of 附件1's text and entered figures (reporting's dashboard reads them)."""


def plan_read(*, county, plan_year) -> CountyPlan:
    """The county's plan for the year as a page reads it: the saved one or, before anything was
    written, an unsaved draft (a GET writes nothing; the first write creates it through
    services.plan_for). The readers below take either: an unsaved plan has its eleven lines
    empty and no submissions, events or comments."""
    plan = CountyPlan.objects.filter(county=county, plan_year=plan_year).select_related("county", "plan_year").first()
    return plan if plan is not None else CountyPlan(county=county, plan_year=plan_year)


def plans_for(*, user, plan_year) -> QuerySet:
    """The year's saved plans the user may see, with their county."""
    return access.for_user(CountyPlan.objects.filter(plan_year=plan_year), user).select_related("county")


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


def plan_roster_requested(plan: CountyPlan) -> engine.Requested:
    """The 附錄's requested counts summed over the county, a row left blank counting its
    entitlement: what lines 1-3 ask for before the previously subsidised are deducted."""
    sums = cached(
        ROSTER,
        ("plan_roster_requested", plan.county_id, plan.plan_year_id),
        lambda: plan_rows(plan).aggregate(
            carts=Sum(Coalesce("req_carts", "entitled_carts")),
            teacher_devices=Sum(Coalesce("req_teacher_devices", "entitled_teacher_devices")),
            student_devices=Sum(Coalesce("req_student_devices", "entitled_student_devices")),
        ),
    )
    return engine.Requested(sums["carts"] or 0, sums["teacher_devices"] or 0, sums["student_devices"] or 0)


def roster_requested_sums(rows) -> dict[str, int]:
    """The same sums over 附錄 rows as dicts (a snapshot's roster): req_* or, blank, entitled_*."""
    sums = {"teacher_devices": 0, "student_devices": 0, "carts": 0}
    for row in rows:
        for key in sums:
            requested = row.get(f"req_{key}")
            sums[key] += requested if requested is not None else row.get(f"entitled_{key}") or 0
    return sums


def plan_lines(plan: CountyPlan) -> dict[int, BudgetLine]:
    if plan.pk is None:
        return {number: BudgetLine(plan=plan, number=number) for number in engine.LINE_NUMBERS}
    return {line.number: line for line in plan.lines.all()}


def plan_table(
    plan: CountyPlan, lines: dict[int, BudgetLine] | None = None, totals: engine.CountyTotals | None = None
) -> engine.BudgetTable:
    lines = plan_lines(plan) if lines is None else lines
    totals = plan_totals(plan) if totals is None else totals
    inputs = plan.budget_inputs(totals, lines, plan_roster_requested(plan))
    return engine.budget_table(inputs, plan.plan_year.rule_set)


def plan_missing(
    plan: CountyPlan, table: engine.BudgetTable | None = None, completeness: dict | None = None
) -> list[str]:
    """What stands between the plan and its submission, as the county reads it (one sentence
    each; the 附件1 gaps in one). `completeness` (rows, missing_reason, not_requested) may come
    from an aggregate the caller already ran."""
    blockers = plan_blockers(plan, table, completeness)
    missing = [item["text"] for item in blockers if not item["narrative"]]
    gaps = [item["field_label"] for item in blockers if item["narrative"]]
    if gaps:
        missing.append(f"附件1 尚未填寫：{'、'.join(gaps)}")
    return missing


def plan_submit_summary(plan: CountyPlan, table: engine.BudgetTable | None = None) -> dict:
    """What 送審 is about to do, in one line: 「第 N 次送審・合計 X 千元・送審後名單與經費表鎖定」."""
    table = plan_table(plan) if table is None else table
    done = plan.submissions.aggregate(n=Max("number"))["n"] if plan.pk is not None else None
    number = (done or 0) + 1
    return {
        "number": number,
        "total_k": table.total_k,
        "recurrent_k": table.recurrent_k,
        "capital_k": table.capital_k,
        "text": f"第 {number} 次送審・合計 {table.total_k:,} 千元・送審後名單與經費表鎖定",
    }


_SECTION_CODE = re.compile(r"^([一二三四五六七八九十]+(?:\([一二三四五六七八九十]+\))?[0-9A-Z()（）]*)\s+(.+)$")


def split_code(verbose_name: str) -> tuple[str, str]:
    """'四(一)3(1)D 跨校交流…' -> ('四(一)3(1)D', '跨校交流…'); a name without a code -> ('', name)."""
    match = _SECTION_CODE.match(str(verbose_name))
    return (match.group(1), match.group(2)) if match else ("", str(verbose_name))


def plan_blockers(
    plan: CountyPlan, table: engine.BudgetTable | None = None, completeness: dict | None = None
) -> list[dict]:
    """plan_missing as a list the county can act on: each item's text, the code it names (the
    附件1 section), the link to the field or rows that fix it, and the budget line it blocks.

    Items: {"text", "label", "code", "href", "line", "narrative", "field_label"}."""
    year, county = plan.plan_year.year, plan.county.code
    edit_url = reverse("plan_edit", args=[year, county])
    narrative_url = reverse("plan_narrative", args=[year, county])
    roster_url = reverse("roster_list")

    def item(text, href, *, label=None, code="", line=None, narrative=False, field_label="", rows=()):
        return {
            "text": text,
            "label": label or text,
            "code": code,
            "href": href,
            "line": line,
            "narrative": narrative,
            "field_label": field_label,
            "rows": list(rows),
        }

    blockers = []
    if completeness is None:
        completeness = cached(
            ROSTER,
            ("plan_completeness", plan.county_id, plan.plan_year_id),
            lambda: roster_completeness(rows=plan_rows(plan)),
        )
    if not completeness["rows"]:
        blockers.append(item("名單沒有任何學校，請先上傳附錄名單", reverse("roster_import")))
    if completeness["missing_reason"]:
        examples = list(plan_rows(plan).filter(complies=False, reason="").select_related("school")[:3])
        names = "、".join(f"{row.school.code} {row.name}（{row.level}）" for row in examples)
        more = "等" if completeness["missing_reason"] > 3 else ""
        blockers.append(
            item(
                f"有 {completeness['missing_reason']} 列不符原則（否）尚未說明原因：{names}{more}",
                f"{roster_url}?year={year}&complies=no_reason",
                rows=[
                    {
                        "text": f"{row.school.code} {row.name}（{row.level}）",
                        "href": reverse("roster_row_edit", args=[row.pk]) + "#id_reason",
                    }
                    for row in examples
                ],
            )
        )
    if completeness["not_requested"]:
        blockers.append(
            item(
                f"有 {completeness['not_requested']} 列尚未填申請補助數",
                f"{roster_url}?year={year}&complies=blank",
            )
        )
    out_of_scope = completeness.get("out_of_scope")
    if out_of_scope is None:
        rules = plan.plan_year.rule_set
        out_of_scope = plan_rows(plan).exclude(school__ownership__in=rules.ownerships_in_scope).count()
    if out_of_scope:
        blockers.append(
            item(
                f"名單中有 {out_of_scope} 列為{engine.OUT_OF_SCOPE_NATIONAL}，請重新上傳不含這些學校的附錄",
                reverse("roster_import"),
            )
        )
    # Open items exist only after a return: a plan never returned costs no query for them.
    unanswered = (
        sorted(
            set(
                ReviewComment.objects.filter(
                    plan=plan, answered_in__isnull=True, archived_at__isnull=True, reply_kind=""
                ).values_list("line_number", flat=True)
            )
        )
        if plan.status == PlanStatus.RETURNED
        else []
    )
    if unanswered:
        blockers.append(
            item(
                "請先逐項回覆教育部審查意見（已修正／說明）：" + "、".join(f"第{n}項" for n in unanswered),
                reverse("plan_detail", args=[year, county]) + "#comments",
                label="請先逐項回覆教育部審查意見（已修正／說明）",
                code="、".join(f"第{n}項" for n in unanswered),
            )
        )
    table = plan_table(plan) if table is None else table
    for problem in table.problems:
        href = f"{edit_url}#edit-line-{problem.line}" if problem.line else edit_url
        code = f"第{problem.line}項" if problem.line else ""
        blockers.append(item(problem.message, href, code=code, line=problem.line))
    narrative = plan_narrative(plan)
    for name in narrative.REQUIRED:
        value = getattr(narrative, name)
        if value is None or str(value).strip() == "":
            verbose = str(narrative._meta.get_field(name).verbose_name)
            code, label = split_code(verbose)
            blockers.append(
                item(
                    f"附件1 尚未填寫：{verbose}",
                    f"{narrative_url}#id_{name}",
                    label=label,
                    code=code,
                    narrative=True,
                    field_label=verbose,
                )
            )
    return blockers


def plan_narrative(plan: CountyPlan) -> PlanNarrative:
    """The plan's 附件1 text, created empty the first time it is asked for (no query when the
    plan was loaded with select_related("narrative"))."""
    if plan.pk is None:
        return PlanNarrative(plan=plan)
    try:
        return plan.narrative
    except PlanNarrative.DoesNotExist:
        narrative, _ = PlanNarrative.objects.get_or_create(plan=plan)
        plan.narrative = narrative
        return narrative


def plan_indicators(plan: CountyPlan, table: engine.BudgetTable, narrative: PlanNarrative) -> list[dict]:
    """附件1 五(一), in the seed's words: 1-4 from the 附錄 and the budget table, 6 the year's
    A1+A2 target as the seed states it, 5 and 7-9 as the county entered them.

    1. devices to buy: lines 1 and 2 as requested; 2. of them for remote schools (their rows'
    requested devices, a blank row counting its entitlement); 3. share of remote schools whose
    request gives every student and teacher a device; 4. share of the other schools whose
    request reaches their entitlement (one class set per N classes)."""
    rules = plan.plan_year.rule_set
    remote = Q(area__in=rules.remote_areas)
    teacher = Coalesce("req_teacher_devices", "entitled_teacher_devices")
    student = Coalesce("req_student_devices", "entitled_student_devices")
    carts = Coalesce("req_carts", "entitled_carts")
    remote_short = Q(req_student_devices__lt=F("students")) | Q(req_teacher_devices__lt=F("teachers"))
    other_short = (
        Q(req_student_devices__lt=F("entitled_student_devices"))
        | Q(req_teacher_devices__lt=F("entitled_teacher_devices"))
        | Q(req_carts__lt=F("entitled_carts"))
    )
    sums = cached(
        ROSTER,
        ("plan_indicator_sums", plan.county_id, plan.plan_year_id),
        lambda: plan_rows(plan).aggregate(
            remote_devices=Sum(teacher + student, filter=remote),
            remote_schools=Count("school", filter=remote, distinct=True),
            remote_short=Count("school", filter=remote & remote_short, distinct=True),
            other_schools=Count("school", filter=~remote, distinct=True),
            other_short=Count("school", filter=~remote & other_short, distinct=True),
            carts=Sum(carts),
        ),
    )
    return indicator_items(
        rules=rules,
        year=plan.plan_year.year,
        devices=table.line(engine.LINE_TEACHER_DEVICES).requested + table.line(engine.LINE_STUDENT_DEVICES).requested,
        remote_devices=sums["remote_devices"] or 0,
        remote_share=_share(sums["remote_schools"], sums["remote_short"]),
        other_share=_share(sums["other_schools"], sums["other_short"]),
        narrative={name: getattr(narrative, name) for name in NARRATIVE_FIELDS},
    )


def _share(total: int, short: int) -> int | None:
    return None if not total else engine.divide_half_up((total - short) * 100, total)


def indicator_items(
    *,
    rules: engine.RuleSet,
    year: int,
    devices: int,
    remote_devices: int,
    remote_share: int | None,
    other_share: int | None,
    narrative: dict,
) -> list[dict]:
    """The nine indicators of 附件1 五(一) with the seed's sentence of each (`before` value
    `after`): what is fixed by the seed is printed as the seed prints it, with the year's figure."""
    chosen = narrative.get("improved_subjects")
    subjects = f"（{chosen}）" if chosen else "(科目自選，例如國、英、數等)"
    per = rules.classes_per_device_class
    a1a2 = engine.a1a2_target_percent(year, rules)
    return [
        {"number": 1, "label": "購置學習載具總臺數", "value": devices, "unit": "臺", "computed": True},
        {
            "number": 2,
            "label": "偏遠地區學校購置學習載具總臺數",
            "value": remote_devices,
            "unit": "臺",
            "computed": True,
        },
        {
            "number": 3,
            "label": "偏遠地區學校達成每位學生 1 臺學習載具之學校校數比率",
            "value": remote_share,
            "unit": "%",
            "computed": True,
            "target": rules.remote_devices_target_percent,
        },
        {
            "number": 4,
            "label": f"非偏遠地區學校達成每 {per} 班配發 1 班載具的校數比率",
            "value": other_share,
            "unit": "%",
            "computed": True,
            "target": rules.other_schools_target_percent,
        },
        {
            # The seed leaves this as ○: the county's own figure, no target of ours.
            "number": 5,
            "label": f"抽樣調查學習成效{subjects}提升人數之比率達",
            "value": narrative.get("improved_share_percent"),
            "unit": "%",
            "computed": False,
        },
        {
            # Fixed by the seed (「培訓教師人數達縣市所有教師總數 25%」), with the year's target.
            "number": 6,
            "label": "培訓教師人數達縣市所有教師總數",
            "value": a1a2,
            "unit": "%",
            "computed": False,
            "fixed": True,
        },
        {
            "number": 7,
            "label": "具備良好無線網路（可提供全班載具同時線上學習）之班級數",
            "value": narrative.get("wireless_classes"),
            "unit": "班",
            "computed": False,
        },
        {
            "number": 8,
            "label": "學習扶助班級融入數位教學之班級數比率",
            "value": narrative.get("learning_support_share_percent"),
            "unit": "%",
            "computed": False,
        },
        {"number": 9, "label": "其他", "value": narrative.get("other_indicators"), "unit": "", "computed": False},
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
        "estimate_provisional": line.estimate_provisional,
        "parts": [list(part) for part in line.parts],
        "from_roster": line.number in ROSTER_LINES,
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


def plan_words(plan_year) -> dict:
    """Every year- or rule-dependent word the plan's pages and documents print, from the year's
    rule set: 「每 N 班」, the years of 已受補助數, licence and warranty years, the delivery month,
    meetings a month, lessons a school, the year's A1+A2 target and the years left to reach all."""
    rules = plan_year.rule_set
    delivery = rules.delivery_deadline
    full_by = rules.a1a2_full_by_year
    return {
        "year": plan_year.year,
        "survey_year": plan_year.survey_year,
        "per": rules.classes_per_device_class,
        "meetings": rules.meetings_per_month,
        "lessons": rules.public_lessons_per_school,
        "a1a2": engine.a1a2_target_percent(plan_year.year, rules),
        "a1a2_years": max(1, full_by - plan_year.year + 1),
        "a1a2_full_by": full_by,
        "literacy": rules.literacy_training_target_percent,
        "mdm_years": rules.mdm_licence_years,
        "warranty_years": rules.warranty_years,
        "delivery_year": delivery.year - 1911,
        "delivery_month": delivery.month,
        "previously": engine.previously_label(rules),
        "previously_years": engine.years_label(rules.previously_subsidised_years),
        "premium": engine.percent_of_basis_points(rules.substitute_premium_basis_points),
        "remote_target": rules.remote_devices_target_percent,
        "other_target": rules.other_schools_target_percent,
    }
