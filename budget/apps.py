from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "經費與計畫"

    def ready(self) -> None:
        from budget.services import roster_states_from_plans
        from schools.guards import register_roster_state_provider

        # A submitted or approved plan locks its county's roster (schools cannot import us).
        register_roster_state_provider(roster_states_from_plans)

        # Registers the MOE's per-county figures with the import pipeline.
        from budget import importing  # noqa: F401
