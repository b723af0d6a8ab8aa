from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api import schema, views, views_tokens  # noqa: F401 - schema: the bearer scheme's extension

v1 = "api/v1/"

urlpatterns = [
    path(f"{v1}openapi.json", SpectacularJSONAPIView.as_view(), name="api_schema"),
    path(
        f"{v1}docs",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
    path(f"{v1}counties/", views.CountyList.as_view(), name="api_counties"),
    path(f"{v1}schools/", views.SchoolList.as_view(), name="api_schools"),
    path(f"{v1}roster-rows/", views.RosterRowList.as_view(), name="api_roster_rows"),
    path(f"{v1}plans/", views.PlanList.as_view(), name="api_plans"),
    path(f"{v1}devices/", views.DeviceSummaryList.as_view(), name="api_devices"),
    path(f"{v1}usage/", views.UsageList.as_view(), name="api_usage"),
    path(f"{v1}monthly-reports/", views.MonthlyReportList.as_view(), name="api_monthly_reports"),
    path(f"{v1}training-progress/", views.TrainingProgressList.as_view(), name="api_training_progress"),
    path(f"{v1}indicators/", views.IndicatorList.as_view(), name="api_indicators"),
    path("api/tokens/", views_tokens.token_list, name="api_tokens"),
    path("api/tokens/<int:pk>/revoke/", views_tokens.token_revoke_view, name="api_token_revoke"),
]
