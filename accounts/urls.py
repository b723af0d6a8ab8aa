from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_manage

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/code/", views.mfa_verify, name="mfa_verify"),
    path("account/", views.my_account, name="my_account"),
    path("account/mfa/", views.mfa_setup, name="mfa_setup"),
    path("account/mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("session/status/", views.session_status, name="session_status"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path("accounts/", views_manage.account_list, name="account_list"),
    path("accounts/export.xlsx", views_manage.account_export, name="account_export"),
    path("accounts/new/", views_manage.account_create, name="account_create"),
    path("accounts/<int:pk>/", views_manage.account_detail, name="account_detail"),
    path("accounts/<int:pk>/disable/", views_manage.account_disable, name="account_disable"),
    path("accounts/<int:pk>/enable/", views_manage.account_enable, name="account_enable"),
    path("accounts/<int:pk>/reset-password/", views_manage.account_reset_password, name="account_reset_password"),
    path("accounts/<int:pk>/reset-mfa/", views_manage.account_reset_mfa, name="account_reset_mfa"),
    path("accounts/<int:pk>/delete/", views_manage.account_delete, name="account_delete"),
    path("security/events/", views_manage.security_log, name="security_log"),
    path("security/events/export.xlsx", views_manage.security_log_export, name="security_log_export"),
]
