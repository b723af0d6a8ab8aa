from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "學校與名單"

    def ready(self) -> None:
        # Registers the roster with the import pipeline (commands and tasks look kinds up by name).
        from schools import importing, official  # noqa: F401
