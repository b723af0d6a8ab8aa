"""The plan's life: draft -> submitted -> returned -> resubmitted -> approved, and every refusal's reason."""

import datetime

import pytest

from budget.models import BudgetLine, PlanEvent, PlanStatus
from budget.selectors import plan_missing
from budget.selectors_review import submission_diff
from budget.services import (
    PlanActionRefused,
    county_edit_refusal,
    plan_for,
    plan_submit,
    plan_update,
    review_comment_reply,
)
from budget.services_review import budget_line_approve, plan_approve, plan_return, plan_update_moe_figures
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow
from schools.services import RosterEditRefused, roster_row_update
from tests.conftest import fill_narrative, load_roster, record, roster_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(plan_year, county_a):
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    return plan


@pytest.fixture
def ready_plan(plan, plan_year, officer_a):
    """Two schools, one asking 12 student devices fewer than its entitlement: line 2 asks 212
    where 224 are estimated, and says why."""
    load_roster(
        plan_year,
        [record(), record(code="154602", req_student_devices=100, compliance="否，已有自購載具")],
        user=officer_a,
    )
    explain(plan, officer_a, {2: "北濱國小已有自購載具 12 臺"})
    plan.refresh_from_db()
    return plan


def explain(plan, user, explanations: dict[int, str]):
    """The county's 差異說明 of some lines, saved through the budget form's service."""
    plan = type(plan).objects.get(pk=plan.pk)
    plan_update(
        plan=plan,
        user=user,
        plan_values=_plan_values(**{name: getattr(plan, name) for name in _plan_values()}),
        line_values={
            number: {
                "requested": None,
                "recurrent_ntd": None,
                "capital_ntd": None,
                "explanation": text,
                "procurement_note": "",
            }
            for number, text in explanations.items()
        },
        expected_version=plan.version,
    )


def values_of(row):
    return {
        name: getattr(row, name)
        for name in (
            "area",
            "classes",
            "max_class_size",
            "teachers",
            "students",
            "req_carts",
            "req_teacher_devices",
            "req_student_devices",
            "reason",
        )
    }


def test_a_plan_is_created_with_its_eleven_lines(plan):
    assert plan.status == PlanStatus.DRAFT
    assert list(plan.lines.values_list("number", flat=True)) == list(range(1, 12))
    assert plan_for(county=plan.county, plan_year=plan.plan_year) == plan  # created once


def test_an_empty_plan_cannot_be_submitted(plan, officer_a):
    with pytest.raises(PlanActionRefused, match="名單沒有任何學校，請先上傳附錄名單"):
        plan_submit(plan=plan, user=officer_a)


def test_a_no_row_without_reason_blocks_submission(plan, plan_year, officer_a):
    load_roster(plan_year, [record(), record(code="154602", req_student_devices=100, compliance="否")])
    assert plan_missing(plan) == [
        "有 1 列不符原則（否）尚未說明原因：154602 花蓮縣立示範國小（國小）",
        # Line 2 asks what the 附錄 asks (212), not the estimate (224): the county says why.
        "第2項「學習載具-學生」申請補助數與預估補助數不同，請填寫差異說明",
    ]
    with pytest.raises(PlanActionRefused, match="尚不能送審：有 1 列不符原則"):
        plan_submit(plan=plan, user=officer_a)
    assert plan.submissions.count() == 0


def test_a_line_that_differs_without_explanation_blocks_submission(ready_plan, officer_a):
    lines = {
        4: {"requested": 20, "recurrent_ntd": None, "capital_ntd": None, "explanation": "", "procurement_note": ""}
    }
    version = ready_plan.version
    plan_update(
        plan=ready_plan, user=officer_a, plan_values=_plan_values(), line_values=lines, expected_version=version
    )
    assert plan_missing(ready_plan) == [
        "第4項「既有學習載具管理系統(MDM)使用授權」申請補助數與預估補助數不同，請填寫差異說明"
    ]
    lines[4]["explanation"] = "另有 20 臺自購載具需授權"
    plan_update(
        plan=ready_plan, user=officer_a, plan_values=_plan_values(), line_values=lines, expected_version=version + 1
    )
    assert plan_missing(ready_plan) == []


def _plan_values(**overrides):
    values = dict.fromkeys(
        (
            "existing_devices_without_mdm",
            "training_sessions",
            "substitute_periods_elementary",
            "substitute_periods_junior",
        ),
        0,
    )
    values |= dict.fromkeys(("requested_counselors", "requested_it_staff", "requested_admin_staff"))
    values |= {"part_time_counselors": 0, "part_time_it_staff": 0, "part_time_share_percent": None}
    return values | overrides


