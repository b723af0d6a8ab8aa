from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "載具與設備"

    def ready(self) -> None:
        # Registers the serial list with the import pipeline (commands and tasks look kinds up by name)
        # and the national figures portal.figures keeps (beat's refresh looks them up by name).
        from devices import importing, selectors  # noqa: F401
