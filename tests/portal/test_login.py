"""Logging in: Chinese pages, throttling after repeated failures, password rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_logout(officer_a):
    client = Client()
    response = attempt(client, "officer_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_a_wrong_password_says_so_in_chinese(officer_a):
    response = attempt(Client(), "officer_a", "wrong-password")
    assert response.status_code == 200
    assert "帳號或密碼不正確" in response.content.decode()


def test_five_failures_lock_the_account_from_that_address(officer_a, settings):
    client = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "officer_a", "wrong-password")
    locked = attempt(client, "officer_a", PASSWORD)
    assert locked.status_code == 429
    assert "暫時無法登入" in locked.content.decode()
    # Another address is not locked out by this one's failures.
    assert attempt(Client(REMOTE_ADDR="10.0.0.9"), "officer_a", PASSWORD).status_code == 302


def test_passwords_must_be_long_and_uncommon(officer_a):
    for weak in ("12345678", "password123", "officer_a1"):
        with pytest.raises(ValidationError):
            validate_password(weak, officer_a)
    validate_password("Hualien-digital-2022!", officer_a)
