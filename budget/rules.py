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
from itertools import pairwise

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

OWNERSHIPS = ("公立", "市立", "縣立", "私立", "國立")
OUT_OF_SCOPE_NATIONAL = "國立學校不列入縣市計畫"

COUNT_BY_SCHOOL_CODE = "school_code"
COUNT_BY_ROW = "row"


class RuleSetError(ValueError):
    """A stored rule set that cannot be used (unknown key, wrong type, bad value).

    `problems` holds (key, message) pairs, each message starting with the key it names."""

    def __init__(self, message: str | list[tuple[str, str]]):
        if isinstance(message, str):
            self.problems = [("", message)]
        else:
            self.problems = list(message)
            message = "；".join(text for _, text in self.problems)
        super().__init__(message)


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
    substitute_premium_basis_points: int = 211
    """六(二)1 代理代課費補充保費: the NHI supplementary premium on the substitutes' pay, in
    hundredths of a percent (111: 2.11% = 211)."""

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
    # 四 實施對象, 六(三)1(2) 已受補助數, 七(三) 核結
    ownerships_in_scope: tuple[str, ...] = ("公立", "市立", "縣立", "私立")
    """「縣(市)政府所轄國民中小學(含縣(市)立、私立…)」: a 國立 school is not in a county's plan."""
    previously_subsidised_years: tuple[int, ...] = (110, 111)
    """The years whose MOE (含國教署) subsidies are deducted from lines 1-3 (「110至111年補助臺數」)."""
    final_report_due_months: int = 2
    """「於計畫結束後 2 個月內完成核結作業」: the 結報 is due this many months after the period ends."""

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise RuleSetError(problems)

    # The rule set is stored as JSON with the plan year.
    def to_dict(self) -> dict:
        data = asdict(self)
        data["remote_areas"] = sorted(self.remote_areas, key=AREAS.index)
        data["teacher_devices_per_device_class"] = dict(self.teacher_devices_per_device_class)
        data["substitute_period_unit_price"] = dict(self.substitute_period_unit_price)
        data["usage_platforms"] = list(self.usage_platforms)
        data["ownerships_in_scope"] = list(self.ownerships_in_scope)
        data["previously_subsidised_years"] = list(self.previously_subsidised_years)
        data["admin_staff_tiers"] = [
            {"max_schools": t.max_schools, "persons": t.persons} for t in self.admin_staff_tiers
        ]
        return data

    @classmethod
    def from_dict(cls, data: Mapping | None) -> RuleSet:
        if not isinstance(data, Mapping):
            raise RuleSetError("規則必須是以參數名稱為鍵的物件（JSON object）")
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise RuleSetError([(name, f"{name}：未知的規則參數") for name in sorted(unknown)])
        if "year" not in data:
            raise RuleSetError([("year", "year：規則缺少 year")])
        values = dict(data)
        problems = []
        for name, value in values.items():
            expected = _json_type(known[name])
            if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append((name, f"{name} 必須是整數"))
            if expected is bool and not isinstance(value, bool):
                problems.append((name, f"{name} 必須是 true 或 false"))
            if expected is str and not isinstance(value, str):
                problems.append((name, f"{name} 必須是文字"))
        if problems:
            raise RuleSetError(problems)
        name = ""
        try:
            for name in ("remote_areas",):
                if name in values:
                    values[name] = frozenset(_strings(values[name]))
            for name in ("teacher_devices_per_device_class", "substitute_period_unit_price"):
                if name in values:
                    values[name] = {str(k): _int(v) for k, v in dict(values[name]).items()}
            for name in ("usage_platforms", "ownerships_in_scope"):
                if name in values:
                    values[name] = tuple(_strings(values[name]))
            name = "previously_subsidised_years"
            if name in values:
                values[name] = tuple(_int(v) for v in _list(values[name]))
            name = "admin_staff_tiers"
            if name in values:
                values[name] = tuple(
                    StaffTier(None if t["max_schools"] is None else _int(t["max_schools"]), _int(t["persons"]))
                    for t in _list(values[name])
                )
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise RuleSetError([(name, f"{name} 格式錯誤（{exc}）")]) from exc
        return cls(**values)

    @property
    def delivery_deadline(self) -> _date:
        return _date.fromisoformat(self.device_delivery_deadline)


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} 不是整數")
    return value


