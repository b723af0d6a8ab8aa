"""The quantitative indicators of 附件1 五(一), per county and nationally, each against its target.

Devices and training figures come only from `devices.selectors.county_device_summary` and
`training.selectors.county_training_summary`; a county those summaries know nothing of
has no value (None, shown as 尚無資料), never a zero. Targets: the counts (devices, remote
devices) are what the county's roster asks for; 7 and 8 what its plan (附件1) promises; the
shares are the rule set's. National shares are computed from the summed counts, not as
an average of the counties' shares. A fixed number of queries whatever the counties.
"""

from __future__ import annotations

from django.db.models import F, Q, Sum

from budget import rules as engine
from budget.models import PlanNarrative
from devices import selectors as device_selectors
from portal.cache import cached
from reporting.models import LearningOutcome, SupportClassFigures
from schools.models import County, PlanYear, RosterRow
from schools.selectors import ROSTER
from training import selectors as training_selectors

COUNT, PERCENT = "count", "percent"


def _share(part, whole) -> int | None:
    if part is None or not whole:
        return None
    return engine.divide_half_up(part * 100, whole)


def _plus(values) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def indicator_sources(*, plan_year: PlanYear, county_ids: list[int] | None) -> dict:
    """Everything the indicators read, once: {source: {county id: ...}}."""
    rules = plan_year.rule_set
    remote = Q(area__in=rules.remote_areas)
    rows = RosterRow.objects.filter(plan_year=plan_year)
    narratives = PlanNarrative.objects.filter(plan__plan_year=plan_year)
    outcomes = LearningOutcome.objects.filter(plan_year=plan_year)
    support = SupportClassFigures.objects.filter(plan_year=plan_year)
    if county_ids is not None:
        rows = rows.filter(school__county_id__in=county_ids)
        narratives = narratives.filter(plan__county_id__in=county_ids)
        outcomes = outcomes.filter(county_id__in=county_ids)
        support = support.filter(county_id__in=county_ids)
    requested = cached(
        ROSTER,
        ("requested_devices", plan_year.pk, tuple(county_ids or ())),
        lambda: {
            r["school__county_id"]: r
            for r in rows.values("school__county_id").annotate(
                devices=Sum(F("req_teacher_devices") + F("req_student_devices")),
                remote_devices=Sum(F("req_teacher_devices") + F("req_student_devices"), filter=remote),
            )
        },
    )
    return {
        "devices": device_selectors.county_device_summary(plan_year=plan_year, county_ids=county_ids),
        "training": training_selectors.county_training_summary(plan_year=plan_year, county_ids=county_ids),
        "requested": requested,
        "narrative": {
            n["plan__county_id"]: n
            for n in narratives.values("plan__county_id", "wireless_classes", "learning_support_share_percent")
        },
        "outcomes": {
            o["county_id"]: o
            for o in outcomes.values("county_id").annotate(
                sampled=Sum("sampled_students"), improved=Sum("improved_students")
            )
        },
        "support": {s["county_id"]: s for s in support.values("county_id", "support_classes", "digital_classes")},
    }


def _county_figures(county_id: int, sources: dict) -> dict:
    """The numerators, denominators and targets of one county (None where nothing is known)."""
    d = sources["devices"].get(county_id) or {}
    t = sources["training"].get(county_id) or {}
    r = sources["requested"].get(county_id) or {}
    n = sources["narrative"].get(county_id) or {}
    o = sources["outcomes"].get(county_id) or {}
    s = sources["support"].get(county_id) or {}
    return {
        "purchased": d.get("purchased"),
        "remote_purchased": d.get("remote_purchased"),
        "remote_schools": d.get("remote_schools"),
        "remote_schools_complete": d.get("remote_schools_complete"),
        "other_schools": d.get("other_schools"),
        "other_schools_complete": d.get("other_schools_complete"),
        "wireless_classes": d.get("wireless_classes"),
        "a1a2_teachers": t.get("a1a2_teachers"),
        "teachers_total": t.get("teachers_total"),
        "sampled": o.get("sampled"),
        "improved": o.get("improved"),
        "support_classes": s.get("support_classes"),
        "digital_classes": s.get("digital_classes"),
        "target_devices": r.get("devices"),
        "target_remote_devices": r.get("remote_devices"),
        "target_wireless": n.get("wireless_classes"),
        "target_support_percent": n.get("learning_support_share_percent"),
    }


