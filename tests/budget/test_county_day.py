"""The county's day (issue 14): 送審 asks for confirmation with a summary, the blocker list
links to what it names and marks the blocked rows, the budget form says what blank means and
recomputes its totals as the officer types."""

import re

import pytest
from django.urls import reverse

from budget.models import CountyPlan, PlanStatus
from budget.selectors import plan_blockers, plan_missing, plan_table, split_code
from tests.budget.test_views import edit_data, plan, text, url  # noqa: F401 - the plan fixture
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_submit_without_the_confirmation_shows_the_summary_and_submits_nothing(plan, officer_a):  # noqa: F811
    client = client_for(officer_a)
    total_k = plan_table(plan).total_k
    response = client.post(url("plan_submit", plan))
    assert response.status_code == 200
    page = text(response)
    assert f"第 1 次送審・合計 {total_k:,} 千元・送審後名單與經費表鎖定" in page
    assert 'name="confirmed" value="1"' in page and "確認送審" in page
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert not plan.submissions.exists()
    # A GET shows the same summary.
    assert "第 1 次送審・合計" in text(client.get(url("plan_submit", plan)))

    response = client.post(url("plan_submit", plan), {"confirmed": "1"}, follow=True)
    assert "已送出第 1 次送審" in text(response)
    assert CountyPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_the_summary_of_a_blocked_plan_lists_the_blockers_and_offers_no_confirm(plan, officer_a):  # noqa: F811
    narrative = plan.narrative
    narrative.promotion_plan = ""
    narrative.save()
    page = text(client_for(officer_a).post(url("plan_submit", plan)))
    assert "尚不能送審" in page and 'name="confirmed"' not in page
    assert "跨校交流、成果展等推廣活動及獎勵措施規劃" in page and "四(一)3(1)D" in page


@pytest.mark.parametrize("who", ["officer_b", "school_user_a", "reviewer"])
def test_others_cannot_submit_even_confirmed(school_user_a, officer_b, reviewer, plan, who, request):  # noqa: F811
    response = client_for(request.getfixturevalue(who)).post(url("plan_submit", plan), {"confirmed": "1"})
    assert response.status_code in (403, 404)
    assert not plan.submissions.exists()