def test_two_people_saving_the_same_plan_the_second_is_refused(ready_plan, officer_a):
    opened = ready_plan.version
    plan_update(
        plan=ready_plan,
        user=officer_a,
        plan_values=_plan_values(training_sessions=3),
        line_values={},
        expected_version=opened,
    )
    with pytest.raises(PlanActionRefused, match="已被他人修改"):
        plan_update(
            plan=ready_plan,
            user=officer_a,
            plan_values=_plan_values(training_sessions=9),
            line_values={},
            expected_version=opened,
        )
    ready_plan.refresh_from_db()
    assert ready_plan.training_sessions == 3


def test_the_whole_review(ready_plan, plan_year, officer_a, reviewer):
    first = plan_submit(plan=ready_plan, user=officer_a)
    ready_plan.refresh_from_db()
    assert ready_plan.status == PlanStatus.SUBMITTED and first.number == 1
    assert len(first.roster) == 2 and first.totals["schools"] == 2
    assert [line["number"] for line in first.budget] == list(range(1, 12))
    assert first.budget[0]["computed"] == 16  # 8 teacher devices per row

    # Submitted: read-only for the county, with the reason.
    assert county_edit_refusal(ready_plan).startswith("計畫已於")
    assert "送審，教育部審查中，不能修改" in county_edit_refusal(ready_plan)
    with pytest.raises(PlanActionRefused, match="送審，教育部審查中"):
        plan_update(plan=ready_plan, user=officer_a, plan_values=_plan_values(), line_values={}, expected_version=1)
    row = RosterRow.objects.get(school__code="154601")
    with pytest.raises(RosterEditRefused, match="計畫已送審，教育部審查中，名單不能修改"):
        roster_row_update(row=row, user=officer_a, values=values_of(row), expected_version=row.version)
    parsed = pipeline.read_file(
        ROSTER_IMPORT, roster_bytes([record(students=500)]), target=ImportTarget(plan_year=plan_year)
    )
    assert [
        p.message
        for p in pipeline.preview(
            ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=officer_a
        ).errors
    ] == ["花蓮縣：計畫已送審，教育部審查中，名單不能修改"]
    with pytest.raises(PlanActionRefused, match="教育部審查中"):
        plan_submit(plan=ready_plan, user=officer_a)

    # The reviewer returns it with a reason for one line.
    plan_return(plan=ready_plan, user=reviewer, reason="請補充差異說明", line_notes={3: "充電車數請再確認"})
    ready_plan.refresh_from_db()
    assert ready_plan.status == PlanStatus.RETURNED and ready_plan.return_reason == "請補充差異說明"
    assert BudgetLine.objects.get(plan=ready_plan, number=3).review_note == "充電車數請再確認"
    assert county_edit_refusal(ready_plan) == ""

    # The county corrects a row and resubmits: the second submission shows what changed.
    row = RosterRow.objects.get(school__code="154602")
    roster_row_update(
        row=row,
        user=officer_a,
        values=values_of(row) | {"req_student_devices": 112, "reason": ""},
        expected_version=row.version,
    )
    ready_plan.refresh_from_db()
    plan_update(
        plan=ready_plan,
        user=officer_a,
        plan_values=_plan_values(training_sessions=2),
        line_values={},
        expected_version=ready_plan.version,
    )
    # Issue 14: the line comment is a checklist item answered before resubmitting.
    with pytest.raises(PlanActionRefused, match="請先逐項回覆教育部審查意見"):
        plan_submit(plan=ready_plan, user=officer_a)
    for comment in ready_plan.review_comments.all():
        review_comment_reply(comment=comment, user=officer_a, kind="explained", text="國中部已改以 2 臺計")
    second = plan_submit(plan=ready_plan, user=officer_a)
    diff = submission_diff(second, first)
    assert diff["added"] == diff["removed"] == []
    assert [item["row"]["code"] for item in diff["changed"]] == ["154602"]
    changed_fields = {f["label"]: (f["old"], f["new"]) for f in diff["changed"][0]["fields"]}
    assert changed_fields["申請學生載具"] == (100, 112)
    assert changed_fields["符合原則"] == (False, True)
    # Line 2 follows the 附錄 (212 -> 224); line 9 the county's two sessions.
    assert [item["line"]["number"] for item in diff["lines"]] == [2, 9]
    assert {f["label"]: (f["old"], f["new"]) for f in diff["lines"][0]["fields"]}["申請補助數"] == (212, 224)
    assert {f["label"]: (f["old"], f["new"]) for f in diff["lines"][1]["fields"]}["合計（千元）"] == (0, 50)

    # Approve line by line: not above what was submitted, lower only with a note.
    requested = {item["number"]: item["total_ntd"] for item in second.budget}
    line1 = BudgetLine.objects.get(plan=ready_plan, number=1)
    with pytest.raises(PlanActionRefused, match="超過申請的"):
        budget_line_approve(line=line1, user=reviewer, approved_ntd=requested[1] + 1, note="")
    with pytest.raises(PlanActionRefused, match="請填寫核定說明"):
        budget_line_approve(line=line1, user=reviewer, approved_ntd=requested[1] - 13_000, note="")
    budget_line_approve(line=line1, user=reviewer, approved_ntd=requested[1] - 13_000, note="核減 1 臺")
    with pytest.raises(PlanActionRefused, match="尚有經費項目未核定：第 2、3、7、8、9 項"):
        plan_approve(plan=ready_plan, user=reviewer)
    for number in (2, 3, 7, 8, 9):
        line = BudgetLine.objects.get(plan=ready_plan, number=number)
        budget_line_approve(line=line, user=reviewer, approved_ntd=requested[number], note="")
    plan_approve(plan=ready_plan, user=reviewer)
    ready_plan.refresh_from_db()
    assert ready_plan.status == PlanStatus.APPROVED
    assert "經教育部核定，不能再修改" in county_edit_refusal(ready_plan)
    assert BudgetLine.objects.get(plan=ready_plan, number=11).approved_ntd == 0
    with pytest.raises(PlanActionRefused, match="不在審查中"):
        plan_return(plan=ready_plan, user=reviewer, reason="x", line_notes={})
    with pytest.raises(PlanActionRefused, match="教育部提供數不能再修改"):
        plan_update_moe_figures(plan=ready_plan, user=reviewer, values={})

    kinds = list(ready_plan.events.order_by("at", "pk").values_list("kind", "actor__username"))
    assert kinds[:3] == [
        (PlanEvent.Kind.SUBMITTED, "officer_a"),
        (PlanEvent.Kind.RETURNED, "reviewer"),
        (PlanEvent.Kind.SUBMITTED, "officer_a"),
    ]
    assert kinds[-1] == (PlanEvent.Kind.APPROVED, "reviewer")
    # The audit trail has who changed the plan's status.
    statuses = list(ready_plan.history.order_by("history_date").values_list("status", "history_user__username"))
    assert statuses[-1] == (PlanStatus.APPROVED, "reviewer")