def _list(value) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} 不是清單")
    return list(value)


def _strings(value) -> list[str]:
    items = _list(value)
    if any(not isinstance(item, str) for item in items):
        raise ValueError("清單的每一項都必須是文字")
    return items


# Integer keys that are a share of something: 0 to 100.
PERCENT_KEYS = tuple(f.name for f in fields(RuleSet) if f.name.endswith("_percent") or "_percent_" in f.name)
DATE_KEYS = ("device_delivery_deadline",)


def _problems(rules: RuleSet) -> list[tuple[str, str]]:
    """Every (key, message) that makes the rule set unusable; each message names its key."""
    problems: list[tuple[str, str]] = []

    def bad(name: str, message: str) -> None:
        problems.append((name, f"{name} {message}"))

    for name in DATE_KEYS:
        try:
            _date.fromisoformat(getattr(rules, name))
        except (TypeError, ValueError):
            bad(name, "必須是 YYYY-MM-DD 日期")
    for f in fields(rules):
        value = getattr(rules, f.name)
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if value < 0:
            bad(f.name, "不可為負數")
    for name in PERCENT_KEYS:
        if not 0 <= getattr(rules, name) <= 100:
            bad(name, "必須介於 0 與 100（百分比）")
    if not 0 <= rules.substitute_premium_basis_points <= 10_000:
        bad("substitute_premium_basis_points", "必須介於 0 與 10000（萬分之一）")
    for name in ("classes_per_device_class", "schools_per_counselor", "schools_per_it_staff"):
        if getattr(rules, name) <= 0:
            bad(name, "必須大於 0")
    for name in ("device_class_rounding", "counselor_rounding", "it_staff_rounding"):
        if getattr(rules, name) not in (ROUND_CEIL, ROUND_FLOOR):
            bad(name, "必須是 ceil 或 floor")
    if rules.school_count_basis not in (COUNT_BY_SCHOOL_CODE, COUNT_BY_ROW):
        bad("school_count_basis", "必須是 school_code 或 row")
    for name in ("teacher_devices_per_device_class", "substitute_period_unit_price"):
        mapping = getattr(rules, name)
        if set(mapping) != set(LEVELS):
            bad(name, "必須剛好列出國小與國中")
        elif any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in mapping.values()):
            bad(name, "的每個值都必須是不小於 0 的整數")
    unknown_areas = set(rules.remote_areas) - set(AREAS)
    if unknown_areas:
        bad("remote_areas", f"含未知的地區屬性: {sorted(unknown_areas)}")
    tiers = rules.admin_staff_tiers
    if not tiers or tiers[-1].max_schools is not None:
        bad("admin_staff_tiers", "的最後一級必須沒有上限")
    elif any(t.max_schools is None for t in tiers[:-1]):
        bad("admin_staff_tiers", "只有最後一級可以沒有上限")
    else:
        limits = [t.max_schools for t in tiers[:-1]]
        persons = [t.persons for t in tiers]
        if any(b <= a for a, b in pairwise(limits)) or any(n <= 0 for n in limits):
            bad("admin_staff_tiers", "的校數上限必須逐級遞增")
        if any(b < a for a, b in pairwise(persons)) or any(p < 0 for p in persons):
            bad("admin_staff_tiers", "的人數必須逐級遞增（不可減少）")
    if not 1 <= rules.monthly_report_deadline_day <= 28:
        bad("monthly_report_deadline_day", "必須介於 1 與 28")
    if not rules.usage_platforms or any(not isinstance(p, str) or not p for p in rules.usage_platforms):
        bad("usage_platforms", "必須列出至少一個平臺名稱")
    if not 1 <= rules.plan_months <= 12:
        bad("plan_months", "必須介於 1 與 12")
    if rules.a1a2_full_by_year < rules.a1a2_first_year:
        bad("a1a2_full_by_year", f"不可早於 a1a2_first_year（{rules.a1a2_first_year}）")
    if not rules.ownerships_in_scope or set(rules.ownerships_in_scope) - set(OWNERSHIPS):
        bad("ownerships_in_scope", f"必須是 {'、'.join(OWNERSHIPS)} 中的一種以上")
    years = rules.previously_subsidised_years
    if any(b <= a for a, b in pairwise(years)):
        bad("previously_subsidised_years", "必須逐年遞增")
    elif years and years[-1] > rules.year:
        bad("previously_subsidised_years", f"不可晚於計畫年度 {rules.year}")
    if not 0 <= rules.final_report_due_months <= 12:
        bad("final_report_due_months", "必須介於 0 與 12")
    return problems


