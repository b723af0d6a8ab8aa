"""What-if rule scenarios: made from a plan year's rule set, changed parameter by parameter,
compared with the real rules per county and nationally (budget.whatif), exported as Excel.
A scenario is only ever read by these pages: no plan, line or roster row is written here."""

from __future__ import annotations

import io

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from budget import rules as engine
from budget import whatif
from budget.models import CountyPlan, RuleScenario
from portal import access
from portal.actions import Refused
from portal.downloads import safe_text
from portal.models import User
from schools.models import PlanYear, RosterRow

LABELS = {
    "remote_areas": "視為偏遠的地區屬性",
    "remote_carts_per_class": "偏遠學校每班充電車數",
    "classes_per_device_class": "非偏遠學校每幾班補助 1 班載具",
    "device_class_rounding": "補助班數進位方式",
    "teacher_devices_per_device_class": "每補助班教師載具數",
    "carts_per_device_class": "每補助班充電車數",
    "device_unit_price": "學習載具單價（元）",
    "cart_unit_price": "行動充電車單價（元）",
    "mdm_licence_unit_price": "MDM 授權單價（元，4 年）",
    "training_session_unit_price": "增能研習每場（元）",
    "substitute_period_unit_price": "代理代課每節（元）",
    "school_count_basis": "總校數計算方式",
    "schools_per_counselor": "每幾校 1 名數位學習輔導人力",
    "counselor_rounding": "輔導人力進位方式",
    "schools_per_it_staff": "每幾校 1 名資訊網路人力",
    "it_staff_rounding": "資訊人力進位方式",
    "max_it_staff": "資訊網路人力上限（人）",
    "admin_staff_tiers": "行政人力級距（校數上限:人數）",
    "counselor_annual_rate": "輔導人力年薪（元）",
    "it_staff_annual_rate": "資訊人力年薪（元）",
    "admin_staff_annual_rate": "行政人力年薪（元）",
    "prorate_staffing": "人力費依計畫月數比例計算",
    "plan_months": "計畫月數",
    "operating_fee_base": "運作費基本額（元）",
    "operating_fee_base_schools": "運作費基本額涵蓋校數",
    "operating_fee_per_extra_school": "每增 1 校運作費（元）",
    "operating_fee_cap": "運作費上限（元）",
}
CHOICES = {
    "device_class_rounding": [(engine.ROUND_CEIL, "無條件進位"), (engine.ROUND_FLOOR, "無條件捨去")],
    "counselor_rounding": [(engine.ROUND_CEIL, "無條件進位"), (engine.ROUND_FLOOR, "無條件捨去")],
    "it_staff_rounding": [(engine.ROUND_CEIL, "無條件進位"), (engine.ROUND_FLOOR, "無條件捨去")],
    "school_count_basis": [
        (engine.COUNT_BY_SCHOOL_CODE, "依學校代碼（國中小算 1 校）"),
        (engine.COUNT_BY_ROW, "依名單列數"),
    ],
}
LEVEL_MAPS = ("teacher_devices_per_device_class", "substitute_period_unit_price")
# Shown first: what decides the entitlement and the money; the rest follow under 其他參數.
MAIN = tuple(LABELS)


# No parameter of the programme comes near this (the largest is the operating fee cap, 10,000,000).
MAX_VALUE = 10**12


class ScenarioRefused(Refused):
    """The scenario cannot be saved so; the message says why."""


def label_of(key: str) -> str:
    return LABELS.get(key, key)


# --- The parameter form ---------------------------------------------------------------------


def _tiers_text(tiers) -> str:
    return "、".join(f"{'*' if t['max_schools'] is None else t['max_schools']}:{t['persons']}" for t in tiers)


def _tiers(text: str) -> list[dict]:
    tiers = []
    for part in text.replace(",", "、").replace("，", "、").split("、"):
        part = part.strip()
        if not part:
            continue
        limit, _, persons = part.partition(":")
        if not persons.strip().isdigit() or not (limit.strip() == "*" or limit.strip().isdigit()):
            raise forms.ValidationError("請寫成「60:1、180:2、*:3」（校數上限:人數，最後一級為 *）")
        tiers.append({"max_schools": None if limit.strip() == "*" else int(limit), "persons": int(persons)})
    return tiers


