"""Issue 14, the MOE's day in a browser: narrow the national roster by county and sort it,
open a plan returned once and resubmitted with the county's replies, read comment → reply →
change, approve by exception in one submit, and copy the 公文 text."""

import re

import pytest

from budget import rules as engine
from budget.models import BudgetLine, CountyPlan, PlanStatus
from budget.services import plan_submit, review_comment_reply
from budget.services_review import plan_return
from tests.browser.conftest import log_in, screenshot
from tests.budget.test_moe_review import ready_plan
from tests.conftest import COUNTY_B, PASSWORD, load_roster, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_moe_day(browser, live_server, plan_year, county_a, county_b, officer_a, reviewer):
    # County B's roster beside county A's, so the county filter has something to leave out.
    load_roster(
        plan_year,
        [
            record(
                code="144601", county=COUNTY_B, name="臺東縣立臺東國小", students=300, classes=12, compliance="否，示範"
            ),
            record(
                code="144602", county=COUNTY_B, name="臺東縣立豐里國小", students=120, classes=8, compliance="否，示範"
            ),
        ],
        county_label=COUNTY_B,
    )
    # County A's plan: submitted, returned with a comment on line 3, answered, resubmitted.
    plan = ready_plan(plan_year, county_a, officer_a)
    plan_submit(plan=plan, user=officer_a)
    plan_return(plan=plan, user=reviewer, reason="充電車數請確認", line_notes={3: "國中部應以 2 臺計"})
    for comment in plan.review_comments.all():
        review_comment_reply(comment=comment, user=officer_a, kind="explained", text="本縣國中部已改列 2 臺")
    plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a)

    context = browser.new_context(base_url=live_server.url, locale="zh-TW", viewport={"width": 1366, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, reviewer.username, PASSWORD)

    # The national roster, narrowed to one county and sorted by 學生數.
    page.goto("/roster/?year=111")
    page.get_by_label("縣市").select_option(label=COUNTY_B)
    page.get_by_role("button", name="篩選").click()
    page.get_by_text("共 2 列").wait_for()
    page.get_by_role("link", name="學生數").click()
    page.get_by_text("依學生數（由大到小）排序").wait_for()
    codes = page.locator("td.code a").all_inner_texts()
    assert codes == ["144601", "144602"]
    page.get_by_role("link", name="學生數").click()
    page.get_by_text("依學生數（由小到大）排序").wait_for()
    assert page.locator("td.code a").all_inner_texts() == ["144602", "144601"]
    assert "county=" in page.get_by_role("link", name="匯出目前篩選結果（Excel）").get_attribute("href")
    screenshot(page, "61-moe-roster-filtered-sorted")

    # The plan returned once and resubmitted: comment → reply → change.
    page.goto(f"/plans/111/{county_a.code}/")
    page.get_by_role("link", name="第 2 次送審").first.click()
    threads = page.locator("#threads")
    threads.get_by_text("國中部應以 2 臺計").wait_for()
    threads.get_by_text("縣市回覆：說明").wait_for()
    threads.get_by_text("本縣國中部已改列 2 臺").wait_for()
    threads.get_by_text("本次變動").wait_for()
    screenshot(page, "62-moe-comment-reply-change")
    page.go_back()

    # Approval by exception: the flagged lines first, one lowered, the rest as requested.
    review = page.locator("#review")
    first_flagged = review.locator("tbody.flagged-lines tr[id^=review-line-]").first
    assert first_flagged.get_attribute("id") in {f"review-line-{n}" for n in engine.LINE_NUMBERS}
    review.get_by_text("上次退回有審查意見，縣市已回覆").wait_for()
    student = engine.LINE_STUDENT_DEVICES
    requested = {i["number"]: i["total_ntd"] for i in plan.submissions.get(number=2).budget}
    amount = page.locator(f"#id_amount_{student}")
    assert amount.input_value() == f"{requested[student]:,}"
    amount.fill(str(requested[student] - 13_000))
    # Without the note the page comes back with the typed amount and the error on its row.
    review.get_by_role("button", name="核定計畫（其餘項目依申請數核定）").click()
    page.locator(f"#review-line-{student} .error").wait_for()
    assert re.sub(r"\D", "", page.locator(f"#id_amount_{student}").input_value()) == str(requested[student] - 13_000)
    assert page.url.endswith("#review")
    page.locator(f"#id_note_{student}").fill("核減 1 臺")
    page.locator("#review").get_by_role("button", name="核定計畫（其餘項目依申請數核定）").click()
    page.get_by_text("花蓮縣計畫已核定").wait_for()
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    approved = dict(BudgetLine.objects.filter(plan=plan).values_list("number", "approved_ntd"))
    assert approved[student] == requested[student] - 13_000
    assert all(approved[n] == requested[n] for n in engine.LINE_NUMBERS if n != student)

    # The 公文 text, copied with one click.
    text = page.locator("#approval-text textarea").input_value()
    assert text.startswith("主旨：核定花蓮縣") and "（第2次送審）" in text and "核減 1 臺" in text
    page.get_by_role("button", name="複製文稿").click()
    page.get_by_text("已複製到剪貼簿").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == text
    screenshot(page, "63-moe-approved-official-text")
    context.close()
