"""The subsidy engine of 「推動中小學數位學習精進方案」.

Pure Python on purpose: no Django import, no database, no floats. Every figure is an
integer NTD amount or an integer count. A plan year's rules arrive as a `RuleSet`
(data stored with the PlanYear); the engine never looks anything up itself, so the 112
plan or another reading of the 111 text is a different `RuleSet`, not different code.

The section numbers in comments (六(三)1 ...) refer to the MOE's 111 plan text; the
readings of ambiguous sentences are documented in the project's subsidy-rules spec and
each one is a named field of `RuleSet` (marked "[reading]").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date as _date

ELEMENTARY = "國小"
JUNIOR_HIGH = "國中"
LEVELS = (ELEMENTARY, JUNIOR_HIGH)

# Area grades as the MOE's 偏遠地區學校名錄 writes them, plus the two non-remote kinds.
AREA_REMOTE = "偏遠"
AREA_SPECIAL_REMOTE = "特偏"
AREA_EXTREME_REMOTE = "極偏"
AREA_NEITHER = "非山非市"
AREA_GENERAL = "一般"
AREAS = (AREA_REMOTE, AREA_SPECIAL_REMOTE, AREA_EXTREME_REMOTE, AREA_NEITHER, AREA_GENERAL)

ROUND_CEIL = "ceil"
ROUND_FLOOR = "floor"

COUNT_BY_SCHOOL_CODE = "school_code"
COUNT_BY_ROW = "row"


class RuleSetError(ValueError):
    """A stored rule set that cannot be used (unknown key, wrong type, bad value)."""


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers only."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def to_thousands(ntd: int) -> int:
    """NTD -> 千元, rounded half up; only for display and export."""
    return divide_half_up(ntd, 1000)


@dataclass(frozen=True)
class StaffTier:
    """`persons` staff while the county has at most `max_schools` schools (None: no limit)."""

    max_schools: int | None
    persons: int


@dataclass(frozen=True)
class RuleSet:
    year: int

    # 六(三)1 學習載具, 六(三)2 行動充電車
    remote_areas: frozenset[str] = frozenset({AREA_REMOTE, AREA_SPECIAL_REMOTE, AREA_EXTREME_REMOTE})
    """[reading] 非山非市 is not remote."""
    remote_carts_per_class: int = 1
    """[reading] 「以每班學習載具充電需求估算」 = one cart per class."""
    classes_per_device_class: int = 6
    device_class_rounding: str = ROUND_CEIL
    teacher_devices_per_device_class: Mapping[str, int] = field(default_factory=lambda: {ELEMENTARY: 2, JUNIOR_HIGH: 3})
    carts_per_device_class: int = 1
    device_unit_price: int = 13_000
    cart_unit_price: int = 50_000

    # 六(三)3 既有學習載具 MDM, 六(三)7 增能研習, 六(三)8 代理代課
    mdm_licence_unit_price: int = 900
    training_session_unit_price: int = 25_000
    substitute_period_unit_price: Mapping[str, int] = field(default_factory=lambda: {ELEMENTARY: 320, JUNIOR_HIGH: 360})

    # 六(三)5 專任人力
    school_count_basis: str = COUNT_BY_SCHOOL_CODE
    """[reading] 「總校數」 counts distinct 學校代碼, so a 國中小 with two rows counts once."""
    schools_per_counselor: int = 50
    counselor_rounding: str = ROUND_CEIL
    """[reading] 「每 50 校補助 1 人」 rounds up: any county with a school gets at least 1."""
    schools_per_it_staff: int = 50
    it_staff_rounding: str = ROUND_CEIL
    """[reading] as for counsellors."""
    max_it_staff: int = 5
    admin_staff_tiers: tuple[StaffTier, ...] = (
        StaffTier(60, 1),
        StaffTier(180, 2),
        StaffTier(None, 3),
    )
    counselor_annual_rate: int = 750_000
    it_staff_annual_rate: int = 750_000
    admin_staff_annual_rate: int = 650_000
    prorate_staffing: bool = False
    """[reading] the rates are annual and the 11-month plan period is not prorated."""
    plan_months: int = 11

    # 六(三)6 運作費
    operating_fee_base: int = 1_000_000
    operating_fee_base_schools: int = 30
    operating_fee_per_extra_school: int = 10_000
    operating_fee_cap: int = 10_000_000

    # 五(四) targets the office must reach
    key_school_percent: int = 5
    """[reading] 「約為總校數 5%」 = ceil(N x 5 / 100)."""
    meetings_per_month: int = 1
    public_lessons_per_school: int = 1
    a1a2_target_percent_first_year: int = 25
    a1a2_full_by_year: int = 114
    literacy_training_target_percent: int = 10
    improved_students_target_percent: int = 30
    a1a2_first_year: int = 111
    """The plan year by whose end `a1a2_target_percent_first_year` of the teachers finished A1 and A2."""
    a1a2_full_target_percent: int = 100
    """[reading] 「4 年內完成所有教師」: every teacher by the end of `a1a2_full_by_year`; the years
    between are interpolated linearly (111: 25%, 112: 50%, 113: 75%, 114: 100%)."""
    it_staff_trained_per_school: int = 1
    """[reading] each school's 資訊組長 (or IT person) attends the IT staff workshop: 1 per school."""

    # 五(四)2(1)C, G and (3): usage hours, monthly reports (reporting app)
    usage_platforms: tuple[str, ...] = ("因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English", "其他")
    """Learning platforms a school reports hours for; another name in a file is refused."""
    monthly_report_deadline_day: int = 10
    """A month's report (月報) is due by this day of the next month."""
    monthly_report_reminder_days: int = 3
    """Reminder e-mails go out this many days before the deadline (and on the day itself)."""
    remote_devices_target_percent: int = 100
    other_schools_target_percent: int = 100

    # 五、設備 (devices app): delivery, MDM and warranty terms, reconciliation and expiry
    device_delivery_deadline: str = "2022-09-30"
    """ISO date by which a plan year's devices must reach the schools (111-09-30)."""
    mdm_licence_years: int = 4
    warranty_years: int = 4
    mdm_enrolment_threshold_percent: int = 80
    """Below this share of delivered devices enrolled in MDM, the reconciliation flags a school."""
    expiry_window_days: int = 180
    loan_default_days: int = 30

    # Checks of the roster against the MOE's own school statistics (schools.official_check):
    # a county's figure further than this from the statistics' is a finding (0: any difference).
    official_classes_tolerance_percent: int = 0
    official_students_tolerance_percent: int = 10
    official_teachers_tolerance_percent: int = 10
    official_max_class_size_tolerance_percent: int = 10

    def __post_init__(self) -> None:
        problems = []
        try:
            _date.fromisoformat(self.device_delivery_deadline)
        except (TypeError, ValueError):
            problems.append("device_delivery_deadline 必須是 YYYY-MM-DD 日期")
        if not 0 <= self.mdm_enrolment_threshold_percent <= 100:
            problems.append("mdm_enrolment_threshold_percent 必須介於 0 與 100")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            if value < 0:
                problems.append(f"{f.name} 不可為負數")
        for name in ("classes_per_device_class", "schools_per_counselor", "schools_per_it_staff"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} 必須大於 0")
        for name in ("device_class_rounding", "counselor_rounding", "it_staff_rounding"):
            if getattr(self, name) not in (ROUND_CEIL, ROUND_FLOOR):
                problems.append(f"{name} 必須是 ceil 或 floor")
        if self.school_count_basis not in (COUNT_BY_SCHOOL_CODE, COUNT_BY_ROW):
            problems.append("school_count_basis 必須是 school_code 或 row")
        for name in ("teacher_devices_per_device_class", "substitute_period_unit_price"):
            if set(getattr(self, name)) != set(LEVELS):
                problems.append(f"{name} 必須剛好列出國小與國中")
        unknown_areas = set(self.remote_areas) - set(AREAS)
        if unknown_areas:
            problems.append(f"remote_areas 含未知的地區屬性: {sorted(unknown_areas)}")
        if not self.admin_staff_tiers or self.admin_staff_tiers[-1].max_schools is not None:
            problems.append("admin_staff_tiers 的最後一級必須沒有上限")
        if not 1 <= self.monthly_report_deadline_day <= 28:
            problems.append("monthly_report_deadline_day 必須介於 1 與 28")
        if not self.usage_platforms or any(not isinstance(p, str) or not p for p in self.usage_platforms):
            problems.append("usage_platforms 必須列出至少一個平臺名稱")
        if not 1 <= self.plan_months <= 12:
            problems.append("plan_months 必須介於 1 與 12")
        if problems:
            raise RuleSetError("；".join(problems))

    # The rule set is stored as JSON with the plan year.
    def to_dict(self) -> dict:
        data = asdict(self)
        data["remote_areas"] = sorted(self.remote_areas, key=AREAS.index)
        data["teacher_devices_per_device_class"] = dict(self.teacher_devices_per_device_class)
        data["substitute_period_unit_price"] = dict(self.substitute_period_unit_price)
        data["usage_platforms"] = list(self.usage_platforms)
        data["admin_staff_tiers"] = [
            {"max_schools": t.max_schools, "persons": t.persons} for t in self.admin_staff_tiers
        ]
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> RuleSet:
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise RuleSetError(f"未知的規則參數: {', '.join(sorted(unknown))}")
        if "year" not in data:
            raise RuleSetError("規則缺少 year")
        values = dict(data)
        for name, value in values.items():
            expected = _json_type(known[name])
            if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise RuleSetError(f"{name} 必須是整數")
            if expected is bool and not isinstance(value, bool):
                raise RuleSetError(f"{name} 必須是 true 或 false")
            if expected is str and not isinstance(value, str):
                raise RuleSetError(f"{name} 必須是文字")
        try:
            if "remote_areas" in values:
                values["remote_areas"] = frozenset(values["remote_areas"])
            for name in ("teacher_devices_per_device_class", "substitute_period_unit_price"):
                if name in values:
                    values[name] = {str(k): int(v) for k, v in dict(values[name]).items()}
            if "usage_platforms" in values:
                values["usage_platforms"] = tuple(str(p) for p in values["usage_platforms"])
            if "admin_staff_tiers" in values:
                values["admin_staff_tiers"] = tuple(
                    StaffTier(t["max_schools"], int(t["persons"])) for t in values["admin_staff_tiers"]
                )
        except (TypeError, KeyError, ValueError) as exc:
            raise RuleSetError(f"規則格式錯誤: {exc}") from exc
        return cls(**values)

    @property
    def delivery_deadline(self) -> _date:
        return _date.fromisoformat(self.device_delivery_deadline)


