"""The pages a county officer uses to bring the roster in and out, for every persona."""

import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from portal.models import PendingUpload
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow
from tests.conftest import client_for, record, roster_bytes

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content, name="名單.xlsx"):
    return client.post(reverse("roster_import"), {"plan_year": 111, "file": SimpleUploadedFile(name, content, XLSX)})


def load(plan_year, records, county_label="花蓮縣"):
    parsed = pipeline.read_file(
        ROSTER_IMPORT, roster_bytes(records, county_label=county_label), target=ImportTarget(plan_year=plan_year)
    )
    pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The whole way: upload -> preview -> confirm -> download ---------------------------------


def test_officer_uploads_previews_confirms_and_downloads(
    plan_year, officer_a, county_a_records, django_capture_on_commit_callbacks
):
    client = client_for(officer_a)
    response = upload(client, roster_bytes(county_a_records))
    assert response.status_code == 302
    preview_url = response["Location"]
    assert RosterRow.objects.count() == 0  # nothing before confirm

    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = text(preview)
    assert f"確認匯入 {len(county_a_records)} 列" in page
    first = county_a_records[0]
    assert first["code"] in page and first["name"] in page
    assert "新增" in page
    assert RosterRow.objects.count() == 0

    upload_obj = PendingUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the rows are committed
        confirmed = client.post(reverse("roster_import_confirm", args=[upload_obj.pk]), follow=True)
    assert RosterRow.objects.count() == len(county_a_records)
    assert f"已匯入 {len(county_a_records)} 列" in text(confirmed)
    upload_obj.refresh_from_db()
    assert upload_obj.status == PendingUpload.Status.CONFIRMED and not upload_obj.file

    # Confirming twice does nothing more.
    again = client.post(reverse("roster_import_confirm", args=[upload_obj.pk]), follow=True)
    assert "這份檔案已經匯入（或正在匯入）" in text(again)

    download = client.get(reverse("roster_export") + "?year=111")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert "attachment" in download["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert sheet["A2"].value == "111年花蓮縣國民中小學名單"
    codes = [row[2] for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert len(codes) == len(county_a_records)


def test_a_file_with_errors_shows_every_error_and_cannot_be_confirmed(officer_a, plan_year):
    client = client_for(officer_a)
    content = roster_bytes([record(classes="二十"), record(code="154602", area="山區"), record(code="154603")])
    preview = client.get(upload(client, content)["Location"])
    page = text(preview)
    assert "有 2 個錯誤" in page
    assert "「二十」不是數字" in page and "「山區」不是可用的值" in page
    upload_obj = PendingUpload.objects.get()
    assert reverse("roster_import_confirm", args=[upload_obj.pk]) not in page
    response = client.post(reverse("roster_import_confirm", args=[upload_obj.pk]), follow=True)
    assert "未匯入任何資料" in text(response)
    assert RosterRow.objects.count() == 0


def test_a_non_workbook_is_reported_not_crashed(officer_a, plan_year):
    client = client_for(officer_a)
    preview = client.get(upload(client, b"this is not a workbook at all, just text\x00\x01")["Location"])
    assert preview.status_code == 200
    assert "不是 Excel 活頁簿" in text(preview)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("名單.xlsx", b"", "送出的檔案是空的"), ("名單.xls", b"PK\x03\x04", "只接受 .xlsx 或 .csv 檔")],
)
def test_the_form_refuses_empty_and_wrong_files(officer_a, plan_year, name, content, message):
    response = upload(client_for(officer_a), content, name=name)
    assert response.status_code == 200
    assert message in text(response)
    assert PendingUpload.objects.count() == 0