DEFINITIONS = (
    (1, "購置學習載具總臺數", COUNT, "臺"),
    (2, "偏遠地區學校購置學習載具總臺數", COUNT, "臺"),
    (3, "偏遠地區學校達成每位學生 1 臺學習載具之學校校數比率", PERCENT, "%"),
    (4, "非偏遠地區學校達成每 {per} 班配發 1 班載具的校數比率", PERCENT, "%"),
    (5, "抽樣調查學習成效提升人數之比率", PERCENT, "%"),
    (6, "培訓教師人數占縣市所有教師總數比率", PERCENT, "%"),
    (7, "具備良好無線網路（可提供全班載具同時線上學習）之班級數", COUNT, "班"),
    (8, "學習扶助班級融入數位教學之班級數比率", PERCENT, "%"),
)
SOURCES = {
    1: "載具管理（購置批次）；目標：名單申請補助之教師＋學生載具數",
    2: "載具管理；目標：偏遠地區學校申請補助之載具數",
    3: "載具管理（交貨數對照名單學生數、教師數）",
    4: "載具管理（交貨數對照補助原則之應配發數）",
    5: "縣市填報之學習成效評估（各抽樣學科合計）",
    6: "研習管理（完成數位學習工作坊 A1、A2 之教師）",
    7: "無線網路建置；目標：縣市計畫附件1 所填班級數",
    8: "縣市填報之學習扶助班級；目標：縣市計畫附件1 所填比率",
}


def _values(f: dict, rules: engine.RuleSet, plan_year_number: int) -> dict[int, tuple]:
    """number -> (value, target, numerator, denominator)."""
    return {
        1: (f["purchased"], f["target_devices"], None, None),
        2: (f["remote_purchased"], f["target_remote_devices"], None, None),
        3: (
            _share(f["remote_schools_complete"], f["remote_schools"]),
            rules.remote_devices_target_percent,
            f["remote_schools_complete"],
            f["remote_schools"],
        ),
        4: (
            _share(f["other_schools_complete"], f["other_schools"]),
            rules.other_schools_target_percent,
            f["other_schools_complete"],
            f["other_schools"],
        ),
        5: (_share(f["improved"], f["sampled"]), rules.improved_students_target_percent, f["improved"], f["sampled"]),
        6: (
            _share(f["a1a2_teachers"], f["teachers_total"]),
            engine.a1a2_target_percent(plan_year_number, rules),
            f["a1a2_teachers"],
            f["teachers_total"],
        ),
        7: (f["wireless_classes"], f["target_wireless"], None, None),
        8: (
            _share(f["digital_classes"], f["support_classes"]),
            f["target_support_percent"],
            f["digital_classes"],
            f["support_classes"],
        ),
    }


SUMMED = (
    "purchased",
    "remote_purchased",
    "remote_schools",
    "remote_schools_complete",
    "other_schools",
    "other_schools_complete",
    "wireless_classes",
    "a1a2_teachers",
    "teachers_total",
    "sampled",
    "improved",
    "support_classes",
    "digital_classes",
    "target_devices",
    "target_remote_devices",
    "target_wireless",
)


def indicators(*, plan_year: PlanYear, counties: list[County]) -> list[dict]:
    """[{number, label, kind, unit, source, total: {...}, counties: [{county, value, target, met}]}]."""
    rules = plan_year.rule_set
    county_ids = [c.pk for c in counties]
    sources = indicator_sources(plan_year=plan_year, county_ids=county_ids if len(counties) < 22 else None)
    per_county = {c.pk: _county_figures(c.pk, sources) for c in counties}
    summed = {key: _plus(f[key] for f in per_county.values()) for key in SUMMED}
    summed["target_support_percent"] = None  # each county sets its own; no national figure
    if len(counties) == 1:
        summed = per_county[counties[0].pk]
    total_values = _values(summed, rules, plan_year.year)
    county_values = {pk: _values(f, rules, plan_year.year) for pk, f in per_county.items()}
    result = []
    for number, label, kind, unit in DEFINITIONS:
        value, target, numerator, denominator = total_values[number]
        rows = []
        for county in counties:
            c_value, c_target, c_num, c_den = county_values[county.pk][number]
            rows.append(
                {
                    "county": county,
                    "value": c_value,
                    "target": c_target,
                    "numerator": c_num,
                    "denominator": c_den,
                    "met": _met(c_value, c_target, c_num, c_den),
                }
            )
        result.append(
            {
                "number": number,
                # The year's rule, not 111's: 「每 N 班」.
                "label": label.format(per=rules.classes_per_device_class),
                "kind": kind,
                "unit": unit,
                "source": SOURCES[number],
                "total": {
                    "value": value,
                    "target": target,
                    "numerator": numerator,
                    "denominator": denominator,
                    "met": _met(value, target, numerator, denominator),
                },
                "counties": rows,
            }
        )
    return result


def _met(value, target, numerator=None, denominator=None) -> bool | None:
    """A share is judged on its exact fraction, not on the rounded percentage shown: 199 of
    200 schools is shown as 100% but does not reach a 100% target."""
    if value is None or target is None:
        return None
    if numerator is not None and denominator:
        return numerator * 100 >= target * denominator
    return value >= target
