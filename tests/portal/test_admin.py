import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_admins_see_a_users_history_and_others_cannot_enter(admin_user, officer_a, reviewer):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    officer_a.first_name = "王承辦"
    officer_a.save()
    client = client_for(admin_user)
    history = client.get(reverse("admin:portal_user_history", args=[officer_a.pk]))
    assert history.status_code == 200 and "王承辦" in history.content.decode()
    for user in (officer_a, reviewer):
        response = client_for(user).get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
