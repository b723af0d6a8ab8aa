"""The attendance sheet: preview -> confirm, every bad row reported, nothing saved until a clean confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget
from portal.models import PendingUpload
from tests.conftest import client_for
from tests.training.conftest import sheet_bytes
from tests.training.factories import make_session
from training.importing import ATTENDANCE
from training.models import Attendance, SessionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(plan_year, county_a, roster_ab):
    return {
        "A1-001": make_session(plan_year, county_a, code="A1-001", kind=SessionKind.A1),
        "A2-001": make_session(plan_year, county_a, code="A2-001", kind=SessionKind.A2, open_to_other_schools=False),
    }


def preview_of(content, plan_year, county):
    return pipeline.preview(
        ATTENDANCE,
        pipeline.read_file(ATTENDANCE, content, target=ImportTarget(plan_year=None)),
        target=ImportTarget(plan_year=plan_year, county=county),
        user=None,
    )


def upload(client, content, name="名單.xlsx"):
    return client.post(
        reverse("training_attendance_import"), {"plan_year": 111, "file": SimpleUploadedFile(name, content)}
    )


def test_preview_then_confirm_through_the_pages(sessions, officer_a):
    client = client_for(officer_a)
    content = sheet_bytes(
        [["A1-001", "154601", "T001", "王小明"], ["A1-001", "154602", "T002", ""], ["A2-001", 154601, "T001", ""]]
    )
    response = upload(client, content)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "確認匯入 3 筆" in preview.content.decode()
    assert Attendance.objects.count() == 0  # nothing until confirmed
    upload_id = PendingUpload.objects.latest("pk").pk
    confirmed = client.post(reverse("training_attendance_confirm", args=[upload_id]), follow=True)
    assert "已匯入研習完成紀錄 3 筆" in confirmed.content.decode()
    assert Attendance.objects.count() == 3
    assert Attendance.objects.get(teacher_code="T001", session__code="A1-001").name == "王小明"
    # The same file again adds nothing and says so.
    response = upload(client, content)
    again = client.get(response["Location"]).content.decode()
    assert "確認匯入 3 筆" not in again and "先前已登錄" in again
    assert "這份檔案與目前資料相同，沒有需要匯入的變更" in again


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_saved(sessions, plan_year, county_a):
    content = sheet_bytes(
        [
            ["A1-001", "154601", "T001", ""],  # fine
            ["A1-999", "154601", "T002", ""],  # unknown session
            ["A1-001", "999998", "T003", ""],  # unknown school
            ["A1-001", "154601", "T001", ""],  # duplicate of row 2
            ["A1-001", "154601", "A123456789", ""],  # a national ID
            ["A2-001", "144601", "T004", ""],  # another county's school, session closed to them
            ["A1-001", "15460", "T005", ""],  # not a school code
            ["", "154601", "T006", ""],  # no session
        ]
    )
    preview = preview_of(content, plan_year, county_a)
    messages = {(p.row, p.column.split("（")[0]): p.message for p in preview.errors}
    assert "與第 2 列重複" in messages[(5, "教師識別碼")]
    assert "身分證" in messages[(6, "教師識別碼")]
    assert "不是 6 碼的學校代碼" in messages[(8, "學校代碼")]
    assert messages[(9, "研習代碼")] == "未填寫"
    # The database's problems are in the same report as the file's.
    assert "沒有研習代碼為「A1-999」的場次" in messages[(3, "研習代碼")]
    assert messages[(4, "學校代碼")] == "本系統沒有學校代碼 999998 的學校"
    assert "只開放花蓮縣的學校" in messages[(7, "學校代碼")]
    assert len(preview.errors) == 7
    assert [p.row for p in preview.errors] == sorted(p.row for p in preview.errors)
    with pytest.raises(ImportRefused):
        pipeline.import_rows(
            ATTENDANCE,
            pipeline.read_file(ATTENDANCE, content, target=ImportTarget(plan_year=None)),
            target=ImportTarget(plan_year=plan_year, county=county_a),
            user=None,
        )
    assert Attendance.objects.count() == 0


def test_teachers_of_other_counties_may_attend_an_open_session(sessions, plan_year, county_a):
    preview = preview_of(sheet_bytes([["A1-001", "144601", "B001", ""]]), plan_year, county_a)
    assert preview.ok and preview.summary["new"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (sheet_bytes([["A1-001", "154601"]], headers=("研習代碼", "學校代碼")), "缺少欄位：教師識別碼"),
        (b"PK\x03\x04 this is not a workbook", "不是 Excel 活頁簿或 CSV 檔"),
        (b"\xd0\xcf\x11\xe0 old excel", "舊版 Excel"),
        ("學校,名稱\n154601,某校\n".encode(), "找不到標題列"),
        (sheet_bytes([]), "沒有任何參加紀錄"),
        (b"", "檔案是空的"),
    ],
)
def test_bad_files_are_refused_in_chinese(sessions, plan_year, county_a, content, message):
    preview = preview_of(content, plan_year, county_a)
    assert any(message in p.message for p in preview.errors), preview.errors


def test_the_upload_form_refuses_an_empty_file_and_a_wrong_type(sessions, officer_a):
    client = client_for(officer_a)
    assert "檔案是空的" in upload(client, b"").content.decode()
    assert "只接受 .xlsx 或 .csv 檔" in upload(client, b"abc", name="名單.pdf").content.decode()
    assert PendingUpload.objects.count() == 0


def test_a_csv_sheet_works_too(sessions, plan_year, county_a):
    preview = preview_of(sheet_bytes([["A1-001", "154601", "T001", "王"]], kind="csv"), plan_year, county_a)
    assert preview.ok and preview.parse.rows[0].teacher_code == "T001"


def test_another_officer_cannot_see_or_confirm_the_upload(sessions, officer_a, officer_b):
    upload(client_for(officer_a), sheet_bytes([["A1-001", "154601", "T001", ""]]))
    upload_id = PendingUpload.objects.latest("pk").pk
    other = client_for(officer_b)
    assert other.get(reverse("training_attendance_preview", args=[upload_id])).status_code == 404
    assert other.post(reverse("training_attendance_confirm", args=[upload_id])).status_code == 404
    assert Attendance.objects.count() == 0


def test_county_b_cannot_record_into_county_a_sessions(sessions, plan_year, county_b):
    # The codes are county A's: for county B they do not exist.
    preview = preview_of(sheet_bytes([["A1-001", "144601", "T001", ""]]), plan_year, county_b)
    assert "臺東縣 111 年度沒有研習代碼為「A1-001」的場次" in preview.errors[0].message


def _import_queries(plan_year, county, n, django_assert_max_num_queries) -> int:
    rows = [["A1-001" if i % 2 else "A2-001", "154601" if i % 3 else "154602", f"T{i:05d}", ""] for i in range(n)]
    parse = pipeline.read_file(ATTENDANCE, sheet_bytes(rows), target=ImportTarget(plan_year=None))
    assert parse.ok
    with django_assert_max_num_queries(20) as captured:
        summary = pipeline.import_rows(
            ATTENDANCE, parse, target=ImportTarget(plan_year=plan_year, county=county), user=None
        )
    assert summary["new"] == n
    return len(captured.captured_queries)


def test_import_queries_do_not_grow_with_rows(sessions, plan_year, county_a, django_assert_max_num_queries):
    few = _import_queries(plan_year, county_a, 10, django_assert_max_num_queries)
    Attendance.objects.all().delete()
    many = _import_queries(plan_year, county_a, 500, django_assert_max_num_queries)
    assert few == many