def _json_type(f) -> type | None:
    annotation = str(f.type)
    return {"int": int, "bool": bool, "str": str}.get(annotation)


RULES_111 = RuleSet(year=111)
"""The 111 plan as the spec reads it. The database's PlanYear 111 holds the same values."""


def _divide(numerator: int, denominator: int, rounding: str) -> int:
    if rounding == ROUND_CEIL:
        return ceil_div(numerator, denominator)
    return numerator // denominator


# --- 1. One roster row -------------------------------------------------------------------


@dataclass(frozen=True)
class RowFacts:
    """The survey figures of one roster row (one 學制 of one school)."""

    level: str
    area: str
    classes: int
    max_class_size: int
    teachers: int
    students: int


@dataclass(frozen=True)
class Entitlement:
    remote: bool
    device_classes: int
    """Classes fitted with devices (每 6 班補助 1 班); for a remote row, every class."""
    carts: int
    teacher_devices: int
    student_devices: int

    @property
    def devices(self) -> int:
        return self.teacher_devices + self.student_devices


@dataclass(frozen=True)
class Requested:
    carts: int
    teacher_devices: int
    student_devices: int


def is_remote(area: str, rules: RuleSet) -> bool:
    return area in rules.remote_areas


def entitle_row(row: RowFacts, rules: RuleSet) -> Entitlement:
    """六(三)1(1) and 六(三)2(1) for one row."""
    if row.level not in LEVELS:
        raise ValueError(f"unknown level {row.level!r}")
    if is_remote(row.area, rules):
        return Entitlement(
            remote=True,
            device_classes=row.classes,
            carts=row.classes * rules.remote_carts_per_class,
            teacher_devices=row.teachers,
            student_devices=row.students,
        )
    device_classes = _divide(row.classes, rules.classes_per_device_class, rules.device_class_rounding)
    return Entitlement(
        remote=False,
        device_classes=device_classes,
        carts=device_classes * rules.carts_per_device_class,
        teacher_devices=device_classes * rules.teacher_devices_per_device_class[row.level],
        student_devices=device_classes * row.max_class_size,
    )


