"""The MOE's own school statistics in the portal: loaded through the import pipeline (one
kind, three layouts: 國民小學校別資料 basec, 國民中學校別資料 basej, 偏遠地區學校名錄), read
back for the checks of schools.official_check, and the counties' answers to the findings.

The statistics are public open data (政府資料開放授權條款): every reader sees the same
figures; the roster rows they are compared with are read through portal.access."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from budget import rules as engine
from portal import access
from portal.cache import cached_for, invalidate, version
from portal.counties import canonical_county
from portal.imports import cells
from portal.imports.cells import CellError
from portal.imports.kinds import ImportKind, ImportTarget, Parse, Preview, Urls, register
from portal.imports.table import Column, Problem
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
from schools.realdata import school_counts

OFFICIAL = "official"
"""The read cache's namespace of the statistics and the answers (the roster's token is part of each key)."""
DEFAULT_SOURCE = "教育部統計處 stats.moe.gov.tw（政府資料開放平臺 data.gov.tw）"
DEFAULT_LICENCE = "政府資料開放授權條款－第1版"
GRADES = {engine.ELEMENTARY: range(1, 7), engine.JUNIOR_HIGH: range(7, 10)}
REMOTE_GRADES = {
    "偏遠": engine.AREA_REMOTE,
    "特偏": engine.AREA_SPECIAL_REMOTE,
    "特殊偏遠": engine.AREA_SPECIAL_REMOTE,
    "極偏": engine.AREA_EXTREME_REMOTE,
    "極度偏遠": engine.AREA_EXTREME_REMOTE,
}


def _grade_columns() -> tuple[Column, ...]:
    columns = []
    for grade in range(1, 10):
        columns += [
            Column(f"g{grade}_classes", f"{grade}年級班級數", required=False, aliases=(f"{grade}年級",)),
            Column(f"g{grade}_boys", f"{grade}年級男學生數", required=False, aliases=(f"{grade}年級男",)),
            Column(f"g{grade}_girls", f"{grade}年級女學生數", required=False, aliases=(f"{grade}年級女",)),
        ]
    return tuple(columns)


COLUMNS: tuple[Column, ...] = (
    Column("code", "學校代碼"),
    Column("name", "學校名稱"),
    Column("county", "縣市名稱", required=False, aliases=("縣市",)),
    Column("school_year", "學年度", required=False),
    Column("classes", "班級數", required=False),
    Column("students", "學生數", required=False, aliases=("學生數總計",)),
    Column("male_teachers", "男專任教師", required=False),
    Column("female_teachers", "女專任教師", required=False),
    Column("area", "地區屬性", required=False),
    *_grade_columns(),
)


@dataclass(frozen=True)
class OfficialTarget(ImportTarget):
    """The year the file is for (when it has no 學年度 column), its source and licence."""

    year: int | None = None
    source: str = DEFAULT_SOURCE
    licence: str = DEFAULT_LICENCE
    sha256: str = ""


@dataclass
class OfficialParse(Parse):
    kind: str = ""
    """OfficialSource.Kind of the file, from its columns."""
    year: int | None = None


def _count(value) -> int:
    """A count as the MOE's files write it: 1,143; " -" for none; a number cell."""
    if cells.blank(value):
        return 0
    if isinstance(value, bool):
        raise CellError("不是數字")
    if isinstance(value, int | float):
        if value < 0 or value != int(value):
            raise CellError("不是 0 或正整數")
        return int(value)
    text = cells.nfkc(str(value)).strip().replace(",", "")
    if text in ("-", "－", "—"):
        return 0
    if not text.isdigit():
        raise CellError(f"「{str(value)[:20]}」不是數字")
    return int(text)


