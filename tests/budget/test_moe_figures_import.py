"""The MOE's figures for all 22 counties in one sheet: a kind of the import pipeline, with its
preview (old -> new), confirm once, refusals with row, column and reason, and the hostile
corpus every import must survive."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from budget.importing import MOE_FIGURES_IMPORT
from budget.models import CountyPlan, PlanEvent, PlanStatus
from budget.selectors import plan_table
from budget.services import plan_for, plan_submit
from budget.services_review import budget_line_approve, plan_approve
from portal.counties import COUNTIES
from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget
from portal.models import PendingUpload
from tests.budget.moe_sheet import figures_bytes, figures_row
from tests.conftest import client_for, fill_narrative, load_roster, record
from tests.imports import hostile
from tests.imports.test_confirm import run_at_once

pytestmark = pytest.mark.django_db
CORPUS = hostile.corpus()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def upload(client, content: bytes, name="教育部提供數.xlsx", year=111):
    return client.post(reverse("moe_figures_import"), {"plan_year": year, "file": SimpleUploadedFile(name, content)})


def moe_values() -> dict:
    return {
        plan.county.name: (plan.prev_teacher_devices, plan.moe_estimate_student_devices, plan.ap_amount_ntd)
        for plan in CountyPlan.objects.select_related("county")
    }


def test_the_sheet_for_22_counties_goes_through_preview_and_confirm(plan_year, county_a, reviewer):
    load_roster(plan_year, [record()])
    plan = plan_for(county=county_a, plan_year=plan_year)
    client = client_for(reviewer)
    rows = [figures_row(name, prev_teacher_devices=n) for n, (_, name) in enumerate(COUNTIES)]
    rows[15] = figures_row("花蓮縣", prev_teacher_devices=3, moe_estimate_student_devices=120, ap_amount_ntd=900_000)
    response = upload(client, figures_bytes(rows))
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "確認匯入 22 縣市" in page
    # Old -> new, county by county, before anything is written.
    cells = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))
    assert "花蓮縣學生載具預估補助數暫估（留白）120" in cells and "花蓮縣AP預估補助經費0900,000" in cells
    assert "臺北市已受補助學生載具數0100" in cells
    assert CountyPlan.objects.count() == 1 and plan.version == CountyPlan.objects.get().version
    confirm = client.post(reverse("moe_figures_import_confirm", args=[PendingUpload.objects.get().pk]), follow=True)
    assert "已匯入 22 個縣市的教育部提供數：更新 1、新增計畫 21、不變 0" in text(confirm)
    assert CountyPlan.objects.filter(plan_year=plan_year).count() == 22
    plan = CountyPlan.objects.get(pk=plan.pk)
    assert (plan.prev_teacher_devices, plan.moe_estimate_student_devices, plan.ap_amount_ntd) == (3, 120, 900_000)
    assert plan.version == 2 and plan.lines.count() == 11
    event = plan.events.get(kind=PlanEvent.Kind.MOE_INPUTS)
    assert event.actor == reviewer and event.data["moe_estimate_student_devices"] == [None, 120]
    table = plan_table(plan)
    assert (table.line(2).estimate, table.line(2).estimate_provisional, table.line(1).previously_subsidised) == (
        120,
        False,
        3,
    )
    last = plan.history.order_by("-history_id").first()
    assert last.history_user == reviewer and "教育部提供數匯入" in last.history_change_reason


def test_every_problem_is_named_with_its_row_column_and_reason(plan_year, reviewer):
    rows = [
        figures_row("花蓮縣"),
        figures_row("花蓮縣"),
        figures_row("火星縣"),
        figures_row("台東縣", prev_carts=-1),
        figures_row("臺中市", ap_count="很多"),
        figures_row("", ap_count=1),
    ]
    parse = pipeline.read_file(MOE_FIGURES_IMPORT, figures_bytes(rows), target=ImportTarget(plan_year=plan_year))
    assert [str(p) for p in parse.errors] == [
        "第 4 列，縣市（A 欄）：花蓮縣與第 3 列重複",
        "第 5 列，縣市（A 欄）：「火星縣」不是 22 個縣市之一",
        "第 6 列，已受補助充電車數（D 欄）：不可為負數（填了 -1）",
        "第 7 列，AP預估補助數（H 欄）：「很多」不是數字",
        "第 8 列，縣市（A 欄）：未填寫",
    ]
    assert not CountyPlan.objects.exists()


def test_an_approved_plan_keeps_its_figures(plan_year, county_a, officer_a, reviewer):
    load_roster(plan_year, [record()], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    submission = plan_submit(plan=plan, user=officer_a)
    for item in submission.budget:
        if item["total_ntd"]:
            budget_line_approve(
                line=plan.lines.get(number=item["number"]), user=reviewer, approved_ntd=item["total_ntd"], note=""
            )
    plan_approve(plan=plan, user=reviewer)
    target = ImportTarget(plan_year=plan_year)
    parse = pipeline.read_file(MOE_FIGURES_IMPORT, figures_bytes([figures_row("花蓮縣")]), target=target)
    with pytest.raises(ImportRefused, match="花蓮縣的計畫已核定，教育部提供數不能再修改"):
        pipeline.import_rows(MOE_FIGURES_IMPORT, parse, target=target, user=reviewer)
    assert CountyPlan.objects.get().prev_teacher_devices == 0


def test_county_and_school_staff_cannot_upload(officer_a, school_user_a):
    for user in (officer_a, school_user_a):
        assert upload(client_for(user), figures_bytes([figures_row("花蓮縣")])).status_code == 403
    assert not PendingUpload.objects.exists()


def test_the_template_has_the_columns_it_reads(reviewer, plan_year):
    response = client_for(reviewer).get(reverse("moe_figures_template"))
    parse = pipeline.read_file(MOE_FIGURES_IMPORT, response.content, target=ImportTarget(plan_year=plan_year))
    assert parse.ok and [row.county for row in parse.rows] == ["花蓮縣"]


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_each_hostile_file_is_refused_with_its_reason(plan_year, reviewer, case):
    client = client_for(reviewer)
    response = upload(client, case.content)
    if not case.content:
        assert response.status_code == 200 and "檔案是空的" in text(response)
        return
    page = client.get(response["Location"])
    assert page.status_code == 200 and case.reason in page.content.decode()
    refused = client.post(reverse("moe_figures_import_confirm", args=[PendingUpload.objects.get().pk]), follow=True)
    assert "未匯入任何資料" in text(refused)
    assert not CountyPlan.objects.exists()


def test_the_import_runs_in_a_constant_number_of_queries(plan_year, reviewer, django_assert_max_num_queries):
    target = ImportTarget(plan_year=plan_year)

    def queries(names) -> int:
        parse = pipeline.read_file(
            MOE_FIGURES_IMPORT, figures_bytes([figures_row(name, ap_count=7) for name in names]), target=target
        )
        with django_assert_max_num_queries(40) as captured:
            pipeline.import_rows(MOE_FIGURES_IMPORT, parse, target=target, user=reviewer)
        return len(captured.captured_queries)

    assert queries(["花蓮縣", "臺東縣"]) == queries([name for _, name in COUNTIES if name not in ("花蓮縣", "臺東縣")])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
def test_the_figures_confirmed_while_the_county_submits_keep_the_submission(plan_year, county_a, officer_a, reviewer):
    load_roster(plan_year, [record()], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    target = ImportTarget(plan_year=plan_year)
    parse = pipeline.read_file(MOE_FIGURES_IMPORT, figures_bytes([figures_row("花蓮縣", prev_carts=1)]), target=target)
    work = iter(
        [
            lambda: plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a),
            lambda: pipeline.import_rows(MOE_FIGURES_IMPORT, parse, target=target, user=reviewer),
        ]
    )
    results = run_at_once(lambda: next(work)())
    assert not [r for r in results if isinstance(r, Exception)], results
    final = CountyPlan.objects.get(pk=plan.pk)
    assert final.status == PlanStatus.SUBMITTED and final.prev_carts == 1
