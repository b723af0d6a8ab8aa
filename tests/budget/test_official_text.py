"""Issue 14: the 公文 text drafted on a return and on an approval (budget/official_text.py)."""

import datetime

import pytest

from budget.models import CountyPlan
from budget.official_text import approval_text, chinese_number, resubmit_deadline, return_text, thousands
from budget.services import plan_submit
from budget.services_review import plan_return, plan_review_decide
from tests.budget.test_moe_review import ready_plan
from tests.budget.test_views import text, url
from tests.conftest import client_for


def test_numbers_and_thousands():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 12, 20, 21)] == [
        "一",
        "九",
        "十",
        "十一",
        "十二",
        "二十",
        "二十一",
    ]
    assert thousands(1_234_500) == "1,235"  # half up
    assert thousands(1_234_499) == "1,234"
    assert thousands(0) == "0"


def test_the_deadline_is_a_setting(settings):
    settings.PLAN_RESUBMIT_DAYS = 14
    assert resubmit_deadline(datetime.date(2026, 12, 5)) == datetime.date(2026, 12, 19)
    assert resubmit_deadline(datetime.date(2026, 12, 5), days=7) == datetime.date(2026, 12, 12)


def test_return_text(settings):
    settings.PLAN_RESUBMIT_DAYS = 14
    draft = return_text(
        county="花蓮縣",
        plan_title="「推動中小學數位學習精進方案」115年國民中小學實施計畫",
        year=115,
        round_number=2,
        submitted_on=datetime.date(2026, 11, 30),
        total_ntd=104_000_500,
        reason="充電車數與學校需求不符",
        line_comments=[(3, "行動充電車", "國中部應以 2 臺計"), (8, "運作費", "請說明")],
        returned_on=datetime.date(2026, 12, 5),
    )
    assert draft.startswith("主旨：貴府所報「推動中小學數位學習精進方案」115年國民中小學實施計畫（第2次送審）")
    assert "115年12月19日前重新送審" in draft
    assert "104,001千元" in draft
    assert "說明：\n一、復貴府115年11月30日第2次送審" in draft
    assert "（一）第3項「行動充電車」：國中部應以 2 臺計" in draft and "（二）第8項「運作費」：請說明" in draft
    assert "充電車數與學校需求不符" in draft


def test_approval_text():
    draft = approval_text(
        county="花蓮縣",
        plan_title="「推動中小學數位學習精進方案」115年國民中小學實施計畫",
        year=115,
        round_number=1,
        submitted_on=datetime.date(2026, 11, 30),
        requested_ntd=2_026_000,
        lines=[
            (1, "學習載具-教師", 1_000_000, 1_000_000, ""),
            (2, "學習載具-學生", 1_013_000, 1_026_000, "核減 1 臺"),
            (4, "MDM", 0, 0, ""),
        ],
    )
    assert draft.startswith(
        "主旨：核定花蓮縣「推動中小學數位學習精進方案」115年國民中小學實施計畫（第1次送審）經費新臺幣2,013千元"
    )
    assert "第1項「學習載具-教師」：核定1,000千元。" in draft
    assert "第2項「學習載具-學生」：核定1,013千元（申請1,026千元；核減 1 臺）。" in draft
    assert "MDM" not in draft  # nothing asked, nothing approved


@pytest.mark.django_db
def test_the_moe_and_the_county_get_the_text_on_the_plan_page(plan_year, county_a, officer_a, reviewer):
    plan = ready_plan(plan_year, county_a, officer_a)
    plan_submit(plan=plan, user=officer_a)
    assert "公文文稿" not in text(client_for(reviewer).get(url("plan_detail", plan)))
    plan_return(plan=plan, user=reviewer, reason="請修正", line_notes={3: "充電車數請再確認"})
    moe_page = text(client_for(reviewer).get(url("plan_detail", plan)))
    assert "公文文稿（退回）" in moe_page and "<textarea" in moe_page and "readonly" in moe_page
    assert "第3項「行動充電車」：充電車數請再確認" in moe_page and "複製文稿" in moe_page
    county_page = text(client_for(officer_a).get(url("plan_detail", plan)))
    assert "簽呈用文稿（退回）" in county_page and "第3項「行動充電車」：充電車數請再確認" in county_page
    for comment in plan.review_comments.all():
        comment.reply_kind = "fixed"
        comment.save()
    plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a)
    plan_review_decide(plan=plan, user=reviewer, decisions={}, approve=True)
    approved = text(client_for(officer_a).get(url("plan_detail", plan)))
    assert "簽呈用文稿（核定）" in approved and "（第2次送審）" in approved and "主旨：核定花蓮縣" in approved


@pytest.mark.django_db
def test_the_approved_table_puts_notes_under_their_row(plan_year, county_a, officer_a, reviewer):
    from budget import rules as engine

    plan = ready_plan(plan_year, county_a, officer_a)
    plan_submit(plan=plan, user=officer_a)
    plan_return(plan=plan, user=reviewer, reason="請修正", line_notes={3: "充電車數請再確認"})
    returned = text(client_for(officer_a).get(url("plan_detail", plan)))
    assert '<tr class="line-comments">' in returned and "第3項：充電車數請再確認" in returned
    for comment in plan.review_comments.all():
        comment.reply_kind = "fixed"
        comment.save()
    plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a)
    student = engine.LINE_STUDENT_DEVICES
    requested = {i["number"]: i["total_ntd"] for i in plan.submissions.get(number=2).budget}
    plan_review_decide(
        plan=plan, user=reviewer, decisions={student: (requested[student] - 13_000, "核減 1 臺")}, approve=True
    )
    approved = text(client_for(officer_a).get(url("plan_detail", plan)))
    row = approved.split(f'<tr id="line-{student}"')[1].split("</tr>")[0]
    assert 'class="num approved"' in row and "核減 1 臺" not in row
    assert f"第{student}項：核減 1 臺" in approved
    assert "第3項：充電車數請再確認" not in approved.split("審查意見紀錄（已歸檔）")[0]
