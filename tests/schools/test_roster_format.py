"""Reading the 附錄 as counties fill it, and every kind of bad file. No database."""

import csv
import io
import zipfile

import openpyxl
import pytest

from budget.rules import RULES_111
from schools.roster_format import COLUMNS, parse_roster
from tests.conftest import record

MAX = 5 * 1024 * 1024

# The template's header, as a county's copy of it looks: wrapped lines, full-width brackets.
TEMPLATE_HEADER = [
    "序號",
    "學制\n（國小、國中）",
    "學校代碼",
    "縣市別",
    "設立別\n（公立、市立、私立）",
    "附屬\n（大學附屬、高中附屬、\n完全中學、國中小）",
    "地區屬\n性\n(偏\n遠、非\n山非\n市、一\n般)",
    "學校全銜",
    "110\n年班\n級數",
    "110\n年最\n大班\n級人\n數",
    "110\n年編\n制教\n師數",
    "110\n年學\n生數",
    "申請\n補助\n充電\n車數",
    "申請\n補助\n教師\n載具\n數",
    "申請\n補助\n學生\n載具\n數",
    "符合偏遠學校師\n生 1人 1機、非\n偏遠學校每 6班\n配發 1班學習載\n具原則\n(是、填否者請\n說明原因)",
]
EXAMPLE = [
    "範例",
    "國小",
    999999,
    "○○市",
    "市立",
    "高中附屬",
    "一般",
    "○○市○○區○○國民小學",
    20,
    28,
    37,
    516,
    4,
    8,
    112,
    "是",
]


def xlsx(rows, title="附錄") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(*data_rows, header=TEMPLATE_HEADER):
    return xlsx(
        [
            ["「推動中小學數位學習精進方案」"],
            ["111年○○縣(市)國民中小學名單"],
            [],
            header,
            EXAMPLE,
            *data_rows,
            ["合計", None, None, None, None, None, None, None, 20, 28, 37, 516, 4, 8, 112],
            ["(表格不足處請自行增減)"],
        ]
    )


def data(**overrides):
    values = record(**overrides)
    return [1, *[values[column.key] for column in COLUMNS[1:]]]


def parse(content):
    return parse_roster(content, RULES_111, max_bytes=MAX)


def messages(result):
    return [(p.row, p.column, p.message) for p in result.errors]


def test_reads_the_template_as_counties_fill_it():
    result = parse(
        template(
            data(),
            data(
                code=14630,
                county="新北市",
                area="特偏",
                level="國中",
                classes=3,
                max_class_size=10,
                teachers=9,
                students=24,
                req_carts=3,
                req_teacher_devices=9,
                req_student_devices=24,
            ),
        )
    )
    assert result.ok, messages(result)
    assert result.survey_year == 110
    first, second = result.rows
    assert first.excel_row == 6  # title, title, blank, header, 範例 -> row 6
    assert (first.code, first.level, first.area) == ("154601", "國小", "一般")
    ent = first.entitlement
    assert (ent.carts, ent.teacher_devices, ent.student_devices, first.complies) == (4, 8, 112, True)
    # A code typed as a number lost its leading zero in Excel; it is padded back.
    assert second.code == "014630"
    assert second.entitlement.remote and second.entitlement.student_devices == 24


@pytest.mark.parametrize(
    ("written", "grade"),
    [("特偏", "特偏"), ("極偏", "極偏"), ("特殊偏遠", "特偏"), ("極度偏遠", "極偏"), ("偏遠", "偏遠")],
)
def test_every_remote_spelling_is_remote_and_keeps_its_grade(written, grade):
    result = parse(
        template(
            data(
                area=written,
                classes=6,
                max_class_size=9,
                teachers=12,
                students=41,
                req_carts=6,
                req_teacher_devices=12,
                req_student_devices=41,
            )
        )
    )
    assert result.ok, messages(result)
    row = result.rows[0]
    assert row.area == grade and row.entitlement.remote and row.complies


def test_half_width_headers_without_year_and_taiwan_spelling():
    header = [
        "序號",
        "學制(國小、國中)",
        "學校代碼",
        "縣市別",
        "設立別",
        "附屬",
        "地區屬性",
        "學校全銜",
        "班級數",
        "最大班級人數",
        "編制教師數",
        "學生數",
        "申請補助充電車數",
        "申請補助教師載具數",
        "申請補助學生載具數",
        "符合原則(是、填否者請說明原因)",
    ]
    result = parse(template(data(county="台東縣"), header=header))
    assert result.ok, messages(result)
    assert result.rows[0].county == "臺東縣"
    assert result.survey_year is None


def test_blank_requested_counts_leave_compliance_open():
    result = parse(template(data(req_carts=None, req_teacher_devices=None, req_student_devices=None, compliance=None)))
    assert result.ok
    assert result.rows[0].requested is None and result.rows[0].complies is None


def test_no_with_a_reason_keeps_the_reason():
    result = parse(template(data(req_student_devices=100, compliance="否，學校已有 12 臺自購平板")))
    assert result.ok
    row = result.rows[0]
    assert (row.complies, row.reason) == (False, "學校已有 12 臺自購平板")
    assert result.warnings == []


def test_no_without_a_reason_is_a_warning_until_submission():
    result = parse(template(data(req_student_devices=100, compliance="否")))
    assert result.ok
    assert "說明原因" in result.warnings[0].message


def test_yes_with_counts_that_differ_is_an_error():
    result = parse(template(data(req_student_devices=100, compliance="是")))
    assert messages(result) == [
        (
            6,
            "符合原則（P 欄）",
            "填「是」，但申請數（充電車 4、教師 8、學生 100）與依原則計算之數（充電車 4、教師 8、學生 112）不符",
        )
    ]