def complies(requested: Requested | None, entitlement: Entitlement) -> bool | None:
    """是 when the three requested counts equal the entitlement; None when not filled in."""
    if requested is None:
        return None
    return (
        requested.carts == entitlement.carts
        and requested.teacher_devices == entitlement.teacher_devices
        and requested.student_devices == entitlement.student_devices
    )


# --- 3. County totals, staffing, operating fee ------------------------------------------


@dataclass(frozen=True)
class Staffing:
    counselors: int
    it_staff: int
    admin_staff: int
    amount_ntd: int

    @property
    def persons(self) -> int:
        return self.counselors + self.it_staff + self.admin_staff


def staffing_amount(counselors: int, it_staff: int, admin_staff: int, rules: RuleSet) -> int:
    annual = (
        counselors * rules.counselor_annual_rate
        + it_staff * rules.it_staff_annual_rate
        + admin_staff * rules.admin_staff_annual_rate
    )
    if rules.prorate_staffing:
        return divide_half_up(annual * rules.plan_months, 12)
    return annual


def entitled_staffing(schools: int, rules: RuleSet) -> Staffing:
    """六(三)5: the office's full-time staff for a county with `schools` schools."""
    if schools <= 0:
        return Staffing(0, 0, 0, 0)
    counselors = _divide(schools, rules.schools_per_counselor, rules.counselor_rounding)
    it_staff = min(rules.max_it_staff, _divide(schools, rules.schools_per_it_staff, rules.it_staff_rounding))
    admin_staff = next(t.persons for t in rules.admin_staff_tiers if t.max_schools is None or schools <= t.max_schools)
    return Staffing(
        counselors=counselors,
        it_staff=it_staff,
        admin_staff=admin_staff,
        amount_ntd=staffing_amount(counselors, it_staff, admin_staff, rules),
    )


