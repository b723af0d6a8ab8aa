"""The plan's documents say what the plan says: every heading, the county's numbers, every school."""

import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from budget import rules as engine
from budget.models import BudgetLine
from budget.selectors import plan_table
from budget.services import plan_for, plan_submit
from budget.services_review import budget_line_approve, plan_approve
from reporting.rendering import plan_document, plan_pdf, plan_xlsx
from tests.conftest import fill_narrative, load_roster

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def plan(plan_year, county_a, county_a_records, officer_a):
    load_roster(plan_year, county_a_records, user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    return plan


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_has_the_moe_layout_the_numbers_and_every_school(plan, county_a_records):
    content = plan_pdf(plan_document(plan, None))
    reader = PdfReader(io.BytesIO(content))
    text = squeeze(pdf_text(content))
    for heading in (
        "一、計畫目標",
        "二、計畫期程",
        "三、實施對象",
        "四、工作規劃",
        "(一)成立數位學習推動辦公室",
        "五、預期績效指標",
        "(一)量化指標",
        "六、經費需求",
        "附錄",
    ):
        assert heading in text, heading
    assert "111年花蓮縣國民中小學實施計畫" in text
    schools = len({r["code"] for r in county_a_records})
    assert f"共計{schools}校" in text
    table = plan_table(plan)
    assert f"{table.total_k:,}" in text  # the budget table's 合計 in 千元
    assert f"{table.line(engine.LINE_STUDENT_DEVICES).requested:,}" in text
    for record in county_a_records:
        assert record["code"] in text and squeeze(record["name"]) in text, record["code"]
    # Every page is numbered across the parts, and says which version it shows.
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert f"第 1 頁，共 {len(reader.pages)} 頁" in first and f"第 {len(reader.pages)} 頁" in last
    assert "目前資料（草稿，尚未送審）" in first and "草稿" in last
    # A4: portrait for 附件1, landscape for the budget table and the 附錄.
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(595, 842), (842, 595)}
    # Traditional Chinese in an embedded font.
    fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK-TC" in fonts and " yes yes yes " in fonts


def test_pages_look_right(plan):
    """The pages as images, for a person to look at (tests/artifacts/plan-*.png)."""
    content = plan_pdf(plan_document(plan, None))
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "plan.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "5", str(pdf), str(ARTIFACTS / "plan")], check=True
    )
    images = sorted(ARTIFACTS.glob("plan-*.png"))
    assert len(images) >= 5 and all(image.stat().st_size > 10_000 for image in images)


def test_an_approved_plan_shows_its_submission_without_watermark(plan, officer_a, reviewer):
    submission = plan_submit(plan=plan, user=officer_a)
    for item in submission.budget:
        line = BudgetLine.objects.get(plan=plan, number=item["number"])
        budget_line_approve(line=line, user=reviewer, approved_ntd=item["total_ntd"], note="")
    plan_approve(plan=plan, user=reviewer)
    plan.refresh_from_db()
    text = pdf_text(plan_pdf(plan_document(plan, submission)))
    assert f"第 1 次送審版本（編號 {submission.pk}" in text and "已核定" in text
    assert "本計畫業經教育部核定" in squeeze(text)
    assert "草稿" not in text


