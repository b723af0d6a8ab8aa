"""Plan years as data: a new year opened in one step from an earlier one, and a year's rules
changed on the MOE's page while no county has submitted.

`plan_year_open` is what `manage.py open_plan_year`, the MOE's page and (later) a what-if
scenario call: a year number, the year it starts from, and a dict of rule values that differ.
Everything else is carried over: every rule key written out (dates moved into the new
period), the roster with its requested counts cleared, the previously subsidised counts
(earlier ones plus what the source year approved), and whatever the apps above register with
`on_year_opened` (the office's staff, say), in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable

from django.db import transaction

from budget import rules as engine
from budget.models import BudgetLine, CountyPlan, PlanEvent, PlanStatus, PlanSubmission
from portal.audit import CREATED, record_history
from portal.cache import invalidate
from portal.models import User
from portal.roc import roc_date
from schools.models import PlanYear
from schools.selectors import PLAN_YEARS, ROSTER
from schools.services import roster_apply_rules, roster_carry_over


class PlanYearRefused(Exception):
    """The year cannot be opened or its rules changed; `problems` are (key, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]] | str):
        if isinstance(problems, str):
            problems = [("", problems)]
        self.problems = problems
        super().__init__("；".join(message for _, message in problems))


CarryOver = Callable[..., None]
_CARRY_OVER: list[CarryOver] = []


def on_year_opened(function: CarryOver) -> CarryOver:
    """Register `function(*, source, target, user)`, called inside the opening transaction. Apps
    above budget (training ...) carry their own records over this way: budget imports none of them."""
    if function not in _CARRY_OVER:
        _CARRY_OVER.append(function)
    return function


# --- Values as people type them -------------------------------------------------------------------


