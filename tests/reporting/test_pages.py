"""The outcomes page, the home panel and the usage template."""

import pytest
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.importing import USAGE_IMPORT
from reporting.models import LearningOutcome, SupportClassFigures
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_county_enters_its_learning_outcomes_against_the_target(roster, plan_year, county_a, officer_a, reviewer):
    client = client_for(officer_a)
    data = {"form": "outcome", "subject": "數學", "sampled_students": 200, "improved_students": 70, "method": "前後測"}
    client.post(reverse("outcomes"), data)
    page = client.post(reverse("outcomes"), data | {"subject": "英語文", "improved_students": 300}).content.decode()
    assert "成效提升人數不可多於抽樣人數" in page
    client.post(reverse("outcomes"), data | {"subject": "英語文", "improved_students": 40})
    client.post(reverse("outcomes"), data | {"improved_students": 80})  # the same subject again replaces it
    assert dict(LearningOutcome.objects.values_list("subject", "improved_students")) == {"數學": 80, "英語文": 40}
    page = client.get(reverse("outcomes")).content.decode()
    assert "30%" in page and "<svg" in page and "40%" in page and "20%" in page and "未達成" in page
    client.post(reverse("outcomes"), {"form": "support", "support_classes": 10, "digital_classes": 4})
    assert SupportClassFigures.objects.get().digital_classes == 4
    moe = client_for(reviewer)
    assert "數學" in moe.get(reverse("outcomes")).content.decode()
    assert moe.post(reverse("outcomes"), data).status_code == 403  # the MOE reads, the county writes
    assert "新增或更新一個學科" not in moe.get(reverse("outcomes"), {"county": county_a.code}).content.decode()


def test_the_home_page_has_the_reporting_panel(roster, officer_a, reviewer, school_user_a):
    county = client_for(officer_a).get(reverse("home")).content.decode()
    assert "填報與績效" in county and "111年2月月報" in county and "未提交" in county
    assert "全國月報填報率 0%" in client_for(reviewer).get(reverse("home")).content.decode()
    assert "平臺使用時數" in client_for(school_user_a).get(reverse("home")).content.decode()


def test_the_usage_template_lists_the_users_schools(roster, officer_a, school_user_a):
    lines = client_for(officer_a).get(reverse("usage_template")).content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("學校代碼,學校名稱,月份,平臺,使用時數,活躍學生數,活躍載具數,上月使用時數（參考）")
    assert [line.split(",")[0] for line in lines[1:]] == ["154601", "154602"]
    lines = client_for(school_user_a).get(reverse("usage_template")).content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["154601"]


def test_the_usage_and_report_pages_keep_their_query_counts(
    roster, plan_year, county_a, officer_a, reviewer, django_assert_max_num_queries
):
    from tests.reporting.conftest import usage_csv, usage_row

    rows = [usage_row(code=c, month=f"111年{m}月") for c in ("154601", "154602") for m in range(2, 13)]
    pipeline.import_rows(
        USAGE_IMPORT,
        pipeline.read_file(USAGE_IMPORT, usage_csv(rows), target=ImportTarget(plan_year=plan_year)),
        target=ImportTarget(plan_year=plan_year),
        user=None,
    )
    for user, url in (
        (officer_a, reverse("usage_overview")),
        (reviewer, reverse("usage_overview")),
        (officer_a, reverse("monthly_reports")),
        (officer_a, reverse("monthly_report", args=[111, county_a.code, "2022-03"])),
        (reviewer, reverse("usage_missing")),
    ):
        client = client_for(user)
        client.get(url)
        # The monthly report reads the devices and training summaries twice (the month's
        # end and the previous month's), each in a fixed number of aggregate queries.
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
