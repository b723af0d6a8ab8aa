"""Demo data of the what-if pages: the MOE's scenario 「每 5 班補助 1 班」 on the 111 rules."""

from budget.models import RuleScenario
from budget.scenarios import scenario_create, scenario_update

NAME = "每 5 班補助 1 班"


def seed(*, county, plan_year, users) -> str:
    moe = users.get("moe")
    if moe is None or RuleScenario.objects.filter(plan_year=plan_year, name=NAME).exists():
        return ""
    scenario = scenario_create(
        user=moe, plan_year=plan_year, name=NAME, note="非偏遠學校改為每 5 班補助 1 班載具，其餘規則不變。"
    )
    scenario_update(
        scenario=scenario,
        user=moe,
        values={**scenario.rules, "classes_per_device_class": 5},
        expected_version=scenario.version,
    )
    return f"已建立補助規則情境「{NAME}」（規則試算）"
