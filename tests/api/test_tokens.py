"""Personal tokens: made on a page or by the command, shown once, stored as a hash, listed
and revoked by their owner only; refused when revoked or when the account is disabled."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from api.models import ApiToken
from api.signals import token_refused
from api.tokens import MAX_ACTIVE_TOKENS, TokenRefused, token_create
from tests.api.conftest import bearer
from tests.conftest import ROOT, client_for

pytestmark = pytest.mark.django_db


def test_the_page_makes_a_token_shown_once_and_stores_only_its_hash(officer_a):
    client = client_for(officer_a)
    created = client.post(reverse("api_tokens"), {"name": "管考系統介接"})
    assert created.status_code == 302
    response = client.get(created["Location"])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    token = ApiToken.objects.get(user=officer_a)
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("dlp_") and len(raw) > 40
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values_list())  # not stored anywhere in the row
    listing = client.get(reverse("api_tokens")).content.decode()  # the next visit: never again
    assert "管考系統介接" in listing and token.prefix in listing and raw not in listing
    assert raw not in str(client.session.items())
    assert bearer(raw).get(reverse("api_roster_rows")).status_code == 200


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_reasonable_name(officer_a, name):
    response = client_for(officer_a).post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "請為權杖命名" in response.content.decode() or "100 字" in response.content.decode()


def test_tokens_are_limited_per_account(officer_a):
    for number in range(MAX_ACTIVE_TOKENS):
        token_create(user=officer_a, name=f"t{number}")
    with pytest.raises(TokenRefused):
        token_create(user=officer_a, name="one too many")
    page = client_for(officer_a).post(reverse("api_tokens"), {"name": "one too many"}, follow=True).content.decode()
    assert f"最多 {MAX_ACTIVE_TOKENS} 把" in page and ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_revoking_stops_the_token_at_once(officer_a):
    token, raw = token_create(user=officer_a, name="t")
    client = client_for(officer_a)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    response = bearer(raw).get(reverse("api_roster_rows"))
    assert response.status_code == 401 and "撤銷" in response.json()["detail"]
    again = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "先前已撤銷" in again.content.decode()


def test_nobody_lists_or_revokes_another_persons_token(officer_a, officer_b, admin_user):
    token, raw = token_create(user=officer_a, name="甲的權杖")
    for other in (officer_b, admin_user):
        client = client_for(other)
        assert "甲的權杖" not in client.get(reverse("api_tokens")).content.decode()
        assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert bearer(raw).get(reverse("api_roster_rows")).status_code == 200


def test_a_disabled_account_is_refused_and_the_refusal_is_signalled(officer_a):
    _token, raw = token_create(user=officer_a, name="t")
    heard = []

    def listener(sender, token, reason, request, **kwargs):
        heard.append((token.user_id if token else None, reason))

    token_refused.connect(listener)
    try:
        officer_a.is_active = False
        officer_a.save()
        response = bearer(raw).get(reverse("api_roster_rows"))
        assert response.status_code == 401 and "停用" in response.json()["detail"]
        bearer("dlp_nothing").get(reverse("api_roster_rows"))
    finally:
        token_refused.disconnect(listener)
    assert heard[0] == (officer_a.pk, "此權杖的帳號已停用") and heard[1][0] is None
    with pytest.raises(TokenRefused):
        token_create(user=officer_a, name="again")


def test_a_failing_refusal_listener_does_not_turn_401_into_500(officer_a):
    def broken(**kwargs):
        raise RuntimeError("the log is down")

    token_refused.connect(broken)
    try:
        assert bearer("dlp_nothing").get(reverse("api_counties")).status_code == 401
    finally:
        token_refused.disconnect(broken)


def test_the_command_prints_one_token_on_one_line(officer_a, capsys):
    call_command("api_token", "officer_a")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("dlp_")
    assert bearer(out.strip()).get(reverse("api_schools")).status_code == 200
    with pytest.raises(CommandError, match="找不到帳號"):
        call_command("api_token", "nobody")
    officer_a.is_active = False
    officer_a.save()
    with pytest.raises(CommandError, match="停用"):
        call_command("api_token", "officer_a")


def test_the_command_as_a_process(migrated_sqlite):
    create = (
        "import django; django.setup(); from portal.models import User, Role; "
        "User.objects.create(username='moe_cli', role=Role.MOE)"
    )
    env = {**migrated_sqlite, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "manage.py", "api_token", "moe_cli", "--name", "管考"],
        cwd=ROOT,
        env=migrated_sqlite,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dlp_")
    missing = subprocess.run(
        [sys.executable, "manage.py", "api_token", "nobody"],
        cwd=ROOT,
        env=migrated_sqlite,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "找不到帳號" in missing.stderr and "Traceback" not in missing.stderr


def test_the_token_page_needs_a_login(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_tokens_made_revoked_and_refused_are_in_the_security_log(officer_a, django_capture_on_commit_callbacks):
    from api.tokens import token_revoke
    from portal.models import SecurityEvent

    with django_capture_on_commit_callbacks(execute=True):
        token, raw = token_create(user=officer_a, name="報表系統")
        token_revoke(token=token, by=officer_a)
    bearer(raw).get(reverse("api_roster_rows"))
    bearer("dlp_nothing").get(reverse("api_roster_rows"))
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", "outcome", "username"))
    assert kinds == [
        ("api_token_created", "success", "officer_a"),
        ("api_token_revoked", "success", "officer_a"),
        ("api_token_refused", "denied", "officer_a"),
        ("api_token_refused", "denied", ""),
    ]