class OfficialStatisticsKind(ImportKind):
    """An operator's command (`load_official_statistics`), not an upload page: no URLs."""

    name = "official_statistics"
    title = "教育部學校統計資料"
    unit = "校"
    columns = COLUMNS
    anchors = ("code", "name")
    no_header = "找不到標題列（需有「學校代碼」與「學校名稱」），請使用教育部校別資料或偏遠地區學校名錄的原始欄位"
    max_rows = 5_000  # 2,668 國小 and 965 國中 nationally
    urls = Urls(upload="", preview="", confirm="", discard="", done="")
    refusal = "只有系統管理者可以載入教育部統計資料"

    def may_use(self, user) -> bool:
        return access.may_import_for_any_county(user)

    def new_parse(self) -> OfficialParse:
        return OfficialParse()

    def read_rows(self, parse: OfficialParse, *, target: OfficialTarget) -> None:
        indexes = parse.layout.indexes
        if "area" in indexes:
            parse.kind = OfficialSource.Kind.REMOTE
        elif any(f"g{g}_classes" in indexes for g in GRADES[engine.JUNIOR_HIGH]):
            parse.kind = OfficialSource.Kind.JUNIOR_HIGH
        elif any(f"g{g}_classes" in indexes for g in GRADES[engine.ELEMENTARY]):
            parse.kind = OfficialSource.Kind.ELEMENTARY
        else:
            parse.errors.append(
                Problem(
                    parse.layout.header_row,
                    "",
                    "看不出是國小校別資料、國中校別資料或偏遠地區學校名錄（缺少各年級班級數或地區屬性欄）",
                )
            )
            return
        if parse.kind != OfficialSource.Kind.REMOTE:
            missing = [
                c.label for c in COLUMNS if c.key in ("classes", "students", "male_teachers") and c.key not in indexes
            ]
            if missing:
                parse.errors.append(Problem(parse.layout.header_row, "", f"缺少欄位：{'、'.join(missing)}"))
                return
        years, seen = set(), set()
        level = engine.JUNIOR_HIGH if parse.kind == OfficialSource.Kind.JUNIOR_HIGH else engine.ELEMENTARY
        for number, raw in parse.layout.rows():
            if all(cells.blank(value) for value in raw.values()):
                continue
            try:
                code = cells.school_code(raw.get("code"))
            except CellError as exc:
                parse.errors.append(Problem(number, parse.where("code"), str(exc)))
                continue
            if code in seen:
                parse.errors.append(Problem(number, parse.where("code"), f"學校代碼 {code} 重複"))
                continue
            seen.add(code)
            name = cells.text(raw.get("name"))[:100]
            if parse.kind == OfficialSource.Kind.REMOTE:
                grade = REMOTE_GRADES.get(cells.nfkc(cells.text(raw.get("area"))).strip())
                if grade is None:
                    parse.errors.append(Problem(number, parse.where("area"), "地區屬性須為偏遠、特偏或極偏"))
                    continue
                parse.rows.append({"code": code, "name": name, "grade": grade})
                continue
            try:
                counts = {
                    key: str(_count(raw.get(key))) for key in raw if key not in ("code", "name", "county", "area")
                }
            except CellError as exc:
                parse.errors.append(Problem(number, "", f"{code}：{exc}"))
                continue
            if "school_year" in raw and counts.get("school_year", "0") != "0":
                years.add(int(counts["school_year"]))
            row = {
                "班級數": counts.get("classes", "0"),
                "學生數": counts.get("students", "0"),
                "男專任教師": counts.get("male_teachers", "0"),
                "女專任教師": counts.get("female_teachers", "0"),
            }
            for grade in GRADES[level]:
                row[f"{grade}年級班級數"] = counts.get(f"g{grade}_classes", "0")
                row[f"{grade}年級男學生數"] = counts.get(f"g{grade}_boys", "0")
                row[f"{grade}年級女學生數"] = counts.get(f"g{grade}_girls", "0")
            classes, students, teachers, largest = school_counts(row, level)
            county = canonical_county(cells.text(raw.get("county"))) or ""
            parse.rows.append(
                {
                    "code": code,
                    "level": level,
                    "name": name,
                    "county": county,
                    "classes": classes,
                    "students": students,
                    "teachers": teachers,
                    "max_class_size": largest,
                }
            )
        if len(years) > 1:
            parse.errors.append(Problem(None, parse.where("school_year"), f"檔案含多個學年度：{sorted(years)}"))
        parse.year = years.pop() if len(years) == 1 else target.year
        if target.year is not None and parse.year != target.year:
            parse.errors.append(Problem(None, "", f"檔案為 {parse.year} 學年度，與指定的 {target.year} 不同"))
        if parse.year is None:
            parse.errors.append(Problem(None, "", "檔案沒有學年度欄，請以 --year 指定年度（如 110）"))

    def check(self, parse: OfficialParse, *, target, user) -> Preview:
        return Preview(parse=parse, summary={"rows": len(parse.rows), "kind": parse.kind, "year": parse.year})

    def write(self, preview: Preview, *, target: OfficialTarget, user, source: str) -> dict:
        parse: OfficialParse = preview.parse
        record = OfficialSource.objects.create(
            kind=parse.kind,
            year=parse.year,
            source=target.source,
            licence=target.licence,
            file_name=source[:255],
            sha256=target.sha256,
            rows=len(parse.rows),
            loaded_by=user,
        )
        if parse.kind == OfficialSource.Kind.REMOTE:
            OfficialRemoteSchool.objects.filter(year=parse.year).delete()
            OfficialRemoteSchool.objects.bulk_create(
                [OfficialRemoteSchool(source=record, year=parse.year, **row) for row in parse.rows], batch_size=2000
            )
        else:
            level = parse.rows[0]["level"]
            OfficialSchoolFigures.objects.filter(school_year=parse.year, level=level).delete()
            OfficialSchoolFigures.objects.bulk_create(
                [OfficialSchoolFigures(source=record, school_year=parse.year, **row) for row in parse.rows],
                batch_size=2000,
            )
        invalidate(OFFICIAL)
        return {**preview.summary, "source": record.pk}

    def command_message(self, summary: dict, target) -> str:
        label = OfficialSource.Kind(summary["kind"]).label
        return f"已載入{label} {summary['year']} 年 {summary['rows']:,} 校（來源與授權已記錄）"


OFFICIAL_STATISTICS = register(OfficialStatisticsKind())


def official_target(content: bytes, *, year: int | None, source: str = "", licence: str = "") -> OfficialTarget:
    return OfficialTarget(
        plan_year=None,
        year=year,
        source=source or DEFAULT_SOURCE,
        licence=licence or DEFAULT_LICENCE,
        sha256=hashlib.sha256(content).hexdigest(),
    )


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