def operating_fee(schools: int, rules: RuleSet) -> int:
    """六(三)6: 30 schools or fewer get the base; each further school adds a step; capped."""
    if schools <= 0:
        return 0
    extra = max(0, schools - rules.operating_fee_base_schools)
    return min(rules.operating_fee_cap, rules.operating_fee_base + extra * rules.operating_fee_per_extra_school)


def key_schools_target(schools: int, rules: RuleSet) -> int:
    return ceil_div(schools * rules.key_school_percent, 100)


def a1a2_target_percent(year: int, rules: RuleSet) -> int:
    """五(四)2(2)B(B): share of teachers who finished both A1 and A2 by the end of `year`."""
    first, last = rules.a1a2_first_year, rules.a1a2_full_by_year
    start, full = rules.a1a2_target_percent_first_year, rules.a1a2_full_target_percent
    if year <= first or last <= first:
        return start if year <= first else full
    if year >= last:
        return full
    return start + divide_half_up((full - start) * (year - first), last - first)


def teachers_for_percent(teachers: int, percent: int) -> int:
    """How many of `teachers` make `percent` percent, rounded up (a target is reached, not approached)."""
    return ceil_div(teachers * percent, 100)


def share_percent_tenths(part: int, whole: int) -> int | None:
    """part / whole in tenths of a percent, rounded half up (25.3% -> 253); None when whole is 0."""
    if whole <= 0:
        return None
    return divide_half_up(part * 1000, whole)


def training_amount(sessions: int, rules: RuleSet) -> int:
    """六(三)7: line 9, the office's training sessions."""
    return sessions * rules.training_session_unit_price


def substitute_amount(periods: Mapping[str, int], rules: RuleSet) -> int:
    """六(三)8: line 10, substitute teachers' periods by level."""
    return sum(periods.get(level, 0) * rules.substitute_period_unit_price[level] for level in LEVELS)


