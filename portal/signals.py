"""What the security log hears from Django, django-axes and the admin site."""

from __future__ import annotations

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import timezone

from portal import throttle
from portal.security import Kind, Outcome, security_event


def record_login(sender, request, user, **kwargs):
    # Django's own receiver saves the whole user, and django-simple-history then writes an
    # empty change into the account's history at every login: the time is written alone.
    type(user)._default_manager.filter(pk=user.pk).update(last_login=timezone.now())
    security_event(Kind.LOGIN, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        import time

        from portal.middleware import LAST_SEEN

        request.session[LAST_SEEN] = time.time()  # the idle clock starts at the login
    if request is not None and hasattr(request, "session") and not user.mfa_required:
        # Someone who enrolled a second factor without having to is asked for it too.
        from django_otp import user_has_device

        from portal.middleware import MFA_PENDING

        if user_has_device(user) and not getattr(user, "otp_device", None):
            request.session[MFA_PENDING] = True


def record_logout(sender, request, user, **kwargs):
    if request is not None and getattr(request, "_idle_logout", False):
        return  # recorded as a session timeout
    if user is not None:
        security_event(Kind.LOGOUT, request=request, user=user)


def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    security_event(Kind.LOGIN_FAILED, request=request, username=username, outcome=Outcome.FAILURE)
    if request is not None:
        throttle.hit("login", request)


def record_lockout(sender, request, username, ip_address, **kwargs):
    security_event(
        Kind.LOCKOUT,
        request=request,
        username=str(username or "")[:150],
        outcome=Outcome.DENIED,
        detail="登入失敗次數過多，暫停此帳號自此位址登入",
    )


def record_admin_change(sender, instance, created, **kwargs):
    """Every change made on the admin site (Django writes a LogEntry for each)."""
    if not created:
        return
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION

    action = {ADDITION: "新增", CHANGE: "修改", DELETION: "刪除"}.get(instance.action_flag, "")
    model = instance.content_type.model_class() if instance.content_type_id else None
    label = model._meta.verbose_name if model is not None else ""
    security_event(
        Kind.ADMIN_CHANGE,
        user=instance.user,
        target=f"{label} {instance.object_repr}"[:255],
        detail=f"{action}：{instance.get_change_message()}"[:2000],
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(record_login, dispatch_uid="portal_record_login")
    user_logged_out.connect(record_logout, dispatch_uid="portal_record_logout")
    user_login_failed.connect(record_login_failure, dispatch_uid="portal_record_login_failure")
    user_locked_out.connect(record_lockout, dispatch_uid="portal_record_lockout")
    post_save.connect(record_admin_change, sender=LogEntry, dispatch_uid="portal_record_admin_change")
