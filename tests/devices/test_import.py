"""The serial-list import: preview writes nothing, every bad row is reported with its row
number, column and reason, the file goes in all or nothing, queries do not grow with rows."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from devices.importing import DEVICES_IMPORT
from devices.models import BlockedBrand, Device, DeviceStatus
from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget
from portal.models import PendingUpload
from tests.conftest import client_for
from tests.devices.conftest import (
    HEADERS,
    OTHER_SCHOOL,
    OWN_SCHOOL,
    SCHOOL_B,
    device_row,
    devices_csv,
    devices_xlsx,
    make_batch,
    make_devices,
)

pytestmark = pytest.mark.django_db


def preview(content, county):
    return pipeline.preview(
        DEVICES_IMPORT,
        pipeline.read_file(DEVICES_IMPORT, content, target=ImportTarget(plan_year=None)),
        target=ImportTarget(plan_year=None, county=county),
        user=None,
    )


def messages(result):
    return [str(p) for p in result.errors]


def test_a_clean_file_previews_without_writing_and_imports_every_serial(rosters, batch_a, county_a):
    content = devices_xlsx(
        [
            device_row("SN-0001"),
            device_row("sn 0002", use="教師", delivered="1110906", mdm=""),
            device_row("ＳＮ０００３", school="", delivered="", mdm="", status="在庫"),
        ]
    )
    result = preview(content, county_a)
    assert result.ok, messages(result)
    assert Device.objects.count() == 0
    assert result.summary["rows"] == 3 and result.summary["stock"] == 1 and result.summary["schools"] == 1

    summary = pipeline.import_rows(
        DEVICES_IMPORT, result.parse, target=ImportTarget(plan_year=None, county=county_a), user=None
    )
    assert summary["rows"] == 3
    first, second, third = Device.objects.order_by("serial")
    # Width and spaces folded, upper case: what a vendor types and what a barcode reader reads agree.
    assert [first.serial, second.serial, third.serial] == ["SN-0001", "SN0002", "SN0003"]
    assert first.school.code == OWN_SCHOOL and first.status == DeviceStatus.ASSIGNED
    assert first.delivered_on == date(2022, 9, 5) and first.mdm_enrolled_on == date(2022, 9, 10)
    assert second.use == "teacher" and second.delivered_on == date(2022, 9, 6) and second.mdm_enrolled_on is None
    assert third.school is None and third.status == DeviceStatus.IN_STOCK
    # Licence and warranty derived from the batch: 4 years from delivery (111-09-01).
    assert first.licence_until == date(2026, 8, 31) and first.warranty_until == date(2026, 8, 31)


def test_a_csv_file_imports_the_same(rosters, batch_a, county_a):
    result = preview(devices_csv([device_row("CSV001"), device_row("CSV002")]), county_a)
    assert result.ok, messages(result)
    pipeline.import_rows(DEVICES_IMPORT, result.parse, target=ImportTarget(plan_year=None, county=county_a), user=None)
    assert Device.objects.count() == 2


def test_every_bad_row_is_reported_and_nothing_is_written(rosters, batch_a, county_a, county_b, plan_year):
    make_devices(batch_a, None, 1, prefix="OLD")  # OLD0000000 is already registered
    BlockedBrand.objects.create(name="Huawei／華為")
    make_batch(county_b, plan_year, tender_number="111-B-001")
    content = devices_xlsx(
        [
            device_row("A1"),
            device_row("A1"),  # duplicate inside the file
            device_row("OLD0000000"),  # already in the database
            device_row("A3", school="999998"),  # unknown school
            device_row("A4", school=SCHOOL_B),  # a school of another county
            device_row("A5", tender="111-B-001"),  # another county's batch
            device_row("A6", delivered="111/13/40"),  # bad date
            device_row("A7", brand="ＨＵＡＷＥＩ"),  # blocked brand, full-width
            device_row("A8", use="行政"),  # devices serve teaching only
            device_row("", school=OTHER_SCHOOL),  # no serial
            device_row("A9", school="", delivered="111/09/01"),  # delivered, but to no school
            device_row("A10", school="花蓮縣立國小"),  # a name, not a code
        ]
    )
    result = preview(content, county_a)
    found = messages(result)
    assert "第 3 列，產品序號（A 欄）：序號 A1 與第 2 列重複" in found
    assert "第 4 列，產品序號（A 欄）：序號 OLD0000000 已登錄在本系統" in found
    assert "第 5 列，學校代碼（C 欄）：學校代碼 999998 不在本系統的學校中" in found
    assert "第 6 列，學校代碼（C 欄）：學校代碼 144601 不是花蓮縣的學校" in found
    assert "第 7 列，採購案號（B 欄）：採購案號 111-B-001 不在花蓮縣的採購案中" in found
    assert "第 8 列，到校日期（G 欄）：「111/13/40」不是有效的日期（請用 111/09/05 或 111年9月5日）" in found
    assert any(m.startswith("第 9 列，廠牌（I 欄）：「HUAWEI」屬於禁用廠牌「Huawei／華為」") for m in found)
    assert "第 10 列，用途（D 欄）：「行政」不是可用的值（應為教師或學生）" in found
    assert "第 11 列，產品序號（A 欄）：未填寫" in found
    assert "第 12 列，學校代碼（C 欄）：已填到校日期，但未填學校代碼" in found
    assert "第 13 列，學校代碼（C 欄）：「花蓮縣立國小」不是 6 碼的學校代碼" in found
    assert len(found) == 11
    with pytest.raises(ImportRefused):
        pipeline.import_rows(
            DEVICES_IMPORT, result.parse, target=ImportTarget(plan_year=None, county=county_a), user=None
        )
    assert Device.objects.count() == 1


def test_the_database_checks_report_every_row(rosters, batch_a, county_a):
    make_devices(batch_a, None, 1, prefix="OLD")
    content = devices_xlsx([device_row("OLD0000000"), device_row("N1", school="999998"), device_row("N2")])
    found = messages(preview(content, county_a))
    assert found == [
        "第 2 列，產品序號（A 欄）：序號 OLD0000000 已登錄在本系統",
        "第 3 列，學校代碼（C 欄）：學校代碼 999998 不在本系統的學校中",
    ]


def test_a_batch_of_a_blocked_brand_refuses_its_rows(rosters, county_a, plan_year):
    make_batch(county_a, plan_year, tender_number="111-A-777", brand="Lenovo", vendor="聯想")
    BlockedBrand.objects.create(name="LENOVO")
    found = messages(preview(devices_xlsx([device_row("L1", tender="111-A-777")]), county_a))
    assert found == [
        "第 2 列，採購案號（B 欄）：採購案 111-A-777 的「Lenovo」屬於禁用廠牌「LENOVO」（不得採購大陸廠牌之資通訊產品）"
    ]


def test_more_devices_than_the_batch_bought_are_refused(rosters, county_a, plan_year):
    make_batch(county_a, plan_year, tender_number="111-A-002", quantity=2)
    found = messages(preview(devices_xlsx([device_row(f"Q{i}", tender="111-A-002") for i in range(3)]), county_a))
    assert found == ["檔案，採購案號（B 欄）：採購案 111-A-002 採購 2 臺，已登錄 0 臺，本檔 3 臺，超過 1 臺"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "檔案：檔案是空的"),
        (
            b"\xd0\xcf\x11\xe0" + b"\x00" * 100,
            "檔案：這是舊版 Excel 97-2003 (.xls) 檔案，請在 Excel 另存為 .xlsx 後再上傳",
        ),
        (b"PK\x03\x04 not really a zip", "檔案：不是 Excel 活頁簿或 CSV 檔（壓縮結構已損壞）"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "檔案：不是 Excel 活頁簿或 CSV 檔（看起來是 PNG 圖片）"),
    ],
)
def test_files_that_are_not_serial_lists(content, message):
    assert [
        str(p) for p in pipeline.read_file(DEVICES_IMPORT, content, target=ImportTarget(plan_year=None)).errors
    ] == [message]


def test_a_missing_column_and_a_missing_header(rosters):
    no_tender = devices_xlsx([["SN1", "154601"]], headers=["產品序號", "學校代碼"])
    assert [
        str(p) for p in pipeline.read_file(DEVICES_IMPORT, no_tender, target=ImportTarget(plan_year=None)).errors
    ] == ["第 1 列：缺少欄位：採購案號"]
    no_header = devices_xlsx([["SN1", "154601"]], headers=["甲", "乙"])
    assert "找不到標題列" in str(
        pipeline.read_file(DEVICES_IMPORT, no_header, target=ImportTarget(plan_year=None)).errors[0]
    )
    only_header = devices_xlsx([])
    assert [
        str(p) for p in pipeline.read_file(DEVICES_IMPORT, only_header, target=ImportTarget(plan_year=None)).errors
    ] == ["檔案：檔案中沒有任何載具資料列"]


def test_headers_are_found_below_a_title_and_in_any_order(rosters, batch_a, county_a):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["111年花蓮縣學習載具序號清冊"])
    sheet.append(["學校代碼", "S/N", "案號", "MDM 註冊日期"])
    sheet.append([154601, "X1", "111-A-001", "111年9月5日"])  # the code as a number: leading zero lost
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buffer.getvalue(), county_a)
    assert result.ok, messages(result)
    row = result.parse.rows[0]
    assert (row.excel_row, row.school, row.serial, row.mdm_enrolled_on) == (3, "154601", "X1", date(2022, 9, 5))


def test_import_queries_do_not_grow_with_rows(rosters, batch_a, county_a, django_assert_max_num_queries):
    def run(count, prefix):
        parse = pipeline.read_file(
            DEVICES_IMPORT,
            devices_xlsx([device_row(f"{prefix}{i:05d}") for i in range(count)]),
            target=ImportTarget(plan_year=None),
        )
        with django_assert_max_num_queries(12) as captured:
            pipeline.import_rows(DEVICES_IMPORT, parse, target=ImportTarget(plan_year=None, county=county_a), user=None)
        return len(captured)

    small, large = run(10, "S"), run(500, "L")
    assert small == large
    assert Device.objects.count() == 510


def test_the_command_imports_or_lists_every_error(rosters, batch_a, county_a, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(devices_xlsx([device_row("CMD1"), device_row("CMD2", school="", delivered="", mdm="")]))
    call_command("import_devices", str(good), "--county", "花蓮縣")
    assert "花蓮縣已匯入 2 臺載具" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(devices_xlsx([device_row("CMD3"), device_row("CMD1")]))
    with pytest.raises(CommandError, match="檔案有 1 個錯誤，未寫入任何資料"):
        call_command("import_devices", str(bad), "--county", "花蓮縣")
    assert "第 3 列，產品序號（A 欄）：序號 CMD1 已登錄在本系統" in capsys.readouterr().err
    assert Device.objects.count() == 2


def test_the_pages_upload_preview_and_confirm(
    rosters, batch_a, officer_a, officer_b, django_capture_on_commit_callbacks
):
    client = client_for(officer_a)
    bad = SimpleUploadedFile("bad.xlsx", devices_xlsx([device_row("P1"), device_row("P1")]))
    response = client.post(reverse("device_import"), {"file": bad})
    upload = PendingUpload.objects.get()
    assert response.status_code == 302 and upload.county == officer_a.county
    page = client.get(reverse("device_import_preview", args=[upload.pk])).content.decode()
    assert "有 1 個錯誤" in page and "序號 P1 與第 2 列重複" in page and "確認匯入 " not in page
    # Confirming a file with errors anyway (a forged POST) writes nothing.
    client.post(reverse("device_import_confirm", args=[upload.pk]))
    assert Device.objects.count() == 0

    good = SimpleUploadedFile("good.xlsx", devices_xlsx([device_row("P1"), device_row("P2")]))
    client.post(reverse("device_import"), {"file": good})
    upload = PendingUpload.objects.latest("pk")
    page = client.get(reverse("device_import_preview", args=[upload.pk])).content.decode()
    assert "確認匯入 2 臺" in page
    # Another county's officer cannot see or confirm it.
    assert client_for(officer_b).get(reverse("device_import_preview", args=[upload.pk])).status_code == 404
    assert client_for(officer_b).post(reverse("device_import_confirm", args=[upload.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the rows are committed
        response = client.post(reverse("device_import_confirm", args=[upload.pk]), follow=True)
    assert "已匯入 2 臺載具" in response.content.decode()
    assert Device.objects.count() == 2
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.CONFIRMED and not upload.file


def test_an_upload_that_is_not_a_spreadsheet_is_refused_before_parsing(officer_a):
    response = client_for(officer_a).post(
        reverse("device_import"), {"file": SimpleUploadedFile("serials.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200 and "只接受 .xlsx 或 .csv 檔" in response.content.decode()
    assert PendingUpload.objects.count() == 0


def test_headers_constant_is_the_template(officer_a):
    response = client_for(officer_a).get(reverse("device_import_template"))
    assert response.status_code == 200
    parse = pipeline.read_file(DEVICES_IMPORT, response.content, target=ImportTarget(plan_year=None))
    assert parse.layout.letter("serial") == "A" and len(HEADERS) == 9
