"""The equity view (貳、五 「偏鄉學校數位優先」): per county and per school, students per device
(registered and entitled), devices enrolled in MDM, usage hours per active device per month,
the A1+A2 trained share; remote schools beside the others; and for each county the spread
across its schools (min, quartiles, max: the auditors' 0.84-to-3.98) with the schools at the
extremes.

Ratios are kept as integers in hundredths (students per device 1.23 -> 123, a share 45.6% ->
4560), rounded half up: no floats. Devices come from `devices.selectors.school_device_counts`,
training from `training.selectors.progress_for_schools`; usage and the roster are read here.
A constant number of queries, whatever the number of schools."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet, Sum

from budget import rules as engine
from devices import selectors as device_selectors
from reporting.models import UsageRecord
from schools.models import County, PlanYear, RosterRow, School
from training import selectors as training_selectors


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    numerator: str
    denominator: str
    scale: int
    """value = numerator x scale / denominator, in hundredths of the unit."""
    higher_is_better: bool
    definition: str
    needs_numerator: bool = False
    """A school whose numerator is 0 has no value (a school without students has no ratio)."""


MEASURES = (
    Measure(
        "students_per_device",
        "學生數／登錄學生載具",
        "人／臺",
        "students",
        "registered_student",
        100,
        False,
        "學生數 ÷ 登錄在校的學生用載具數（不含遺失、報廢），各種經費來源都算",
        needs_numerator=True,
    ),
    Measure(
        "students_per_entitled",
        "學生數／應補助學生載具",
        "人／臺",
        "students",
        "entitled_student",
        100,
        False,
        "學生數 ÷ 依補助原則計算之學生載具數",
        needs_numerator=True,
    ),
    Measure(
        "mdm_percent",
        "MDM 註冊率",
        "%",
        "mdm",
        "registered",
        10_000,
        True,
        "登錄在校的載具中已註冊 MDM 的比率",
    ),
    Measure(
        "hours_per_device",
        "每活躍載具每月使用時數",
        "小時",
        "hours_tenths",
        "device_months",
        10,
        True,
        "平臺使用時數 ÷ 各月活躍載具數的合計（同校同月多個平臺取最大活躍載具數）",
    ),
    Measure(
        "a1a2_percent",
        "A1＋A2 培訓比率",
        "%",
        "a1a2",
        "teachers",
        10_000,
        True,
        "完成數位學習工作坊 A1 及 A2 的教師 ÷ 名單編制教師數",
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
SUMMED = ("students", "registered", "registered_student", "mdm", "entitled_student", "hours_tenths", "device_months")
SUMMED += ("a1a2", "teachers")


def shown(measure: Measure, value: int | None) -> str:
    """A value in hundredths as the page prints it: 1.23 (人／臺, 小時), 45.6% (one decimal)."""
    if value is None:
        return "—"
    if measure.unit == "%":
        tenths = engine.divide_half_up(value, 10)
        return f"{tenths // 10:,}.{tenths % 10}%"
    return f"{value // 100:,}.{value % 100:02d}"


def ratio(numerator: int, denominator: int, scale: int) -> int | None:
    if not denominator:
        return None
    return engine.divide_half_up(numerator * scale, denominator)


@dataclass
class SchoolFigures:
    school_id: int
    code: str
    name: str
    county_id: int
    remote: bool
    counts: dict[str, int] = field(default_factory=dict)

    def value(self, measure: Measure) -> int | None:
        numerator = self.counts.get(measure.numerator, 0)
        if measure.needs_numerator and not numerator:
            return None
        return ratio(numerator, self.counts.get(measure.denominator, 0), measure.scale)


@dataclass(frozen=True)
class Spread:
    """The spread of one measure across a county's schools (schools without a value left out)."""

    schools: int
    minimum: int | None
    q1: int | None
    median: int | None
    q3: int | None
    maximum: int | None
    lowest: SchoolFigures | None
    highest: SchoolFigures | None


def quantile(values: list[int], numerator: int, denominator: int) -> int:
    """The q-quantile (numerator/denominator) of sorted integers, linearly interpolated
    (Excel's QUARTILE.INC), rounded half up."""
    position_n = (len(values) - 1) * numerator
    index, remainder = divmod(position_n, denominator)
    if remainder == 0 or index + 1 >= len(values):
        return values[index]
    low, high = values[index], values[index + 1]
    return low + engine.divide_half_up((high - low) * remainder, denominator)


