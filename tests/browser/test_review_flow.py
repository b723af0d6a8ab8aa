"""The whole year in a browser: a county officer imports the roster, fixes a row and submits;
an MOE reviewer returns one line with a reason; the officer corrects and resubmits; the
reviewer approves line by line and then the plan."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from budget.models import CountyPlan, PlanNarrative, PlanStatus
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, record, roster_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_import_fix_submit_return_resubmit_approve(browser, live_server, officer_a, reviewer, tmp_path):
    roster = tmp_path / "111年花蓮縣名單.xlsx"
    roster.write_bytes(
        roster_bytes(
            [
                record(),
                record(code="154602", name="花蓮縣立北濱國小", req_student_devices=100, compliance="否"),
                record(
                    code="154603",
                    name="花蓮縣立海濱國中",
                    level="國中",
                    classes=9,
                    max_class_size=30,
                    students=250,
                    req_carts=2,
                    req_teacher_devices=6,
                    req_student_devices=60,
                ),
            ]
        )
    )
    officer = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    moe = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    county_page, moe_page = officer.new_page(), moe.new_page()
    for page in (county_page, moe_page):
        page.set_default_timeout(15_000)

    # The county officer imports the roster.
    log_in(county_page, officer_a.username, PASSWORD)
    county_page.get_by_role("link", name="上傳附錄名單").first.click()
    county_page.get_by_label("附錄名單檔案").set_input_files(str(roster))
    county_page.get_by_role("button", name="上傳並檢查").click()
    county_page.get_by_role("button", name="確認匯入 3 列").click()
    county_page.get_by_text("已匯入 3 列").wait_for()

    # Home says what is missing: the 否 row has no reason.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="首頁").click()
    county_page.get_by_text("有 1 列不符原則（否）尚未說明原因").wait_for()
    screenshot(county_page, "11-county-home-missing")

    # Fix the row: the entitlement follows the typing; a reason is required for 否.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="學校名單").click()
    county_page.get_by_role("link", name="154602").click()
    county_page.get_by_role("link", name="修改").click()
    county_page.get_by_label("學生數").fill("300")
    county_page.get_by_label("最大班級人數").fill("20")
    county_page.locator('[data-testid="entitled-student-devices"]').filter(has_text="80").wait_for()
    county_page.get_by_label("申請補助學生載具數").fill("70")
    county_page.get_by_text("須說明原因").wait_for()
    screenshot(county_page, "12-row-edit-live")
    county_page.get_by_label("不符原則之原因").fill("學校已自購 10 臺平板")
    county_page.get_by_role("button", name="儲存").click()
    county_page.get_by_text("已儲存 154602").wait_for()
    county_page.get_by_text("學生數：516 → 300").wait_for()

    # Write 附件1: the MOE's text is there, the county fills every ○.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="縣市計畫").click()
    county_page.get_by_text("附件1 尚未填寫").wait_for()
    county_page.get_by_role("link", name="填寫計畫內容（附件1）").click()
    for name in PlanNarrative.REQUIRED:
        field = county_page.locator(f'[name="{name}"]')
        field.fill("30" if field.get_attribute("type") == "number" else "依本縣推動規劃辦理，詳如會議紀錄。")
    screenshot(county_page, "12b-narrative")
    county_page.get_by_role("button", name="儲存計畫內容").click()
    county_page.get_by_text("計畫內容（附件1）已儲存").wait_for()

    # Lines 1-3 ask what the 附錄 asks: line 2 is below its estimate, and the county says why.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="縣市計畫").click()
    county_page.get_by_text("第2項「學習載具-學生」申請補助數與預估補助數不同，請填寫差異說明").wait_for()
    county_page.get_by_role("link", name="填寫經費表").click()
    county_page.locator("#id_line2-explanation").fill("北濱國小已自購 10 臺平板，申請數扣除之")
    county_page.get_by_role("button", name="儲存經費表").click()
    county_page.get_by_text("經費表已儲存").wait_for()

    # Submit.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="縣市計畫").click()
    county_page.get_by_role("button", name="送審").click()
    county_page.get_by_text("第 1 次送審・合計").wait_for()
    county_page.get_by_role("button", name="確認送審").click()
    county_page.get_by_text("已送出第 1 次送審").wait_for()
    screenshot(county_page, "13-plan-submitted")

    # The reviewer returns it with a reason on line 3.
    log_in(moe_page, reviewer.username, PASSWORD)
    moe_page.get_by_role("navigation", name="主選單").get_by_role("link", name="計畫審查").click()
    screenshot(moe_page, "14-review-queue")
    moe_page.get_by_role("link", name="審查", exact=True).click()
    moe_page.get_by_label("退回理由（整體）").fill("充電車數與學校需求不符，請確認")
    moe_page.get_by_label("第3項 行動充電車").fill("國中部應以 2 臺計")
    moe_page.get_by_role("button", name="退回計畫").click()
    moe_page.get_by_role("button", name="確認退回").click()
    moe_page.get_by_text("已退回花蓮縣計畫").wait_for()

    # The officer reads the reasons, corrects and resubmits.
    county_page.reload()
    county_page.get_by_text("充電車數與學校需求不符，請確認", exact=True).wait_for()
    county_page.get_by_text("第3項 行動充電車：國中部應以 2 臺計").wait_for()
    screenshot(county_page, "15-plan-returned")
    county_page.get_by_role("link", name="填寫經費表").click()
    county_page.locator("#id_line3-procurement_note").fill("行動充電車 10 臺，公開招標")
    county_page.get_by_role("button", name="儲存經費表").click()
    county_page.get_by_text("經費表已儲存").wait_for()
    # Issue 14: the line comment is a checklist item answered before resubmitting.
    county_page.locator("#comments").get_by_label("已修正").check()
    county_page.get_by_role("button", name="儲存第3項回覆").click()
    county_page.get_by_text("已回覆第3項審查意見").wait_for()
    county_page.get_by_role("button", name="送審（第 2 次）").click()
    county_page.get_by_role("button", name="確認送審（第 2 次）").click()
    county_page.get_by_text("已送出第 2 次送審").wait_for()

    # The reviewer sees what changed, approves every line, then the plan.
    moe_page.get_by_role("navigation", name="主選單").get_by_role("link", name="計畫審查").click()
    moe_page.get_by_role("link", name="審查", exact=True).click()
    moe_page.get_by_role("link", name="第 2 次送審").first.click()
    moe_page.get_by_text("與第 1 次送審相比").wait_for()
    moe_page.get_by_text("行動充電車 10 臺，公開招標").first.wait_for()
    screenshot(moe_page, "16-submission-diff")
    moe_page.get_by_text("審查意見與縣市回覆（1 項）").wait_for()
    moe_page.go_back()
    moe_page.get_by_role("button", name="核定計畫（其餘項目依申請數核定）").click()
    moe_page.get_by_text("花蓮縣計畫已核定").wait_for()
    screenshot(moe_page, "17-plan-approved")
    assert CountyPlan.objects.get(county__name="花蓮縣").status == PlanStatus.APPROVED

    county_page.reload()
    county_page.get_by_text("經教育部核定，不能再修改").first.wait_for()

    # The officer has the approved plan rendered as PDF, follows the job and downloads it.
    county_page.get_by_role("button", name="產製計畫書 PDF").click()
    county_page.get_by_role("heading", name="計畫書 PDF（附件1 含經費表與附錄）").wait_for()
    link = county_page.get_by_role("link", name="下載 111年花蓮縣國民中小學實施計畫_第2次送審.pdf")
    link.wait_for(timeout=60_000)
    screenshot(county_page, "18-export-done")
    with county_page.expect_download() as download_info:
        link.click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "第 2 次送審版本" in text and "已核定" in text and "草稿" not in text
    officer.close()
    moe.close()
