from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("reporting.urls")),
    path("", include("schools.urls")),
    path("", include("budget.urls")),
    path("", include("training.urls")),
    path("", include("devices.urls")),
]