def test_the_snapshot_does_not_change_when_the_roster_does(ready_plan, plan_year, officer_a, reviewer):
    submission = plan_submit(plan=ready_plan, user=officer_a)
    frozen = submission.roster
    plan_return(plan=ready_plan, user=reviewer, reason="請修正", line_notes={})
    load_roster(plan_year, [record(students=500)], user=officer_a)
    submission.refresh_from_db()
    assert submission.roster == frozen and len(frozen) == 2


def test_moe_figures_change_the_estimate(ready_plan, reviewer):
    plan = plan_update_moe_figures(
        plan=ready_plan,
        user=reviewer,
        values={
            "prev_teacher_devices": 6,
            "prev_student_devices": 0,
            "prev_carts": 0,
            "ap_count": 10,
            "ap_amount_ntd": 250_000,
            "software_amount_ntd": 80_000,
        },
    )
    from budget.selectors import plan_table

    table = plan_table(plan)
    assert (table.line(1).computed, table.line(1).previously_subsidised, table.line(1).estimate) == (16, 6, 10)
    assert table.line(1).requested == 10 and table.line(1).estimate_provisional
    assert table.line(5).capital_ntd == 250_000
    event = ready_plan.events.get(kind=PlanEvent.Kind.MOE_INPUTS)
    assert event.data["prev_teacher_devices"] == [0, 6]


def test_after_the_deadline_nothing_changes(ready_plan, plan_year, officer_a):
    plan_year.submission_deadline = datetime.date(2022, 3, 15)
    plan_year.save()
    ready_plan.plan_year.refresh_from_db()
    assert county_edit_refusal(ready_plan) == "111 年度計畫已於 111年3月15日 截止送審，不能再修改"
    with pytest.raises(PlanActionRefused, match="截止送審"):
        plan_submit(plan=ready_plan, user=officer_a)
    row = RosterRow.objects.select_related("plan_year", "school").get(school__code="154601")
    with pytest.raises(RosterEditRefused, match="截止送審"):
        roster_row_update(row=row, user=officer_a, values=values_of(row), expected_version=row.version)


def test_other_apps_set_county_figures_while_the_county_may_edit(ready_plan, officer_a, reviewer):
    from budget.services import plan_set_county_figures

    plan = plan_set_county_figures(
        plan=ready_plan, user=officer_a, values={"existing_devices_without_mdm": 120}, source="載具管理：既有載具"
    )
    assert plan.existing_devices_without_mdm == 120 and plan.version == ready_plan.version + 1
    last = plan.history.order_by("-history_date").first()
    assert (last.history_change_reason, last.history_user) == ("載具管理：既有載具", officer_a)
    with pytest.raises(ValueError, match="not county figures"):
        plan_set_county_figures(plan=plan, user=officer_a, values={"ap_count": 3}, source="x")
    plan_submit(plan=plan, user=officer_a)
    with pytest.raises(PlanActionRefused, match="教育部審查中"):
        plan_set_county_figures(plan=plan, user=officer_a, values={"training_sessions": 9}, source="x")
