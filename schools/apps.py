from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "學校與名單"

    def ready(self) -> None:
        # Registers the roster with the import pipeline (commands and tasks look kinds up by name).
        # portal imports no app: it learns here where plan years and counties come from.
        from portal import scope
        from schools import importing, official_import  # noqa: F401
        from schools.models import County
        from schools.selectors import plan_years

        scope.register(plan_years=plan_years, county_model=County)
