from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "開放資料介面（API）"
    # Nothing imported at start-up: drf-spectacular costs ~150 ms of imports, which every
    # management command would pay. api/urls.py registers the schema extension instead.

    def ready(self) -> None:
        from api import receivers  # noqa: F401 - the security log's receivers (cheap imports)
