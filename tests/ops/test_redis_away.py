"""Redis away: every page still answers (sessions from the database, the read cache
computes), admins see a banner, and an export asked for meanwhile waits and is sent later."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.urls import reverse

from portal import redis_cache
from reporting.models import ExportJob
from reporting.services import BROKER_AWAY, export_jobs_requeue
from tests.conftest import PASSWORD, client_for, load_roster, record

pytestmark = pytest.mark.django_db
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


def redis_cache_at(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.redis_cache.PortalRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "portal-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    monkeypatch.setattr(redis_cache, "_down_until", 0.0)
    monkeypatch.setattr(redis_cache, "_failed_since", None)


@pytest.fixture
def redis_away(settings):
    settings.CACHES = redis_cache_at(NOWHERE)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.READ_CACHE = True


def test_login_and_every_page_work_while_redis_is_away(redis_away, client, plan_year, officer_a):
    load_roster(plan_year, [record()])
    response = client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    for name in ("home", "roster_list", "device_list", "usage_overview", "my_plan"):
        page = client.get(reverse(name), follow=True)
        assert page.status_code == 200, name
    assert "花蓮縣立示範國小" in client.get(reverse("roster_list")).content.decode()
    assert redis_cache.cache_unavailable()
    # County staff are not told about the servers; admins are.
    assert "Redis" not in client.get(reverse("home")).content.decode()


def test_admins_see_a_banner_while_redis_is_away(redis_away, admin_user):
    page = client_for(admin_user).get(reverse("home")).content.decode()
    assert "快取與排程服務（Redis）目前無法連線" in page


def test_after_one_refusal_redis_is_not_asked_again_for_a_while(redis_away, monkeypatch):
    cache = caches["default"]
    assert cache.get("x") is None
    calls = []
    monkeypatch.setattr("django.core.cache.backends.redis.RedisCache.get", lambda *a, **k: calls.append(1))
    assert cache.get("x", "miss") == "miss" and calls == []


def test_an_export_asked_for_while_the_broker_is_away_waits_and_is_sent_later(
    client, officer_a, plan_year, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from reporting import tasks

    def broker_away(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    load_roster(plan_year, [record()])
    client.force_login(officer_a)
    monkeypatch.setattr(tasks.render_export, "delay", broker_away)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export_request"), {"kind": "roster_xlsx", "year": 111})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert BROKER_AWAY in client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert job.status == ExportJob.Status.QUEUED and job.progress_note == BROKER_AWAY

    monkeypatch.undo()  # the broker is back (tasks run eagerly here)
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at.replace(year=2020))
    assert export_jobs_requeue() == {"queued": 1, "overdue": 0}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress_note == "完成"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis")
def test_when_redis_is_back_the_read_cache_forgets_what_it_held(settings):
    location = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"
    settings.CACHES = redis_cache_at(location)
    cache = caches["default"]
    cache.set("read-cache-version:roster", "old-token", None)
    cache.set("unrelated", "kept", None)
    redis_cache._note_failure(ConnectionError("simulated"))
    redis_cache._down_until = 0.0  # the retry wait is over
    assert cache.get("unrelated") == "kept"  # the first answer after the outage
    assert not redis_cache.cache_unavailable()
    assert cache.get("read-cache-version:roster") is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis")
def test_an_entry_of_an_older_release_is_a_miss_not_an_error(settings):
    """After a deploy that moved a module, Redis still holds entries pickled with its old path."""
    import pickle

    location = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"
    settings.CACHES = redis_cache_at(location)
    cache = caches["default"]
    # What pickle writes for an instance of reporting.monthly.Gone (a module since removed).
    old = b"\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x11reporting.monthly\x94\x8c\x04Gone\x94\x93\x94)\x81\x94."
    with pytest.raises(ModuleNotFoundError):
        pickle.loads(old)  # noqa: S301 - the test's own fixed bytes
    client = cache._cache.get_client(write=True)
    client.set(cache.make_and_validate_key("read-cache:old"), old)
    cache.set("read-cache:new", {"kept": 1})
    assert cache.get("read-cache:old") is None
    assert cache.get("read-cache:old", "default") == "default"
    assert cache.get_many(["read-cache:old", "read-cache:new"]) == {}
    assert cache.get("read-cache:new") == {"kept": 1}