def test_anonymous_is_sent_to_log_in(plan):  # noqa: F811
    response = client_for(None).post(url("plan_submit", plan), {"confirmed": "1"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_split_code():
    assert split_code("四(一)3(1)D 跨校交流、成果展等推廣活動及獎勵措施規劃") == (
        "四(一)3(1)D",
        "跨校交流、成果展等推廣活動及獎勵措施規劃",
    )
    assert split_code("其他") == ("", "其他")


def test_each_blocker_reads_as_label_and_code_and_links_to_its_field_or_row(plan, officer_a):  # noqa: F811
    narrative = plan.narrative
    narrative.promotion_plan = ""
    narrative.save()
    line = plan.lines.get(number=2)
    line.explanation = ""
    line.save()
    blockers = plan_blockers(plan)
    # plan_missing still reads as before (the services' refusal and the home page use it).
    assert plan_missing(plan)[-1].startswith("附件1 尚未填寫：四(一)3(1)D 跨校交流")
    narrative_item = next(b for b in blockers if b["narrative"])
    assert narrative_item["code"] == "四(一)3(1)D"
    assert narrative_item["href"] == url("plan_narrative", plan) + "#id_promotion_plan"
    line_item = next(b for b in blockers if b["line"] == 2)
    assert line_item["href"] == url("plan_edit", plan) + "#edit-line-2"

    page = client_for(officer_a).get(url("plan_detail", plan)).content.decode()
    assert f'<a href="{url("plan_narrative", plan)}#id_promotion_plan">跨校交流' in page and "附件1 尚未填寫：" in page
    assert "（四(一)3(1)D）" in page
    assert f'href="{url("plan_edit", plan)}#edit-line-2"' in page
    # The blocked budget row is marked in words and with a class, not by colour alone.
    row = re.search(r'<tr id="line-2"[^>]*>.*?</tr>', page, re.S).group(0)
    assert "blocked" in row and "待修正" in row
    assert "待修正" not in re.search(r'<tr id="line-1"[^>]*>.*?</tr>', page, re.S).group(0)

    # The targets exist: the narrative box and the edit row.
    assert 'id="id_promotion_plan"' in client_for(officer_a).get(url("plan_narrative", plan)).content.decode()
    edit = client_for(officer_a).get(url("plan_edit", plan)).content.decode()
    assert re.search(r'<tr id="edit-line-2"[^>]*class="flagged blocked"', edit)


def test_a_row_without_a_reason_links_to_its_reason_box(plan_year, county_a, officer_a):
    from budget.services import plan_for
    from schools.models import RosterRow
    from tests.conftest import fill_narrative, load_roster, record

    load_roster(plan_year, [record(code="154602", req_student_devices=100, compliance="否")], user=officer_a)
    own = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(own)
    row = RosterRow.objects.get(school__code="154602")
    item = next(b for b in plan_blockers(own) if "尚未說明原因" in b["text"])
    assert item["rows"][0]["href"] == reverse("roster_row_edit", args=[row.pk]) + "#id_reason"
    assert 'id="id_reason"' in client_for(officer_a).get(reverse("roster_row_edit", args=[row.pk])).content.decode()


def test_the_budget_form_shows_units_and_what_blank_means(plan, officer_a):  # noqa: F811
    page = text(client_for(officer_a).get(url("plan_edit", plan)))
    table = plan_table(plan)
    mdm = table.lines[3]
    assert f"留白＝預估 {mdm.estimate:,} 套" in page
    assert '<span class="unit">元</span>' in page and '<span class="unit">場</span>' in page
    assert "留白＝依原則" in page
    assert 'aria-describedby="id_line4-requested-help"' in page and 'id="id_line4-requested-help"' in page
    assert f'data-total="total"><strong>{table.total_k:,}</strong>' in page
    assert 'hx-post="' + url("plan_edit_totals", plan) + '"' in page


def test_the_live_totals_follow_the_typed_figures_and_save_nothing(plan, officer_a):  # noqa: F811
    client = client_for(officer_a)
    before = plan_table(plan)
    data = edit_data(plan, **{"line11-recurrent_ntd": 500_000, "line11-capital_ntd": 1_500})
    page = text(client.post(url("plan_edit_totals", plan), data))
    assert f'data-total="recurrent">{before.recurrent_k + 500:,}<' in page
    assert f'data-total="capital">{before.capital_k + 2:,}<' in page  # 1,500 元 -> 2 千元 (half up)
    assert f"<strong>{before.total_k + 502:,}</strong>" in page
    assert plan_table(CountyPlan.objects.get(pk=plan.pk)).total_k == before.total_k  # nothing saved
    # A box still being typed (not a number) keeps the saved figure instead of failing.
    page = text(client.post(url("plan_edit_totals", plan), edit_data(plan, **{"line11-recurrent_ntd": "12a"})))
    assert f"<strong>{before.total_k:,}</strong>" in page


@pytest.mark.parametrize(("who", "status"), [("officer_b", 404), ("school_user_a", 403), ("reviewer", 403)])
def test_others_get_no_live_totals(school_user_a, officer_b, reviewer, plan, who, status, request):  # noqa: F811
    response = client_for(request.getfixturevalue(who)).post(url("plan_edit_totals", plan), edit_data(plan))
    assert response.status_code == status


def test_the_live_totals_use_a_constant_number_of_queries(plan, officer_a, django_assert_max_num_queries):  # noqa: F811
    client = client_for(officer_a)
    client.post(url("plan_edit_totals", plan), edit_data(plan))
    with django_assert_max_num_queries(25):
        client.post(url("plan_edit_totals", plan), edit_data(plan))


def test_the_live_totals_recompute_on_load_only_while_the_county_may_edit(plan, officer_a):  # noqa: F811
    """A submitted plan's boxes are disabled and would post nothing: a recompute on load would
    replace the saved totals with those of an empty form."""
    client = client_for(officer_a)
    assert 'hx-trigger="load, input changed' in client.get(url("plan_edit", plan)).content.decode()
    CountyPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    refused = client.get(url("plan_edit", plan)).content.decode()
    assert "<fieldset disabled>" in refused
    assert 'hx-trigger="input changed delay:250ms, change"' in refused
