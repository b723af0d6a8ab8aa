"""Reporting in a real browser: a school uploads its usage hours (preview, confirm); the county
writes and submits its monthly report; the MOE sees it on the completeness grid and returns it."""

import pytest

from reporting.models import MonthlyReport, UsageRecord
from tests.browser.conftest import log_in, screenshot
from tests.conftest import COUNTY_B, PASSWORD, load_roster, record
from tests.reporting.conftest import summaries, usage_csv, usage_row  # noqa: F401 - summaries is a fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_out(page) -> None:
    page.get_by_role("button", name="登出").click()


@pytest.mark.usefixtures("summaries")
def test_usage_upload_monthly_report_and_its_return(page, plan_year, school_user_a, officer_a, reviewer, tmp_path):
    load_roster(plan_year, [record(code="154601"), record(code="154602", name="花蓮縣立另一國小")])
    load_roster(plan_year, [record(code="144601", county=COUNTY_B, name="臺東縣立某國小")], county_label=COUNTY_B)
    wrong = tmp_path / "使用時數-有錯.csv"
    wrong.write_bytes(usage_csv([usage_row(hours="99999"), usage_row(code="154602")]))
    good = tmp_path / "111年3月使用時數.csv"
    good.write_bytes(usage_csv([usage_row(), usage_row(platform="均一教育平台", hours="45")]))

    # The school: upload, read the errors, upload again, confirm.
    log_in(page, school_user_a.username, PASSWORD)
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="填報與績效").click()
    page.get_by_role("link", name="上傳使用時數檔案").click()
    page.get_by_label("檔案").set_input_files(str(wrong))
    page.get_by_role("button", name="上傳並檢查").click()
    page.get_by_text("有 2 個錯誤").wait_for()
    assert page.get_by_text("本帳號只能填報本校，154602 不是本校").is_visible()
    assert page.get_by_role("button", name="確認匯入").count() == 0
    screenshot(page, "reporting-01-usage-errors")
    page.get_by_role("button", name="重新上傳").click()
    page.get_by_label("檔案").set_input_files(str(good))
    page.get_by_role("button", name="上傳並檢查").click()
    confirm = page.get_by_role("button", name="確認匯入 2 筆")
    confirm.wait_for()
    assert UsageRecord.objects.count() == 0
    screenshot(page, "reporting-02-usage-preview")
    confirm.click()
    page.get_by_text("已匯入 2 筆使用時數：新增 2 筆").wait_for()
    assert UsageRecord.objects.count() == 2
    screenshot(page, "reporting-03-usage-overview")
    log_out(page)

    # The county: the March report, notes and spending, submitted.
    log_in(page, officer_a.username, PASSWORD)
    page.goto("/monthly/")
    march = page.get_by_role("cell", name="111年3月", exact=True)
    page.get_by_role("row").filter(has=march).get_by_role("link").click()
    page.get_by_text("提交期限 111年4月10日").wait_for()
    assert page.get_by_role("row", name="本月使用時數 165.5 小時").is_visible()
    page.get_by_label("本月執行情形說明").fill("召開工作會議 1 次，到校輔導 3 校。")
    page.get_by_label("專任人力本月支用").fill("1075000")
    page.get_by_role("button", name="儲存草稿").click()
    page.get_by_text("已儲存月報草稿").wait_for()
    page.get_by_role("button", name="提交月報").click()
    page.get_by_text("已提交花蓮縣111年3月月報").wait_for()
    screenshot(page, "reporting-04-report-submitted")
    log_out(page)

    # The MOE: the grid shows it (late: 2022 is long past), and returns it with a reason.
    log_in(page, reviewer.username, PASSWORD)
    page.goto("/completeness/")
    row = page.get_by_role("row", name="花蓮縣")
    row.get_by_role("link", name="逾期提交").wait_for()
    assert page.get_by_role("row", name="臺東縣").get_by_role("link", name="未提交").count() == 11
    screenshot(page, "reporting-05-completeness")
    row.get_by_role("link", name="逾期提交").click()
    page.get_by_label("退回理由").fill("專任人力支用請附人事清冊。")
    page.get_by_role("button", name="退回縣市修正").click()
    page.get_by_text("已退回花蓮縣111年3月月報").wait_for()
    assert MonthlyReport.objects.get().status == "returned"
    page.goto("/completeness/")
    page.get_by_role("row", name="花蓮縣").get_by_role("link", name="退回修正").wait_for()
    screenshot(page, "reporting-06-completeness-returned")
    # The devices and training summaries (monkeypatched: their apps are built elsewhere) feed it.
    page.goto("/dashboard/")
    page.get_by_text("預期績效指標").first.wait_for()
    screenshot(page, "reporting-07-dashboard")
    assert page.get_by_role("row", name="1 購置學習載具總臺數 900臺 360臺 已達成").is_visible()
