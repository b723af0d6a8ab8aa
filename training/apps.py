from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "推動辦公室與研習"

    def ready(self) -> None:
        # Registers the attendance sheet with the import pipeline (commands and tasks look kinds up by name).
        # A new plan year carries the office's staff over (budget.years.plan_year_open).
        from budget.years import on_year_opened
        from training import importing  # noqa: F401
        from training.services import office_carry_over

        on_year_opened(office_carry_over)
