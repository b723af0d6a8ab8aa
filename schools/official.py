"""The MOE's own school statistics read back for the checks of schools.official_check, and
the counties' answers to the findings (the files are loaded by schools/official_import.py).

The statistics are public open data (政府資料開放授權條款): every reader sees the same
figures; the roster rows they are compared with are read through portal.access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from budget import rules as engine
from portal import access
from portal.cache import cached_for, invalidate, version
from portal.imports.table import Problem
from portal.models import User
from schools import official_check as check
from schools.models import (
    FindingAnswer,
    OfficialRemoteSchool,
    OfficialSchoolFigures,
    OfficialSource,
    PlanYear,
    RosterRow,
)

OFFICIAL = "official"
"""The read cache's namespace of the statistics and the answers (the roster's token is part of each key)."""


# --- Reads ---------------------------------------------------------------------------------


def statistics_for(*, plan_year: PlanYear, codes: set[str] | None = None) -> check.Statistics:
    """The statistics a plan year's roster is checked against: its survey year's (110 for
    111) 校別資料, and the latest 偏遠地區學校名錄 up to the plan year. Three queries."""
    school_year = plan_year.survey_year
    figures = OfficialSchoolFigures.objects.filter(school_year=school_year)
    levels = frozenset(figures.values_list("level", flat=True).distinct().order_by())
    if codes is not None:
        figures = figures.filter(code__in=codes)
    loaded = {}
    all_codes = set()
    for row in figures.values("code", "level", "name", "classes", "students", "teachers", "max_class_size"):
        loaded[(row["code"], row["level"])] = check.OfficialFigures(**row)
        all_codes.add(row["code"])
    remote_year = OfficialRemoteSchool.objects.filter(year__lte=plan_year.year).aggregate(y=Max("year"))["y"]
    if remote_year is None:
        remote_year = OfficialRemoteSchool.objects.aggregate(y=Max("year"))["y"]
    remote = {}
    if remote_year is not None:
        listed = OfficialRemoteSchool.objects.filter(year=remote_year)
        if codes is not None:
            listed = listed.filter(code__in=codes)
        remote = dict(listed.values_list("code", "grade"))
    return check.Statistics(
        school_year=school_year if levels else None,
        levels=levels,
        figures=loaded,
        codes=frozenset(all_codes),
        remote_year=remote_year,
        remote=remote,
    )


def check_facts(
    entries: list[tuple[str, engine.RowFacts]], *, plan_year: PlanYear, rules: engine.RuleSet | None = None
) -> list[check.RowCheck]:
    """Each (code, facts) checked against the plan year's statistics (a constant number of queries)."""
    statistics = statistics_for(plan_year=plan_year, codes={code for code, _ in entries})
    rules = rules or plan_year.rule_set
    return [check.check_row(facts, code, statistics, rules) for code, facts in entries]


# The roster column each kind of finding is about (the preview names it with its letter).
FINDING_COLUMNS = {
    check.MISSING: "code",
    check.CLASSES: "classes",
    check.STUDENTS: "students",
    check.TEACHERS: "teachers",
    check.MAX_CLASS_SIZE: "max_class_size",
    check.REMOTE: "area",
}


def official_warnings(parse, plan_year: PlanYear) -> list[Problem]:
    """The import preview's warnings: each finding of the file's valid rows, at its row and column."""
    rows = [row for row in parse.rows if row.valid and row.classes is not None]
    if not rows:
        return []
    warnings = []
    for row, result in zip(rows, check_facts([(r.code, r.facts) for r in rows], plan_year=plan_year), strict=True):
        for finding in result.findings:
            warnings.append(Problem(row.excel_row, parse.where(FINDING_COLUMNS[finding.kind]), finding.message))
    return warnings


@dataclass
class FindingLine:
    """A finding as the pages list it: the row's school and the county's answer."""

    finding: check.Finding
    school_name: str
    county: str
    county_code: str
    answer: FindingAnswer | None


@dataclass
class FindingsReport:
    lines: list[FindingLine]
    rows_checked: int
    rows_with_findings: int
    devices: int
    """Sum over the rows with findings of the row's effect (all its figures replaced)."""
    money_ntd: int
    statistics: check.Statistics
    sources: list[OfficialSource]

    @property
    def answered(self) -> int:
        return sum(1 for line in self.lines if line.answer is not None)


