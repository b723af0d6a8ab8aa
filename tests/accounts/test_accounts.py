"""帳號管理: accounts are created (on an application), changed, disabled, enabled and
deleted through the portal with who did it; county officers manage their county's school
accounts, admins the rest; idle and temporary accounts are disabled by a daily task; the
account review page and its export."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import disable_idle_and_expired
from portal.models import DisabledReason, Role, SecurityEvent, User
from schools.models import School
from tests.accounts.conftest import log_in
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_b(county_b):
    return School.objects.create(code="144601", name="臺東縣立某國小", county=county_b, ownership="縣立")


def create(client, **fields):
    data = {
        "username": "newschool",
        "first_name": "資訊組長",
        "school_code": "154601",
        "application_ref": "府教資字第1110001號",
    }
    data.update(fields)
    return client.post(reverse("account_create"), data)


def shown_password(response) -> str:
    return re.search(r'id="temporary-password">([^<]+)<', response.content.decode()).group(1)


def test_a_county_officer_creates_a_school_account_that_must_change_its_password(officer_a, school_a):
    response = create(client_for(officer_a))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = shown_password(response)
    account = User.objects.get(username="newschool")
    assert (account.role, account.school, account.county, account.created_by) == (
        Role.SCHOOL, school_a, school_a.county, officer_a,
    )  # fmt: skip
    assert account.must_change_password and account.application_ref == "府教資字第1110001號"
    validate_password(password, User(username="someone_else"))  # the temporary password meets the rules
    event = SecurityEvent.objects.get(kind="account_created")
    assert (event.username, event.target) == ("officer_a", "newschool") and "府教資字第1110001號" in event.detail

    # First login: nothing but the password change.
    client = Client()
    assert log_in(client, "newschool", password).status_code == 302
    for path in ("/", "/roster/", reverse("usage_overview"), reverse("my_account")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("password_change")), path
    assert "由他人設定" in client.get(reverse("password_change"), follow=True).content.decode()
    changed = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Own-choice-2022!", "new_password2": "Own-choice-2022!"},
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    account.refresh_from_db()
    assert not account.must_change_password
    assert "password_change" in [e.kind for e in SecurityEvent.objects.filter(username="newschool")]


def test_a_county_officer_creates_only_their_own_schools_accounts(officer_a, school_b):
    client = client_for(officer_a)
    response = create(client, school_code="144601")
    assert response.status_code == 200 and "限本縣市學校" in response.content.decode()
    assert not User.objects.filter(username="newschool").exists()


def test_a_posted_role_does_not_make_a_county_officer_an_admin_maker(officer_a, school_a):
    create(client_for(officer_a), username="sneaky", role=Role.ADMIN, county=officer_a.county_id)
    account = User.objects.get(username="sneaky")
    assert account.role == Role.SCHOOL and not account.is_staff and not account.is_superuser


def test_school_staff_and_reviewers_cannot_create_accounts(school_user_a, reviewer, school_a):
    for user in (school_user_a, reviewer):
        assert create(client_for(user)).status_code == 403
    assert not User.objects.filter(username="newschool").exists()


def test_an_admin_creates_county_and_moe_accounts(admin_user, county_a):
    client = client_for(admin_user)
    create(client, username="officer_new", role=Role.COUNTY, county=county_a.pk, school_code="")
    create(client, username="reviewer_new", role=Role.MOE, school_code="")
    assert User.objects.get(username="officer_new").county == county_a
    assert User.objects.get(username="reviewer_new").county is None
    refused = create(client, username="officer_none", role=Role.COUNTY, school_code="")
    assert "須選縣市" in refused.content.decode()
    # An MOE account must enrol its second factor at its first login, then change the password.
    password = shown_password(create(client, username="reviewer_two", role=Role.MOE, school_code=""))
    fresh = Client()
    log_in(fresh, "reviewer_two", password)
    assert fresh.get("/").url.startswith(reverse("mfa_setup"))


def test_duplicate_and_malformed_usernames_are_refused(officer_a, school_a):
    client = client_for(officer_a)
    assert "已有人使用" in create(client, username="OFFICER_A").content.decode()
    assert "英數字" in create(client, username="王小明").content.decode()
    assert "英數字" in create(client, username="a" * 31).content.decode()


def test_a_temporary_account_has_an_end_date(officer_a, school_a):
    end = timezone.localdate() + timedelta(days=30)
    create(client_for(officer_a), username="temp", valid_until=end.isoformat())
    assert User.objects.get(username="temp").valid_until == end
    past = create(client_for(officer_a), username="temp2", valid_until="2020-01-01")
    assert "不可早於今天" in past.content.decode()


def test_disabling_ends_the_users_sessions_and_enabling_brings_the_account_back(officer_a, school_user_a):
    school_client = client_for(school_user_a)
    assert school_client.get("/").status_code == 200
    officer = client_for(officer_a)
    assert officer.post(reverse("account_disable", args=[school_user_a.pk])).status_code == 302
    school_user_a.refresh_from_db()
    assert not school_user_a.is_active and school_user_a.disabled_reason == DisabledReason.MANUAL
    assert school_client.get("/").status_code == 302  # the open session is over
    assert "已由管理者停用" in log_in(Client(), "school_a").content.decode()
    officer.post(reverse("account_enable", args=[school_user_a.pk]))
    assert log_in(Client(), "school_a").status_code == 302
    assert [e.kind for e in SecurityEvent.objects.filter(target="school_a").order_by("pk")] == [
        "account_disabled",
        "account_enabled",
    ]
    history = [h.is_active for h in school_user_a.history.order_by("history_id")]
    assert history == [True, False, True]


def test_a_reset_password_must_be_changed_and_lifts_a_lockout(officer_a, school_user_a, settings):
    locked = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(locked, "school_a", "wrong")
    response = client_for(officer_a).post(reverse("account_reset_password", args=[school_user_a.pk]))
    password = shown_password(response)
    school_user_a.refresh_from_db()
    assert school_user_a.must_change_password
    assert log_in(locked, "school_a", password).status_code == 302
    assert locked.get("/").url.startswith(reverse("password_change"))
    event = SecurityEvent.objects.get(kind="password_set")
    assert (event.username, event.target) == ("officer_a", "school_a")


def test_a_county_officer_cannot_manage_other_accounts(officer_a, officer_b, reviewer, county_a):
    fellow = make_user("fellow", Role.COUNTY, county=county_a)
    client = client_for(officer_a)
    # Another county's account: not found. A fellow officer's or an MOE account: not theirs.
    assert client.post(reverse("account_disable", args=[officer_b.pk])).status_code == 404
    assert client.post(reverse("account_disable", args=[reviewer.pk])).status_code == 404
    assert client.post(reverse("account_disable", args=[fellow.pk])).status_code == 403
    assert client.post(reverse("account_reset_password", args=[fellow.pk])).status_code == 403
    assert client.get(reverse("account_detail", args=[fellow.pk])).status_code == 200  # reviewed, not managed
    fellow.refresh_from_db()
    assert fellow.is_active


def test_an_admin_changes_a_role_and_scope_and_it_is_recorded(admin_user, officer_a, county_b):
    response = client_for(admin_user).post(
        reverse("account_detail", args=[officer_a.pk]),
        {
            "first_name": "王承辦",
            "email": "",
            "role": Role.COUNTY,
            "county": county_b.pk,
            "school_code": "",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.county == county_b
    event = SecurityEvent.objects.get(kind="account_changed")
    assert "縣市：花蓮縣 → 臺東縣" in event.detail and event.username == "admin"
    assert officer_a.history.latest().history_user == admin_user


def test_an_admin_cannot_disable_or_delete_themselves(admin_user):
    client = client_for(admin_user)
    client.post(reverse("account_disable", args=[admin_user.pk]))
    client.post(reverse("account_delete", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_only_an_unused_account_is_deleted(officer_a, school_a, school_user_a):
    client = client_for(officer_a)
    create(client, username="mistake")
    mistake = User.objects.get(username="mistake")
    assert client.post(reverse("account_delete", args=[mistake.pk])).status_code == 302
    assert not User.objects.filter(username="mistake").exists()
    assert SecurityEvent.objects.filter(kind="account_deleted", target="mistake").exists()
    school_user_a.last_login = timezone.now()
    school_user_a.save()
    response = client.post(reverse("account_delete", args=[school_user_a.pk]), follow=True)
    assert "只能停用" in response.content.decode()
    assert User.objects.filter(pk=school_user_a.pk).exists()


def test_the_daily_task_disables_idle_and_expired_accounts(officer_a, officer_b, school_user_a, reviewer, settings):
    settings.ACCOUNT_IDLE_DAYS = 90
    now = timezone.now()
    User.objects.filter(pk=officer_a.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=officer_b.pk).update(last_login=now - timedelta(days=89))
    User.objects.filter(pk=reviewer.pk).update(last_login=None, date_joined=now - timedelta(days=100))
    User.objects.filter(pk=school_user_a.pk).update(
        last_login=now, valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert disable_idle_and_expired() == {"expired": 1, "idle": 2}
    states = dict(User.objects.values_list("username", "disabled_reason"))
    assert states == {"officer_a": "idle", "officer_b": "", "reviewer": "idle", "school_a": "expired"}
    assert disable_idle_and_expired() == {"expired": 0, "idle": 0}
    assert SecurityEvent.objects.filter(kind="account_disabled", username="system").count() == 3
    # Told why at the next login.
    assert "超過 90 天未登入" in log_in(Client(), "officer_a").content.decode()


def test_a_re_enabled_idle_account_gets_a_new_idle_period(officer_a, admin_user):
    User.objects.filter(pk=officer_a.pk).update(last_login=timezone.now() - timedelta(days=120))
    disable_idle_and_expired()
    client_for(admin_user).post(reverse("account_enable", args=[officer_a.pk]))
    assert disable_idle_and_expired() == {"expired": 0, "idle": 0}
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_an_expired_account_is_enabled_only_with_a_new_end_date(officer_a, admin_user):
    User.objects.filter(pk=officer_a.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    disable_idle_and_expired()
    page = client_for(admin_user).post(reverse("account_enable", args=[officer_a.pk]), follow=True).content.decode()
    assert "請先延長使用期限" in page


def test_the_account_review_lists_the_readers_scope(officer_a, officer_b, school_user_a, reviewer, admin_user):
    county_page = client_for(officer_a).get(reverse("account_list")).content.decode()
    assert "school_a" in county_page and "officer_a" in county_page
    assert "officer_b" not in county_page and "reviewer" not in county_page
    admin_page = client_for(admin_user).get(reverse("account_list") + "?role=moe").content.decode()
    assert "reviewer" in admin_page and "school_a" not in admin_page


def test_the_account_review_exports_for_the_periodic_review(officer_a, school_user_a, admin_user):
    User.objects.filter(pk=school_user_a.pk).update(created_by=officer_a, application_ref="申請單 12")
    response = client_for(admin_user).get(reverse("account_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:9] == ("帳號", "姓名或職稱", "角色", "縣市", "學校代碼", "學校", "狀態", "使用期限", "最後登入")
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["school_a"]["建立者"] == "officer_a" and by_name["school_a"]["申請依據"] == "申請單 12"
    assert by_name["school_a"]["最後登入"] == "從未登入" and by_name["admin"]["雙因子驗證"] == "已啟用"
    assert SecurityEvent.objects.filter(kind="download", username="admin").exists()


def test_the_account_list_takes_a_constant_number_of_queries(admin_user, county_a, django_assert_max_num_queries):
    school = School.objects.create(code="154699", name="花蓮縣立測試國小", county=county_a, ownership="縣立")
    client = client_for(admin_user)
    client.get(reverse("account_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("account_list"))
    for n in range(30):
        make_user(f"many{n}", Role.SCHOOL, county=county_a, school=school)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("account_list"))


def test_an_admin_cannot_change_their_own_role(admin_user):
    response = client_for(admin_user).post(
        reverse("account_detail", args=[admin_user.pk]),
        {"first_name": "", "email": "", "role": Role.MOE, "school_code": "", "valid_until": ""},
    )
    assert response.status_code == 200 and "不能變更自己的角色" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.is_staff


@pytest.mark.parametrize(
    "fields",
    [
        {"username": "x" * 100_000},
        {"first_name": "名" * 10_000},
        {"school_code": "<script>"},
        {"valid_until": "明天"},
        {"application_ref": ""},
        {"email": "not-an-address"},
    ],
)
def test_malformed_account_forms_are_refused_with_a_message(officer_a, school_a, fields):
    response = create(client_for(officer_a), **fields)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert User.objects.count() == 1
