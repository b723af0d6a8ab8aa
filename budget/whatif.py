"""What-if rules: the counties' entitlement under a changed rule set beside the real one.

Pure Python like the engine (no Django, no database, integer NTD): the caller hands in each
county's roster rows and the plan's own figures (MDM licences, training sessions, substitute
periods), and gets per county and nationally the devices, carts, staff and money of the
lines the rules decide (1-4, 7-10, 計算補助數 before anything previously subsidised), under
both rule sets, with the difference."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from budget import rules as engine


@dataclass(frozen=True)
class CountyInputs:
    county: str
    entries: tuple[engine.RosterEntry, ...]
    mdm_devices: int = 0
    """Existing devices without an MDM licence (line 4), as the county's plan says."""
    training_sessions: int = 0
    substitute_periods: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    schools: int = 0
    teacher_devices: int = 0
    student_devices: int = 0
    carts: int = 0
    staff: int = 0
    devices_ntd: int = 0
    carts_ntd: int = 0
    mdm_ntd: int = 0
    staff_ntd: int = 0
    operating_ntd: int = 0
    training_ntd: int = 0
    substitutes_ntd: int = 0

    @property
    def devices(self) -> int:
        return self.teacher_devices + self.student_devices

    @property
    def total_ntd(self) -> int:
        return (
            self.devices_ntd
            + self.carts_ntd
            + self.mdm_ntd
            + self.staff_ntd
            + self.operating_ntd
            + self.training_ntd
            + self.substitutes_ntd
        )

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def __sub__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})


# What the tables and the workbook show, in order: (attribute, label, is money).
MEASURES = (
    ("schools", "學校數", False),
    ("teacher_devices", "教師載具（臺）", False),
    ("student_devices", "學生載具（臺）", False),
    ("carts", "充電車（臺）", False),
    ("staff", "專任人力（人）", False),
    ("devices_ntd", "學習載具（元）", True),
    ("carts_ntd", "行動充電車（元）", True),
    ("mdm_ntd", "MDM 授權（元）", True),
    ("staff_ntd", "專任人力（元）", True),
    ("operating_ntd", "運作費（元）", True),
    ("training_ntd", "增能研習費（元）", True),
    ("substitutes_ntd", "代理代課費（元）", True),
    ("total_ntd", "合計（元）", True),
)


def county_figures(inputs: CountyInputs, rules: engine.RuleSet) -> Figures:
    totals = engine.county_totals(inputs.entries, rules)
    staff = engine.entitled_staffing(totals.schools, rules)
    return Figures(
        schools=totals.schools,
        teacher_devices=totals.teacher_devices,
        student_devices=totals.student_devices,
        carts=totals.carts,
        staff=staff.persons,
        devices_ntd=totals.devices * rules.device_unit_price,
        carts_ntd=totals.carts * rules.cart_unit_price,
        mdm_ntd=inputs.mdm_devices * rules.mdm_licence_unit_price,
        staff_ntd=staff.amount_ntd,
        operating_ntd=engine.operating_fee(totals.schools, rules),
        training_ntd=engine.training_amount(inputs.training_sessions, rules),
        substitutes_ntd=engine.substitute_amount(inputs.substitute_periods, rules),
    )


@dataclass(frozen=True)
class Line:
    county: str
    real: Figures
    scenario: Figures

    @property
    def difference(self) -> Figures:
        return self.scenario - self.real


@dataclass(frozen=True)
class Comparison:
    counties: tuple[Line, ...]
    national: Line


def compare(counties: Iterable[CountyInputs], real: engine.RuleSet, scenario: engine.RuleSet) -> Comparison:
    lines = tuple(Line(c.county, county_figures(c, real), county_figures(c, scenario)) for c in counties)
    national = Line(
        "全國",
        sum((line.real for line in lines), Figures()),
        sum((line.scenario for line in lines), Figures()),
    )
    return Comparison(lines, national)


def changed_parameters(real: engine.RuleSet, scenario: engine.RuleSet) -> list[tuple[str, object, object]]:
    """(key, real value, scenario value) of every parameter the scenario changes, as stored."""
    before, after = real.to_dict(), scenario.to_dict()
    return [(key, before.get(key), after[key]) for key in after if key != "year" and before.get(key) != after[key]]
