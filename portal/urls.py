from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "數位學習精進方案 系統管理"
admin.site.site_title = "系統管理"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("reporting.urls")),
    path("", include("schools.urls")),
    path("", include("budget.urls")),
    path("", include("training.urls")),
    path("", include("devices.urls")),
    path("", include("api.urls")),
]
