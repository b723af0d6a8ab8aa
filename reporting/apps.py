from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "報表與指標"

    def ready(self) -> None:
        # Registers the usage file with the import pipeline (commands and tasks look kinds up by name).
        from reporting import importing  # noqa: F401
