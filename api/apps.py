from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "開放資料介面（API）"

    def ready(self) -> None:
        # drf-spectacular finds the bearer scheme of our authentication class through this import.
        from api import schema  # noqa: F401