def test_a_survey_year_other_than_the_plans_is_flagged():
    header = [h.replace("110", "111") for h in TEMPLATE_HEADER]
    result = parse(template(data(), header=header))
    assert result.ok
    assert "111 年計畫應填 110 年的資料" in result.warnings[0].message


# --- Bad files: every error with its row, column and reason ---------------------------------


def test_every_bad_row_is_reported_with_row_and_column():
    result = parse(
        template(
            data(classes="二十"),
            data(code="154602", max_class_size=-3),
            data(code="154603", level="高中"),
            data(code="154604", area="山區"),
            data(code="1546"),
            data(code="154606", max_class_size=600),
            data(code="154607", classes=10, max_class_size=20, students=300),
            data(code="154608", classes=0, max_class_size=0, students=5),
            data(code="154609", teachers=2.5),
            data(code="154610", county="火星市"),
            data(code="154611", req_teacher_devices=None),
            data(),
        )
    )
    assert not result.ok
    assert messages(result) == [
        (6, "班級數（I 欄）", "「二十」不是數字"),
        (7, "最大班級人數（J 欄）", "不可為負數（填了 -3）"),
        (8, "學制（B 欄）", "「高中」不是可用的值（應為國小或國中）"),
        (9, "地區屬性（G 欄）", "「山區」不是可用的值（應為偏遠、特偏、極偏、非山非市或一般）"),
        (10, "學校代碼（C 欄）", "「1546」不是 6 碼的學校代碼（若 Excel 去掉了開頭的 0，請把這欄設為文字格式）"),
        (11, "最大班級人數（J 欄）", "最大班級人數 600 大於學生數 516"),
        (12, "學生數（L 欄）", "學生數 300 大於 班級數 10 × 最大班級人數 20"),
        (13, "班級數（I 欄）", "班級數為 0，學生數卻是 5"),
        (14, "編制教師數（K 欄）", "「2.5」不是整數"),
        (15, "縣市別（D 欄）", "「火星市」不是 22 個縣市之一"),
        (16, "申請補助教師載具數（N 欄）", "三個申請補助數須全部填寫（可填 0），或全部留白"),
        (17, "學校代碼（C 欄）", "學校代碼 154601（國小）與第 6 列重複"),
    ]


def test_one_school_in_two_counties_is_an_error():
    result = parse(template(data(), data(level="國中", county="臺東縣", req_teacher_devices=12)))
    assert messages(result) == [(7, "縣市別（D 欄）", "學校代碼 154601 在第 6 列屬於花蓮縣，本列卻是臺東縣")]


def test_two_levels_of_one_school_may_carry_different_names():
    result = parse(
        template(
            data(name="私立慈大附中附設國小部"),
            data(level="國中", name="私立慈大附中附設國中部", req_teacher_devices=12),
        )
    )
    assert result.ok, messages(result)


def test_a_missing_column_is_named():
    teachers = 10
    assert "制教" in TEMPLATE_HEADER[teachers]
    header = [h for i, h in enumerate(TEMPLATE_HEADER) if i != teachers]
    rows = [[v for i, v in enumerate(data()) if i != teachers]]
    result = parse(template(*rows, header=header))
    assert messages(result) == [(4, "", "缺少欄位：編制教師數（請使用教育部附錄格式）")]


def test_a_sheet_without_the_header_is_refused():
    result = parse(xlsx([["學校", "人數"], ["A", 1]]))
    assert "找不到名單的標題列" in result.errors[0].message


def test_the_appendix_sheet_is_found_among_others():
    workbook = openpyxl.load_workbook(io.BytesIO(template(data())))
    workbook.create_sheet("說明", 0).append(["請填寫附錄"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(buffer.getvalue())
    assert result.ok and result.sheet_name == "附錄"


def test_a_header_with_no_rows_is_refused():
    assert parse(template()).errors[0].message == "檔案中沒有任何學校資料列"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "檔案是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "舊版 Excel 97-2003"),
        (b"PK\x03\x04 not really a zip", "不是 Excel 活頁簿或 CSV 檔"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe", "不是 Excel 活頁簿或 CSV 檔"),
    ],
)
def test_files_that_are_not_workbooks(content, message):
    result = parse(content)
    assert not result.ok and result.rows == []
    assert message in result.errors[0].message
    assert result.errors[0].row is None


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "不是 Excel 活頁簿或 CSV 檔" in parse(buffer.getvalue()).errors[0].message


def test_a_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    assert len(buffer.getvalue()) < 200_000
    assert "壓縮比例異常" in parse(buffer.getvalue()).errors[0].message


def test_a_file_over_the_limit_is_refused():
    result = parse_roster(template(data()), RULES_111, max_bytes=1000)
    assert "檔案太大" in result.errors[0].message


def test_csv_in_utf8_and_big5():
    header = [
        "學制",
        "學校代碼",
        "縣市別",
        "設立別",
        "附屬",
        "地區屬性",
        "學校全銜",
        "110年班級數",
        "110年最大班級人數",
        "110年編制教師數",
        "110年學生數",
        "申請補助充電車數",
        "申請補助教師載具數",
        "申請補助學生載具數",
        "符合原則",
    ]
    for encoding in ("utf-8-sig", "cp950"):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerow(data()[1:])
        writer.writerow(data(code="14630", county="新北市")[1:])
        result = parse(buffer.getvalue().encode(encoding))
        # In a CSV every cell is text: a 5-digit code is reported, not guessed.
        assert [(p.row, p.column) for p in result.errors] == [(3, "學校代碼（B 欄）")], encoding