def spread(schools: list[SchoolFigures], measure: Measure) -> Spread:
    valued = sorted(
        ((school.value(measure), school) for school in schools if school.value(measure) is not None),
        key=lambda pair: (pair[0], pair[1].code),
    )
    if not valued:
        return Spread(0, None, None, None, None, None, None, None)
    values = [v for v, _ in valued]
    return Spread(
        schools=len(values),
        minimum=values[0],
        q1=quantile(values, 1, 4),
        median=quantile(values, 1, 2),
        q3=quantile(values, 3, 4),
        maximum=values[-1],
        lowest=valued[0][1],
        highest=valued[-1][1],
    )


@dataclass
class CountyEquity:
    county: County
    schools: list[SchoolFigures]

    def totals(self, remote: bool | None = None) -> dict[str, int]:
        chosen = [s for s in self.schools if remote is None or s.remote is remote]
        return {key: sum(s.counts.get(key, 0) for s in chosen) for key in SUMMED}

    def value(self, measure: Measure, remote: bool | None = None) -> int | None:
        totals = self.totals(remote)
        return ratio(totals[measure.numerator], totals[measure.denominator], measure.scale)

    def spread(self, measure: Measure) -> Spread:
        return spread(self.schools, measure)


def school_figures(*, schools: QuerySet, plan_year: PlanYear) -> list[SchoolFigures]:
    """Every roster school of `schools` (already scoped by the caller) with its counts."""
    rules = plan_year.rule_set
    rows = (
        RosterRow.objects.filter(plan_year=plan_year, school__in=schools)
        .values("school_id", "school__code", "school__name", "school__county_id")
        .annotate(
            students=Sum("students"),
            entitled_student=Sum("entitled_student_devices"),
            remote_rows=Count("pk", filter=Q(area__in=rules.remote_areas)),
        )
        .order_by("school__code")
    )
    county_ids = list(schools.values_list("county_id", flat=True).distinct().order_by())
    devices = device_selectors.school_device_counts(county_ids=county_ids)
    usage: dict[int, list[int]] = {}
    monthly = (
        UsageRecord.objects.filter(plan_year=plan_year, school__in=schools)
        .values("school_id", "month")
        .annotate(hours=Sum("hours"), devices=Max("active_devices"))
        .order_by()
    )
    for item in monthly:
        totals = usage.setdefault(item["school_id"], [0, 0])
        totals[0] += int(item["hours"] * 10)  # hours have one decimal: tenths are exact
        totals[1] += item["devices"]
    progress = training_selectors.progress_for_schools(schools=schools, plan_year=plan_year, label="")
    trained = {p.code: (p.a1a2, p.teachers) for p in progress.rows}
    result = []
    for row in rows:
        pk = row["school_id"]
        d = devices.get(pk, {})
        hours_tenths, device_months = usage.get(pk, (0, 0))
        a1a2, teachers = trained.get(row["school__code"], (0, 0))
        result.append(
            SchoolFigures(
                school_id=pk,
                code=row["school__code"],
                name=row["school__name"],
                county_id=row["school__county_id"],
                remote=bool(row["remote_rows"]),
                counts={
                    "students": row["students"] or 0,
                    "entitled_student": row["entitled_student"] or 0,
                    "registered": d.get("registered", 0),
                    "registered_student": d.get("registered_student", 0),
                    "mdm": d.get("mdm", 0),
                    "hours_tenths": hours_tenths,
                    "device_months": device_months,
                    "a1a2": a1a2,
                    "teachers": teachers,
                },
            )
        )
    return result


def equity(*, counties: list[County], plan_year: PlanYear) -> list[CountyEquity]:
    """Each county of `counties` (those the reader may see) with its schools' figures."""
    schools = School.objects.filter(county__in=counties)
    figures = school_figures(schools=schools, plan_year=plan_year)
    by_county: dict[int, list[SchoolFigures]] = {c.pk: [] for c in counties}
    for school in figures:
        by_county[school.county_id].append(school)
    return [CountyEquity(county, by_county[county.pk]) for county in counties]


def national(counties: list[CountyEquity]) -> CountyEquity:
    """All counties' schools as one (the national line and its spread)."""
    everyone = County(name="全國", code="")
    return CountyEquity(everyone, [school for c in counties for school in c.schools])
