"""A county officer, in a real browser: log in, upload the roster, read the preview,
confirm, see the list, download the roster back."""

import io
from pathlib import Path

import openpyxl
import pytest

from schools.models import RosterRow
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, record, roster_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_officer_imports_the_roster_through_the_pages(page, officer_a, county_a_records, tmp_path):
    broken = tmp_path / "名單-有錯.xlsx"
    broken.write_bytes(roster_bytes([record(classes="二十"), record(code="154602", area="山區")]))
    good = tmp_path / "111年花蓮縣名單.xlsx"
    good.write_bytes(roster_bytes(county_a_records))

    log_in(page, officer_a.username, PASSWORD)
    screenshot(page, "01-home-empty")
    page.get_by_role("link", name="上傳附錄名單").first.click()

    page.get_by_label("附錄名單檔案").set_input_files(str(broken))
    page.get_by_role("button", name="上傳並檢查").click()
    page.get_by_text("有 2 個錯誤").wait_for()
    assert page.get_by_text("「二十」不是數字").is_visible()
    assert page.get_by_role("button", name="確認匯入").count() == 0
    screenshot(page, "02-preview-errors")
    page.get_by_role("button", name="重新上傳").click()

    page.get_by_label("附錄名單檔案").set_input_files(str(good))
    page.get_by_role("button", name="上傳並檢查").click()
    confirm = page.get_by_role("button", name=f"確認匯入 {len(county_a_records)} 列")
    confirm.wait_for()
    assert RosterRow.objects.count() == 0
    screenshot(page, "03-preview-clean")
    confirm.click()

    page.get_by_text(f"已匯入 {len(county_a_records)} 列").wait_for()
    assert RosterRow.objects.count() == len(county_a_records)
    assert page.get_by_text(f"共 {len(county_a_records)} 列").is_visible()
    screenshot(page, "04-roster-list")

    page.get_by_label("地區屬性").select_option("remote")
    page.get_by_role("button", name="篩選").click()
    remote = sum(1 for r in county_a_records if r["area"] != "一般")
    page.get_by_text(f"共 {remote} 列").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下載附錄名單（Excel）").click()
    download = download_info.value
    assert download.suggested_filename == "111年花蓮縣國民中小學名單.xlsx"
    # Playwright keeps the download under a name without an extension, which openpyxl refuses.
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet["A2"].value == "111年花蓮縣國民中小學名單"

    page.get_by_role("navigation", name="主選單").get_by_role("link", name="首頁").click()
    schools = len({r["code"] for r in county_a_records})
    page.get_by_text("各縣市補助數").wait_for()
    assert page.locator(".stat .value").first.inner_text() == f"{schools:,}"
    screenshot(page, "05-home")


def test_numbers_typed_before_the_page_script_loads_still_reach_the_entitlement_panel(page, officer_a, two_counties):
    """On a slow connection the officer can type before htmx has bound the form's input
    events; the panel recomputes from what is in the form once the script runs."""
    row = RosterRow.objects.get(school__code="154602")
    held = []
    log_in(page, officer_a.username, PASSWORD)
    page.route("**/htmx*.js", lambda route: held.append(route))
    page.goto(f"/roster/rows/{row.pk}/edit/", wait_until="commit")
    page.get_by_label("最大班級人數").fill("20")
    page.get_by_label("學生數").fill("300")
    assert held, "the page did not ask for htmx"
    before = page.locator('[data-testid="entitled-student-devices"]').inner_text()
    for route in held:
        route.continue_()
    page.wait_for_load_state()
    expected = f"{_student_devices_entitled(row, max_class_size=20, students=300):,}"
    assert before != expected
    page.locator('[data-testid="entitled-student-devices"]').filter(has_text=expected).wait_for()


def _student_devices_entitled(row, **typed) -> int:
    from schools.forms import RosterRowForm

    fields = ("area", "classes", "max_class_size", "teachers", "students", "req_carts", "req_teacher_devices")
    data = {name: getattr(row, name) for name in fields} | {"req_student_devices": row.req_student_devices or ""}
    data |= typed
    data["version"] = row.version
    form = RosterRowForm(data, plan_year=row.plan_year, level=row.level)
    form.is_valid()
    return form.entitlement.student_devices