def roster_findings(*, user: User, plan_year: PlanYear, county=None) -> FindingsReport:
    """The findings of the roster rows the user may see (a county's, or every county's)."""
    rows = access.for_user(RosterRow.objects.filter(plan_year=plan_year), user)
    if county is not None:
        rows = rows.filter(school__county=county)
    values = list(
        rows.values(
            "school_id",
            "level",
            "area",
            "classes",
            "max_class_size",
            "teachers",
            "students",
            "name",
            "school__code",
            "school__county__name",
            "school__county__code",
        )
    )
    statistics = statistics_for(plan_year=plan_year, codes={v["school__code"] for v in values})
    rules = plan_year.rule_set
    answers = {
        (a.school_id, a.level, a.kind): a
        for a in access.for_user(FindingAnswer.objects.filter(plan_year=plan_year), user).select_related("answered_by")
    }
    lines, devices, money, with_findings = [], 0, 0, 0
    for v in values:
        facts = engine.RowFacts(v["level"], v["area"], v["classes"], v["max_class_size"], v["teachers"], v["students"])
        result = check.check_row(facts, v["school__code"], statistics, rules)
        if not result.findings:
            continue
        with_findings += 1
        devices += result.devices
        money += result.money_ntd
        for finding in result.findings:
            lines.append(
                FindingLine(
                    finding=finding,
                    school_name=v["name"],
                    county=v["school__county__name"],
                    county_code=v["school__county__code"],
                    answer=answers.get((v["school_id"], v["level"], finding.kind)),
                )
            )
    return FindingsReport(
        lines=lines,
        rows_checked=len(values),
        rows_with_findings=with_findings,
        devices=devices,
        money_ntd=money,
        statistics=statistics,
        sources=list(OfficialSource.objects.all()[:10]),
    )


def findings_summary(*, user: User, plan_year: PlanYear, county=None) -> dict:
    """How many findings, answered, and their money effect: the roster page's and the plan's
    card; cached until the roster, the statistics or an answer changes."""

    def compute() -> dict:
        report = roster_findings(user=user, plan_year=plan_year, county=county)
        return {
            "loaded": report.statistics.school_year is not None,
            "school_year": report.statistics.school_year,
            "findings": len(report.lines),
            "answered": report.answered,
            "rows": report.rows_with_findings,
            "devices": report.devices,
            "money_ntd": report.money_ntd,
        }

    parts = ("summary", plan_year.pk, county.pk if county else None, version("roster"))
    return cached_for(user, OFFICIAL, parts, compute)


def review_findings(*, user: User, plan_year: PlanYear, county, top: int = 10) -> dict:
    """The plan review's part: the county's findings with the largest money effect first.

    Kept in the read cache: the plan page is the reviewer's most visited page and the check of
    every row against the statistics was an eighth of its time. It changes with the roster, the
    statistics or an answer (OFFICIAL) and the year's rules (PLAN_YEARS)."""

    def compute() -> dict:
        report = roster_findings(user=user, plan_year=plan_year, county=county)
        lines = sorted(report.lines, key=lambda line: (-abs(line.finding.money_ntd), line.finding.key))
        return {"report": report, "top": lines[:top], "more": max(0, len(lines) - top)}

    parts = (
        "review",
        plan_year.pk,
        county.pk if county else None,
        top,
        version("roster"),
        version("plan_years"),
    )
    return cached_for(user, OFFICIAL, parts, compute)


SORTS = {
    "money": lambda line: (-line.finding.money_ntd, line.finding.key),
    "money_asc": lambda line: (line.finding.money_ntd, line.finding.key),
    "school": lambda line: line.finding.key,
}


def sorted_lines(lines: list[FindingLine], sort: str) -> list[FindingLine]:
    return sorted(lines, key=SORTS.get(sort, SORTS["school"]))


# --- Answers -------------------------------------------------------------------------------


class AnswerRefused(Exception):
    pass


@transaction.atomic
def finding_answer_save(
    *, user: User, plan_year: PlanYear, code: str, level: str, kind: str, reason: str
) -> FindingAnswer:
    """The county's reason for one finding of one of its rows (replacing an earlier one)."""
    reason = (reason or "").strip()
    if not reason:
        raise AnswerRefused("請寫下差異的原因")
    if len(reason) > 1000:
        raise AnswerRefused("說明請在 1,000 字以內")
    row = (
        access.for_user(RosterRow.objects.filter(plan_year=plan_year), user)
        .filter(school__code=code, level=level)
        .select_related("school")
        .first()
    )
    if row is None:
        raise AnswerRefused("找不到這一列，或您沒有權限回覆")
    result = check_facts([(code, row.facts)], plan_year=plan_year)[0]
    finding = next((f for f in result.findings if f.kind == kind), None)
    if finding is None:
        raise AnswerRefused("這一列目前沒有這項差異（名單或統計資料可能已更新），請重新整理頁面")
    invalidate(OFFICIAL)
    answer, _ = FindingAnswer.objects.update_or_create(
        plan_year=plan_year,
        school=row.school,
        level=level,
        kind=kind,
        defaults={
            "reason": reason,
            "county_value": finding.county_value[:20],
            "official_value": finding.official_value[:20],
            "answered_by": user,
        },
    )
    return answer
