"""The accounts app's URLs in the project's URL matrix (tests/portal/test_url_matrix.py).

The account acted upon is a school account of county A at 154602 (not the school user's own
school), which has logged in once (so that 「刪除」 is refused and the account stays for the
next persona). County B's officer gets 404 for it; school staff and MOE reviewers 403."""

from __future__ import annotations

from django.utils import timezone

from portal.models import Role
from schools.models import School
from tests.conftest import make_user

LOGIN = "login"


def _statuses(a, b, school, reviewer, admin, anonymous=LOGIN):
    return {
        "anonymous": anonymous,
        "officer_a": a,
        "officer_b": b,
        "school_a": school,
        "reviewer": reviewer,
        "admin": admin,
    }


SIGNED_IN = _statuses(200, 200, 200, 200, 200)
EVERYONE = _statuses(200, 200, 200, 200, 200, anonymous=200)
ACCOUNT_PAGES = _statuses(200, 200, 403, 403, 200)
ACCOUNT_OBJECT = _statuses(200, 404, 403, 403, 200)
ACCOUNT_ACTION = _statuses(302, 404, 403, 403, 302)
ADMINS_ONLY = _statuses(403, 403, 403, 403, 200)

MATRIX = {
    # Nobody here needs a second factor now (the MOE and admin personas passed theirs):
    # the code page sends them on.
    "mfa_verify": ("GET", _statuses(302, 302, 302, 302, 302)),
    "mfa_setup": ("GET", SIGNED_IN),
    # Only a session that passed a second factor makes new recovery codes.
    "mfa_recovery_codes": ("POST", _statuses(302, 302, 302, 200, 200)),
    "my_account": ("GET", SIGNED_IN),
    "password_change": ("GET", SIGNED_IN),
    "password_change_done": ("GET", SIGNED_IN),
    "password_reset": ("GET", EVERYONE),
    "password_reset_done": ("GET", EVERYONE),
    "password_reset_confirm": ("GET", EVERYONE),
    "password_reset_complete": ("GET", EVERYONE),
    "session_status": ("GET", EVERYONE),
    "session_keepalive": ("POST", _statuses(302, 302, 302, 302, 302)),
    "account_list": ("GET", ACCOUNT_PAGES),
    "account_export": ("GET", ACCOUNT_PAGES),
    "account_create": ("GET", ACCOUNT_PAGES),
    "account_detail": ("GET", ACCOUNT_OBJECT),
    "account_disable": ("POST", ACCOUNT_ACTION),
    "account_enable": ("POST", ACCOUNT_ACTION),
    # The new password is shown on the answer itself (once), not after a redirect.
    "account_reset_password": ("POST", _statuses(200, 404, 403, 403, 200)),
    "account_reset_mfa": ("POST", _statuses(403, 404, 403, 403, 302)),
    "account_delete": ("POST", ACCOUNT_ACTION),
    "security_log": ("GET", ADMINS_ONLY),
    "security_log_export": ("GET", ADMINS_ONLY),
}


def extend_world(world: dict) -> None:
    school = School.objects.get(code="154602")
    account = make_user("matrix_school", Role.SCHOOL, county=school.county, school=school)
    account.last_login = timezone.now()
    account.save(update_fields=["last_login"])
    world["account"] = account


def url_kwargs(world: dict) -> dict:
    pk = {"pk": world["account"].pk}
    return {
        "account_detail": pk,
        "account_disable": pk,
        "account_enable": pk,
        "account_reset_password": pk,
        "account_reset_mfa": pk,
        "account_delete": pk,
        "password_reset_confirm": {"uidb64": "MQ", "token": "not-a-token"},
    }
