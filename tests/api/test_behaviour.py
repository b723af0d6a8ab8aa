"""Rate limit, ETag, filters, pagination, money and dates, query counts, a dead cache."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from api.pagination import encode_cursor
from schools.models import RosterRow
from tests.api.conftest import bearer
from tests.api.helpers import walk

pytestmark = pytest.mark.django_db


def test_over_the_rate_limit_the_answer_is_429_with_retry_after(api_world, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = bearer(api_world["tokens"]["officer_a"])
    assert [client.get(reverse("api_counties")).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(reverse("api_counties"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60 and "秒後再試" in refused.json()["detail"]
    # Per token: another token of another person is not slowed down.
    assert bearer(api_world["tokens"]["officer_b"]).get(reverse("api_counties")).status_code == 200


def test_the_rate_limit_lets_requests_through_when_the_cache_is_down(api_world, settings, monkeypatch):
    from portal import redis_cache

    settings.API_RATE_LIMIT = "1/min"
    # Redis away (nothing listens on port 1): the portal's cache answers every read as a miss.
    settings.CACHES = {
        "default": {"BACKEND": "portal.redis_cache.PortalRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    monkeypatch.setattr(redis_cache, "_down_until", 0.0)
    monkeypatch.setattr(redis_cache, "_failed_since", None)
    client = bearer(api_world["tokens"]["officer_a"])
    assert [client.get(reverse("api_counties")).status_code for _ in range(3)] == [200, 200, 200]


def test_an_unchanged_list_answers_304_to_its_etag(api_world):
    client = bearer(api_world["tokens"]["officer_a"])
    first = client.get(reverse("api_roster_rows"))
    etag = first["ETag"]
    assert etag.startswith('"') and "Authorization" in first["Vary"]
    again = client.get(reverse("api_roster_rows"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    RosterRow.objects.filter(school__code="154601").update(teachers=38)
    changed = client.get(reverse("api_roster_rows"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    # Another reader's list is another entity: its tag differs.
    other = bearer(api_world["tokens"]["reviewer"]).get(reverse("api_roster_rows"))
    assert other["ETag"] != changed["ETag"]


def test_updated_since(api_world):
    client = bearer(api_world["tokens"]["reviewer"])
    RosterRow.objects.update(updated_at=timezone.make_aware(datetime.datetime(2022, 1, 1)))
    RosterRow.objects.filter(school__code="154602").update(updated_at=timezone.now())
    recent = walk(client, reverse("api_roster_rows") + "?updated_since=2022-06-01")
    assert [row["school_code"] for row in recent] == ["154602"]
    everything = walk(client, reverse("api_roster_rows") + "?updated_since=2021-12-31T00:00:00+08:00")
    assert len(everything) == 3
    for bad in ("yesterday", "2022-13-01", "'; DROP TABLE"):
        response = client.get(reverse("api_roster_rows"), {"updated_since": bad})
        assert response.status_code == 400 and "updated_since" in response.json()


@pytest.mark.parametrize(
    "params",
    [{"year": "110"}, {"year": "abc"}, {"limit": "0"}, {"limit": "1001"}, {"limit": "x"}, {"cursor": "%%%"}],
)
def test_bad_parameters_are_refused_with_a_reason(api_world, params):
    response = bearer(api_world["tokens"]["reviewer"]).get(reverse("api_roster_rows"), params)
    assert response.status_code in (400, 404)
    assert response.json()  # a reason, in Chinese, never a 500


def test_a_forged_cursor_cannot_reach_outside_the_scope(api_world):
    client = bearer(api_world["tokens"]["officer_b"])
    response = client.get(reverse("api_roster_rows"), {"cursor": encode_cursor(0)})
    assert {row["school_code"] for row in response.json()["results"]} == {"144601"}
    assert client.get(reverse("api_devices"), {"cursor": encode_cursor("")}).status_code == 200
    assert client.get(reverse("api_roster_rows"), {"cursor": encode_cursor("abc")}).status_code == 400


def test_pages_neither_skip_nor_repeat_rows_written_during_a_walk(api_world):
    client = bearer(api_world["tokens"]["reviewer"])
    first = client.get(reverse("api_roster_rows"), {"limit": 2}).json()
    RosterRow.objects.filter(school__code="154601").update(teachers=40)
    rest = walk(client, first["next"].split("testserver")[1])
    codes = [row["school_code"] for row in first["results"] + rest]
    assert sorted(codes) == ["144601", "154601", "154602"]


def test_money_dates_and_the_roc_year(api_world):
    row = next(
        r
        for r in walk(bearer(api_world["tokens"]["officer_a"]), reverse("api_roster_rows"))
        if r["school_code"] == "154601"
    )
    assert row["roc_year"] == 111 and row["survey_roc_year"] == 110
    assert row["entitled"] == {"carts": 4, "teacher_devices": 8, "student_devices": 112}
    assert row["entitled_amount_ntd"] == 120 * 13_000 + 4 * 50_000
    assert isinstance(row["entitled_amount_ntd"], int)
    datetime.datetime.fromisoformat(row["updated_at"])
    plan = walk(bearer(api_world["tokens"]["reviewer"]), reverse("api_plans") + "?county=15")[0]
    assert plan["status"] == "submitted" and plan["submissions"] == 1 and plan["roc_year"] == 111
    assert [line["number"] for line in plan["budget_lines"]] == list(range(1, 12))
    assert plan["total_ntd"] == sum(line["total_ntd"] for line in plan["budget_lines"])
    assert all(isinstance(line["total_ntd"], int) for line in plan["budget_lines"])
    report = walk(bearer(api_world["tokens"]["officer_a"]), reverse("api_monthly_reports"))[0]
    assert report["month"] == "2022-03" and report["deadline"] == "2022-04-10" and report["on_time"] is True
    assert report["spending"] == [{"line": 1, "amount_ntd": 1_300_000}]


def test_devices_and_training_per_school(api_world):
    devices = {d["school_code"]: d for d in walk(bearer(api_world["tokens"]["officer_a"]), reverse("api_devices"))}
    assert devices["154601"]["delivered"] == 5 and devices["154601"]["mdm_enrolled"] == 5
    assert devices["154602"]["mdm_enrolled"] == 0
    training = {
        t["school_code"]: t for t in walk(bearer(api_world["tokens"]["school_a"]), reverse("api_training_progress"))
    }
    assert set(training) == {"154601"} and training["154601"]["a1a2"] == 2


@pytest.mark.parametrize("name", ["api_roster_rows", "api_usage", "api_schools", "api_plans", "api_monthly_reports"])
def test_the_queries_of_a_page_do_not_grow_with_its_rows(api_world, name, django_assert_max_num_queries):
    client = bearer(api_world["tokens"]["reviewer"])
    client.get(reverse(name), {"limit": 1})  # warm the plan-year cache
    with django_assert_max_num_queries(12):
        client.get(reverse(name), {"limit": 1000})


def test_a_post_is_refused(api_world):
    response = bearer(api_world["tokens"]["admin"]).post(
        reverse("api_roster_rows"), {}, content_type="application/json"
    )
    assert response.status_code == 405


def test_messages_stay_chinese(api_world, officer_a):
    client = bearer(api_world["tokens"]["admin"])
    assert "GET" in client.delete(reverse("api_counties")).json()["detail"]
    assert "JSON" in client.get(reverse("api_counties"), HTTP_ACCEPT="text/html").json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "9" * 5000}, {"cursor": "A" * 100_000}, {"updated_since": "2022-01-01" * 1000}, {"county": "1" * 999}],
)
def test_huge_parameters_are_refused_not_crashed(api_world, params):
    response = bearer(api_world["tokens"]["reviewer"]).get(reverse("api_roster_rows"), params)
    assert response.status_code == 400
