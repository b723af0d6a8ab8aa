"""Multi-factor for the powerful roles: enrolment (QR drawn on our server, recovery codes),
login with and without the code, recovery codes, a lost device reset by an admin, county
officers who enrol by choice or by setting."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import account_reset_second_factor
from portal.models import Role, SecurityEvent
from tests.accounts.conftest import kinds, log_in, log_in_with_code
from tests.conftest import client_for, make_user, totp_code

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def forget_failures(user) -> None:
    """django-otp makes a device wait after a wrong code (tested on its own below)."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def enrol(client: Client, user) -> list[str]:
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("mfa_setup"), {"code": code_for(device)})
    assert done.status_code == 200, done.content.decode()[:300]
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())


def test_an_moe_reviewer_without_a_device_must_enrol_before_any_page(db):
    reviewer = make_user("new_reviewer", Role.MOE, mfa=False)
    client = Client()
    assert log_in(client, "new_reviewer").status_code == 302
    for path in ("/", "/plans/review/", "/roster/", reverse("my_account"), reverse("password_change")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup")), path
    page = client.get(reverse("mfa_setup")).content.decode()
    # The QR code is drawn here (inline SVG), with the key to type in instead: no image service.
    assert (
        "<svg" in page
        and 'class="qr"' in page
        and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")
    )
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert " ".join(re.findall(r"[A-Z2-7]{4}", page.split('class="secret">')[1].split("<")[0]))
    wrong = client.post(reverse("mfa_setup"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "驗證碼不正確" in wrong.content.decode()
    forget_failures(reviewer)
    codes = enrol(client, reviewer)
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=reviewer).count() == 10
    assert client.get("/plans/review/").status_code == 200
    assert kinds(username="new_reviewer") == ["login", "mfa_failed", "mfa_enrolled"]


def test_login_with_password_and_code(reviewer):
    client = Client()
    assert log_in(client, "reviewer").status_code == 302
    # The password alone opens nothing.
    blocked = client.get("/plans/review/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("mfa_verify"))
    assert client.get(reverse("export_list")).status_code == 302
    wrong = client.post(reverse("mfa_verify"), {"code": "12345"})
    assert wrong.status_code == 200 and "驗證碼不正確" in wrong.content.decode()
    forget_failures(reviewer)
    response = client.post(
        reverse("mfa_verify") + "?next=/plans/review/", {"code": totp_code(reviewer), "next": "/plans/review/"}
    )
    assert response.status_code == 302 and response["Location"] == "/plans/review/"
    assert client.get("/plans/review/").status_code == 200
    assert kinds(username="reviewer") == ["login", "mfa_failed", "mfa_verified"]
    failed = SecurityEvent.objects.get(kind="mfa_failed")
    assert failed.outcome == "failure" and failed.address == "127.0.0.1"


def test_a_code_works_once(reviewer):
    code = totp_code(reviewer)
    first = Client()
    log_in(first, "reviewer")
    assert first.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    second = Client()
    log_in(second, "reviewer")
    again = second.post(reverse("mfa_verify"), {"code": code})
    assert again.status_code == 200 and "已用過" in again.content.decode()


def test_wrong_codes_are_throttled_by_the_device(reviewer):
    client = Client()
    log_in(client, "reviewer")
    client.post(reverse("mfa_verify"), {"code": "000001"})
    # django-otp waits 1, 2, 4 ... seconds after each failure: even the right code waits.
    response = client.post(reverse("mfa_verify"), {"code": totp_code(reviewer)})
    assert response.status_code == 200 and "秒後再試" in response.content.decode()


def test_a_recovery_code_works_once_instead_of_the_phone(reviewer):
    client = client_for(reviewer)
    page = client.post(reverse("mfa_recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10
    other = Client()
    log_in(other, "reviewer")
    assert other.post(reverse("mfa_verify"), {"code": codes[0]}).status_code == 302
    assert "使用備用碼，剩 9 組" in SecurityEvent.objects.get(kind="mfa_verified").detail
    again = Client()
    log_in(again, "reviewer")
    assert again.post(reverse("mfa_verify"), {"code": codes[0]}).status_code == 200


def test_a_password_alone_cannot_replace_someones_authenticator(reviewer):
    client = Client()
    log_in(client, "reviewer")
    response = client.get(reverse("mfa_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    assert client.post(reverse("mfa_setup"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


def test_an_admin_resets_a_lost_device_and_the_user_enrols_again(reviewer, admin_user):
    response = client_for(admin_user).post(reverse("account_reset_mfa", args=[reviewer.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    reset = SecurityEvent.objects.get(kind="mfa_reset")
    assert (reset.username, reset.target) == ("admin", "reviewer")
    client = Client()
    log_in(client, "reviewer")
    assert client.get("/").url.startswith(reverse("mfa_setup"))
    enrol(client, reviewer)
    assert client.get("/plans/review/").status_code == 200


def test_only_an_admin_resets_a_second_factor(reviewer, officer_a, admin_user):
    assert client_for(officer_a).post(reverse("account_reset_mfa", args=[reviewer.pk])).status_code in (403, 404)
    assert client_for(reviewer).post(reverse("account_reset_mfa", args=[admin_user.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_county_officer_may_enrol_and_is_then_asked_for_the_code(officer_a):
    client = client_for(officer_a)
    assert client.get("/").status_code == 200  # not required
    enrol(client, officer_a)
    client.post(reverse("logout"))
    assert log_in(client, "officer_a").status_code == 302
    assert client.get("/").url.startswith(reverse("mfa_verify"))
    assert client.post(reverse("mfa_verify"), {"code": totp_code(officer_a)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_setting_requires_the_second_factor_of_county_officers(officer_a, settings):
    settings.MFA_REQUIRED_ROLES = ["moe", "admin", "county"]
    client = Client()
    log_in(client, "officer_a")
    assert client.get("/").url.startswith(reverse("mfa_setup"))


def test_the_whole_login_of_a_reviewer_in_two_steps(reviewer):
    client = Client()
    assert log_in_with_code(client, reviewer).status_code == 302
    assert client.get("/plans/review/").status_code == 200


def test_account_reset_second_factor_service_removes_codes_too(reviewer, admin_user):
    client_for(reviewer).post(reverse("mfa_recovery_codes"))
    assert account_reset_second_factor(actor=admin_user, account=reviewer) == 2
    assert not StaticToken.objects.filter(device__user=reviewer).exists()


@pytest.mark.parametrize(
    "code", ["", "abcdef", "１２３４５６", "x" * 100_000, "' OR 1=1 --", "<script>alert(1)</script>"]
)
def test_malformed_codes_are_refused_calmly(reviewer, code):
    client = Client()
    log_in(client, "reviewer")
    response = client.post(reverse("mfa_verify"), {"code": code})
    assert response.status_code == 200 and "<script>alert(1)</script>" not in response.content.decode()
    assert client.get("/").status_code == 302