def period_problems(rules: RuleSet, start: _date, end: _date) -> list[tuple[str, str]]:
    """What does not fit the plan period: dates outside it, more plan months than it has."""
    problems = []
    if end <= start:
        problems.append(("period_end", "period_end 計畫期程迄日必須晚於起日"))
        return problems
    for name in DATE_KEYS:
        value = _date.fromisoformat(getattr(rules, name))
        if not start <= value <= end:
            where = f"{start.isoformat()}～{end.isoformat()}"
            problems.append((name, f"{name} {value.isoformat()} 不在計畫期程 {where} 內"))
    months = period_months(start, end)
    if rules.plan_months > months:
        problems.append(("plan_months", f"plan_months {rules.plan_months} 超過計畫期程的 {months} 個月"))
    return problems


def period_months(start: _date, end: _date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _json_type(f) -> type | None:
    annotation = str(f.type)
    return {"int": int, "bool": bool, "str": str}.get(annotation)


RULES_111 = RuleSet(year=111)
"""The 111 plan as the spec reads it. The database's PlanYear 111 holds the same values."""


@dataclass(frozen=True)
class RuleNote:
    """What a parameter means, where the MOE's text says it, and the reading we chose (if any)."""

    label: str
    seed: str
    """The section of the 111 plan text (六(三)1(1) ...), or "本系統" for the portal's own choices."""
    reading: str = ""
    """[reading]: how an ambiguous sentence is read; "" when the text is plain."""


RULE_NOTES: dict[str, RuleNote] = {
    "year": RuleNote("計畫年度（民國）", "三 計畫期程"),
    "remote_areas": RuleNote("視為偏遠的地區屬性", "六(三)1(1)", "偏遠、特偏、極偏皆為偏遠；非山非市不是偏遠"),
    "remote_carts_per_class": RuleNote(
        "偏遠地區每班充電車數", "六(三)2(1)", "「以每班學習載具充電需求估算」讀為每班 1 臺"
    ),
    "classes_per_device_class": RuleNote("非偏遠地區每幾班補助 1 班學習載具", "六(三)1(1)、二(二)"),
    "device_class_rounding": RuleNote("補助班數的進位方式（ceil 無條件進位／floor 捨去）", "六(三)1(1)"),
    "teacher_devices_per_device_class": RuleNote("每補助班的教師載具數（國小、國中）", "六(三)1(1)"),
    "carts_per_device_class": RuleNote("非偏遠地區每補助班的充電車數", "六(三)2(1)"),
    "device_unit_price": RuleNote("每臺學習載具補助（元）", "六(三)1(3)"),
    "cart_unit_price": RuleNote("每臺行動充電車補助（元）", "六(三)2(3)"),
    "mdm_licence_unit_price": RuleNote("既有學習載具 MDM 每一授權補助（元）", "六(三)3"),
    "training_session_unit_price": RuleNote("增能研習每場次補助（元）", "六(三)7"),
    "substitute_period_unit_price": RuleNote("代理代課每節（元，國小、國中）", "六(三)8"),
    "substitute_premium_basis_points": RuleNote(
        "代理代課費補充保費費率（萬分之一，211 = 2.11%）",
        "六(二)1",
        "補充保費依二代健保費率計算，隨代理代課費編列於第 10 項",
    ),
    "school_count_basis": RuleNote(
        "總校數的計法（school_code 依學校代碼／row 依名單列）",
        "六(三)5、6",
        "「總校數」依學校代碼計，國中小兩個學制算 1 校",
    ),
    "schools_per_counselor": RuleNote("每幾校補助 1 名數位學習輔導人力", "六(三)5(1)"),
    "counselor_rounding": RuleNote("數位學習輔導人力的進位方式", "六(三)5(1)", "無條件進位：有學校的縣市至少 1 人"),
    "schools_per_it_staff": RuleNote("每幾校補助 1 名資訊網路人力", "六(三)5(2)"),
    "it_staff_rounding": RuleNote("資訊網路人力的進位方式", "六(三)5(2)", "同數位學習輔導人力，無條件進位"),
    "max_it_staff": RuleNote("資訊網路人力上限", "六(三)5(2)"),
    "admin_staff_tiers": RuleNote("數位學習事務(行政)人力：校數級距與人數", "六(三)5(3)"),
    "counselor_annual_rate": RuleNote("數位學習輔導人力每人每年（元）", "六(三)5(1)"),
    "it_staff_annual_rate": RuleNote("資訊網路人力每人每年（元）", "六(三)5(2)"),
    "admin_staff_annual_rate": RuleNote("數位學習事務(行政)人力每人每年（元）", "六(三)5(3)"),
    "prorate_staffing": RuleNote(
        "專任人力是否依計畫月數比例計算", "六(三)5", "「每人每年」為全年金額，計畫期程不足 12 個月亦不按比例折算"
    ),
    "plan_months": RuleNote("計畫期程月數", "三 計畫期程"),
    "operating_fee_base": RuleNote("運作費基本額（元）", "六(三)6(1)"),
    "operating_fee_base_schools": RuleNote("運作費基本額適用的校數上限", "六(三)6(1)"),
    "operating_fee_per_extra_school": RuleNote("運作費每增加 1 校增加（元）", "六(三)6(1)"),
    "operating_fee_cap": RuleNote("運作費上限（元）", "六(三)6(1)"),
    "key_school_percent": RuleNote(
        "重點學校數占總校數比率（%）", "五(四)2(1)E", "「約為總校數 5%」讀為總校數 × 5% 無條件進位"
    ),
    "meetings_per_month": RuleNote("工作會議每月至少次數", "五(四)2(1)A、附件1 四(一)3(1)A"),
    "public_lessons_per_school": RuleNote("每校每年至少辦理公開觀議課場數", "五(四)2(1)B、附件1 四(一)3(1)B"),
    "a1a2_target_percent_first_year": RuleNote("首年累計完成數位學習工作坊(一)(二)之教師比率（%）", "五(四)2(2)B(B)"),
    "a1a2_full_by_year": RuleNote("全部教師完成數位學習工作坊(一)(二)之年度", "五(四)2(2)B(B)「4 年內」"),
    "literacy_training_target_percent": RuleNote("每年數位素養研習培訓教師比率（%）", "五(四)2(2)B(C)"),
    "improved_students_target_percent": RuleNote(
        "學習成效提升人數比率之參考值（%）",
        "五(四)2(3)B",
        "「例如…達 30%」為例示；附件1 五(一)5 由縣市自訂，計畫書不印此值",
    ),
    "a1a2_first_year": RuleNote("數位學習工作坊(一)(二)目標的起算年度", "五(四)2(2)B(B)"),
    "a1a2_full_target_percent": RuleNote(
        "最終年度完成數位學習工作坊(一)(二)之教師比率（%）",
        "五(四)2(2)B(B)",
        "「4 年內完成所有教師」：首年與最終年之間各年目標以直線內插（111 年 25%、112 年 50%、113 年 75%、114 年 100%）",
    ),
    "it_staff_trained_per_school": RuleNote(
        "每校完成資訊組長增能研習人數", "五(四)2(2)B(D)", "每校資訊組長（或資訊負責人員）1 人參加"
    ),
    "usage_platforms": RuleNote(
        "填報使用時數的數位學習平臺", "五(四)2(1)C", "平臺清單由教育部指定，本系統列出常用平臺與「其他」"
    ),
    "monthly_report_deadline_day": RuleNote(
        "月報提交期限（次月幾日）", "五(四)2(1)G", "「相關格式及提交時間由教育部另行公布」：預設次月 10 日"
    ),
    "monthly_report_reminder_days": RuleNote("月報到期前幾天寄送提醒", "本系統"),
    "remote_devices_target_percent": RuleNote("偏遠地區學校達成師生 1 人 1 機之校數比率目標（%）", "附件1 五(一)3"),
    "other_schools_target_percent": RuleNote("非偏遠地區學校達成配發原則之校數比率目標（%）", "附件1 五(一)4"),
    "device_delivery_deadline": RuleNote(
        "學習載具配發到校期限", "五(五)3、附件1 四(二)3", "「111 年 9 月前」讀為 9 月 30 日（含）以前"
    ),
    "mdm_licence_years": RuleNote("學習載具 MDM 使用授權年數", "五(五)2、六(三)1(3)"),
    "warranty_years": RuleNote("學習載具全機保固年數", "五(五)2、六(三)1(3)"),
    "mdm_enrolment_threshold_percent": RuleNote("配發核對：MDM 納管比率低於此值即標示（%）", "本系統"),
    "expiry_window_days": RuleNote("授權與保固到期前幾天列入提醒", "本系統"),
    "loan_default_days": RuleNote("學習載具借用預設天數", "本系統"),
    "ownerships_in_scope": RuleNote(
        "列入縣市計畫的設立別", "四 實施對象、六(三)6(1)", "國立學校不屬縣市所轄，不列入縣市計畫"
    ),
    "previously_subsidised_years": RuleNote(
        "扣除教育部(含國教署)已補助數的年度", "六(三)1(2)、六(三)2(2)、附件1 六 表頭"
    ),
    "final_report_due_months": RuleNote("計畫結束後幾個月內完成核結（結報期限）", "七(三)"),
    "official_classes_tolerance_percent": RuleNote(
        "名單與教育部統計比對：班級數容許差異（%）", "本系統", "超過即列為待確認事項；0 表示任何差異"
    ),
    "official_students_tolerance_percent": RuleNote("名單與教育部統計比對：學生數容許差異（%）", "本系統"),
    "official_teachers_tolerance_percent": RuleNote("名單與教育部統計比對：教師數容許差異（%）", "本系統"),
    "official_max_class_size_tolerance_percent": RuleNote(
        "名單與教育部統計比對：最大班級人數容許差異（%）", "本系統", "由各年級學生數與班級數推估"
    ),
}


def years_label(years: Iterable[int]) -> str:
    """(110, 111) -> 「110、111」; (110, 111, 112) -> 「110至112」, as the MOE writes them."""
    years = list(years)
    if not years:
        return ""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}至{years[-1]}"
    return "、".join(str(y) for y in years)