@dataclass(frozen=True)
class CountyTotals:
    schools: int
    rows: int
    remote_rows: int
    carts: int
    teacher_devices: int
    student_devices: int

    @property
    def devices(self) -> int:
        return self.teacher_devices + self.student_devices


@dataclass(frozen=True)
class RosterEntry:
    """A roster row as the county totals need it."""

    code: str
    facts: RowFacts


def county_totals(entries: Iterable[RosterEntry], rules: RuleSet) -> CountyTotals:
    codes: set[str] = set()
    rows = remote_rows = carts = teacher_devices = student_devices = 0
    for entry in entries:
        ent = entitle_row(entry.facts, rules)
        codes.add(entry.code)
        rows += 1
        remote_rows += ent.remote
        carts += ent.carts
        teacher_devices += ent.teacher_devices
        student_devices += ent.student_devices
    schools = len(codes) if rules.school_count_basis == COUNT_BY_SCHOOL_CODE else rows
    return CountyTotals(schools, rows, remote_rows, carts, teacher_devices, student_devices)


def school_count(distinct_codes: int, rows: int, rules: RuleSet) -> int:
    """N for a county whose totals were aggregated elsewhere (e.g. in the database)."""
    return distinct_codes if rules.school_count_basis == COUNT_BY_SCHOOL_CODE else rows


# --- 3. The budget table (附件1 六 經費需求) -----------------------------------------------

RECURRENT = "經常門"
CAPITAL = "資本門"

LINE_TEACHER_DEVICES = 1
LINE_STUDENT_DEVICES = 2
LINE_CARTS = 3
LINE_MDM = 4
LINE_WIRELESS = 5
LINE_SOFTWARE = 6
LINE_STAFF = 7
LINE_OPERATING = 8
LINE_TRAINING = 9
LINE_SUBSTITUTES = 10
LINE_OTHER = 11

LINE_NAMES = {
    LINE_TEACHER_DEVICES: "學習載具-教師",
    LINE_STUDENT_DEVICES: "學習載具-學生",
    LINE_CARTS: "行動充電車",
    LINE_MDM: "既有學習載具管理系統(MDM)使用授權",
    LINE_WIRELESS: "校園無線網路AP費用",
    LINE_SOFTWARE: "教學軟體及數位內容",
    LINE_STAFF: "數位學習推動辦公室-專任人力",
    LINE_OPERATING: "數位學習推動辦公室-運作費",
    LINE_TRAINING: "數位學習推動辦公室-增能研習費",
    LINE_SUBSTITUTES: "代理代課費",
    LINE_OTHER: "其他需求項目",
}
LINE_NUMBERS = tuple(LINE_NAMES)

# Lines whose 計算/預估/申請補助數 are money (NTD), not counts of things.
AMOUNT_LINES = frozenset({LINE_SOFTWARE, LINE_OPERATING, LINE_OTHER})
# 「運作費、增能研習費得以流用」
SHIFTABLE_LINES = (LINE_OPERATING, LINE_TRAINING)


@dataclass(frozen=True)
class Split:
    """A county's own split of an amount into 經常門 and 資本門 (lines 6 and 11)."""

    recurrent_ntd: int = 0
    capital_ntd: int = 0

    @property
    def total_ntd(self) -> int:
        return self.recurrent_ntd + self.capital_ntd