def parse_rule_value(name: str, text: str):
    """A `--set KEY=VALUE` or a form field: JSON when it is JSON (4, true, ["偏遠"], {...}),
    else the text itself (2023-09-30, ceil). Unknown keys are named."""
    if name not in engine.RULE_NOTES:
        raise PlanYearRefused([(name, f"{name}：未知的規則參數")])
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def rule_text(value) -> str:
    """How a value is shown in a form field: the inverse of parse_rule_value."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def rules_digest(rules: dict) -> str:
    """A fingerprint of a stored rule set: the page sends it back, a change meanwhile is refused."""
    return hashlib.sha256(json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _shift(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _validated(values: dict, *, start: datetime.date, end: datetime.date) -> engine.RuleSet:
    """The rule set, or every problem at once (the key's own and its dates against the period)."""
    try:
        rule_set = engine.RuleSet.from_dict(values)
    except engine.RuleSetError as exc:
        problems = list(exc.problems)
        named = {key for key, _ in problems}
        for name in engine.DATE_KEYS:
            try:
                day = datetime.date.fromisoformat(values.get(name))
            except (TypeError, ValueError):
                continue
            if name not in named and not start <= day <= end:
                problems.append(
                    (name, f"{name} {day.isoformat()} 不在計畫期程 {start.isoformat()}～{end.isoformat()} 內")
                )
        raise PlanYearRefused(problems) from None
    problems = engine.period_problems(rule_set, start, end)
    if problems:
        raise PlanYearRefused(problems)
    return rule_set


def proposed_rules(
    *, year: int, source: PlanYear, values: dict, period_start: datetime.date, period_end: datetime.date
) -> dict:
    """The new year's complete rule dict: the source's, moved to the new year, then `values`."""
    years = year - source.year
    rules = source.rule_set.to_dict()
    rules["year"] = year
    for name in engine.DATE_KEYS:
        rules[name] = _shift(datetime.date.fromisoformat(rules[name]), years).isoformat()
    previous = rules["previously_subsidised_years"]
    # 「110至111年補助臺數」 for 111; a later year deducts every year before it.
    rules["previously_subsidised_years"] = list(range(previous[0] if previous else source.year, year))
    rules["plan_months"] = min(12, engine.period_months(period_start, period_end))
    unknown = sorted(set(values) - set(engine.RULE_NOTES))
    if unknown:
        raise PlanYearRefused([(name, f"{name}：未知的規則參數") for name in unknown])
    if "year" in values and values["year"] != year:
        raise PlanYearRefused([("year", f"year 必須是 {year}")])
    rules.update(values)
    return rules


# --- Opening a year -----------------------------------------------------------------------------------


@transaction.atomic
def plan_year_open(
    *,
    year: int,
    source: PlanYear,
    values: dict,
    user: User | None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    submission_deadline: datetime.date | None = None,
    survey_year: int | None = None,
    title: str | None = None,
) -> PlanYear:
    """Open `year` from `source` with the rule values that differ. Raises PlanYearRefused with
    every problem, each naming its key; nothing is written then."""
    if year <= source.year:
        raise PlanYearRefused([("year", f"新年度 {year} 須晚於來源年度 {source.year}")])
    if PlanYear.objects.filter(year=year).exists():
        raise PlanYearRefused([("year", f"{year} 年度已經存在")])
    years = year - source.year
    start = period_start or _shift(source.period_start, years)
    end = period_end or _shift(source.period_end, years)
    rules = proposed_rules(year=year, source=source, values=values, period_start=start, period_end=end)
    _validated(rules, start=start, end=end)
    deadline = submission_deadline
    if deadline is None and source.submission_deadline is not None:
        deadline = _shift(source.submission_deadline, years)
    if deadline is not None and not start - datetime.timedelta(days=366) <= deadline <= end:
        raise PlanYearRefused(
            [("submission_deadline", f"submission_deadline {deadline.isoformat()} 須在計畫期程結束之前")]
        )
    target = PlanYear(
        year=year,
        title=title or source.title.replace(f"{source.year}年", f"{year}年"),
        period_start=start,
        period_end=end,
        submission_deadline=deadline,
        survey_year=survey_year if survey_year is not None else source.survey_year + years,
        previous=source,
        rules=rules,
    )
    target._history_user = user
    target._change_reason = f"由 {source.year} 年度開啟"
    target.save()
    roster_carry_over(source=source, target=target, user=user)
    previous_subsidies_carry_over(source=source, target=target, user=user)
    for carry_over in _CARRY_OVER:
        carry_over(source=source, target=target, user=user)
    invalidate(PLAN_YEARS)
    return target


def _approved_counts(plan: CountyPlan, lines: dict[int, BudgetLine], submission: PlanSubmission | None) -> dict:
    """Lines 1-3 as the MOE approved them, in devices and carts: the submitted count, or fewer
    when the approved amount buys fewer at the year's unit price."""
    rules = plan.plan_year.rule_set
    prices = {
        engine.LINE_TEACHER_DEVICES: rules.device_unit_price,
        engine.LINE_STUDENT_DEVICES: rules.device_unit_price,
        engine.LINE_CARTS: rules.cart_unit_price,
    }
    submitted = {item["number"]: item for item in (submission.budget if submission else [])}
    counts = {}
    for number, price in prices.items():
        approved = lines[number].approved_ntd if number in lines else None
        requested = (submitted.get(number) or {}).get("requested") or 0
        counts[number] = 0 if approved is None else min(requested, approved // price)
    return counts


def previous_subsidies_carry_over(*, source: PlanYear, target: PlanYear, user: User | None) -> int:
    """Each county's new plan starts with its previously subsidised counts: the ones the source
    year deducted plus what the source year approved (the MOE can correct them)."""
    plans = list(
        CountyPlan.objects.filter(plan_year=source).select_related("plan_year", "county").prefetch_related("lines")
    )
    if not plans:
        return 0
    submissions = {}
    for submission in PlanSubmission.objects.filter(plan__in=plans).order_by("plan_id", "number"):
        submissions[submission.plan_id] = submission  # the last one
    created = []
    notes = {}
    for plan in plans:
        approved = (
            _approved_counts(plan, {line.number: line for line in plan.lines.all()}, submissions.get(plan.pk))
            if plan.status == PlanStatus.APPROVED
            else dict.fromkeys((1, 2, 3), 0)
        )
        new = CountyPlan(
            county=plan.county,
            plan_year=target,
            prev_teacher_devices=plan.prev_teacher_devices + approved[engine.LINE_TEACHER_DEVICES],
            prev_student_devices=plan.prev_student_devices + approved[engine.LINE_STUDENT_DEVICES],
            prev_carts=plan.prev_carts + approved[engine.LINE_CARTS],
        )
        created.append(new)
        notes[plan.county_id] = approved
    CountyPlan.objects.bulk_create(created)
    created = list(CountyPlan.objects.filter(plan_year=target).select_related("county"))
    lines = [BudgetLine(plan=plan, number=n) for plan in created for n in engine.LINE_NUMBERS]
    BudgetLine.objects.bulk_create(lines)
    record_history(created, kind=CREATED, user=user, reason=f"由 {source.year} 年度開啟")
    if user is not None:
        PlanEvent.objects.bulk_create(
            [
                PlanEvent(
                    plan=plan,
                    kind=PlanEvent.Kind.MOE_INPUTS,
                    actor=user,
                    note=(
                        f"已受補助數由 {source.year} 年度帶入（含 {source.year} 年度核定：教師載具 "
                        f"{notes[plan.county_id][1]:,}、學生載具 {notes[plan.county_id][2]:,}、充電車 "
                        f"{notes[plan.county_id][3]:,}）"
                    ),
                    data={
                        "prev_teacher_devices": plan.prev_teacher_devices,
                        "prev_student_devices": plan.prev_student_devices,
                        "prev_carts": plan.prev_carts,
                    },
                )
                for plan in created
            ]
        )
    return len(created)


# --- Changing a year's rules -------------------------------------------------------------------------


def rules_locked_reason(plan_year: PlanYear) -> str:
    """Why the year's rules can no longer change ("" while they can): a county has submitted."""
    return rules_locked_reasons([plan_year]).get(plan_year.pk, "")


def rules_locked_reasons(plan_years) -> dict[int, str]:
    """{plan year id: why its rules are locked} for the years a county has submitted in (one query)."""
    reasons: dict[int, str] = {}
    first_submissions = (
        PlanSubmission.objects.filter(plan__plan_year__in=plan_years, number=1)
        .order_by("plan__plan_year_id", "submitted_at")
        .values_list("plan__plan_year_id", "plan__county__name", "submitted_at")
    )
    for year_id, county, at in first_submissions:
        reasons.setdefault(year_id, f"{county}已於 {roc_date(at)} 送審，本年度的補助規則不能再修改")
    return reasons


@transaction.atomic
def plan_year_rules_update(*, plan_year: PlanYear, values: dict, user: User, expected_digest: str) -> PlanYear:
    """Change some of the year's rule values, while no county has submitted. The roster's
    entitlements are judged again by the new rules. Raises PlanYearRefused."""
    plan_year = PlanYear.objects.select_for_update().get(pk=plan_year.pk)
    locked = rules_locked_reason(plan_year)
    if locked:
        raise PlanYearRefused(locked)
    if rules_digest(plan_year.rules) != expected_digest:
        raise PlanYearRefused("儲存失敗：本年度的規則在您開啟後已被他人修改，請重新載入頁面後再改")
    if "year" in values and values["year"] != plan_year.year:
        raise PlanYearRefused([("year", "year 不能修改")])
    current = plan_year.rule_set.to_dict()
    rules = current | values
    _validated(rules, start=plan_year.period_start, end=plan_year.period_end)
    changed = sorted(name for name in rules if rules[name] != current.get(name))
    if not changed:
        return plan_year
    plan_year.rules = engine.RuleSet.from_dict(rules).to_dict()
    plan_year._history_user = user
    plan_year._change_reason = ("修改補助規則：" + "、".join(changed))[:100]
    plan_year.save()
    plan_year.__dict__.pop("rule_set", None)
    roster_apply_rules(plan_year=plan_year, user=user, reason="補助規則修改，重新計算")
    invalidate(ROSTER)
    return plan_year


def rules_diff(plan_year: PlanYear) -> list[dict]:
    """Every parameter beside its value in the year before (the year it was opened from, else
    the latest earlier one): [{name, note, value, previous, changed}]."""
    previous = plan_year.previous or PlanYear.objects.filter(year__lt=plan_year.year).order_by("-year").first()
    current = plan_year.rule_set.to_dict()
    before = previous.rule_set.to_dict() if previous else {}
    return [
        {
            "name": name,
            "note": note,
            "value": current.get(name),
            "text": rule_text(current.get(name)),
            "previous": before.get(name),
            "previous_text": rule_text(before[name]) if name in before else "",
            "changed": previous is not None and before.get(name) != current.get(name),
        }
        for name, note in engine.RULE_NOTES.items()
    ]
