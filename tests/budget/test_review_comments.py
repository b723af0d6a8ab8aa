"""Issue 14, comments that close: each line comment of a return is a checklist item the county
answers (已修正／說明) before it resubmits; the MOE reads comment → reply → change side by side;
approval archives them with their round."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from budget.models import CountyPlan, PlanStatus, ReviewComment
from budget.services import PlanActionRefused, plan_submit, review_comment_reply
from budget.services_review import plan_return, plan_review_decide
from tests.budget.test_moe_review import ready_plan
from tests.budget.test_views import text, url
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(plan_year, county_a, officer_a, reviewer):
    plan = ready_plan(plan_year, county_a, officer_a)
    plan_submit(plan=plan, user=officer_a)
    plan_return(
        plan=plan,
        user=reviewer,
        reason="請補充說明",
        line_notes={3: "充電車數請再確認", 2: "差異說明請具體", 5: "  "},
    )
    return CountyPlan.objects.get(pk=plan.pk)


def test_a_return_makes_one_open_item_a_line(returned):
    comments = list(returned.review_comments.order_by("line_number"))
    assert [(c.line_number, c.text, c.submission.number) for c in comments] == [
        (2, "差異說明請具體", 1),
        (3, "充電車數請再確認", 1),
    ]
    assert all(c.is_open for c in comments)


def test_the_county_sees_the_checklist_and_its_home_the_per_line_reasons(returned, officer_a):
    client = client_for(officer_a)
    page = text(client.get(url("plan_detail", returned)))
    assert "教育部審查意見待回覆（2 項）" in page and "儲存第3項回覆" in page
    home = text(client.get(reverse("home")))
    assert "第3項 行動充電車：充電車數請再確認" in home and "第2項" in home and "尚未回覆" in home


def test_resubmission_needs_an_answer_to_each_item(returned, officer_a):
    with pytest.raises(PlanActionRefused, match="第2項、第3項"):
        plan_submit(plan=returned, user=officer_a)
    two, three = returned.review_comments.order_by("line_number")
    with pytest.raises(PlanActionRefused, match="請填寫說明"):
        review_comment_reply(comment=two, user=officer_a, kind="explained", text=" ")
    with pytest.raises(PlanActionRefused, match="請選擇"):
        review_comment_reply(comment=two, user=officer_a, kind="", text="x")
    review_comment_reply(comment=two, user=officer_a, kind="explained", text="北濱國小已自購 12 臺")
    with pytest.raises(PlanActionRefused, match="第3項"):
        plan_submit(plan=returned, user=officer_a)
    review_comment_reply(comment=three, user=officer_a, kind="fixed", text="")
    second = plan_submit(plan=returned, user=officer_a)
    assert set(ReviewComment.objects.values_list("answered_in", flat=True)) == {second.pk}
    with pytest.raises(PlanActionRefused):  # closed by the resubmission
        review_comment_reply(comment=three, user=officer_a, kind="explained", text="改")


def _answer_and_resubmit(plan, officer):
    client = client_for(officer)
    for comment in plan.review_comments.all():
        response = client.post(
            url("plan_comment_reply", plan, pk=comment.pk), {"reply_kind": "explained", "reply_text": "已說明清楚"}
        )
        assert response.status_code == 302 and response["Location"].endswith("#comments")
    return plan_submit(plan=plan, user=officer)


def test_the_moe_reads_comment_reply_change_and_approval_archives(returned, officer_a, reviewer):
    second = _answer_and_resubmit(returned, officer_a)
    moe = client_for(reviewer)
    page = text(moe.get(url("submission_detail", returned, number=second.number)))
    assert "審查意見與縣市回覆（2 項）" in page
    thread = page.split("第3項 行動充電車</h3>")[1].split("</h3>")[0]
    assert "充電車數請再確認" in thread and "縣市回覆：說明" in thread and "已說明清楚" in thread
    assert "此項經費表未變動" in thread or "→" in thread
    review = text(moe.get(url("plan_detail", returned)))
    assert "上次退回有審查意見，縣市已回覆" in review
    plan_review_decide(plan=returned, user=reviewer, decisions={}, approve=True)
    assert ReviewComment.objects.filter(archived_at__isnull=True).count() == 0
    approved = text(client_for(officer_a).get(url("plan_detail", returned)))
    assert "審查意見紀錄（已歸檔）" in approved and "第 1 次送審退回・第3項" in approved
    assert "待回覆" not in approved


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_b", 404), ("school_user_a", 403), ("reviewer", 403)],
)
def test_only_the_county_answers(school_user_a, officer_b, returned, persona, status, request):
    comment = returned.review_comments.first()
    response = client_for(request.getfixturevalue(persona)).post(
        url("plan_comment_reply", returned, pk=comment.pk), {"reply_kind": "fixed"}
    )
    assert response.status_code == status
    comment.refresh_from_db()
    assert comment.reply_kind == ""


def test_anonymous_is_sent_to_login(returned, client):
    comment = returned.review_comments.first()
    response = client.post(url("plan_comment_reply", returned, pk=comment.pk), {"reply_kind": "fixed"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_comment_of_another_plan_is_not_found(returned, officer_b, county_b, plan_year):
    from budget.services import plan_for

    other = plan_for(county=county_b, plan_year=plan_year)
    comment = returned.review_comments.first()
    response = client_for(officer_b).post(url("plan_comment_reply", other, pk=comment.pk), {"reply_kind": "fixed"})
    assert response.status_code == 404


def test_pages_with_comments_keep_a_constant_number_of_queries(
    returned, officer_a, reviewer, django_assert_max_num_queries
):
    def measure(client, target):
        client.get(target)
        cache.clear()
        with django_assert_max_num_queries(45) as captured:
            assert client.get(target).status_code == 200
        return len(captured.captured_queries)

    county = client_for(officer_a)
    before = measure(county, url("plan_detail", returned))
    ReviewComment.objects.bulk_create(
        [
            ReviewComment(
                plan=returned, submission=returned.submissions.get(), line_number=n, text="再看", created_by=reviewer
            )
            for n in range(4, 11)
        ]
    )
    assert measure(county, url("plan_detail", returned)) == before
    assert returned.status == PlanStatus.RETURNED


def test_the_send_confirmation_names_the_unanswered_items_and_links_to_them(returned, officer_a):
    """The 送審 summary lists the open items as a blocker that leads to the checklist, and
    offers no confirm button until they are answered."""
    client = client_for(officer_a)
    response = client.get(url("plan_submit", returned))
    page = response.content.decode()
    assert "請先逐項回覆教育部審查意見（已修正／說明）" in page and "第2項、第3項" in page
    assert url("plan_detail", returned) + "#comments" in page
    assert 'name="confirmed"' not in page
    for comment in returned.review_comments.all():
        review_comment_reply(comment=comment, user=officer_a, kind="fixed", text="")
    page = client.get(url("plan_submit", returned)).content.decode()
    assert "請先逐項回覆" not in page and 'name="confirmed"' in page