@dataclass(frozen=True)
class BudgetInputs:
    """Everything the table needs besides the rules.

    The MOE provides: the previously subsidised counts of lines 1-3, the AP count and
    amount (line 5) and the software amount (line 6). The county provides the rest.
    A requested value left as None means "as estimated".
    """

    totals: CountyTotals
    previously_subsidised: Mapping[int, int] = field(default_factory=dict)
    existing_devices_without_mdm: int = 0
    ap_count: int = 0
    ap_amount_ntd: int = 0
    software_amount_ntd: int = 0
    training_sessions: int = 0
    substitute_periods: Mapping[str, int] = field(default_factory=dict)
    requested_counts: Mapping[int, int | None] = field(default_factory=dict)
    """Lines 1-5 and 9: a count; lines 6, 8, 11: an amount in NTD (see AMOUNT_LINES)."""
    requested_staffing: Staffing | None = None
    requested_substitute_periods: Mapping[str, int] | None = None
    requested_ap_amount_ntd: int | None = None
    software_split: Split | None = None
    other_split: Split = field(default_factory=Split)
    explanations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BudgetLine:
    number: int
    name: str
    computed: int | None
    previously_subsidised: int | None
    estimate: int | None
    requested: int | None
    recurrent_ntd: int
    capital_ntd: int
    explanation: str = ""

    @property
    def total_ntd(self) -> int:
        return self.recurrent_ntd + self.capital_ntd

    @property
    def recurrent_k(self) -> int:
        return to_thousands(self.recurrent_ntd)

    @property
    def capital_k(self) -> int:
        return to_thousands(self.capital_ntd)

    @property
    def total_k(self) -> int:
        # The printed row must add up: 合計 = 經常門 + 資本門 as printed.
        return self.recurrent_k + self.capital_k

    @property
    def differs_from_estimate(self) -> bool:
        return self.estimate is not None and self.requested is not None and self.requested != self.estimate

    @property
    def needs_explanation(self) -> bool:
        return self.differs_from_estimate and not self.explanation.strip()


@dataclass(frozen=True)
class BudgetProblem:
    line: int | None
    message: str


@dataclass(frozen=True)
class BudgetTable:
    lines: tuple[BudgetLine, ...]
    problems: tuple[BudgetProblem, ...]

    @property
    def recurrent_k(self) -> int:
        return sum(line.recurrent_k for line in self.lines)

    @property
    def capital_k(self) -> int:
        return sum(line.capital_k for line in self.lines)

    @property
    def total_k(self) -> int:
        return sum(line.total_k for line in self.lines)

    @property
    def total_ntd(self) -> int:
        return sum(line.total_ntd for line in self.lines)

    def line(self, number: int) -> BudgetLine:
        return self.lines[number - 1]


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def budget_table(inputs: BudgetInputs, rules: RuleSet) -> BudgetTable:
    """The 11 lines of 附件1 六, computed, estimated and requested, in NTD."""
    totals = inputs.totals
    prev = inputs.previously_subsidised
    req = inputs.requested_counts
    expl = inputs.explanations
    lines: list[BudgetLine] = []

    def add(number, computed, previously, estimate, requested, recurrent=0, capital=0):
        lines.append(
            BudgetLine(
                number=number,
                name=LINE_NAMES[number],
                computed=computed,
                previously_subsidised=previously,
                estimate=estimate,
                requested=requested,
                recurrent_ntd=recurrent,
                capital_ntd=capital,
                explanation=expl.get(number, ""),
            )
        )

    # Lines 1-3: 「縣市總申請數扣除教育部(含國教署)110至111年補助臺數」, at county level.
    for number, computed, price in (
        (LINE_TEACHER_DEVICES, totals.teacher_devices, rules.device_unit_price),
        (LINE_STUDENT_DEVICES, totals.student_devices, rules.device_unit_price),
        (LINE_CARTS, totals.carts, rules.cart_unit_price),
    ):
        previously = prev.get(number, 0)
        estimate = max(0, computed - previously)
        requested = _or(req.get(number), estimate)
        add(number, computed, previously, estimate, requested, capital=requested * price)

    mdm = inputs.existing_devices_without_mdm
    mdm_requested = _or(req.get(LINE_MDM), mdm)
    add(LINE_MDM, mdm, None, mdm, mdm_requested, recurrent=mdm_requested * rules.mdm_licence_unit_price)

    ap_requested = _or(req.get(LINE_WIRELESS), inputs.ap_count)
    ap_amount = _or(inputs.requested_ap_amount_ntd, inputs.ap_amount_ntd)
    add(LINE_WIRELESS, inputs.ap_count, None, inputs.ap_count, ap_requested, capital=ap_amount)

    software_requested = _or(req.get(LINE_SOFTWARE), inputs.software_amount_ntd)
    split = inputs.software_split or Split(recurrent_ntd=software_requested)
    add(
        LINE_SOFTWARE,
        inputs.software_amount_ntd,
        None,
        inputs.software_amount_ntd,
        software_requested,
        recurrent=split.recurrent_ntd,
        capital=split.capital_ntd,
    )

    staff = entitled_staffing(totals.schools, rules)
    staff_requested = inputs.requested_staffing or staff
    staff_amount = staffing_amount(
        staff_requested.counselors, staff_requested.it_staff, staff_requested.admin_staff, rules
    )
    add(LINE_STAFF, staff.persons, None, staff.persons, staff_requested.persons, recurrent=staff_amount)

    fee = operating_fee(totals.schools, rules)
    fee_requested = _or(req.get(LINE_OPERATING), fee)
    add(LINE_OPERATING, fee, None, fee, fee_requested, recurrent=fee_requested)

    sessions = inputs.training_sessions
    sessions_requested = _or(req.get(LINE_TRAINING), sessions)
    add(
        LINE_TRAINING,
        sessions,
        None,
        sessions,
        sessions_requested,
        recurrent=sessions_requested * rules.training_session_unit_price,
    )

    periods = {level: inputs.substitute_periods.get(level, 0) for level in LEVELS}
    periods_requested = inputs.requested_substitute_periods or periods
    substitutes_amount = sum(
        periods_requested.get(level, 0) * rules.substitute_period_unit_price[level] for level in LEVELS
    )
    add(
        LINE_SUBSTITUTES,
        sum(periods.values()),
        None,
        sum(periods.values()),
        sum(periods_requested.get(level, 0) for level in LEVELS),
        recurrent=substitutes_amount,
    )

    other = inputs.other_split
    add(LINE_OTHER, None, None, None, other.total_ntd, recurrent=other.recurrent_ntd, capital=other.capital_ntd)

    table_lines = tuple(lines)
    return BudgetTable(table_lines, tuple(_budget_problems(table_lines, inputs, staff, rules)))