def test_the_workbook_holds_the_budget_table_and_the_roster(plan, county_a_records):
    document = plan_document(plan, None)
    workbook = openpyxl.load_workbook(io.BytesIO(plan_xlsx(document)))
    assert workbook.sheetnames == ["經費需求", "附錄"]
    budget = workbook["經費需求"]
    assert budget["A3"].value == "項次" and budget["J3"].value == "經費需求(千元)\n合計"
    table = plan_table(plan)
    rows = list(budget.iter_rows(min_row=4, max_row=15, values_only=True))
    assert [row[0] for row in rows] == [*range(1, 12), "合計"]
    assert rows[1][5] == table.line(engine.LINE_STUDENT_DEVICES).requested
    assert rows[1][8] == table.line(engine.LINE_STUDENT_DEVICES).capital_k
    assert rows[11][9] == table.total_k
    assert budget["I5"].number_format == "#,##0" and budget.freeze_panes == "C4"
    roster = workbook["附錄"]
    codes = [row[2] for row in roster.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert codes == [r["code"] for r in sorted(county_a_records, key=lambda r: (r["code"], r["level"]))]
    total = next(row for row in roster.iter_rows(values_only=True) if row[0] == "合計")
    assert total[11] == sum(r["students"] for r in county_a_records)


def test_county_typed_text_cannot_fetch_anything(plan, settings):
    from budget.selectors import plan_narrative

    narrative = plan_narrative(plan)
    narrative.promotion_plan = '<img src="http://169.254.169.254/latest"> 辦理成果展'
    narrative.save()
    text = pdf_text(plan_pdf(plan_document(plan, None)))
    assert "辦理成果展" in text and "169.254" in text  # shown as text, never loaded


def test_render_plan_writes_the_same_documents_without_a_worker(plan, officer_a, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "plan.xlsx"
    call_command("render_plan", "--county", "花蓮縣", "--year", "111", "--format", "xlsx", "--out", str(out))
    workbook = openpyxl.load_workbook(out)
    assert "目前資料（草稿" in workbook["經費需求"]["A2"].value
    # Once submitted (the county may no longer edit), the default is what was submitted.
    plan_submit(plan=plan, user=officer_a)
    pdf = tmp_path / "plan.pdf"
    call_command("render_plan", "--county", "花蓮縣", "--year", "111", "--out", str(pdf))
    assert "第 1 次送審版本" in pdf_text(pdf.read_bytes())
    with pytest.raises(CommandError, match="沒有第 2 次送審"):
        call_command("render_plan", "--county", "花蓮縣", "--submission", "2", "--out", str(pdf))


def test_render_plan_prints_the_plan_as_data_with_the_figures_the_pdf_shows(plan, officer_a, reviewer, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    from budget.services_review import plan_update_moe_figures

    plan = plan_update_moe_figures(
        plan=plan,
        user=reviewer,
        values={"prev_student_devices": 100, "moe_estimate_carts": 700, "ap_count": 3, "ap_amount_ntd": 45_000},
    )
    out = io.StringIO()
    call_command("render_plan", "--county", "花蓮縣", "--year", "111", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"county", "year", "status", "version", "lines", "roster_requested", "indicators"}
    assert (data["county"], data["year"], data["status"]) == ("花蓮縣", 111, "draft")
    table = plan_table(plan)
    assert [line["number"] for line in data["lines"]] == list(range(1, 12))
    for item, line in zip(data["lines"], table.lines, strict=True):
        assert set(item) == {
            "number",
            "name",
            "computed",
            "previously",
            "estimate",
            "requested",
            "recurrent_ntd",
            "capital_ntd",
            "approved_ntd",
        }
        assert (item["computed"], item["previously"], item["estimate"], item["requested"]) == (
            line.computed,
            line.previously_subsidised,
            line.estimate,
            line.requested,
        )
        assert (item["recurrent_ntd"], item["capital_ntd"], item["approved_ntd"]) == (
            line.recurrent_ntd,
            line.capital_ntd,
            None,
        )
    lines = {item["number"]: item for item in data["lines"]}
    assert lines[2]["previously"] == 100 and lines[3]["estimate"] == 700 and lines[11]["computed"] is None
    asked = data["roster_requested"]
    assert lines[2]["requested"] == asked["student_devices"] - 100
    assert data["indicators"]["1"] == lines[1]["requested"] + lines[2]["requested"]
    assert all(value is None or isinstance(value, int) for value in data["indicators"].values())
    # The same numbers the PDF prints.
    text = squeeze(pdf_text(plan_pdf(plan_document(plan, None))))
    assert f"購置學習載具總臺數{data['indicators']['1']:,}臺" in text
    assert f"{lines[2]['computed']:,}100{lines[2]['estimate']:,}暫估{lines[2]['requested']:,}由附錄彙總" in text
    # --out writes a file; PDF and Excel need one.
    target = tmp_path / "plan.json"
    call_command("render_plan", "--county", "花蓮縣", "--format", "json", "--out", str(target), stdout=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == data
    with pytest.raises(CommandError, match="--out"):
        call_command("render_plan", "--county", "花蓮縣", "--format", "pdf")
