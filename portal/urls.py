from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import views

handler500 = "portal.views.server_error"

admin.site.site_header = "數位學習精進方案 系統管理"
admin.site.site_title = "系統管理"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", never_cache(require_GET(views.healthz)), name="healthz"),
    path("system/status/", login_required(require_GET(views.system_status)), name="system_status"),
    path("", include("reporting.urls")),
    path("", include("schools.urls")),
    path("", include("budget.urls")),
    path("", include("training.urls")),
    path("", include("devices.urls")),
]
