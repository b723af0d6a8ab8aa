"""The office's list pages: constant queries whatever the number of rows; MOE reads any county."""

import pytest
from django.urls import reverse

from schools.models import School
from tests.conftest import client_for
from tests.training.factories import make_record
from training.records import RECORD_TYPES

pytestmark = pytest.mark.django_db


def _queries(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(25) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("slug", sorted(RECORD_TYPES))
def test_list_pages_cost_the_same_for_few_and_many_rows(
    slug, plan_year, roster_ab, county_a, officer_a, django_assert_max_num_queries
):
    client = client_for(officer_a)
    url = reverse(f"training_{slug}")
    client.get(url)  # the session and the cached plan year
    schools = [School.objects.get(code="154601"), School.objects.get(code="154602")]
    make_record(slug, plan_year=plan_year, county=county_a, school=schools[0])
    few = _queries(client, url, django_assert_max_num_queries)
    if slug != "designations":  # one a school a year
        for i in range(12):
            make_record(slug, plan_year=plan_year, county=county_a, school=schools[i % 2])
    else:
        make_record(slug, plan_year=plan_year, county=county_a, school=schools[1])
    many = _queries(client, url, django_assert_max_num_queries)
    assert few == many


def test_the_moe_reads_a_chosen_countys_office(plan_year, roster_ab, county_a, reviewer):
    make_record("staff", plan_year=plan_year, county=county_a, school=None)
    client = client_for(reviewer)
    national = client.get(reverse("training_office")).content.decode()
    assert "各縣市" in national and "花蓮縣" in national
    office = client.get(reverse("training_office"), {"county": "15"}).content.decode()
    assert "數位學習推動辦公室・111年度・花蓮縣" in office and "將以上數字寫入經費表" not in office
    staff = client.get(reverse("training_staff"), {"county": "15"}).content.decode()
    assert "王輔導" in staff and "新增推動辦公室人力" not in staff


def test_a_session_code_is_unique_in_a_countys_year(plan_year, county_a, officer_a):
    client = client_for(officer_a)
    data = {
        "code": "A1-1",
        "kind": "a1",
        "title": "工作坊",
        "held_on": "111/09/14",
        "hours": 3,
        "place": "研習中心",
        "capacity": 40,
        "substitute_periods_elementary": 0,
        "substitute_periods_junior": 0,
    }
    assert client.post(reverse("training_sessions_create"), data).status_code == 302
    again = client.post(reverse("training_sessions_create"), data)
    assert again.status_code == 200 and "本縣市本年度已有相同研習代碼的場次" in again.content.decode()
