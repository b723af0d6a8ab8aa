"""身分驗證: the password rules (all parameters are settings) and who may set a password."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal.models import PasswordHistory, Role, User
from portal.passwords import MinimumAgeValidator, temporary_password
from tests.accounts.conftest import log_in
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def refused(password, user, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert code in [error.code for error in caught.value.error_list], caught.value.messages
    return caught.value.messages


def test_twelve_characters_and_three_classes(officer_a):
    refused("Ab1-xyz", officer_a, "password_too_short")
    refused("abcdefghijklmnop", officer_a, "password_too_simple")  # one class
    refused("abcdefgh12345678", officer_a, "password_too_simple")  # two classes
    messages = refused("abcdefgh12345678", officer_a, "password_too_simple")
    assert "至少 3 種" in messages[0]
    validate_password("abcdefgh-12345678", officer_a)  # lower, digit, symbol
    validate_password("Abcdefgh12345678", officer_a)  # upper, lower, digit


def test_not_the_username(officer_a):
    refused("Officer_A-2022x!", officer_a, "password_contains_username")


@override_settings(PASSWORD_HISTORY=3)
def test_not_one_of_the_last_three_passwords(officer_a):
    passwords = ["First-password-01", "Second-password-02", "Third-password-03"]
    for password in passwords:
        officer_a.set_password(password)
        officer_a.save()
    assert PasswordHistory.objects.filter(user=officer_a).count() == 3
    for password in passwords:
        refused(password, officer_a, "password_reused")
    officer_a.set_password("Fourth-password-04")
    officer_a.save()
    # The first is now four passwords back: allowed again; only hashes are kept.
    validate_password("First-password-01", officer_a)
    assert not PasswordHistory.objects.filter(password__contains="First").exists()
    assert PasswordHistory.objects.filter(user=officer_a).count() == 3


def test_the_rules_come_from_settings(officer_a, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 16}},
        {"NAME": "portal.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 4}},
    ]
    from django.contrib.auth import password_validation

    password_validation.get_default_password_validators.cache_clear()
    try:
        refused("Abcdefgh-123456", officer_a, "password_too_short")  # 16 needed
        refused("abcdefgh-12345678", officer_a, "password_too_simple")  # 4 classes needed
        validate_password("Abcdefgh-12345678", officer_a)
    finally:
        password_validation.get_default_password_validators.cache_clear()


def test_a_user_does_not_change_their_password_twice_in_a_day(officer_a):
    officer_a.password_changed_at = timezone.now() - timedelta(days=2)
    officer_a.save()
    client = client_for(officer_a)
    first = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "New-password-2023", "new_password2": "New-password-2023"},
    )
    assert first.status_code == 302 and first["Location"] == reverse("password_change_done")
    second = client.post(
        reverse("password_change"),
        {
            "old_password": "New-password-2023",
            "new_password1": "Other-password-2024",
            "new_password2": "Other-password-2024",
        },
    )
    assert second.status_code == 200 and "1 天內只能變更一次" in second.content.decode()
    officer_a.refresh_from_db()
    assert officer_a.check_password("New-password-2023")
    # A day later it may.
    officer_a.password_changed_at = timezone.now() - timedelta(days=1, minutes=1)
    MinimumAgeValidator(days=1).validate("Other-password-2024", officer_a)


def test_a_password_older_than_90_days_must_be_changed_before_anything_else(officer_a):
    officer_a.password_changed_at = timezone.now() - timedelta(days=91)
    officer_a.save()
    client = client_for(officer_a)
    response = client.get(reverse("roster_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("password_change"))
    page = client.get(response["Location"]).content.decode()
    assert "已超過 90 天未變更" in page
    # A password expired 90 days ago may be changed at once (the minimum age is long past).
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Renewed-password-1", "new_password2": "Renewed-password-1"},
    )
    assert done.status_code == 302
    assert client.get(reverse("roster_list")).status_code == 200


def test_a_new_password_is_checked_on_the_change_page(officer_a):
    response = client_for(officer_a).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "至少" in page
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD)


def test_temporary_passwords_meet_the_rules(officer_a):
    for _ in range(50):
        validate_password(temporary_password(), officer_a)


def test_passwords_are_hashed_with_argon2id(db, settings):
    settings.PASSWORD_HASHERS = ["portal.passwords.Argon2idHasher"]
    user = User(username="hashed", role=Role.MOE)
    user.set_password("Hashed-password-1")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert "m=19456,t=2,p=1" in user.password


def test_an_old_hash_is_upgraded_at_login(officer_a, settings):
    settings.PASSWORD_HASHERS = [
        "portal.passwords.Argon2idHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert identify_hasher(officer_a.password).algorithm == "md5"
    assert log_in(client_for(None), "officer_a").status_code == 302
    officer_a.refresh_from_db()
    assert identify_hasher(officer_a.password).algorithm == "argon2"
    # ... and the upgrade is no change of the account.
    assert officer_a.history.count() == 1
