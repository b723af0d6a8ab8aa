"""Issue 14, the MOE's day: approval in one form by exception, 退回 as a separate danger
action with a confirmation step."""

import re

import pytest
from django.core.cache import cache

from budget import rules as engine
from budget.forms import parse_ntd
from budget.models import BudgetLine, CountyPlan, PlanEvent, PlanStatus
from budget.services import PlanActionRefused, plan_for, plan_submit
from budget.services_review import PlanReviewRefused, plan_return, plan_review_decide
from tests.budget.test_views import text, url
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


def ready_plan(plan_year, county_a, officer_a):
    """County A's plan ready to submit (as tests/budget/test_views.py's `plan`): line 2 asks
    what the 附錄 asks, 12 fewer than estimated, and says why."""
    load_roster(
        plan_year,
        [record(), record(code="154602", req_student_devices=100, compliance="否，已有自購載具")],
        user=officer_a,
    )
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    line = plan.lines.get(number=2)
    line.explanation = "北濱國小已有自購載具"
    line.save()
    return plan


@pytest.fixture
def submitted(plan_year, county_a, officer_a):
    plan = ready_plan(plan_year, county_a, officer_a)
    plan_submit(plan=plan, user=officer_a)
    return CountyPlan.objects.get(pk=plan.pk)


def requested_of(plan) -> dict[int, int]:
    return {item["number"]: item["total_ntd"] for item in plan.submissions.latest("number").budget}


def review_post(plan, **changes) -> dict:
    data = {"version": CountyPlan.objects.get(pk=plan.pk).version, "action": "approve"}
    return data | changes


def test_parse_ntd_accepts_separators_and_full_width():
    assert parse_ntd("1,234,000") == 1_234_000
    assert parse_ntd("１，２３４") == 1234
    assert parse_ntd(" 5000 元") == 5000
    assert parse_ntd("") is None
    with pytest.raises(ValueError):
        parse_ntd("12a")
    with pytest.raises(ValueError):
        parse_ntd("-5")


def test_the_page_lists_flagged_lines_first_with_their_reasons_and_labels(submitted, reviewer):
    page = client_for(reviewer).get(url("plan_detail", submitted)).content.decode()
    body = re.sub(r"\s+", " ", page)
    assert "需留意的項目" in body and "其餘項目" in body
    assert "附差異說明" in body  # line 2 carries one
    flagged = body.index("需留意的項目")
    rest = body.index("其餘項目（")
    assert flagged < body.index('id="review-line-2"') < rest
    assert body.count("核定金額（元）</label>") == 11
    assert body.count("核定說明（低於申請數時必填）</label>") == 11
    assert 'inputmode="numeric"' in body
    requested = requested_of(submitted)
    biggest = max(requested.values())
    assert f'value="{biggest:,}"' in body  # prefilled 依申請數, with separators
    assert "退回計畫…" in body and "<details>" not in body.split('id="return"')[1].split("</section>")[0]


def test_approve_by_exception_in_one_submit(submitted, reviewer):
    requested = requested_of(submitted)
    student = engine.LINE_STUDENT_DEVICES
    lower = requested[student] - 13_000
    response = client_for(reviewer).post(
        url("plan_review", submitted),
        review_post(submitted, **{f"amount_{student}": f"{lower:,}", f"note_{student}": "核減 1 臺"}),
    )
    assert response.status_code == 302 and response["Location"].endswith("#approval-text")
    plan = CountyPlan.objects.get(pk=submitted.pk)
    assert plan.status == PlanStatus.APPROVED
    approved = dict(BudgetLine.objects.filter(plan=plan).values_list("number", "approved_ntd"))
    assert approved[student] == lower
    assert all(approved[n] == requested[n] for n in engine.LINE_NUMBERS if n != student)
    assert BudgetLine.objects.get(plan=plan, number=student).approval_note == "核減 1 臺"
    assert PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.APPROVED).count() == 1


def test_an_error_keeps_what_was_typed_shows_on_its_row_and_saves_nothing(submitted, reviewer):
    requested = requested_of(submitted)
    student = engine.LINE_STUDENT_DEVICES
    lower = requested[student] - 13_000
    version = CountyPlan.objects.get(pk=submitted.pk).version
    response = client_for(reviewer).post(
        url("plan_review", submitted),
        review_post(submitted, **{f"amount_{student}": f"{lower:,}", "amount_1": "9,999,999,999", "note_4": "typed"}),
    )
    assert response.status_code == 200
    body = text(response)
    assert f'value="{lower:,}"' in body and 'value="typed"' in body
    row = body.split(f'id="review-line-{student}"')[1].split("</tr>")[0]
    assert "低於申請的" in row and "請填寫核定說明" in row and 'aria-invalid="true"' in row
    row1 = body.split('id="review-line-1"')[1].split("</tr>")[0]
    assert "超過申請的" in row1
    assert 'action="/plans/111/15/review/#review"'.replace("15", submitted.county.code) in body
    plan = CountyPlan.objects.get(pk=submitted.pk)
    assert plan.status == PlanStatus.SUBMITTED and plan.version == version
    assert not BudgetLine.objects.filter(plan=plan, approved_ntd__isnull=False).exists()


