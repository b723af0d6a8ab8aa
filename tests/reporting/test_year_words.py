"""Finding 7 and 「The document matches the seed's form」: every year- or rule-dependent word of
the plan's PDF, Excel and pages comes from the year and its rule set, and the document keeps
the MOE's form (the 附錄's 範例 row and legends, (四) as a paragraph, 五(一) as the seed writes it)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from budget.services import plan_for
from budget.years import plan_year_open
from reporting.rendering import plan_document, plan_pdf, plan_xlsx
from tests.conftest import fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db

ROWS = [
    record(),
    record(
        code="154602",
        name="花蓮縣立北濱國小",
        area="特偏",
        classes=6,
        max_class_size=9,
        teachers=12,
        students=41,
        req_carts=6,
        req_teacher_devices=12,
        req_student_devices=41,
    ),
]


# The same schools as 112 sees them (one class set per 4 classes): 5 carts, 10 + 140 devices.
ROWS_112 = [ROWS[0] | {"req_carts": 5, "req_teacher_devices": 10, "req_student_devices": 140}, ROWS[1]]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def plan_of(plan_year, county, rows=ROWS):
    load_roster(plan_year, rows)
    plan = plan_for(county=county, plan_year=plan_year)
    fill_narrative(plan)
    return plan


@pytest.fixture
def year_112(plan_year, reviewer):
    return plan_year_open(
        year=112,
        source=plan_year,
        values={
            "classes_per_device_class": 4,
            "device_unit_price": 14_000,
            "meetings_per_month": 2,
            "public_lessons_per_school": 3,
            "mdm_licence_years": 5,
            "warranty_years": 3,
            "remote_devices_target_percent": 95,
            "other_schools_target_percent": 90,
            "device_delivery_deadline": "2023-08-31",
        },
        user=reviewer,
    )


def test_the_112_plan_prints_112s_words_and_the_111_plan_is_unchanged(plan_year, year_112, county_a):
    plan_111 = plan_of(plan_year, county_a)
    before = squeeze(pdf_text(plan_pdf(plan_document(plan_111, None))))
    plan_112 = plan_of(year_112, county_a, ROWS_112)
    text = squeeze(pdf_text(plan_pdf(plan_document(plan_112, None))))
    assert "每4班配發1班學習載具" in text and "每6班" not in text
    assert "非偏遠地區學校達成每4班配發1班載具的校數比率" in text
    assert "每月至少2次" in text and "每校每年至少辦理3場" in text
    assert "(MDM)5年使用授權、全機3年保固" in text
    assert "預計112年8月前完成相關作業並配發到校" in text
    assert "112年2月1日起至112年12月31日止" in text
    # The A1+A2 target of 112 (50%), four years from 111: three left.
    assert "累計培訓教師數112年可達所有教師數50%，預計3年內完成" in text
    assert "培訓教師人數達縣市所有教師總數50%" in text
    assert "學校校數比率95%" in text and "校數比率90%" in text
    assert "110、111年已受補助數" in text
    assert "111年班級數" in text and "110年班級數" not in text
    # Figures follow 112's rules: 20 classes, one set per 4 -> 5 classes of 28 devices, at 14,000.
    assert "112年經費編列規劃" in text
    table = plan_document(plan_112, None).data["budget"]
    assert (table[1]["computed"], table[1]["capital_ntd"]) == (5 * 28 + 41, (5 * 28 + 41) * 14_000)
    # 111's document is what it was before 112 was opened.
    plan_111.refresh_from_db()
    assert squeeze(pdf_text(plan_pdf(plan_document(plan_111, None)))) == before
    assert "每6班配發1班學習載具" in before and "預計111年9月前" in before and "可達所有教師數25%，預計4年內" in before


def test_the_document_keeps_the_seeds_form(plan_year, county_a):
    plan = plan_of(plan_year, county_a)
    narrative = plan.narrative
    narrative.improved_share_percent = None
    narrative.improved_subjects = ""
    narrative.save()
    text = pdf_text(plan_pdf(plan_document(plan, None)))
    flat = squeeze(text)
    # (四) is a paragraph of the seed, not an invented 「資通安全」 heading.
    assert "(四)資通安全" not in flat and "(四)本縣市規劃購置之MDM使用授權" in flat
    assert "(二)質化指標(由縣市自行訂定)" in flat
    # 五(一)5 is the county's ○, with no target of ours; 五(一)6 is quoted as the seed writes it.
    assert "抽樣調查學習成效(科目自選，例如國、英、數等)提升人數之比率達○%。" in flat
    assert "目標30" not in flat
    assert "6.培訓教師人數達縣市所有教師總數25%。" in flat
    # The 附錄 keeps the 範例 row and the full headers with their legends.
    assert "範例國小999999○○市市立高中附屬一般○○市○○區○○國民小學20283751648112是" in flat
    assert "學制(國小、國中)" in flat and "地區屬性(偏遠、非山非市、一般)" in flat
    assert "設立別(公立、市立、私立)" in flat and "附屬(大學附屬、高中附屬、完全中學、國中小)" in flat
    assert "符合偏遠學校師生1人1機、非偏遠學校每6班配發1班學習載具原則(是、填否者請說明原因)" in flat
    # The 合計 row adds up classes, teachers, students and the requests, never the largest class.
    total = re.search(r"合計（2 校）([\d, ]+)", text).group(1).split()
    assert total == ["26", "49", "557", "10", "20", "153"]


def test_the_workbook_names_the_years_and_the_rule(year_112, county_a):
    plan = plan_of(year_112, county_a, ROWS_112)
    workbook = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan_document(plan, None))))
    budget = workbook["經費需求"]
    assert budget["D3"].value == "110、111年\n已受補助數"
    notes = [row[0] for row in budget.iter_rows(min_row=16, values_only=True) if row[0]]
    assert "第 1～3 項申請補助數由附錄彙總（扣除已受補助數）。" in notes
    appendix = workbook["附錄"]
    headers = [cell.value for cell in appendix[3]]
    assert headers[8] == "111年\n班級數" and "每4班配發1班" in headers[15]
    total = [cell.value for cell in appendix[7]]
    assert total[0] == "合計" and total[9] is None and total[12:15] == [6 + 5, 12 + 10, 41 + 140]


def test_blank_requests_count_their_entitlement_in_the_appendix_total_and_say_so(plan_year, county_a):
    rows = [
        ROWS[0],
        ROWS[1] | {"req_carts": "", "req_teacher_devices": "", "req_student_devices": "", "compliance": ""},
    ]
    plan = plan_of(plan_year, county_a, rows)
    text = pdf_text(plan_pdf(plan_document(plan, None)))
    assert "(6) (12) (41)" in text
    assert "括號內為未填申請補助數之學校依原則計算之補助數，並計入合計" in squeeze(text)
    workbook = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan_document(plan, None))))
    appendix = workbook["附錄"]
    assert [cell.value for cell in appendix[7]][12:15] == [10, 20, 153]
    assert appendix["A9"].value == "註：未填申請補助數之學校，以依原則計算之補助數計入合計。"


def test_the_pages_use_the_years_words_too(year_112, county_a, officer_a, reviewer):
    from django.urls import reverse

    from reporting.indicators import indicators
    from schools.models import RosterRow, School
    from tests.conftest import client_for
    from tests.training.factories import make_session  # noqa: F401  (the office's factories load its models)
    from training.models import PublicLesson
    from training.selectors_office import schools_without_public_lesson

    plan_of(year_112, county_a, ROWS_112)
    items = {item["number"]: item for item in indicators(plan_year=year_112, counties=[county_a])}
    assert items[4]["label"] == "非偏遠地區學校達成每 4 班配發 1 班載具的校數比率"
    row = RosterRow.objects.get(plan_year=year_112, school__code="154601")
    page = client_for(officer_a).get(reverse("roster_row_edit", args=[row.pk])).content.decode()
    assert "非偏遠（每 4 班補助 1 班，共 5 班）" in page
    # 五(四)2(1)B: 3 lessons a school in this 112; a school with one has not done its part.
    school = School.objects.get(code="154601")
    PublicLesson.objects.create(
        plan_year=year_112, school=school, held_on="2023-03-01", teacher="陳老師", subject="數學"
    )
    missing = schools_without_public_lesson(schools=School.objects.filter(county=county_a), plan_year=year_112)
    assert [s.code for s in missing] == ["154601", "154602"]
    for day in ("2023-04-01", "2023-05-01"):
        PublicLesson.objects.create(plan_year=year_112, school=school, held_on=day, teacher="陳老師", subject="數學")
    missing = schools_without_public_lesson(schools=School.objects.filter(county=county_a), plan_year=year_112)
    assert [s.code for s in missing] == ["154602"]
