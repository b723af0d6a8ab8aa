"""附件1: the MOE's text with the county's words at every ○; required before submission."""

import re

import pytest
from django.urls import reverse

from budget.models import PlanNarrative
from budget.selectors import plan_missing, plan_narrative
from budget.selectors_review import submission_diff
from budget.services import plan_for, plan_submit
from budget.services_review import plan_return
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(plan_year, county_a, officer_a):
    load_roster(
        plan_year,
        [
            record(),
            record(
                code="154602",
                area="極偏",
                classes=6,
                max_class_size=9,
                teachers=12,
                students=41,
                req_carts=6,
                req_teacher_devices=12,
                req_student_devices=41,
            ),
        ],
    )
    return plan_for(county=county_a, plan_year=plan_year)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(plan):
    return reverse("plan_narrative", args=[plan.plan_year.year, plan.county.code])


def form_data(narrative: PlanNarrative, **values) -> dict:
    data = {"version": narrative.version}
    for field in PlanNarrative._meta.concrete_fields:
        if field.name not in ("id", "plan", "version"):
            value = getattr(narrative, field.name)
            data[field.name] = "" if value is None else value
    return data | values


def test_an_empty_narrative_blocks_submission_and_says_what_is_missing(plan):
    missing = plan_missing(plan)
    assert missing[-1].startswith("附件1 尚未填寫：四(一)3(1)D 跨校交流、成果展等推廣活動及獎勵措施規劃、")
    assert "五(二) 質化指標" in missing[-1]


def test_the_page_shows_the_moe_text_the_placeholders_and_the_computed_indicators(plan, officer_a):
    page = text(client_for(officer_a).get(url(plan)))
    assert "一、計畫目標" in page and "(五)</span>呼應 UNESCO" in page
    assert "共計 <strong>2</strong> 校" in page
    assert 'name="promotion_plan"' in page and 'name="wireless_classes"' in page
    # 五(一)1-4 computed: 8 + 112 + 12 + 41 devices; of them 53 for the remote school; both schools comply.
    assert "購置學習載具總臺數 <strong>173</strong> 臺。" in page
    assert "偏遠地區學校購置學習載具總臺數 <strong>53</strong> 臺。" in page
    assert page.count("（依名單與經費表計算：100%）") == 2
    # 五(一)6 as the seed writes it, with the year's A1+A2 target; no input for it.
    assert "培訓教師人數達縣市所有教師總數 <strong>25</strong> %。" in page and "trained_teachers_percent" not in page


def test_the_county_fills_it_in_and_can_then_submit(plan, officer_a):
    client = client_for(officer_a)
    narrative = plan_narrative(plan)
    values = {name: "依本縣市需求規劃" for name in PlanNarrative.REQUIRED}
    values |= {
        "improved_share_percent": 35,
        "wireless_classes": 480,
        "learning_support_share_percent": 60,
        "key_schools_count": 7,
        "improved_subjects": "國語、數學",
    }
    response = client.post(url(plan), form_data(narrative, **values), follow=True)
    assert "計畫內容（附件1）已儲存" in text(response)
    narrative.refresh_from_db()
    assert (narrative.wireless_classes, narrative.key_schools_count, narrative.version) == (480, 7, 2)
    assert plan_missing(plan) == []
    page = text(client.get(url(plan)))
    assert "抽樣調查學習成效（國語、數學）提升人數之比率" in page
    submission = plan_submit(plan=plan, user=officer_a)
    assert submission.narrative["wireless_classes"] == 480
    assert submission.narrative["indicators"][0]["value"] == 173
    # Submitted: the page shows the text, no inputs, and says why.
    page = text(client.get(url(plan)))
    assert 'name="promotion_plan"' not in page and "教育部審查中" in page
    assert client.post(url(plan), form_data(narrative)).status_code == 302


def test_percentages_cannot_exceed_100_and_a_stale_form_is_refused(plan, officer_a):
    client = client_for(officer_a)
    narrative = plan_narrative(plan)
    response = client.post(url(plan), form_data(narrative, improved_share_percent=130))
    assert "比率不可超過 100%" in text(response)
    stale = form_data(narrative, promotion_plan="第一版")
    client.post(url(plan), stale)
    response = client.post(url(plan), stale | {"promotion_plan": "第二版"}, follow=True)
    assert "已被他人修改" in text(response)
    narrative.refresh_from_db()
    assert narrative.promotion_plan == "第一版"


def test_a_resubmission_shows_what_the_narrative_changed(plan, officer_a, reviewer):
    fill_narrative(plan)
    first = plan_submit(plan=plan, user=officer_a)
    plan_return(plan=plan, user=reviewer, reason="請具體說明評估機制", line_notes={})
    narrative = plan_narrative(plan)
    narrative.evaluation_mechanism = "每學期前後測，抽樣 10% 學生"
    narrative.save()
    second = plan_submit(plan=plan, user=officer_a)
    diff = submission_diff(second, first)
    assert [f["label"] for f in diff["narrative"]] == ["四(一)3(3)B 學習成效評估機制"]
    assert diff["narrative"][0]["new"] == "每學期前後測，抽樣 10% 學生"


def test_reviewers_read_it_and_schools_do_not(school_user_a, plan, reviewer, officer_b):
    page = text(client_for(reviewer).get(url(plan)))
    assert "四、工作規劃" in page and "<textarea" not in page
    assert client_for(school_user_a).get(url(plan)).status_code == 403
    assert client_for(officer_b).get(url(plan)).status_code == 404
    assert client_for(reviewer).post(url(plan), {"version": 1}).status_code == 403
