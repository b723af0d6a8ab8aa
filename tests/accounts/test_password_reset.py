"""Forgotten passwords: Django's reset by e-mail (one-time, expiring token), in Chinese,
throttled per address, recorded, and held to the password rules."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import SecurityEvent
from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_email(officer_a):
    officer_a.email = "officer@example.gov.tw"
    officer_a.password_changed_at = timezone.now() - timedelta(days=2)
    officer_a.save()
    return officer_a


def reset_link() -> str:
    return re.search(r"http://testserver(/password-reset/[^/]+/[^/]+/)", mail.outbox[-1].body).group(1)


def test_a_reset_link_sets_a_new_password_once(with_email):
    response = Client().post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and "重設密碼" in mail.outbox[0].subject and "officer_a" in mail.outbox[0].body
    assert "60 分鐘內" in mail.outbox[0].body
    link = reset_link()
    client = Client()
    form = client.get(link, follow=True)
    assert "設定新密碼" in form.content.decode()
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert "至少" in weak.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Reset-by-mail-2022", "new_password2": "Reset-by-mail-2022"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert log_in(Client(), "officer_a", "Reset-by-mail-2022").status_code == 302
    # The link is spent.
    again = Client().get(link, follow=True).content.decode()
    assert "已失效" in again
    kinds = list(SecurityEvent.objects.filter(username="officer_a").values_list("kind", flat=True))
    assert "password_reset_request" in kinds and "password_reset" in kinds


def test_the_link_expires(with_email, settings):
    Client().post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    link = reset_link()
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert "已失效" in Client().get(link, follow=True).content.decode()


def test_the_page_does_not_tell_whether_an_address_exists(with_email):
    known = Client().post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    unknown = Client().post(reverse("password_reset"), {"email": "nobody@example.gov.tw"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    miss = SecurityEvent.objects.get(kind="password_reset_request", outcome="failure")
    assert miss.target == "（無相符帳號）"


def test_a_disabled_account_gets_no_reset_mail(with_email):
    with_email.is_active = False
    with_email.save()
    Client().post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    assert mail.outbox == []


def test_reset_requests_are_throttled_per_address(with_email, settings):
    settings.THROTTLE_RESET_REQUESTS_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": "officer@example.gov.tw"}).status_code == 302
    refused = client.post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    assert refused.status_code == 429 and "次數過多" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_a_reset_is_held_to_the_minimum_age_too(with_email):
    """Changing a password twice a day by e-mail would cycle through the history as well:
    the page says so, and an admin's reset remains the way out."""
    with_email.password_changed_at = timezone.now()
    with_email.save()
    Client().post(reverse("password_reset"), {"email": "officer@example.gov.tw"})
    client = Client()
    form = client.get(reset_link(), follow=True)
    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Reset-by-mail-2022", "new_password2": "Reset-by-mail-2022"}
    )
    assert refused.status_code == 200 and "1 天內只能變更一次" in refused.content.decode()