def previously_label(rules: RuleSet) -> str:
    """The 已受補助數 column's header: 「110、111年已受補助數」."""
    label = years_label(rules.previously_subsidised_years)
    return f"{label}年已受補助數" if label else "已受補助數"


def percent_of_basis_points(basis_points: int) -> str:
    """211 -> 「2.11%」 (for display only)."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}.{rest:02d}%".replace(".00%", "%")


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


@dataclass(frozen=True)
class PartTime:
    """六(三)5(4): 數位學習輔導 and 資訊網路 staff may be 兼任. Of the requested persons, these
    many are part-time and are costed at `share_percent` of the annual rate (the county's figure)."""

    counselors: int = 0
    it_staff: int = 0
    share_percent: int | None = None

    @property
    def persons(self) -> int:
        return self.counselors + self.it_staff


def staffing_amount(
    counselors: int, it_staff: int, admin_staff: int, rules: RuleSet, part_time: PartTime | None = None
) -> int:
    """Line 7 in NTD: full-time persons at the annual rates, part-time ones at their share."""
    part = part_time or PartTime()
    share = part.share_percent if part.share_percent is not None else 100
    full_annual = (
        max(0, counselors - part.counselors) * rules.counselor_annual_rate
        + max(0, it_staff - part.it_staff) * rules.it_staff_annual_rate
        + admin_staff * rules.admin_staff_annual_rate
    )
    part_annual = divide_half_up(
        (
            min(part.counselors, counselors) * rules.counselor_annual_rate
            + min(part.it_staff, it_staff) * rules.it_staff_annual_rate
        )
        * share,
        100,
    )
    annual = full_annual + part_annual
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


def substitute_pay(periods: Mapping[str, int], rules: RuleSet) -> int:
    """六(三)8: the substitute teachers' periods by level at the period rates."""
    return sum(periods.get(level, 0) * rules.substitute_period_unit_price[level] for level in LEVELS)


def substitute_premium(pay_ntd: int, rules: RuleSet) -> int:
    """六(二)1 代理代課費補充保費: the premium rate on the pay, rounded half up to the NTD."""
    return divide_half_up(pay_ntd * rules.substitute_premium_basis_points, 10_000)


def substitute_amount(periods: Mapping[str, int], rules: RuleSet) -> int:
    """Line 10: the substitutes' pay plus its supplementary premium."""
    pay = substitute_pay(periods, rules)
    return pay + substitute_premium(pay, rules)


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

    The MOE provides: the previously subsidised counts of lines 1-3, its own 預估補助數 of
    lines 1-3 (None: not provided yet, the table shows computed - previously as 暫估), the AP
    count and amount (line 5) and the software amount (line 6). Lines 1-3's 申請補助數 come
    from the 附錄 (`roster_requested`). The county provides the rest; a requested value left
    as None means "as estimated".
    """

    totals: CountyTotals
    previously_subsidised: Mapping[int, int] = field(default_factory=dict)
    moe_estimates: Mapping[int, int | None] = field(default_factory=dict)
    roster_requested: Requested | None = None
    """The 附錄's requested counts summed over the county, a blank row counting its entitlement;
    None: every row as entitled."""
    existing_devices_without_mdm: int = 0
    ap_count: int = 0
    ap_amount_ntd: int = 0
    software_amount_ntd: int = 0
    training_sessions: int = 0
    substitute_periods: Mapping[str, int] = field(default_factory=dict)
    requested_counts: Mapping[int, int | None] = field(default_factory=dict)
    """Lines 4, 5 and 9: a count; lines 6 and 8: an amount in NTD (see AMOUNT_LINES). Lines 1-3
    are the 附錄's and are not read from here."""
    requested_staffing: Staffing | None = None
    part_time: PartTime | None = None
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
    estimate_provisional: bool = False
    """Lines 1-3: the MOE has not entered its 預估補助數; computed - previously stands in (暫估)."""
    parts: tuple[tuple[str, int], ...] = ()
    """Amounts the line is made of, shown as their own figures (line 10: pay and premium)."""

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


def requested_from_roster(requested: Requested, previously: Mapping[int, int]) -> dict[int, int]:
    """Lines 1-3's 申請補助數: 「縣市總申請數扣除教育部(含國教署)110至111年補助臺數」."""
    return {
        LINE_TEACHER_DEVICES: max(0, requested.teacher_devices - previously.get(LINE_TEACHER_DEVICES, 0)),
        LINE_STUDENT_DEVICES: max(0, requested.student_devices - previously.get(LINE_STUDENT_DEVICES, 0)),
        LINE_CARTS: max(0, requested.carts - previously.get(LINE_CARTS, 0)),
    }


def budget_table(inputs: BudgetInputs, rules: RuleSet) -> BudgetTable:
    """The 11 lines of 附件1 六, computed, estimated and requested, in NTD."""
    totals = inputs.totals
    prev = inputs.previously_subsidised
    req = inputs.requested_counts
    expl = inputs.explanations
    lines: list[BudgetLine] = []

    def add(number, computed, previously, estimate, requested, recurrent=0, capital=0, **extra):
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
                **extra,
            )
        )

    # Lines 1-3: the county asks for what its 附錄 asks for, less what was subsidised before.
    roster = inputs.roster_requested or Requested(totals.carts, totals.teacher_devices, totals.student_devices)
    requested_123 = requested_from_roster(roster, prev)
    for number, computed, price in (
        (LINE_TEACHER_DEVICES, totals.teacher_devices, rules.device_unit_price),
        (LINE_STUDENT_DEVICES, totals.student_devices, rules.device_unit_price),
        (LINE_CARTS, totals.carts, rules.cart_unit_price),
    ):
        previously = prev.get(number, 0)
        moe = inputs.moe_estimates.get(number)
        estimate = max(0, computed - previously) if moe is None else moe
        requested = requested_123[number]
        add(
            number,
            computed,
            previously,
            estimate,
            requested,
            capital=requested * price,
            estimate_provisional=moe is None,
        )

    # 六(二)3 lists 「MDM使用授權」 under 設備及投資: 資本門.
    mdm = inputs.existing_devices_without_mdm
    mdm_requested = _or(req.get(LINE_MDM), mdm)
    add(LINE_MDM, mdm, None, mdm, mdm_requested, capital=mdm_requested * rules.mdm_licence_unit_price)

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
        staff_requested.counselors, staff_requested.it_staff, staff_requested.admin_staff, rules, inputs.part_time
    )
    staff_parts = ()
    part = inputs.part_time
    if part is not None and part.persons:
        full_time = staffing_amount(
            max(0, staff_requested.counselors - part.counselors),
            max(0, staff_requested.it_staff - part.it_staff),
            staff_requested.admin_staff,
            rules,
        )
        share = part.share_percent if part.share_percent is not None else 100
        staff_parts = (("專任人力", full_time), (f"兼任人力（支給 {share}%）", staff_amount - full_time))
    add(
        LINE_STAFF,
        staff.persons,
        None,
        staff.persons,
        staff_requested.persons,
        recurrent=staff_amount,
        parts=staff_parts,
    )

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
    pay = substitute_pay(periods_requested, rules)
    premium = substitute_premium(pay, rules)
    add(
        LINE_SUBSTITUTES,
        sum(periods.values()),
        None,
        sum(periods.values()),
        sum(periods_requested.get(level, 0) for level in LEVELS),
        recurrent=pay + premium,
        parts=(("代理代課費", pay), ("代理代課費補充保費", premium)),
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
    requested_staff = inputs.requested_staffing or staff
    if inputs.requested_staffing is not None:
        for label, asked, entitled in (
            ("數位學習輔導", requested_staff.counselors, staff.counselors),
            ("資訊網路", requested_staff.it_staff, staff.it_staff),
            ("數位學習事務(行政)", requested_staff.admin_staff, staff.admin_staff),
        ):
            if asked > entitled:
                yield BudgetProblem(LINE_STAFF, f"第{LINE_STAFF}項{label}人力 {asked} 人超過可補助的 {entitled} 人")
    part = inputs.part_time
    if part is not None and part.persons:
        for label, part_time, persons in (
            ("數位學習輔導", part.counselors, requested_staff.counselors),
            ("資訊網路", part.it_staff, requested_staff.it_staff),
        ):
            if part_time > persons:
                yield BudgetProblem(LINE_STAFF, f"第{LINE_STAFF}項{label}兼任 {part_time} 人多於申請的 {persons} 人")
        if part.share_percent is None:
            yield BudgetProblem(LINE_STAFF, f"第{LINE_STAFF}項有兼任人力，請填寫兼任人力的支給比率（%）")
        elif not 0 < part.share_percent <= 100:
            yield BudgetProblem(LINE_STAFF, f"第{LINE_STAFF}項兼任人力的支給比率須大於 0、不超過 100%")
    # 「運作費、增能研習費得以流用」: lines 8 and 9 may trade amounts while their sum stays within
    # the computed sum.
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


# --- One story: the budget table, the 附錄 and the indicators agree ------------------------------


def consistency_problems(
    lines: Iterable[Mapping], roster_requested: Mapping[str, int], indicator_1: int | None
) -> list[str]:
    """Lines 1-3 (as dicts: number, previously_subsidised, requested) against the 附錄's sums
    (teacher_devices, student_devices, carts) and indicator 1: where the plan contradicts itself."""
    by_number = {line["number"]: line for line in lines}
    problems = []
    for number, key, label in (
        (LINE_TEACHER_DEVICES, "teacher_devices", "教師載具"),
        (LINE_STUDENT_DEVICES, "student_devices", "學生載具"),
        (LINE_CARTS, "carts", "充電車"),
    ):
        line = by_number[number]
        expected = max(0, roster_requested[key] - (line.get("previously_subsidised") or 0))
        if line.get("requested") != expected:
            problems.append(
                f"第{number}項申請補助數 {line.get('requested')} 與附錄申請{label}數 {roster_requested[key]:,}"
                f" 扣除已受補助數後的 {expected:,} 不一致"
            )
    devices = (by_number[LINE_TEACHER_DEVICES].get("requested") or 0) + (
        by_number[LINE_STUDENT_DEVICES].get("requested") or 0
    )
    if indicator_1 != devices:
        problems.append(
            f"量化指標 1 購置學習載具總臺數 {indicator_1} 與經費表第 1、2 項申請補助數合計 {devices:,} 不一致"
        )
    return problems
