"""A roster row against the MOE's own school statistics: pure Python (no Django, no
database), so that the import preview, the roster, the review and the tests ask the same.

Each difference beyond the rule set's tolerance is a finding with both values and its money
effect: the entitlement with the county's figures minus the entitlement with that one figure
replaced by the statistics' (in devices and NTD: devices x device price + carts x cart price).
A row's own effect replaces all of its figures at once. A positive effect means the county's
figures ask for more than the statistics would give."""

from __future__ import annotations

from dataclasses import dataclass, replace

from budget import rules as engine

CLASSES, STUDENTS, TEACHERS, MAX_CLASS_SIZE, REMOTE, MISSING = (
    "classes",
    "students",
    "teachers",
    "max_class_size",
    "remote",
    "missing",
)
KIND_LABELS = {
    MISSING: "教育部統計查無此校",
    CLASSES: "班級數",
    STUDENTS: "學生數",
    TEACHERS: "編制教師數",
    MAX_CLASS_SIZE: "最大班級人數",
    REMOTE: "偏遠地區認定",
}
TOLERANCES = {
    CLASSES: "official_classes_tolerance_percent",
    STUDENTS: "official_students_tolerance_percent",
    TEACHERS: "official_teachers_tolerance_percent",
    MAX_CLASS_SIZE: "official_max_class_size_tolerance_percent",
}
NOT_REMOTE = "（不在名錄）"


@dataclass(frozen=True)
class OfficialFigures:
    """One school level in the statistics (max_class_size derived from the per-grade figures)."""

    code: str
    level: str
    name: str
    classes: int
    students: int
    teachers: int
    max_class_size: int


@dataclass(frozen=True)
class Statistics:
    """What the statistics hold for the rows being checked."""

    school_year: int | None
    """The statistics' school year (110 for the 111 plan); None when none are loaded."""
    levels: frozenset[str]
    """Levels whose statistics are loaded for that year: a row of another level is not checked."""
    figures: dict[tuple[str, str], OfficialFigures]
    """(code, level) -> figures"""
    codes: frozenset[str]
    """Every code in the loaded statistics, whatever its level."""
    remote_year: int | None
    """The year of the remote-school list (名錄) compared with; None: no list, no remote check."""
    remote: dict[str, str]
    """code -> grade (偏遠/特偏/極偏) of the schools on the list."""


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    kind: str
    county_value: str
    official_value: str
    message: str
    devices: int
    """Entitled devices (teacher + student) with the county's figure minus with the statistics'."""
    carts: int
    money_ntd: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.level, self.kind)


@dataclass(frozen=True)
class RowCheck:
    code: str
    level: str
    findings: tuple[Finding, ...]
    devices: int
    """The row's effect with every figure replaced by the statistics'."""
    money_ntd: int


def exceeds(county: int, official: int, percent: int) -> bool:
    """|county - official| beyond percent% of official (integers only; official 0: any difference)."""
    return abs(county - official) * 100 > percent * official


def _effect(before: engine.Entitlement, after: engine.Entitlement, rules: engine.RuleSet) -> tuple[int, int, int]:
    devices = before.devices - after.devices
    carts = before.carts - after.carts
    return devices, carts, devices * rules.device_unit_price + carts * rules.cart_unit_price


def _money(devices: int, money: int) -> str:
    sign = "+" if money > 0 else ""
    return f"以統計數計算，補助數相差 {devices:+,} 臺、{sign}{money:,} 元"


def official_area(county_area: str, code: str, statistics: Statistics) -> str:
    """The area the statistics give a row: its grade on the list, else 非山非市 as the county
    says (the list does not name those; nothing to check), else 一般."""
    if code in statistics.remote:
        return statistics.remote[code]
    return engine.AREA_NEITHER if county_area == engine.AREA_NEITHER else engine.AREA_GENERAL


def check_row(facts: engine.RowFacts, code: str, statistics: Statistics, rules: engine.RuleSet) -> RowCheck:
    """Every finding of one roster row (one school level)."""
    if statistics.school_year is None or facts.level not in statistics.levels:
        return RowCheck(code, facts.level, (), 0, 0)
    county = engine.entitle_row(facts, rules)
    official = statistics.figures.get((code, facts.level))
    year = statistics.school_year
    if official is None:
        devices, carts, money = county.devices, county.carts, _effect(county, _nothing(facts), rules)[2]
        where = "有此學校代碼的其他學制，但沒有" if code in statistics.codes else "沒有學校代碼"
        message = f"教育部 {year} 學年度{facts.level}校別資料{where} {code}（{facts.level}）；{_money(devices, money)}"
        finding = Finding(code, facts.level, MISSING, code, "—", message, devices, carts, money)
        return RowCheck(code, facts.level, (finding,), devices, money)

    findings = []
    for kind in (CLASSES, STUDENTS, TEACHERS, MAX_CLASS_SIZE):
        mine, theirs = getattr(facts, kind), getattr(official, kind)
        percent = getattr(rules, TOLERANCES[kind])
        if not exceeds(mine, theirs, percent):
            continue
        devices, carts, money = _effect(county, engine.entitle_row(replace(facts, **{kind: theirs}), rules), rules)
        share = f"，相差 {(mine - theirs) * 100 / theirs:+.1f}%" if theirs else ""
        allowed = f"（容許 ±{percent}%）" if percent else ""
        message = (
            f"{KIND_LABELS[kind]} {mine:,} 與教育部 {year} 學年度統計 {theirs:,} 不同{share}{allowed}；"
            f"{_money(devices, money)}"
        )
        findings.append(Finding(code, facts.level, kind, str(mine), str(theirs), message, devices, carts, money))

    area = official_area(facts.area, code, statistics)
    if statistics.remote_year is not None and engine.is_remote(facts.area, rules) != engine.is_remote(area, rules):
        devices, carts, money = _effect(county, engine.entitle_row(replace(facts, area=area), rules), rules)
        listed = statistics.remote.get(code)
        theirs = f"列為{listed}" if listed else "未列此校"
        message = (
            f"地區屬性填「{facts.area}」，教育部 {statistics.remote_year} 年偏遠地區學校名錄{theirs}；"
            f"{_money(devices, money)}"
        )
        findings.append(
            Finding(code, facts.level, REMOTE, facts.area, listed or NOT_REMOTE, message, devices, carts, money)
        )

    whole = engine.RowFacts(
        facts.level, area, official.classes, official.max_class_size, official.teachers, official.students
    )
    devices, _carts, money = _effect(county, engine.entitle_row(whole, rules), rules)
    if not findings:
        devices = money = 0  # within every tolerance: nothing to answer for
    return RowCheck(code, facts.level, tuple(findings), devices, money)


def _nothing(facts: engine.RowFacts) -> engine.Entitlement:
    return engine.Entitlement(remote=False, device_classes=0, carts=0, teacher_devices=0, student_devices=0)
