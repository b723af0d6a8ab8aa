from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import views

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", never_cache(require_GET(views.healthz)), name="healthz"),
    path("system/status/", login_required(require_GET(views.system_status)), name="system_status"),
    path("", include("accounts.urls")),
    path("", include("reporting.urls")),
    path("", include("schools.urls")),
    path("", include("budget.urls")),
    path("", include("training.urls")),
    path("", include("devices.urls")),
    path("", include("api.urls")),
]