class ScenarioRulesForm(forms.Form):
    """Every parameter of the rule set, typed by its kind; cleaned into a RuleSet dict."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, values: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.values = values
        for key, value in values.items():
            if key == "year":
                continue
            label = label_of(key)
            if key == "remote_areas":
                self.fields[key] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(a, a) for a in engine.AREAS],
                    widget=forms.CheckboxSelectMultiple,
                    initial=value,
                )
            elif key in LEVEL_MAPS:
                for level in engine.LEVELS:
                    self.fields[f"{key}__{level}"] = forms.IntegerField(
                        label=f"{label}・{level}", min_value=0, max_value=MAX_VALUE, initial=value.get(level)
                    )
            elif key == "admin_staff_tiers":
                self.fields[key] = forms.CharField(label=label, initial=_tiers_text(value), max_length=200)
            elif key in CHOICES:
                self.fields[key] = forms.ChoiceField(label=label, choices=CHOICES[key], initial=value)
            elif isinstance(value, bool):
                self.fields[key] = forms.BooleanField(label=label, required=False, initial=value)
            elif isinstance(value, int):
                self.fields[key] = forms.IntegerField(label=label, min_value=0, max_value=MAX_VALUE, initial=value)
            elif isinstance(value, list):
                self.fields[key] = forms.CharField(
                    label=label, initial="、".join(str(v) for v in value), max_length=500
                )
            elif isinstance(value, str):
                self.fields[key] = forms.CharField(label=label, initial=value, max_length=200)

    def main_fields(self):
        return [self[name] for name in self.fields if name.split("__")[0] in MAIN]

    def other_fields(self):
        return [self[name] for name in self.fields if name != "version" and name.split("__")[0] not in MAIN]

    def rule_values(self) -> dict:
        """The cleaned form as RuleSet.from_dict takes it (call after is_valid())."""
        data = self.cleaned_data
        result = {"year": self.values["year"]}
        for key, value in self.values.items():
            if key == "year":
                continue
            if key in LEVEL_MAPS:
                result[key] = {level: data[f"{key}__{level}"] for level in engine.LEVELS}
            elif key == "admin_staff_tiers":
                result[key] = _tiers(data[key])
            elif key == "remote_areas":
                result[key] = list(data[key])
            elif isinstance(value, list):
                parts = [part.strip() for part in data[key].replace(",", "、").split("、") if part.strip()]
                if value and all(isinstance(item, int) for item in value):
                    # A list of years (previously_subsidised_years): numbers, not text.
                    if not all(part.isdigit() for part in parts):
                        raise forms.ValidationError({key: "請填寫以「、」分隔的整數"})
                    parts = [int(part) for part in parts]
                result[key] = parts
            else:
                result[key] = data[key]
        return result

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.rule_set = engine.RuleSet.from_dict(self.rule_values())
            except (engine.RuleSetError, forms.ValidationError) as exc:
                raise forms.ValidationError(str(exc.messages[0] if hasattr(exc, "messages") else exc)) from None
        return cleaned


# --- Services -------------------------------------------------------------------------------


def scenarios_for(*, user: User) -> QuerySet:
    return access.for_user(RuleScenario.objects.select_related("plan_year", "created_by"), user)


@transaction.atomic
def scenario_create(*, user: User, plan_year: PlanYear, name: str, note: str = "") -> RuleScenario:
    """A copy of the plan year's rules under a name (the name is unique within the year)."""
    access.require(access.may_model_rules(user), "只有教育部可以建立補助規則情境")
    name = (name or "").strip()
    if not name:
        raise ScenarioRefused("請為情境命名，例如「每 5 班補助 1 班」")
    taken = ScenarioRefused(f"{plan_year.year} 年度已有名為「{name[:100]}」的情境")
    if RuleScenario.objects.filter(plan_year=plan_year, name=name[:100]).exists():
        raise taken
    try:
        with transaction.atomic():  # another reviewer naming one the same at the same moment
            return RuleScenario.objects.create(
                plan_year=plan_year,
                name=name[:100],
                note=note.strip(),
                rules=plan_year.rule_set.to_dict(),
                created_by=user,
            )
    except IntegrityError:
        raise taken from None


