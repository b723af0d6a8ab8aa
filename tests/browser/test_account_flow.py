"""Accounts in a browser (issue 12): an MOE reviewer enrols an authenticator, logs out, logs
in with password + code and reviews a plan; a county officer creates a school account and
the school user must change the password at the first login; the idle-session warning."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from budget.models import CountyPlan, PlanStatus
from budget.services import plan_for, plan_submit
from portal.models import Role, SecurityEvent, User
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, fill_narrative, load_roster, make_user, record, totp_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_a_reviewer_enrols_logs_in_with_a_code_and_reviews_a_plan(page, plan_year, county_a, officer_a):
    load_roster(plan_year, [record()])
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    reviewer = make_user("moe_new", Role.MOE, mfa=False)

    # The password alone leads to the enrolment, whatever page was asked for.
    page.goto("/plans/review/")
    page.get_by_label("帳號").fill("moe_new")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.get_by_role("heading", name="設定雙因子驗證").wait_for()
    assert page.locator("svg.qr").count() == 1  # drawn on our server, no image service
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    screenshot(page, "41-mfa-enrol")
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    page.get_by_label("驗證碼").fill(current_code(device))
    page.get_by_role("button", name="完成設定").click()
    page.get_by_role("heading", name="雙因子驗證已啟用").wait_for()
    assert page.locator("ul.codes li").count() == 10
    page.get_by_role("link", name="我已保存，繼續").click()
    page.wait_for_url("**/plans/review/")

    # Log out, then in again: password, then the code.
    page.get_by_role("button", name="登出").click()
    page.wait_for_url("**/login/")
    page.get_by_label("帳號").fill("moe_new")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.get_by_role("heading", name="雙因子驗證").wait_for()
    page.get_by_label("驗證碼").fill(totp_code(reviewer))
    page.get_by_role("button", name="驗證").click()
    page.wait_for_url("**/")

    # Review the plan: open it from the queue and return it with a reason.
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="計畫審查").click()
    page.get_by_role("link", name="審查", exact=True).click()
    screenshot(page, "42-mfa-review")
    page.get_by_label("退回理由（整體）").fill("請補充各校載具管理方式")
    page.get_by_role("button", name="退回計畫").click()
    page.get_by_role("button", name="確認退回").click()
    page.get_by_text("已退回花蓮縣計畫").wait_for()
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.RETURNED
    kinds = list(SecurityEvent.objects.filter(username="moe_new").order_by("pk").values_list("kind", flat=True))
    assert kinds[:5] == ["login", "mfa_enrolled", "logout", "login", "mfa_verified"]


def test_a_county_officer_creates_a_school_account_whose_user_changes_the_password(
    browser, live_server, officer_a, county_a
):
    from schools.models import School

    School.objects.create(code="154601", name="花蓮縣立示範國小", county=county_a, ownership="縣立")
    officer = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    school = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})  # a phone
    county_page, school_page = officer.new_page(), school.new_page()
    for p in (county_page, school_page):
        p.set_default_timeout(15_000)

    log_in(county_page, officer_a.username, PASSWORD)
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="帳號管理").click()
    county_page.get_by_role("link", name="建立帳號").click()
    county_page.get_by_label("帳號", exact=True).fill("hl154601")
    county_page.get_by_label("姓名或職稱").fill("資訊組長")
    county_page.get_by_label("學校代碼").fill("154601")
    county_page.get_by_label("申請依據").fill("府教資字第1110001號")
    county_page.get_by_role("button", name="建立帳號").click()
    county_page.get_by_role("heading", name="帳號已建立：hl154601").wait_for()
    password = county_page.locator("#temporary-password").inner_text()
    screenshot(county_page, "43-account-created")

    school_page.goto("/login/")
    school_page.get_by_label("帳號").fill("hl154601")
    school_page.get_by_label("密碼").fill(password)
    school_page.get_by_role("button", name="登入").click()
    school_page.get_by_role("heading", name="變更密碼").wait_for()
    assert "由他人設定" in school_page.content()
    school_page.goto("/roster/")  # nothing else opens
    school_page.get_by_role("heading", name="變更密碼").wait_for()
    school_page.get_by_label("目前的密碼").fill(password)
    school_page.get_by_label("新密碼", exact=True).fill("short")
    school_page.get_by_label("再輸入一次新密碼").fill("short")
    school_page.get_by_role("button", name="變更密碼").click()
    school_page.get_by_text("至少", exact=False).first.wait_for()
    school_page.get_by_label("目前的密碼").fill(password)
    school_page.get_by_label("新密碼", exact=True).fill("School-own-2022!")
    school_page.get_by_label("再輸入一次新密碼").fill("School-own-2022!")
    school_page.get_by_role("button", name="變更密碼").click()
    school_page.get_by_role("heading", name="密碼已變更").wait_for()
    school_page.goto("/roster/")
    school_page.get_by_role("heading", name=re.compile("學校名單|名單")).first.wait_for()
    screenshot(school_page, "44-school-after-change")
    account = User.objects.get(username="hl154601")
    assert not account.must_change_password and account.created_by == officer_a
    officer.close()
    school.close()


def test_the_idle_warning_appears_a_minute_before_and_keeps_the_session(page, officer_a, settings):
    settings.SESSION_IDLE_MINUTES = 1
    settings.SESSION_IDLE_WARNING_SECONDS = 58  # the warning shows ~2 s after the page
    log_in(page, officer_a.username, PASSWORD)
    box = page.locator("#session-timeout")
    box.wait_for(state="visible", timeout=10_000)
    assert "秒後將自動登出" in box.inner_text()
    screenshot(page, "45-idle-warning")
    page.get_by_role("button", name="繼續使用").click()
    box.wait_for(state="hidden")
    # Ignored this time: the session ends and the page shows the login.
    box.wait_for(state="visible", timeout=10_000)
    page.wait_for_url("**/login/**", timeout=90_000)
    assert "閒置超過 1 分鐘" in page.content()
