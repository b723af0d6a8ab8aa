"""The usage-hours import: bad files, impossible values, all or nothing, replacing, the pages."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget
from portal.models import PendingUpload
from reporting.exporting import usage_export_csv
from reporting.importing import USAGE_IMPORT
from reporting.models import UsageRecord
from tests.conftest import client_for
from tests.reporting.conftest import HEADER, usage_csv, usage_row

pytestmark = pytest.mark.django_db


def preview_of(plan_year, content, user):
    return pipeline.preview(
        USAGE_IMPORT,
        pipeline.read_file(USAGE_IMPORT, content, target=ImportTarget(plan_year=plan_year)),
        target=ImportTarget(plan_year=plan_year),
        user=user,
    )


def parsed(plan_year, rows):
    return pipeline.read_file(USAGE_IMPORT, usage_csv(rows), target=ImportTarget(plan_year=plan_year))


def test_a_clean_file_previews_then_imports(roster, plan_year, officer_a):
    content = usage_csv([usage_row(), usage_row(platform="均一教育平台", hours="30"), usage_row(code="154602")])
    preview = preview_of(plan_year, content, officer_a)
    assert preview.ok and preview.summary["new"] == 3 and preview.summary["months"] == ["111年3月"]
    assert UsageRecord.objects.count() == 0  # a preview writes nothing
    pipeline.import_rows(USAGE_IMPORT, preview.parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
    record = UsageRecord.objects.get(school__code="154601", platform="因材網")
    assert (record.hours, record.active_students, record.active_devices) == (Decimal("120.5"), 80, 40)
    assert record.county == officer_a.county and record.month.isoformat() == "2022-03-01"


@pytest.mark.parametrize(
    ("month", "expected"),
    [("111/03", "2022-03-01"), ("11103", "2022-03-01"), ("2022-03", "2022-03-01"), ("111年12月", "2022-12-01")],
)
def test_months_are_read_in_every_way_counties_write_them(roster, plan_year, officer_a, month, expected):
    preview = preview_of(plan_year, usage_csv([usage_row(month=month)]), officer_a)
    assert preview.ok, preview.errors
    assert preview.parse.rows[0].month.isoformat() == expected


def test_impossible_values_are_refused_each_with_row_and_column(roster, plan_year, officer_a):
    content = usage_csv(
        [
            usage_row(hours="30000", devices=40),  # 40 devices x 744 h in March = 29,760
            usage_row(month="111年1月"),  # before the plan period (111年2月..12月)
            usage_row(month="112年1月"),
            usage_row(code="999998"),  # no such school
            usage_row(code="144601"),  # 臺東縣's school
            usage_row(platform="不知名平臺"),
            usage_row(hours="-3", students="八十"),
            usage_row(platform="PaGamO"),
            usage_row(platform="PaGamO"),  # the same school, month and platform twice
        ]
    )
    parse = pipeline.read_file(USAGE_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    found = [(p.row, p.column.split("（")[0], p.message) for p in parse.errors]
    assert (2, "使用時數", "使用時數 30,000.0 超過活躍載具數 40 臺 x 當月 744 小時 = 29,760 小時，不可能") in found
    assert (3, "月份", "111年1月不在計畫期程（111年2月至111年12月）內") in found
    assert (4, "月份", "112年1月不在計畫期程（111年2月至111年12月）內") in found
    assert any(row == 7 and column == "平臺" and "不是本年度的平臺" in m for row, column, m in found)
    assert (8, "使用時數", "不可為負數（填了 -3）") in found
    assert (8, "活躍學生數", "「八十」不是整數") in found
    assert (10, "", "與第 9 列重複（同一學校、月份、平臺只能填一列）") in found
    # The portal's own data: unknown school and another county's school (a file without the above).
    preview = preview_of(
        plan_year, usage_csv([usage_row(), usage_row(code="999998"), usage_row(code="144601")]), officer_a
    )
    assert [(p.row, p.message) for p in preview.errors] == [
        (3, "查無學校代碼 999998（請確認代碼，或請縣市先匯入名單）"),
        (4, "144601 臺東縣立某國小屬於臺東縣，本帳號只能填報花蓮縣的學校"),
    ]
    with pytest.raises(ImportRefused):
        pipeline.import_rows(USAGE_IMPORT, preview.parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
    assert UsageRecord.objects.count() == 0  # all or nothing: the good row is not saved either


def test_hours_exactly_at_the_ceiling_are_possible(roster, plan_year, officer_a):
    assert preview_of(plan_year, usage_csv([usage_row(hours="29760", devices=40)]), officer_a).ok


def test_a_school_may_only_report_itself(roster, plan_year, school_user_a):
    preview = preview_of(plan_year, usage_csv([usage_row(), usage_row(code="154602")]), school_user_a)
    assert [(p.row, p.message) for p in preview.errors] == [(3, "本帳號只能填報本校，154602 不是本校")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "檔案是空的"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "舊版 Excel 97-2003"),
        (b"PK\x03\x04 not really a zip", "不是 Excel 活頁簿或 CSV 檔"),
        ("甲,乙\n1,2\n".encode(), "找不到標題列"),
        ("學校代碼,月份,平臺\n154601,111年3月,因材網\n".encode(), "缺少欄位：使用時數、活躍學生數、活躍載具數"),
        (",".join(HEADER).encode() + b"\n", "檔案中沒有任何資料列"),
    ],
)
def test_bad_files_get_one_clear_problem(plan_year, content, message):
    parse = pipeline.read_file(USAGE_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    assert not parse.ok and message in parse.errors[0].message


def test_an_xlsx_file_and_a_big5_csv_are_read(roster, plan_year, officer_a):
    import io

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["111年度數位學習平臺使用時數"])
    sheet.append(list(HEADER))
    sheet.append(["154601", "示範國小", "111年4月", "因材網", 10, 5, 5])
    sheet.append([154602, "", "111/04", "學習吧", 2.5, 1, 1])  # a code typed as a number keeps its zeros
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = preview_of(plan_year, buffer.getvalue(), officer_a)
    assert preview.ok, preview.errors
    assert [(r.code, r.hours) for r in preview.parse.rows] == [("154601", Decimal("10.0")), ("154602", Decimal("2.5"))]
    big5 = usage_csv([usage_row()]).decode().encode("cp950")
    assert preview_of(plan_year, big5, officer_a).ok


def test_a_reupload_replaces_the_same_school_month_platform_and_says_so(roster, plan_year, officer_a):
    first = pipeline.read_file(
        USAGE_IMPORT, usage_csv([usage_row(), usage_row(platform="學習吧")]), target=ImportTarget(plan_year=plan_year)
    )
    pipeline.import_rows(USAGE_IMPORT, first, target=ImportTarget(plan_year=plan_year), user=officer_a)
    again = usage_csv([usage_row(hours="200", students=90), usage_row(platform="學習吧"), usage_row(month="111年4月")])
    preview = preview_of(plan_year, again, officer_a)
    assert (preview.summary["replaced"], preview.summary["unchanged"], preview.summary["new"]) == (1, 1, 1)
    (replaced,) = USAGE_IMPORT.notices(preview)
    assert replaced.rows[0][4:] == ("120.5 → 200", "80 → 90", "40 → 40")
    pipeline.import_rows(USAGE_IMPORT, preview.parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
    assert UsageRecord.objects.count() == 3
    record = UsageRecord.objects.get(platform="因材網", month__month=3)
    assert (record.hours, record.active_students) == (Decimal("200.0"), 90)


def test_the_pages_upload_preview_and_confirm(roster, plan_year, officer_a):
    client = client_for(officer_a)
    pipeline.import_rows(
        USAGE_IMPORT,
        pipeline.read_file(USAGE_IMPORT, usage_csv([usage_row()]), target=ImportTarget(plan_year=plan_year)),
        target=ImportTarget(plan_year=plan_year),
        user=officer_a,
    )
    upload = SimpleUploadedFile("usage.csv", usage_csv([usage_row(hours="99"), usage_row(code="154602")]))
    response = client.post(reverse("usage_import"), {"file": upload})
    pending = PendingUpload.objects.get(kind="usage")
    assert response["Location"] == reverse("usage_import_preview", args=[pending.pk])
    page = client.get(response["Location"]).content.decode()
    assert "取代既有資料" in page and "120.5 → 99" in page and "確認匯入 2 筆" in page
    response = client.post(reverse("usage_import_confirm", args=[pending.pk]), follow=True)
    assert "已匯入 2 筆使用時數：新增 1 筆，取代既有 1 筆，與既有相同 0 筆。" in response.content.decode()
    assert UsageRecord.objects.get(school__code="154601").hours == Decimal("99.0")
    pending.refresh_from_db()
    assert pending.status == "confirmed" and pending.summary["replaced"] == 1


def test_a_preview_with_errors_offers_no_confirmation_and_confirm_refuses(roster, plan_year, officer_a):
    client = client_for(officer_a)
    client.post(reverse("usage_import"), {"file": SimpleUploadedFile("u.csv", usage_csv([usage_row(code="144601")]))})
    pending = PendingUpload.objects.get(kind="usage")
    page = client.get(reverse("usage_import_preview", args=[pending.pk])).content.decode()
    assert "有 1 個錯誤" in page and "確認匯入 " not in page and "本帳號只能填報花蓮縣的學校" in page
    response = client.post(reverse("usage_import_confirm", args=[pending.pk]), follow=True)
    assert "未匯入任何資料" in response.content.decode() and UsageRecord.objects.count() == 0


def test_an_oversized_or_foreign_upload_is_refused_before_parsing(roster, officer_a, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client = client_for(officer_a)
    response = client.post(reverse("usage_import"), {"file": SimpleUploadedFile("u.csv", b"x" * 200)})
    assert "檔案太大" in response.content.decode()
    response = client.post(reverse("usage_import"), {"file": SimpleUploadedFile("u.pdf", b"%PDF")})
    assert "只接受 .xlsx 或 .csv 檔" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_the_form_saves_one_month_and_replaces_it(roster, plan_year, school_user_a):
    client = client_for(school_user_a)
    data = {"month": "2022-05-01", "platform": "因材網", "hours": "50", "active_students": 20, "active_devices": 10}
    response = client.post(reverse("usage_entry"), data, follow=True)
    assert "154601 111年5月 因材網：已新增。" in response.content.decode()
    response = client.post(reverse("usage_entry"), data | {"hours": "60", "code": "154602"}, follow=True)
    assert "已取代原有資料" in response.content.decode()  # the school's own code, whatever was posted
    assert UsageRecord.objects.get().hours == Decimal("60.0")
    page = client.post(reverse("usage_entry"), data | {"hours": "8000"}).content.decode()
    assert "超過活躍載具數 10 臺 x 當月 744 小時" in page and UsageRecord.objects.get().hours == Decimal("60.0")


def test_the_queries_of_an_import_do_not_grow_with_its_rows(
    roster, plan_year, county_a, officer_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schools.models import School

    codes = [f"1546{n:02d}" for n in range(10, 20)]
    School.objects.bulk_create(School(code=c, name=f"示範國小{c}", county=county_a, ownership="縣立") for c in codes)
    platforms = plan_year.rule_set.usage_platforms
    keys = [(c, f"111年{m}月", p) for c in codes for m in range(2, 13) for p in platforms]  # 660 distinct

    def rows(n, hours="10"):
        return [usage_row(code=c, month=m, platform=p, hours=hours) for c, m, p in keys[:n]]

    counts = []
    for n in (10, 500):
        parse = pipeline.read_file(USAGE_IMPORT, usage_csv(rows(n)), target=ImportTarget(plan_year=plan_year))
        assert parse.ok, parse.errors[:3]
        UsageRecord.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            pipeline.import_rows(USAGE_IMPORT, parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
        counts.append(len(captured))
        assert UsageRecord.objects.count() == n
    assert counts[0] == counts[1], counts
    # Replacing every one of the 500 rows costs no more than writing them.
    parse = pipeline.read_file(USAGE_IMPORT, usage_csv(rows(500, hours="1")), target=ImportTarget(plan_year=plan_year))
    with django_assert_max_num_queries(counts[0]):
        pipeline.import_rows(USAGE_IMPORT, parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
    assert set(UsageRecord.objects.values_list("hours", flat=True)) == {Decimal("1.0")}


def test_the_csv_export_is_the_documented_layout(roster, plan_year, officer_a, officer_b, reviewer):
    pipeline.import_rows(
        USAGE_IMPORT,
        pipeline.read_file(
            USAGE_IMPORT,
            usage_csv([usage_row(), usage_row(code="154602", hours="7")]),
            target=ImportTarget(plan_year=plan_year),
        ),
        target=ImportTarget(plan_year=plan_year),
        user=officer_a,
    )
    lines = usage_export_csv(user=reviewer, plan_year=plan_year).decode("utf-8-sig").splitlines()
    assert lines[0] == "計畫年度,縣市代碼,縣市,學校代碼,學校名稱,月份,平臺,使用時數,活躍學生數,活躍載具數"
    code = officer_a.county.code
    assert lines[1] == f"111,{code},花蓮縣,154601,花蓮縣立示範國小,11103,因材網,120.5,80,40"
    assert lines[2] == f"111,{code},花蓮縣,154602,花蓮縣立另一國小,11103,因材網,7.0,80,40"
    # Scoped: another county's officer exports nothing of county A.
    assert usage_export_csv(user=officer_b, plan_year=plan_year).decode("utf-8-sig").splitlines() == lines[:1]
    response = client_for(officer_a).get(reverse("usage_export"))
    assert response["Content-Type"].startswith("text/csv") and "filename*=UTF-8''111" in response["Content-Disposition"]


def test_each_role_sees_only_its_own_usage(roster, plan_year, officer_a, officer_b, school_user_a, reviewer):
    rows = [usage_row(hours="11"), usage_row(code="154602", hours="22")]
    pipeline.import_rows(
        USAGE_IMPORT, parsed(plan_year, rows), target=ImportTarget(plan_year=plan_year), user=officer_a
    )
    school = client_for(school_user_a).get(reverse("usage_overview")).content.decode()
    assert "花蓮縣立示範國小" in school and "154602" not in school and "11.0" in school
    county = client_for(officer_a).get(reverse("usage_overview")).content.decode()
    assert "154602" in county and "33.0" in county
    other = client_for(officer_b).get(reverse("usage_overview")).content.decode()
    assert "154601" not in other and "尚無資料" in other
    national = client_for(reviewer).get(reverse("usage_overview"), {"month": "2022-03"}).content.decode()
    assert "各縣市" in national and "花蓮縣" in national and "33.0" in national


def test_the_schools_without_usage_for_a_month(roster, plan_year, county_a, officer_a, reviewer):
    pipeline.import_rows(
        USAGE_IMPORT, parsed(plan_year, [usage_row()]), target=ImportTarget(plan_year=plan_year), user=officer_a
    )
    page = client_for(officer_a).get(reverse("usage_missing"), {"month": "2022-03"}).content.decode()
    assert "花蓮縣尚未上傳111年3月使用時數的學校（1 校）" in page and "花蓮縣立另一國小" in page
    page = client_for(reviewer).get(reverse("usage_missing"), {"month": "2022-04"}).content.decode()
    assert '<td>花蓮縣</td><td class="num">2</td><td class="num">0</td><td class="num">2</td>' in page


def test_a_large_file_is_written_and_replaced_in_bulk(roster, plan_year, county_a, officer_a):
    """Above COPY_FROM_ROWS PostgreSQL takes the rows by COPY; the result is the same everywhere."""
    from reporting.importing import COPY_FROM_ROWS
    from schools.models import School

    codes = [f"1547{n:02d}" for n in range(40)]
    School.objects.bulk_create(School(code=c, name=f"示範國小{c}", county=county_a, ownership="縣立") for c in codes)
    platforms = plan_year.rule_set.usage_platforms
    keys = [(c, f"111年{m}月", p) for c in codes for m in range(2, 13) for p in platforms][: COPY_FROM_ROWS + 100]
    pipeline.import_rows(
        USAGE_IMPORT,
        parsed(plan_year, [usage_row(c, m, p, "5") for c, m, p in keys]),
        target=ImportTarget(plan_year=plan_year),
        user=None,
    )
    assert UsageRecord.objects.count() == len(keys)
    record = UsageRecord.objects.get(school__code="154700", month__month=2, platform=platforms[0])
    assert (record.hours, record.uploaded_by, record.county) == (Decimal("5.0"), None, county_a)
    rows = [usage_row(c, m, p, "7.5", students=3) for c, m, p in keys]
    summary = pipeline.import_rows(
        USAGE_IMPORT, parsed(plan_year, rows), target=ImportTarget(plan_year=plan_year), user=officer_a
    )
    assert summary["replaced"] == len(keys) and UsageRecord.objects.count() == len(keys)
    assert set(UsageRecord.objects.values_list("hours", "active_students", "uploaded_by")) == {
        (Decimal("7.5"), 3, officer_a.pk)
    }