def _budget_problems(lines, inputs: BudgetInputs, staff: Staffing, rules: RuleSet):
    by_number = {line.number: line for line in lines}
    for line in lines:
        if line.requested is not None and line.requested < 0:
            yield BudgetProblem(line.number, f"第{line.number}項「{line.name}」申請補助數不可為負數")
        if line.needs_explanation:
            yield BudgetProblem(
                line.number,
                f"第{line.number}項「{line.name}」申請補助數與預估補助數不同，請填寫差異說明",
            )
    software = by_number[LINE_SOFTWARE]
    if inputs.software_split is not None and software.total_ntd != software.requested:
        yield BudgetProblem(
            LINE_SOFTWARE,
            f"第{LINE_SOFTWARE}項經常門與資本門合計須等於申請補助數 {software.requested:,} 元",
        )
    requested_staff = inputs.requested_staffing
    if requested_staff is not None:
        for label, asked, entitled in (
            ("數位學習輔導", requested_staff.counselors, staff.counselors),
            ("資訊網路", requested_staff.it_staff, staff.it_staff),
            ("數位學習事務(行政)", requested_staff.admin_staff, staff.admin_staff),
        ):
            if asked > entitled:
                yield BudgetProblem(LINE_STAFF, f"第{LINE_STAFF}項{label}人力 {asked} 人超過可補助的 {entitled} 人")
    # 流用: lines 8 and 9 may trade amounts as long as their sum stays within the computed sum.
    fee = by_number[LINE_OPERATING]
    training = by_number[LINE_TRAINING]
    ceiling = fee.computed + training.computed * rules.training_session_unit_price
    if fee.total_ntd + training.total_ntd > ceiling:
        yield BudgetProblem(
            LINE_OPERATING,
            f"第{LINE_OPERATING}、{LINE_TRAINING}項合計 {fee.total_ntd + training.total_ntd:,} 元"
            f"超過可流用的上限 {ceiling:,} 元",
        )
    if fee.requested is not None and fee.requested > rules.operating_fee_cap:
        yield BudgetProblem(LINE_OPERATING, f"第{LINE_OPERATING}項運作費上限為 {rules.operating_fee_cap:,} 元")
