from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "報表與指標"

    def ready(self) -> None:
        # Registers the usage file with the import pipeline (commands and tasks look kinds up by name).
        # The monthly reports' spending per line starts the plan's final report (結報).
        from budget.services_close import register_spending_source
        from reporting import importing, selectors_usage  # noqa: F401 - selectors_usage: its national figures (portal.figures)
        from reporting.selectors_monthly import spending_by_line

        register_spending_source(spending_by_line)
