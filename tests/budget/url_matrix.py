"""What-if rule scenarios in the project-wide matrix (tests/portal/test_url_matrix.py): the
MOE's and admins' only; a fresh scenario for each persona (delete uses it up)."""

from budget.scenarios import scenario_create

LOGIN = "login"
MOE_ONLY = {"anonymous": LOGIN, "officer_a": 403, "officer_b": 403, "school_a": 403, "reviewer": 200, "admin": 200}

MATRIX = {
    "scenario_list": ("GET", MOE_ONLY),
    "scenario_detail": ("GET", MOE_ONLY),
    "scenario_export": ("GET", MOE_ONLY),
    "scenario_delete": ("POST", MOE_ONLY | {"reviewer": 302, "admin": 302}),
}


def extend_world(world) -> None:
    world["scenarios"] = 0


def url_kwargs(world) -> dict:
    world["scenarios"] += 1
    plan = world["plan"]
    scenario = scenario_create(
        user=world["users"]["reviewer"], plan_year=plan.plan_year, name=f"矩陣 {world['scenarios']}"
    )
    return {name: {"pk": scenario.pk} for name in ("scenario_detail", "scenario_export", "scenario_delete")}
