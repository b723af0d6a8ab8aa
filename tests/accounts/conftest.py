"""Helpers of the accounts tests: logging in through the real pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.models import SecurityEvent
from tests.conftest import PASSWORD, totp_code


def log_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def log_in_with_code(client: Client, user, password: str = PASSWORD):
    """Password, then the authenticator's code: the two steps a person takes."""
    first = log_in(client, user.username, password)
    assert first.status_code == 302, first.content.decode()[:500]
    return client.post(reverse("mfa_verify"), {"code": totp_code(user)})


def kinds(**filters) -> list[str]:
    return list(SecurityEvent.objects.filter(**filters).order_by("pk").values_list("kind", flat=True))