def test_the_form_refuses_files_over_the_limit(officer_a, plan_year, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(client_for(officer_a), roster_bytes([record()]))
    assert "檔案太大" in text(response)


def test_discarding_an_upload_changes_nothing(officer_a, plan_year):
    client = client_for(officer_a)
    upload(client, roster_bytes([record()]))
    upload_obj = PendingUpload.objects.get()
    client.post(reverse("roster_import_discard", args=[upload_obj.pk]))
    upload_obj.refresh_from_db()
    assert upload_obj.status == PendingUpload.Status.DISCARDED and RosterRow.objects.count() == 0


def test_abandoned_uploads_are_deleted(officer_a, plan_year):
    from datetime import timedelta

    from django.utils import timezone

    from portal.tasks import delete_abandoned_uploads

    upload(client_for(officer_a), roster_bytes([record()]))
    upload_obj = PendingUpload.objects.get()
    path = upload_obj.file.path
    assert delete_abandoned_uploads.delay().get() == 0
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert delete_abandoned_uploads.delay().get() == 1
    upload_obj.refresh_from_db()
    assert upload_obj.status == PendingUpload.Status.DISCARDED
    import os

    assert not os.path.exists(path)


# --- Who may do what ---------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, plan_year):
    for url in [
        reverse("home"),
        reverse("roster_list"),
        reverse("roster_import"),
        reverse("roster_export"),
        reverse("roster_import_preview", args=[1]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_only_county_staff_and_admins_import(plan_year, school_user_a, reviewer, officer_a, admin_user):
    for user, status in ((school_user_a, 403), (reviewer, 403), (officer_a, 200), (admin_user, 200)):
        response = client_for(user).get(reverse("roster_import"))
        assert response.status_code == status, user.role
        if status == 403:
            assert "只有縣市承辦可以匯入名單" in response.content.decode()
        if status == 403:
            assert upload(client_for(user), roster_bytes([record()])).status_code == 403


def test_another_persons_upload_is_not_found(plan_year, officer_a, officer_b, admin_user):
    upload(client_for(officer_a), roster_bytes([record()]))
    upload_obj = PendingUpload.objects.get()
    for other in (officer_b, admin_user):
        client = client_for(other)
        assert client.get(reverse("roster_import_preview", args=[upload_obj.pk])).status_code == 404
        assert client.post(reverse("roster_import_confirm", args=[upload_obj.pk])).status_code == 404
    assert RosterRow.objects.count() == 0


def test_lists_and_homes_show_only_what_the_persona_may_see(
    plan_year, county_a_records, county_b_records, officer_a, officer_b, school_user_a, reviewer
):
    load(plan_year, county_a_records)
    load(plan_year, county_b_records, county_label="臺東縣")
    a_code, b_code = county_a_records[0]["code"], county_b_records[0]["code"]

    def listing(user, query=""):
        return text(client_for(user).get(reverse("roster_list") + f"?year=111{query}"))

    assert f"共 {len(county_a_records)} 列" in listing(officer_a)
    assert f"共 {len(county_b_records)} 列" in listing(officer_b)
    assert f"共 {len(county_a_records) + len(county_b_records)} 列" in listing(reviewer)
    assert "共 0 列" in listing(officer_a, f"&q={b_code}")
    assert a_code in listing(officer_a, f"&q={a_code}")
    school_rows = RosterRow.objects.filter(school=school_user_a.school).count()
    assert f"共 {school_rows} 列" in listing(school_user_a)

    home_a = text(client_for(officer_a).get(reverse("home")))
    assert "花蓮縣" in home_a and "臺東縣" not in home_a
    home_moe = text(client_for(reviewer).get(reverse("home")))
    assert "花蓮縣" in home_moe and "臺東縣" in home_moe


def test_roster_filters(plan_year, officer_a):
    load(
        plan_year,
        [
            record(),
            record(
                code="154602",
                area="特偏",
                classes=6,
                max_class_size=9,
                teachers=12,
                students=41,
                req_carts=6,
                req_teacher_devices=12,
                req_student_devices=41,
            ),
            record(code="154603", level="國中", req_teacher_devices=12),
            record(code="154604", req_student_devices=100, compliance="否"),
        ],
    )
    client = client_for(officer_a)

    def codes(query):
        page = client.get(reverse("roster_list") + "?year=111&" + query).content.decode()
        return sorted(set(re.findall(r'class="code"><a href="[^"]*">(\d{6})<', page)))

    assert codes("area=remote") == ["154602"]
    assert codes("level=國中") == ["154603"]
    assert codes("complies=no_reason") == ["154604"]
    assert codes("complies=yes") == ["154601", "154602", "154603"]
    assert codes("q=154604") == ["154604"]


def test_list_queries_do_not_grow_with_rows(plan_year, officer_a, django_assert_max_num_queries):
    client = client_for(officer_a)

    def count_queries(n):
        RosterRow.objects.all().delete()
        load(plan_year, [record(code=f"{154000 + i:06d}") for i in range(n)])
        client.get(reverse("home"))  # the first visit creates the county's plan
        cache.clear()  # measure the pages as computed, not as cached
        with django_assert_max_num_queries(20) as captured:
            assert client.get(reverse("roster_list")).status_code == 200
        cache.clear()
        with django_assert_max_num_queries(20) as home:
            assert client.get(reverse("home")).status_code == 200
        return len(captured.captured_queries), len(home.captured_queries)

    assert count_queries(10) == count_queries(300)


def test_home_shows_the_county_entitlement(plan_year, officer_a, county_a_records):
    load(plan_year, county_a_records)
    page = text(client_for(officer_a).get(reverse("home")))
    carts = sum(r["req_carts"] for r in county_a_records)
    assert f"{carts:,}" in page
    schools = len({r["code"] for r in county_a_records})
    assert f'<span class="value">{schools:,}</span>' in page


def test_the_list_escapes_what_counties_typed(plan_year, officer_a):
    load(
        plan_year, [record(name="<script>alert(1)</script>國小", req_student_devices=100, compliance="否，<b>原因</b>")]
    )
    page = client_for(officer_a).get(reverse("roster_list")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;國小" in page
    assert "&lt;b&gt;原因&lt;/b&gt;" in page


def test_a_plan_year_knows_the_months_of_its_period(plan_year):
    import datetime

    months = plan_year.months  # 111: 2022-02-01 .. 2022-12-31
    assert (months[0], months[-1], len(months)) == (datetime.date(2022, 2, 1), datetime.date(2022, 12, 1), 11)
