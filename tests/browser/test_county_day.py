"""The county's day in a browser (issue 14): follow a blocker link to its field (the field
is the URL's target and has the focus), see the budget form's live totals change as the
officer types, and 送審 through its confirmation summary."""

import pytest

from budget.models import CountyPlan, PlanStatus
from budget.selectors import plan_table
from budget.services import plan_for
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_blocker_link_live_totals_and_confirmed_submit(page, plan_year, county_a, officer_a):
    load_roster(
        plan_year,
        [record(), record(code="154602", req_student_devices=100, compliance="否，已有自購載具")],
        user=officer_a,
    )
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    line = plan.lines.get(number=2)
    line.explanation = "北濱國小已有自購載具"
    line.save()
    narrative = plan.narrative
    narrative.promotion_plan = ""  # the one thing that blocks 送審
    narrative.save()
    total_k = plan_table(plan).total_k

    log_in(page, officer_a.username, PASSWORD)
    page.get_by_role("link", name="縣市計畫").click()
    page.get_by_text("尚不能送審").wait_for()
    detail = page.url
    screenshot(page, "county-day-1-blockers")

    # The blocker reads as its label with its code, and leads to the field itself.
    blocker = page.get_by_role("link", name="跨校交流、成果展等推廣活動及獎勵措施規劃")
    page.get_by_text("附件1 尚未填寫").wait_for()
    assert "四(一)3(1)D" in page.locator("ul.blockers").inner_text()
    blocker.click()
    page.wait_for_url("**#id_promotion_plan")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_promotion_plan'")
    page.keyboard.type("辦理跨校成果展與績優學校獎勵。")
    page.get_by_role("button", name="儲存計畫內容").click()
    page.goto(detail)
    page.get_by_text("名單與經費表已齊備，可以送審").wait_for()

    # The budget form: units, what blank means, and totals recomputed as the officer types.
    page.get_by_role("link", name="填寫經費表").click()
    total = page.locator('#live-totals [data-total="total"]')
    assert total.inner_text().strip() == f"{total_k:,}"
    page.get_by_text("留白＝預估").first.wait_for()
    # htmx binds the form's input events once the page has loaded: typing earlier (a busy CI
    # machine) would send nothing.
    page.wait_for_function("() => document.readyState === 'complete' && window.htmx !== undefined")
    page.locator("#id_line11-recurrent_ntd").fill("500000")
    page.wait_for_function(
        "expected => document.querySelector('#live-totals [data-total=\"total\"]').textContent.trim() === expected",
        arg=f"{total_k + 500:,}",
    )
    screenshot(page, "county-day-2-live-totals")
    page.locator("#id_line11-recurrent_ntd").fill("")
    page.wait_for_function(
        "expected => document.querySelector('#live-totals [data-total=\"total\"]').textContent.trim() === expected",
        arg=f"{total_k:,}",
    )

    # 送審 asks first, with the summary.
    page.goto(detail)
    page.get_by_role("button", name="送審").click()
    page.get_by_text(f"第 1 次送審・合計 {total_k:,} 千元・送審後名單與經費表鎖定").wait_for()
    screenshot(page, "county-day-3-confirm-submit")
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    page.get_by_role("button", name="確認送審（第 1 次）").click()
    page.get_by_text("已送出第 1 次送審").wait_for()
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