@transaction.atomic
def scenario_update(*, scenario: RuleScenario, user: User, values: dict, expected_version: int) -> RuleScenario:
    """New parameter values (validated as a rule set), refused if someone saved in between."""
    access.require(access.may_model_rules(user), "只有教育部可以修改補助規則情境")
    rule_set = engine.RuleSet.from_dict(values)  # RuleSetError: the caller shows it
    if rule_set.year != scenario.plan_year.year:
        raise ScenarioRefused("情境的 year 必須與依據年度相同")
    updated = RuleScenario.objects.filter(pk=scenario.pk, version=expected_version).update(
        rules=rule_set.to_dict(), version=F("version") + 1
    )
    if not updated:
        raise ScenarioRefused("另一位使用者剛修改了這個情境，請重新整理後再改")
    scenario.refresh_from_db()
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: RuleScenario, user: User) -> None:
    access.require(access.may_model_rules(user), "只有教育部可以刪除補助規則情境")
    scenario.delete()


# --- Reads ----------------------------------------------------------------------------------


def county_inputs(*, user: User, plan_year: PlanYear) -> list[whatif.CountyInputs]:
    """Every county's roster rows and its plan's own figures, as the what-if takes them.
    Two queries, whatever the number of rows."""
    rows = access.for_user(RosterRow.objects.filter(plan_year=plan_year), user).values_list(
        "school__county__name",
        "school__county__sort_order",
        "school__code",
        "level",
        "area",
        "classes",
        "max_class_size",
        "teachers",
        "students",
    )
    entries: dict[str, list] = {}
    order: dict[str, int] = {}
    for county, sort_order, code, level, area, classes, largest, teachers, students in rows.iterator(chunk_size=5000):
        order[county] = sort_order
        entries.setdefault(county, []).append(
            engine.RosterEntry(code, engine.RowFacts(level, area, classes, largest, teachers, students))
        )
    plans = {
        p["county__name"]: p
        for p in access.for_user(CountyPlan.objects.filter(plan_year=plan_year), user).values(
            "county__name",
            "existing_devices_without_mdm",
            "training_sessions",
            "substitute_periods_elementary",
            "substitute_periods_junior",
        )
    }
    result = []
    for county in sorted(entries, key=order.get):
        plan = plans.get(county, {})
        result.append(
            whatif.CountyInputs(
                county=county,
                entries=tuple(entries[county]),
                mdm_devices=plan.get("existing_devices_without_mdm", 0),
                training_sessions=plan.get("training_sessions", 0),
                substitute_periods={
                    engine.ELEMENTARY: plan.get("substitute_periods_elementary", 0),
                    engine.JUNIOR_HIGH: plan.get("substitute_periods_junior", 0),
                },
            )
        )
    return result


def scenario_comparison(*, scenario: RuleScenario, user: User) -> whatif.Comparison:
    plan_year = scenario.plan_year
    return whatif.compare(county_inputs(user=user, plan_year=plan_year), plan_year.rule_set, scenario.rule_set)


def scenario_workbook(*, scenario: RuleScenario, comparison: whatif.Comparison) -> bytes:
    """The comparison as Excel: per county the real rules, the scenario and the difference of
    each measure, the national line last; and the parameters the scenario changes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "比較"
    sheet.append([safe_text(f"{scenario.plan_year.year}年度 補助規則情境「{scenario.name}」與現行規則比較")])
    sheet["A1"].font = Font(bold=True)
    header = ["縣市"]
    for _key, label, _money in whatif.MEASURES:
        header += [f"{label}・現行", f"{label}・情境", f"{label}・差異"]
    sheet.append(header)
    for line in (*comparison.counties, comparison.national):
        values = [safe_text(line.county)]
        for key, _label, _money in whatif.MEASURES:
            real, planned = getattr(line.real, key), getattr(line.scenario, key)
            values += [real, planned, planned - real]
        sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3, min_col=2):
        for cell in row:
            cell.number_format = "#,##0"
    sheet.freeze_panes = "B3"
    params = workbook.create_sheet("參數")
    params.append(["參數", "名稱", "現行", "情境"])
    for key, before, after in whatif.changed_parameters(scenario.plan_year.rule_set, scenario.rule_set):
        params.append([key, safe_text(label_of(key)), safe_text(_shown(before)), safe_text(_shown(after))])
    if params.max_row == 1:
        params.append(["（與現行規則相同）"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shown(value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _tiers_text(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def changed_rows(scenario: RuleScenario) -> list[dict]:
    return [
        {"key": key, "label": label_of(key), "before": _shown(before), "after": _shown(after)}
        for key, before, after in whatif.changed_parameters(scenario.plan_year.rule_set, scenario.rule_set)
    ]
