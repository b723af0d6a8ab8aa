"""Logging in and out (身分驗證, 稽核事件): the security events of each step, disabled
accounts told why, throttling per address, idle sessions, server-side logout."""

import re
import time
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_disable
from portal.models import DisabledReason, SecurityEvent
from tests.accounts.conftest import kinds, log_in
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_a_login_is_recorded_with_who_when_and_where(officer_a):
    client = Client(REMOTE_ADDR="192.0.2.10")
    before = timezone.now()
    assert log_in(client, "officer_a").status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN)
    assert (event.username, event.user_pk, event.address, event.outcome) == (
        "officer_a",
        officer_a.pk,
        "192.0.2.10",
        "success",
    )
    assert event.at >= before
    officer_a.refresh_from_db()
    assert officer_a.last_login >= before


def test_a_login_writes_no_empty_change_into_the_accounts_history(officer_a):
    assert officer_a.history.count() == 1  # created
    log_in(Client(), "officer_a")
    log_in(Client(), "officer_a")
    assert officer_a.history.count() == 1


def test_a_failed_login_is_recorded_with_the_typed_name(officer_a):
    client = Client(REMOTE_ADDR="192.0.2.11")
    response = log_in(client, "officer_a", "wrong-password")
    assert response.status_code == 200 and "帳號或密碼不正確" in response.content.decode()
    log_in(client, "nobody-like-this", "wrong-password")
    failures = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).order_by("pk")
    assert [(e.username, e.address, e.outcome, e.user_pk) for e in failures] == [
        ("officer_a", "192.0.2.11", "failure", None),
        ("nobody-like-this", "192.0.2.11", "failure", None),
    ]


def test_a_lockout_is_recorded(officer_a, settings):
    client = Client(REMOTE_ADDR="192.0.2.12")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer_a", "wrong-password")
    assert log_in(client, "officer_a").status_code == 429
    lockout = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKOUT).first()
    assert lockout is not None and lockout.username == "officer_a" and lockout.outcome == "denied"


def test_one_address_guessing_across_usernames_is_throttled(officer_a, officer_b, settings):
    settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS = 4
    guesser = Client(REMOTE_ADDR="192.0.2.13")
    for name in ("a1", "a2", "a3", "a4"):  # four different usernames: django-axes locks none of them
        assert log_in(guesser, name, "guess").status_code == 200
    refused = log_in(guesser, "officer_a")  # even the right password
    assert refused.status_code == 429 and "嘗試登入的次數過多" in refused.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.THROTTLED, address="192.0.2.13").exists()
    # Another address is not affected.
    assert log_in(Client(REMOTE_ADDR="192.0.2.14"), "officer_b").status_code == 302


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        (DisabledReason.IDLE, "超過 90 天未登入"),
        (DisabledReason.MANUAL, "已由管理者停用"),
        (DisabledReason.EXPIRED, "使用期限"),
    ],
)
def test_a_disabled_account_is_told_why_but_only_with_the_right_password(officer_a, admin_user, reason, says):
    officer_a.valid_until = date(2022, 1, 31)
    officer_a.save()
    account_disable(actor=admin_user, account=officer_a, reason=reason)
    right = log_in(Client(), "officer_a").content.decode()
    assert says in right and "重新啟用" in right
    wrong = log_in(Client(), "officer_a", "wrong-password").content.decode()
    assert says not in wrong and "帳號或密碼不正確" in wrong
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DISABLED_LOGIN, username="officer_a").count() == 1


def test_a_temporary_account_past_its_end_date_cannot_log_in_even_before_the_daily_task(officer_a):
    officer_a.valid_until = timezone.localdate() - timedelta(days=1)
    officer_a.save()
    page = log_in(Client(), "officer_a").content.decode()
    assert "使用期限" in page and "已到" in page
    # Its open sessions end too.
    officer_a.valid_until = timezone.localdate()
    officer_a.save()
    client = client_for(officer_a)
    assert client.get("/").status_code == 200
    officer_a.valid_until = timezone.localdate() - timedelta(days=1)
    officer_a.save()
    assert client.get("/").status_code == 302


def test_logging_out_ends_the_session_on_the_server(officer_a):
    client = Client()
    log_in(client, "officer_a")
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/").status_code == 302
    assert kinds(username="officer_a") == ["login", "logout"]


def _age_session(client, seconds):
    session = client.session
    session["last_seen"] = time.time() - seconds
    session.save()


def test_an_idle_session_ends_after_the_configured_time(officer_a, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = client_for(officer_a)
    assert client.get("/").status_code == 200
    _age_session(client, 29 * 60)
    assert client.get("/").status_code == 200  # 29 minutes idle: still there
    _age_session(client, 31 * 60)
    cookie = client.cookies["sessionid"].value
    response = client.get("/roster/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Froster%2F"
    assert "閒置超過 30 分鐘" in client.get(response["Location"]).content.decode()
    assert not Session.objects.filter(session_key=cookie).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_TIMEOUT, username="officer_a").count() == 1
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGOUT).exists()


def test_the_page_knows_how_long_is_left_and_asking_does_not_extend_it(officer_a, settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_IDLE_WARNING_SECONDS = 60
    client = client_for(officer_a)
    page = client.get("/").content.decode()
    assert 'id="session-timeout"' in page and 'data-warn="60"' in page
    assert 1790 <= int(re.search(r'data-remaining="(\d+)"', page).group(1)) <= 1800
    _age_session(client, 25 * 60)
    status = client.get(reverse("session_status"), HTTP_X_REQUESTED_WITH="fetch").json()
    assert 299 <= status["remaining"] <= 300
    # htmx polling (an export's progress) is not the user's activity either.
    client.get("/", HTTP_HX_REQUEST="true")
    assert client.get(reverse("session_status")).json()["remaining"] <= 300
    kept = client.post(reverse("session_keepalive"), HTTP_X_REQUESTED_WITH="fetch").json()
    assert kept["remaining"] == 1800
    assert client.get(reverse("session_status")).json()["remaining"] >= 1799


def test_an_expired_session_answers_a_background_request_with_401(officer_a):
    client = client_for(officer_a)
    client.get("/")
    _age_session(client, 31 * 60)
    response = client.get(reverse("session_status"), HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 401 and response.json()["remaining"] == 0


def test_the_login_page_and_the_lockout_page_still_speak_chinese(officer_a):
    page = Client().get(reverse("login")).content.decode()
    assert "忘記密碼" in page and PASSWORD not in page


def test_the_address_throttle_lets_logins_through_when_the_cache_is_down(officer_a, monkeypatch):
    """A broken Redis must not lock everyone out (django-axes still locks per username)."""
    from portal import throttle

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("redis is away")

            return fail

    monkeypatch.setattr(throttle, "cache", Down())
    assert log_in(Client(), "officer_a", "wrong").status_code == 200
    assert log_in(Client(), "officer_a").status_code == 302
