"""The plan's pages, through the browser's requests: fill, submit, review, resubmit, approve."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from budget import rules as engine
from budget.models import BudgetLine, CountyPlan, PlanStatus
from budget.services import plan_for
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def plan(plan_year, county_a, officer_a):
    load_roster(
        plan_year,
        [record(), record(code="154602", req_student_devices=100, compliance="否，已有自購載具")],
        user=officer_a,
    )
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    # Line 2 asks what the 附錄 asks (12 fewer than estimated): the county says why.
    line = plan.lines.get(number=2)
    line.explanation = "北濱國小已有自購載具"
    line.save()
    return plan


def url(name, plan, **kwargs):
    return reverse(name, kwargs={"year": plan.plan_year.year, "county_code": plan.county.code, **kwargs})


def edit_data(plan, **changes):
    data = {
        "version": plan.version,
        "existing_devices_without_mdm": 0,
        "training_sessions": 0,
        "substitute_periods_elementary": 0,
        "substitute_periods_junior": 0,
    }
    for line in plan.lines.all():
        data[f"line{line.number}-explanation"] = line.explanation
        data[f"line{line.number}-procurement_note"] = line.procurement_note
    return data | changes


def test_the_county_fills_the_table_and_sees_what_is_missing(plan, officer_a):
    client = client_for(officer_a)
    page = text(client.get(url("plan_detail", plan)))
    assert "名單與經費表已齊備，可以送審" in page
    assert "學習載具-教師" in page and "其他需求項目" in page
    response = client.post(url("plan_edit", plan), edit_data(plan, **{"line4-requested": 20, "training_sessions": 4}))
    assert response.status_code == 302
    page = text(client.get(url("plan_detail", plan)))
    assert "第4項「既有學習載具管理系統(MDM)使用授權」申請補助數與預估補助數不同，請填寫差異說明" in page
    assert url("plan_submit", plan) not in page
    plan.refresh_from_db()
    assert plan.training_sessions == 4
    home = text(client.get(reverse("home")))
    assert "送審前還需要完成" in home and "請填寫差異說明" in home


def test_a_stale_plan_form_is_refused(plan, officer_a):
    client = client_for(officer_a)
    stale = edit_data(plan)
    client.post(url("plan_edit", plan), stale | {"training_sessions": 2})
    response = client.post(url("plan_edit", plan), stale | {"training_sessions": 7}, follow=True)
    assert "已被他人修改" in text(response)
    assert CountyPlan.objects.get(pk=plan.pk).training_sessions == 2


def test_bad_numbers_are_refused_in_chinese(plan, officer_a):
    response = client_for(officer_a).post(url("plan_edit", plan), edit_data(plan, training_sessions=-1))
    assert response.status_code == 200
    assert "有欄位填寫有誤" in text(response)


def test_submit_review_return_resubmit_approve_through_the_pages(plan, officer_a, reviewer):
    county, moe = client_for(officer_a), client_for(reviewer)
    response = county.post(url("plan_submit", plan), {"confirmed": "1"}, follow=True)
    assert "已送出第 1 次送審" in text(response)
    assert "plan_edit" not in response.request["PATH_INFO"]

    queue = text(moe.get(reverse("review_queue")))
    assert "花蓮縣" in queue and "第 1 次" in queue

    moe.post(
        url("plan_moe_figures", plan),
        {
            "version": CountyPlan.objects.get(pk=plan.pk).version,
            "prev_teacher_devices": 4,
            "prev_student_devices": 0,
            "prev_carts": 0,
            "ap_count": 0,
            "ap_amount_ntd": 0,
            "software_amount_ntd": 0,
        },
    )
    assert CountyPlan.objects.get(pk=plan.pk).prev_teacher_devices == 4
    response = moe.post(
        url("plan_return", plan),
        {"reason": "請確認教師載具", "line_1": "已受補助 4 臺請扣除", "confirm": "1"},
        follow=True,
    )
    assert "已退回花蓮縣計畫" in text(response)

    page = text(county.get(url("plan_detail", plan)))
    assert "教育部退回修正" in page and "請確認教師載具" in page and "已受補助 4 臺請扣除" in page
    county.post(url("plan_edit", plan), edit_data(CountyPlan.objects.get(pk=plan.pk)))
    # Issue 14: the line comment is answered (已修正／說明) before the plan can go back.
    response = county.post(url("plan_submit", plan), {"confirmed": "1"}, follow=True)
    assert "請先逐項回覆教育部審查意見" in text(response)
    comment = plan.review_comments.get()
    county.post(url("plan_comment_reply", plan, pk=comment.pk), {"reply_kind": "fixed", "reply_text": ""})
    response = county.post(url("plan_submit", plan), {"confirmed": "1"}, follow=True)
    assert "已送出第 2 次送審" in text(response)

    submission = text(moe.get(url("submission_detail", plan, number=2)))
    assert "與第 1 次送審相比" in submission
    assert "第1項 學習載具-教師" in submission  # the estimate fell by the 4 subsidised devices

    plan.refresh_from_db()
    latest = plan.submissions.get(number=2)
    for item in latest.budget:
        if item["total_ntd"]:
            approved = item["total_ntd"] - (13_000 if item["number"] == engine.LINE_STUDENT_DEVICES else 0)
            note = "核減 1 臺" if approved < item["total_ntd"] else ""
            moe.post(
                url("line_approve", plan, number=item["number"]),
                {f"line{item['number']}-approved_ntd": approved, f"line{item['number']}-note": note},
            )
    response = moe.post(url("plan_approve", plan), follow=True)
    assert "花蓮縣計畫已核定" in text(response)
    assert plan.review_comments.get().archived_at is not None
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    student = BudgetLine.objects.get(plan=plan, number=engine.LINE_STUDENT_DEVICES)
    assert student.approval_note == "核減 1 臺"

    page = text(county.get(url("plan_detail", plan)))
    assert "經教育部核定，不能再修改" in page and "核定計畫" in page and "reviewer" in page
    response = county.post(url("plan_edit", plan), edit_data(CountyPlan.objects.get(pk=plan.pk)), follow=True)
    assert "經教育部核定，不能再修改" in text(response)


def test_review_refusals_are_explained(plan, officer_a, reviewer):
    moe = client_for(reviewer)
    response = moe.post(url("plan_approve", plan), follow=True)
    assert "計畫目前為「草稿」，不在審查中" in text(response)
    client_for(officer_a).post(url("plan_submit", plan), {"confirmed": "1"})
    response = moe.post(url("plan_return", plan), {"reason": ""}, follow=True)
    assert "退回時請填寫退回理由" in text(response)
    response = moe.post(url("line_approve", plan, number=1), {"line1-approved_ntd": 10**9}, follow=True)
    assert "超過申請的" in text(response)


def test_plan_pages_use_a_constant_number_of_queries(
    plan_year, county_a, officer_a, reviewer, django_assert_max_num_queries
):
    def count(n):
        load_roster(plan_year, [record(code=f"{154000 + i:06d}") for i in range(n)], user=officer_a)
        plan = plan_for(county=county_a, plan_year=plan_year)
        counts = []
        for user, name in ((officer_a, "plan_detail"), (officer_a, "plan_edit"), (reviewer, "review_queue")):
            client = client_for(user)
            target = reverse(name) if name == "review_queue" else url(name, plan)
            client.get(target)  # a first visit creates the plan's narrative
            cache.clear()  # measure the page as computed, not as cached
            with django_assert_max_num_queries(40) as captured:
                assert client.get(target).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    assert count(10) == count(300)


def test_the_home_pages_missing_list_is_cached_until_the_plan_changes(
    plan, officer_a, settings, django_assert_max_num_queries
):
    """Issue 11: the county home page keeps its 「尚缺」 list in the read cache (no budget lines,
    engine or roster count per load), and a write to the plan shows on the next load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.READ_CACHE = True
    cache.clear()
    client = client_for(officer_a)
    assert "送審前還需要完成" not in text(client.get(reverse("home")))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))
    assert not [q for q in captured.captured_queries if "budget_budgetline" in q["sql"]]
    client.post(url("plan_edit", plan), edit_data(plan, **{"line4-requested": 20}))
    home = text(client.get(reverse("home")))
    assert "送審前還需要完成" in home and "請填寫差異說明" in home
    plan.refresh_from_db()
    client.post(url("plan_edit", plan), edit_data(plan, **{"line4-requested": 20, "line4-explanation": "既有載具"}))
    assert "請填寫差異說明" not in text(client.get(reverse("home")))


def test_the_moe_home_lists_every_county_with_its_plan(plan, reviewer, county_b):
    """Issue 11: the county table is rendered in Python and the plans are read for their status
    only (not their 附件1 texts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(reviewer)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        page = text(client.get(reverse("home")))
    assert not [q for q in captured.captured_queries if "budget_plannarrative" in q["sql"]]
    plan_link = url("plan_detail", plan)
    assert f'<a href="{plan_link}"><span class="status status-draft">草稿</span></a>' in page
    assert plan.county.name in page
