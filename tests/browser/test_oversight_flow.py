"""National oversight in a real browser: an officer makes an API token and a client uses it;
an MOE reviewer clicks a county on the equity tile map, then models 每 5 班 and sees the
national difference."""

import json

import pytest

from api.models import ApiToken
from budget.models import RuleScenario
from tests.browser.conftest import log_in, screenshot
from tests.conftest import COUNTY_B, PASSWORD, load_roster, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_officer_makes_a_token_and_a_client_reads_with_it(page, plan_year, officer_a, county_b):
    load_roster(plan_year, [record(code="154601"), record(code="154602", name="花蓮縣立另一國小")])
    load_roster(plan_year, [record(code="144601", county=COUNTY_B, name="臺東縣立某國小")], county_label=COUNTY_B)
    log_in(page, officer_a.username, PASSWORD)
    page.get_by_role("link", name="API 權杖").click()
    page.get_by_label("權杖名稱").fill("縣府資料倉儲")
    page.get_by_role("button", name="建立權杖").click()
    page.get_by_text("只顯示這一次").wait_for()
    token = page.get_by_label("權杖", exact=True).input_value()
    screenshot(page, "oversight-01-token")
    assert token.startswith("dlp_") and ApiToken.objects.get().name == "縣府資料倉儲"

    answer = page.request.get("/api/v1/roster-rows/", headers={"Authorization": f"Bearer {token}"})
    body = json.loads(answer.body())
    assert answer.status == 200 and {row["school_code"] for row in body["results"]} == {"154601", "154602"}

    page.reload()  # the token is not shown again, and no second one is made
    assert page.get_by_text("只顯示這一次").count() == 0 and ApiToken.objects.count() == 1
    page.get_by_role("button", name="撤銷「縣府資料倉儲」").click()
    page.get_by_text("已撤銷權杖").wait_for()
    refused = page.request.get("/api/v1/roster-rows/", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401


def test_a_reviewer_drills_into_a_county_and_models_every_five_classes(page, plan_year, reviewer, county_b):
    load_roster(
        plan_year,
        [
            record(
                code="154601",
                classes=25,
                max_class_size=28,
                students=600,
                req_carts=5,
                req_teacher_devices=10,
                req_student_devices=140,
            )
        ],
    )
    load_roster(plan_year, [record(code="144601", county=COUNTY_B, name="臺東縣立某國小")], county_label=COUNTY_B)
    log_in(page, reviewer.username, PASSWORD)
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="填報與績效").click()
    page.get_by_role("link", name="公平性").click()
    page.get_by_label("指標").select_option(label="學生數／應補助學生載具")
    page.get_by_role("button", name="查詢").click()
    page.locator("svg.tilemap a[aria-label^='花蓮縣']").click()
    page.get_by_role("heading", name="花蓮縣各校學生數／應補助學生載具（由低至高）").wait_for()
    screenshot(page, "oversight-02-equity")

    page.get_by_role("navigation", name="主選單").get_by_role("link", name="規則試算").click()
    page.get_by_label("情境名稱").fill("每 5 班")
    page.get_by_role("button", name="複製年度規則為新情境").click()
    page.get_by_label("非偏遠學校每幾班補助 1 班載具").fill("5")
    page.get_by_role("button", name="儲存並重新計算").click()
    page.get_by_text("情境參數已儲存").wait_for()
    screenshot(page, "oversight-03-whatif")
    # 154601: 25 classes -> ceil(25/6)=5 against ceil(25/5)=5; 144601: 20 classes -> 4 against 4.
    scenario = RuleScenario.objects.get()
    assert scenario.rules["classes_per_device_class"] == 5
    assert page.get_by_text("非偏遠學校每幾班補助 1 班載具（classes_per_device_class）：6 → 5").is_visible()
