"""The read cache never serves stale or someone else's data."""

import pytest
from django.urls import reverse

from portal import cache as read_cache
from schools.models import RosterRow
from tests.conftest import client_for, load_roster, record

pytestmark = pytest.mark.django_db


def count_shown(client) -> str:
    page = client.get(reverse("roster_list")).content.decode()
    return page.split("共 ")[1].split(" 列")[0]


def test_an_import_or_an_edit_is_seen_at_once(plan_year, officer_a):
    client = client_for(officer_a)
    load_roster(plan_year, [record()], user=officer_a)
    assert count_shown(client) == "1"
    assert count_shown(client) == "1"  # now from the cache
    load_roster(plan_year, [record(), record(code="154602")], user=officer_a)
    assert count_shown(client) == "2"
    row = RosterRow.objects.get(school__code="154602")
    data = {
        "version": row.version,
        "area": "一般",
        "classes": 20,
        "max_class_size": 28,
        "teachers": 37,
        "students": 333,
        "req_carts": 4,
        "req_teacher_devices": 8,
        "req_student_devices": 112,
        "reason": "",
    }
    client.get(reverse("home"))
    client.post(reverse("roster_row_edit", args=[row.pk]), data)
    assert "333" in client.get(reverse("roster_list")).content.decode()


def test_each_scope_has_its_own_entries(plan_year, officer_a, officer_b, reviewer):
    load_roster(plan_year, [record()], user=officer_a)
    load_roster(plan_year, [record(code="144601", county="臺東縣", name="臺東縣立某國小")], county_label="臺東縣")
    for user, code in ((officer_a, "154601"), (officer_b, "144601")):
        for _ in range(2):
            page = client_for(user).get(reverse("roster_list")).content.decode()
            assert code in page and count_shown(client_for(user)) == "1"
    assert count_shown(client_for(reviewer)) == "2"


def test_a_plan_year_change_is_seen_at_once(plan_year, officer_a):
    client = client_for(officer_a)
    assert "送審截止" not in client.get(reverse("home")).content.decode()
    import datetime

    plan_year.submission_deadline = datetime.date(2022, 3, 15)
    plan_year.save()
    assert "送審截止 111年3月15日" in client.get(reverse("home")).content.decode()


def test_a_lost_token_never_brings_old_entries_back(settings):
    from django.core.cache import cache

    computed = []
    value = read_cache.cached("ns", ("k",), lambda: computed.append(1) or "first")
    assert value == "first" and read_cache.cached("ns", ("k",), lambda: "second") == "first"
    cache.delete("read-cache-version:ns")  # evicted
    assert read_cache.cached("ns", ("k",), lambda: "third") == "third"


def test_off_means_computed_every_time(settings):
    settings.READ_CACHE = False
    calls = []
    for _ in range(2):
        read_cache.cached("ns", ("k",), lambda: calls.append(1))
    assert len(calls) == 2


def test_a_request_reads_each_token_once_and_sees_its_own_writes(rf, django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.http import HttpResponse

    seen = []

    def view(request):
        first = read_cache.version("ns")
        cache.set("read-cache-version:ns", "changed-by-another-process", None)
        seen.append(read_cache.version("ns") == first)  # this request keeps its token
        read_cache.invalidate("ns")
        seen.append(read_cache.version("ns") not in (first, "changed-by-another-process"))  # but sees its write
        return HttpResponse()

    read_cache.RequestTokensMiddleware(view)(rf.get("/"))
    assert seen == [True, True]
    assert read_cache.version("ns") == cache.get("read-cache-version:ns")  # outside a request: from the cache


def test_one_redis_client_serves_every_operation():
    from portal.redis_cache import ReusingRedisCacheClient

    client = ReusingRedisCacheClient(["redis://127.0.0.1:6379/13"])
    assert client.get_client(write=True) is client.get_client(write=False)


def test_readers_of_different_counties_never_share_an_entry(officer_a, officer_b, school_user_a, reviewer, settings):
    """cached_for puts the reader's access scope into the key itself: the same parts asked
    for by readers who see different rows are different entries; readers who see the same
    rows (two officers of one county) share one."""
    settings.READ_CACHE = True
    from portal.models import Role
    from tests.conftest import make_user

    second_officer_a = make_user("officer_a2", Role.COUNTY, county=officer_a.county)
    seen = {
        user.username: read_cache.cached_for(user, "ns", ("page", 1), lambda user=user: user.username)
        for user in (officer_a, officer_b, school_user_a, reviewer, second_officer_a)
    }
    assert seen == {
        officer_a.username: officer_a.username,
        officer_b.username: officer_b.username,
        school_user_a.username: school_user_a.username,
        reviewer.username: reviewer.username,
        "officer_a2": officer_a.username,
    }
