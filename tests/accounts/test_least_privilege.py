"""最小權限: the roles' rights come from portal.access alone; no role but the admin holds a
Django permission or enters the admin site, and the admin enters it only past the second
factor, through the portal's own login."""

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from portal.models import Role, User
from tests.accounts.conftest import log_in
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_no_role_but_the_admin_holds_a_django_permission(officer_a, school_user_a, reviewer, admin_user):
    for user in (officer_a, school_user_a, reviewer):
        user = User.objects.get(pk=user.pk)
        assert user.get_all_permissions() == set(), user.role
        assert not user.is_staff and not user.is_superuser
        assert not user.groups.exists() and not user.user_permissions.exists()
    admin = User.objects.get(pk=admin_user.pk)
    assert admin.is_superuser and admin.is_staff
    assert len(admin.get_all_permissions()) == Permission.objects.count()


def test_the_database_refuses_staff_rights_for_any_other_role(officer_a):
    for flag in ("is_staff", "is_superuser"):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.filter(pk=officer_a.pk).update(**{flag: True})


def test_accounts_made_on_the_pages_get_no_more_than_their_role(admin_user, county_a):
    from accounts.services import account_create

    for role in (Role.COUNTY, Role.MOE):
        user = account_create(
            actor=admin_user, username=f"made_{role}", role=role, county=county_a, application_ref="x"
        ).user
        assert not user.is_staff and not user.is_superuser and user.get_all_permissions() == set()
    made_admin = account_create(actor=admin_user, username="made_admin", role=Role.ADMIN, application_ref="x").user
    assert made_admin.is_staff and made_admin.is_superuser


def test_the_admin_site_is_for_admins_only(officer_a, school_user_a, reviewer, admin_user):
    anonymous = Client().get(reverse("admin:index"), follow=True)
    assert anonymous.redirect_chain[-1][0].startswith("/login/?next=")
    for user in (officer_a, school_user_a, reviewer):
        response = client_for(user).get(reverse("admin:index"), follow=True)
        # Refused, not sent round in circles between two login pages.
        assert response.status_code == 403 and len(response.redirect_chain) == 1, user
    assert client_for(admin_user).get(reverse("admin:index")).status_code == 200


def test_the_admin_site_has_no_login_of_its_own(admin_user):
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    # Password alone: the admin site is as closed as every other page.
    client = Client()
    log_in(client, "admin")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))


def test_the_admin_menu_link_is_only_for_admins(officer_a, admin_user):
    assert "系統管理</a>" not in client_for(officer_a).get("/").content.decode()
    assert "系統管理</a>" in client_for(admin_user).get("/").content.decode()


def test_an_admin_created_on_the_admin_site_must_change_the_password(admin_user):
    response = client_for(admin_user).post(
        reverse("admin:portal_user_add"),
        {
            "username": "made_in_admin",
            "password1": "Admin-made-pass-1",
            "password2": "Admin-made-pass-1",
            "role": "moe",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(username="made_in_admin")
    assert made.must_change_password and made.created_by == admin_user and not made.is_staff
