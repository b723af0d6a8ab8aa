from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "推動辦公室與研習"

    def ready(self) -> None:
        # Registers the attendance sheet with the import pipeline (commands and tasks look kinds up by name).
        from training import importing  # noqa: F401
