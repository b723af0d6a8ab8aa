"""A county officer, in a real browser: create a training session, import who completed it,
read the preview, confirm, and see the progress against the targets."""

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, load_roster, record
from tests.training.conftest import sheet_bytes
from training.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_officer_creates_a_session_imports_attendance_and_sees_progress(page, plan_year, officer_a, tmp_path):
    load_roster(
        plan_year,
        [record(code="154601", teachers=8), record(code="154602", name="花蓮縣立另一國小", teachers=4)],
    )
    broken = tmp_path / "參加名單-有錯.xlsx"
    broken.write_bytes(sheet_bytes([["A1-101", "154601", "T01", ""], ["A1-101", "154601", "F123456789", ""]]))
    good = tmp_path / "參加名單.xlsx"
    rows = [["A1-101", "154601", f"T{i:02d}", ""] for i in range(1, 4)] + [["A1-101", "154602", "U01", "林老師"]]
    good.write_bytes(sheet_bytes(rows))

    log_in(page, officer_a.username, PASSWORD)
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="推動辦公室", exact=True).click()
    page.get_by_role("heading", name="數位學習推動辦公室・111年度・花蓮縣").wait_for()
    screenshot(page, "training-01-office")

    page.locator("nav.subnav").get_by_role("link", name="研習場次").click()
    page.get_by_role("link", name="新增研習場次").click()
    page.get_by_label("研習代碼").fill("A1-101")
    page.get_by_label("研習類別").select_option(label="數位學習工作坊(一) A1")
    page.get_by_label("研習名稱").fill("數位學習工作坊(一)：花蓮場")
    page.get_by_label("日期").fill("111/09/14")
    page.get_by_label("地點").fill("花蓮縣教育網路中心")
    page.get_by_label("國小代理代課節數").fill("12")
    screenshot(page, "training-02-session-form")
    page.get_by_role("button", name="儲存").click()
    page.get_by_text("已新增研習場次").wait_for()
    assert TrainingSession.objects.get().substitute_periods_elementary == 12
    assert page.get_by_text("每場 25,000 元，計 25,000 元").is_visible()
    screenshot(page, "training-03-sessions")

    page.get_by_role("link", name="匯入研習參加名單").first.click()
    page.get_by_label("研習參加名單檔案").set_input_files(str(broken))
    page.get_by_role("button", name="上傳並檢查").click()
    page.get_by_text("有 1 個錯誤").wait_for()
    assert page.get_by_text("看起來是身分證統一編號").is_visible()
    assert page.get_by_role("button", name="確認匯入").count() == 0
    screenshot(page, "training-04-preview-errors")
    page.get_by_role("button", name="重新上傳").click()

    page.get_by_label("研習參加名單檔案").set_input_files(str(good))
    page.get_by_role("button", name="上傳並檢查").click()
    confirm = page.get_by_role("button", name="確認匯入 4 筆")
    confirm.wait_for()
    assert Attendance.objects.count() == 0
    screenshot(page, "training-05-preview-clean")
    confirm.click()

    page.get_by_text("已匯入研習完成紀錄 4 筆").wait_for()
    assert Attendance.objects.count() == 4
    page.get_by_role("heading", name="教師培訓進度・111年度・花蓮縣").wait_for()
    assert page.locator("svg.chart").is_visible()
    assert page.locator("tfoot").get_by_text("4").first.is_visible()
    screenshot(page, "training-06-progress")
