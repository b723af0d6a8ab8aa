"""A county officer, in a real browser: upload a serial list with errors, read them, upload
the fixed list, confirm, find the device in the list; the school lends it and takes it back."""

import pytest

from devices.models import Device, DeviceStatus, Loan
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, load_roster, record
from tests.devices.conftest import device_row, devices_xlsx, make_batch

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_officer_imports_serials_and_the_school_lends_a_device(page, officer_a, school_user_a, plan_year, tmp_path):
    load_roster(plan_year, [record(code="154601")])
    make_batch(officer_a.county, plan_year, tender_number="111-A-001", quantity=10)
    broken = tmp_path / "序號-有錯.xlsx"
    broken.write_bytes(devices_xlsx([device_row("SN001"), device_row("SN001"), device_row("SN002", school="999998")]))
    good = tmp_path / "序號.xlsx"
    good.write_bytes(
        devices_xlsx(
            [device_row(f"SN00{i}") for i in range(1, 6)] + [device_row("SN009", school="", delivered="", mdm="")]
        )
    )

    log_in(page, officer_a.username, PASSWORD)
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="載具與設備").click()
    page.get_by_role("link", name="匯入載具序號").first.click()
    page.get_by_label("載具序號清單").set_input_files(str(broken))
    page.get_by_role("button", name="上傳並檢查").click()
    page.get_by_text("有 2 個錯誤").wait_for()
    assert page.get_by_text("序號 SN001 與第 2 列重複").is_visible()
    assert page.get_by_text("學校代碼 999998 不在本系統的學校中").is_visible()
    assert page.get_by_role("button", name="確認匯入").count() == 0
    screenshot(page, "devices-01-preview-errors")
    page.get_by_role("button", name="重新上傳").click()

    page.get_by_label("載具序號清單").set_input_files(str(good))
    page.get_by_role("button", name="上傳並檢查").click()
    confirm = page.get_by_role("button", name="確認匯入 6 臺")
    confirm.wait_for()
    assert Device.objects.count() == 0
    screenshot(page, "devices-02-preview-clean")
    confirm.click()
    page.get_by_text("已匯入 6 臺載具").wait_for()
    assert page.get_by_text("共 6 臺").is_visible()
    screenshot(page, "devices-03-device-list")

    page.get_by_label("狀態").select_option("stock")
    page.get_by_role("button", name="篩選").click()
    page.get_by_text("共 1 臺").wait_for()
    page.get_by_role("button", name="登出").click()

    log_in(page, school_user_a.username, PASSWORD)
    page.goto("/devices/")
    page.get_by_text("共 5 臺").wait_for()  # the school sees its own five, not the county's stock
    page.get_by_role("link", name="SN003").click()
    page.get_by_label("借用人編號").fill("701-15")
    page.get_by_label("用途").select_option("home_disadvantaged")
    screenshot(page, "devices-04-lend-form")
    page.get_by_role("button", name="借出").click()
    page.get_by_text("已借出 SN003 給 701-15").wait_for()
    assert Device.objects.get(serial="SN003").status == DeviceStatus.LENT
    screenshot(page, "devices-05-lent")

    page.goto("/devices/loans/")
    page.get_by_text("701-15").wait_for()
    page.get_by_role("link", name="SN003").click()
    page.get_by_label("歸還狀況").select_option("good")
    page.get_by_role("button", name="歸還").click()
    page.get_by_text("已歸還 SN003").wait_for()
    screenshot(page, "devices-06-returned")
    assert Device.objects.get(serial="SN003").status == DeviceStatus.IN_USE
    assert Loan.objects.get().returned_on is not None
