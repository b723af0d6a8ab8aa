"""Issue 13's findings 1, 2 and 5 through the portal: the budget tells the 附錄's story, the MOE
enters its own 預估補助數, and 國立 schools are not a county's."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from budget import selectors
from budget.models import PlanStatus
from budget.selectors import plan_indicators, plan_missing, plan_narrative, plan_table
from budget.selectors_review import plan_snapshot, snapshot_problems
from budget.services import PlanActionRefused, plan_for, plan_submit
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.management.commands.seed_demo import demo_records
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow, School
from tests.conftest import client_for, fill_narrative, load_roster, record, roster_bytes

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def sums(records) -> dict:
    return {key: sum(r[f"req_{key}"] for r in records) for key in ("teacher_devices", "student_devices", "carts")}


@pytest.fixture
def demo_plan(plan_year, county_a, officer_a):
    """花蓮縣 as the demo has it: two rows ask 30 student devices fewer, with a reason."""
    records = demo_records(plan_year)
    load_roster(plan_year, records, user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    return plan, records


# --- Finding 1: the budget contradicted its own 附錄 --------------------------------------------------


def test_lines_1_to_3_ask_what_the_appendix_asks(demo_plan):
    plan, records = demo_plan
    asked = sums(records)
    table = plan_table(plan)
    students = table.line(2)
    assert students.requested == asked["student_devices"] == students.computed - 60
    assert students.capital_ntd == asked["student_devices"] * 13_000
    assert (table.line(1).requested, table.line(3).requested) == (asked["teacher_devices"], asked["carts"])
    # Indicator 1 is lines 1 + 2 as requested: the 附錄's devices.
    items = {item["number"]: item["value"] for item in plan_indicators(plan, table, plan_narrative(plan))}
    assert items[1] == asked["teacher_devices"] + asked["student_devices"]
    # A 差異說明 is asked for: the 附錄 asks 60 fewer than estimated.
    assert "第2項「學習載具-學生」申請補助數與預估補助數不同，請填寫差異說明" in plan_missing(plan)
    assert snapshot_problems(plan_snapshot(plan)) == []


def test_the_budget_form_shows_lines_1_to_3_read_only_from_the_appendix(demo_plan, officer_a):
    plan, records = demo_plan
    client = client_for(officer_a)
    url = reverse("plan_edit", args=[111, plan.county.code])
    page = text(client.get(url))
    assert page.count('<div class="muted small">由附錄彙總</div>') == 3
    assert 'name="line1-requested"' not in page and 'name="line2-requested"' not in page
    assert f'aria-label="第2項申請補助數">{sums(records)["student_devices"]:,}</output>' in page
    data = {
        "version": plan.version,
        "existing_devices_without_mdm": 0,
        "training_sessions": 0,
        "substitute_periods_elementary": 0,
        "substitute_periods_junior": 0,
        "line2-requested": 1,  # typed into a forged form: ignored
        "line2-explanation": "兩校已有自購平板，申請數扣除之",
    }
    assert client.post(url, data).status_code == 302
    line = plan_table(plan).line(2)
    assert line.requested == sums(records)["student_devices"] and line.explanation.startswith("兩校")
    assert plan.lines.get(number=2).requested is None
    assert not [m for m in plan_missing(plan) if "差異說明" in m]


def test_a_plan_that_contradicts_its_appendix_cannot_be_submitted(demo_plan, officer_a, monkeypatch):
    plan, _records = demo_plan
    line = plan.lines.get(number=2)
    line.explanation = "兩校已有自購平板"
    line.save()
    # The aggregate the table was built from says something else than the rows (a stale cache, say).
    real = selectors.plan_roster_requested
    monkeypatch.setattr(
        selectors,
        "plan_roster_requested",
        lambda p: type(real(p))(real(p).carts, real(p).teacher_devices, real(p).student_devices + 60),
    )
    with pytest.raises(PlanActionRefused, match="計畫內容前後不一致：第2項申請補助數"):
        plan_submit(plan=plan, user=officer_a)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.submissions.exists()
    monkeypatch.undo()
    assert plan_submit(plan=plan, user=officer_a).number == 1


def test_a_blank_row_counts_its_entitlement(plan_year, county_a):
    load_roster(
        plan_year,
        [record(), record(code="154602", req_carts="", req_teacher_devices="", req_student_devices="", compliance="")],
    )
    plan = plan_for(county=county_a, plan_year=plan_year)
    table = plan_table(plan)
    assert [table.line(n).requested for n in (1, 2, 3)] == [16, 224, 8]
    assert "有 1 列尚未填申請補助數" in plan_missing(plan)


# --- Finding 2: the MOE's 預估補助數 -----------------------------------------------------------------------


def test_the_moe_enters_its_own_estimate_which_may_include_pooled_devices(demo_plan, reviewer, officer_a):
    plan, records = demo_plan
    page = text(client_for(officer_a).get(reverse("plan_detail", args=[111, plan.county.code])))
    assert page.count("暫估") >= 3
    moe = client_for(reviewer)
    url = reverse("plan_moe_figures", args=[111, plan.county.code])
    form = text(moe.get(url))
    assert "110、111年已受補助教師載具數" in form and "學生載具預估補助數" in form
    response = moe.post(
        url,
        {
            "version": plan.version,
            "prev_teacher_devices": 0,
            "prev_student_devices": 100,
            "prev_carts": 0,
            "moe_estimate_student_devices": 8_700,  # computed - previously + 69 統籌運用
            "ap_count": 0,
            "ap_amount_ntd": 0,
            "software_amount_ntd": 0,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    line = plan_table(plan).line(2)
    assert (line.estimate, line.estimate_provisional) == (8_700, False)
    assert line.requested == sums(records)["student_devices"] - 100
    assert plan_table(plan).line(1).estimate_provisional  # not entered: still 暫估
    assert client_for(officer_a).post(url, {"version": 1}).status_code == 403


# --- Finding 5: 國立 schools are not a county's --------------------------------------------------------


def test_a_national_school_in_a_county_appendix_is_refused_with_its_reason(plan_year, officer_a):
    content = roster_bytes([record(), record(code="150601", ownership="國立", name="國立東華大學附設實驗國小")])
    parse = pipeline.read_file(ROSTER_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    assert [(p.row, p.column, p.message) for p in parse.errors] == [(6, "設立別（E 欄）", "國立學校不列入縣市計畫")]
    response = client_for(officer_a).post(
        reverse("roster_import"), {"plan_year": 111, "file": _upload("附錄.xlsx", content)}, follow=True
    )
    assert "國立學校不列入縣市計畫" in text(response)
    assert not RosterRow.objects.exists()


def test_the_ownerships_in_scope_are_a_rule_set_parameter(plan_year):
    plan_year.rules = plan_year.rules | {"ownerships_in_scope": ["公立", "市立", "縣立", "私立", "國立"]}
    plan_year.save()
    plan_year.__dict__.pop("rule_set", None)
    content = roster_bytes([record(code="150601", ownership="國立", name="國立東華大學附設實驗國小")])
    parse = pipeline.read_file(ROSTER_IMPORT, content, target=ImportTarget(plan_year=plan_year))
    assert parse.ok


def test_roster_from_realdata_leaves_national_schools_out(plan_year, tmp_path):
    out = tmp_path / "hualien.xlsx"
    call_command("roster_from_realdata", "--county", "花蓮縣", "--out", str(out), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(out).active
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[2] and str(row[2]).isdigit()]
    assert rows and all(row[4] != "國立" for row in rows)
    assert not any("東華大學" in str(row[7]) for row in rows)
    # The demo's 129 schools included 國立東華大學附小: now 128.
    assert len({row[2] for row in rows}) == 128


def test_a_national_row_kept_from_before_blocks_submission(plan_year, county_a, officer_a):
    load_roster(plan_year, [record()], user=officer_a)
    row = RosterRow.objects.get()
    School.objects.filter(pk=row.school_id).update(ownership="國立")
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    assert "名單中有 1 列為國立學校不列入縣市計畫，請重新上傳不含這些學校的附錄" in plan_missing(plan)


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_part_time_staff_are_costed_at_the_share_the_county_enters(plan_year, county_a, officer_a):
    load_roster(plan_year, [record()], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    client = client_for(officer_a)
    url = reverse("plan_edit", args=[111, county_a.code])
    data = {
        "version": plan.version,
        "existing_devices_without_mdm": 0,
        "training_sessions": 0,
        "substitute_periods_elementary": 0,
        "substitute_periods_junior": 0,
        "part_time_counselors": 1,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    # One school: 1 counsellor (part-time), 1 IT, 1 admin; the share is missing.
    plan.refresh_from_db()
    assert "第7項有兼任人力，請填寫兼任人力的支給比率（%）" in plan_missing(plan)
    assert "比率不可超過 100%" in text(
        client.post(url, data | {"version": plan.version, "part_time_share_percent": 120})
    )
    client.post(url, data | {"version": plan.version, "part_time_share_percent": 50})
    plan.refresh_from_db()
    line = plan_table(plan).line(7)
    assert line.recurrent_ntd == 750_000 // 2 + 750_000 + 650_000
    assert line.parts == (("專任人力", 1_400_000), ("兼任人力（支給 50%）", 375_000))
    page = text(client.get(reverse("plan_detail", args=[111, county_a.code])))
    assert "兼任人力（支給 50%） 375,000 元" in page