def test_not_a_number_is_refused_on_its_row(submitted, reviewer):
    response = client_for(reviewer).post(url("plan_review", submitted), review_post(submitted, amount_5="abc"))
    assert response.status_code == 200
    row = text(response).split('id="review-line-5"')[1].split("</tr>")[0]
    assert "請填寫金額（元）" in row and 'value="abc"' in row


def test_save_without_approving_and_a_stale_form(submitted, reviewer):
    client = client_for(reviewer)
    stale = review_post(submitted, action="save")
    response = client.post(url("plan_review", submitted), stale)
    assert response.status_code == 302 and response["Location"].endswith("#review")
    plan = CountyPlan.objects.get(pk=submitted.pk)
    assert plan.status == PlanStatus.SUBMITTED
    assert not BudgetLine.objects.filter(plan=plan, approved_ntd__isnull=True).exists()
    response = client.post(url("plan_review", submitted), stale | {"action": "approve"})
    assert response.status_code == 200 and "已被他人修改" in text(response)
    assert CountyPlan.objects.get(pk=submitted.pk).status == PlanStatus.SUBMITTED


def test_the_service_is_all_or_nothing_under_the_lock(submitted, reviewer):
    requested = requested_of(submitted)
    with pytest.raises(PlanReviewRefused) as refused:
        plan_review_decide(plan=submitted, user=reviewer, decisions={1: (requested[1] + 1, "")}, approve=True)
    assert set(refused.value.line_errors) == {1}
    with pytest.raises(PlanActionRefused):
        plan_review_decide(plan=submitted, user=reviewer, decisions={}, approve=True, expected_version=0)
    plan_review_decide(plan=submitted, user=reviewer, decisions={}, approve=True)
    assert CountyPlan.objects.get(pk=submitted.pk).status == PlanStatus.APPROVED
    with pytest.raises(PlanActionRefused, match="不在審查中"):
        plan_review_decide(plan=submitted, user=reviewer, decisions={}, approve=True)


def test_return_asks_for_confirmation_with_a_summary(submitted, reviewer):
    client = client_for(reviewer)
    data = {"reason": "請確認教師載具", "line_3": "充電車數請再確認"}
    response = client.post(url("plan_return", submitted), data)
    assert response.status_code == 200
    body = text(response)
    assert "確認退回" in body and "第 1 次送審" in body and "千元" in body
    assert "第3項 行動充電車" in body and "充電車數請再確認" in body
    assert CountyPlan.objects.get(pk=submitted.pk).status == PlanStatus.SUBMITTED
    response = client.post(url("plan_return", submitted), data | {"confirm": "1"}, follow=True)
    assert "已退回花蓮縣計畫" in text(response)
    assert CountyPlan.objects.get(pk=submitted.pk).status == PlanStatus.RETURNED


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 403), ("officer_b", 404), ("school_user_a", 403), ("admin_user", 302)],
)
def test_who_may_review(school_user_a, officer_b, admin_user, submitted, persona, status, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(url("plan_review", submitted), review_post(submitted))
    assert response.status_code == status
    expected = PlanStatus.APPROVED if status == 302 else PlanStatus.SUBMITTED
    assert CountyPlan.objects.get(pk=submitted.pk).status == expected


def test_anonymous_is_sent_to_login(submitted, client):
    response = client.post(url("plan_review", submitted), review_post(submitted))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_review_page_and_submit_take_a_constant_number_of_queries(
    plan_year, county_a, officer_a, reviewer, django_assert_max_num_queries
):
    def count(n):
        load_roster(plan_year, [record(code=f"{154000 + i:06d}") for i in range(n)], user=officer_a)
        plan = plan_for(county=county_a, plan_year=plan_year)
        fill_narrative(plan)
        if plan.status != PlanStatus.SUBMITTED:
            plan_submit(plan=plan, user=officer_a)
        client = client_for(reviewer)
        client.get(url("plan_detail", plan))
        cache.clear()
        with django_assert_max_num_queries(45) as page:
            assert client.get(url("plan_detail", plan)).status_code == 200
        with django_assert_max_num_queries(45) as bad:
            assert client.post(url("plan_review", plan), review_post(plan, amount_1="x")).status_code == 200
        return len(page.captured_queries), len(bad.captured_queries)

    first = count(10)
    plan = CountyPlan.objects.get(county=county_a)
    plan_return(plan=plan, user=reviewer, reason="再改", line_notes={})
    assert first == count(200)
