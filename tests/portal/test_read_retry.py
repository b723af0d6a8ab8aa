"""Issue 11's PostgreSQL drill: a page read whose connection died under it is run once more."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from portal.middleware import ReadRetryMiddleware


def _request(method: str, view):
    request = getattr(RequestFactory(), method.lower())("/somewhere/")
    request.resolver_match = ResolverMatch(view, (), {})
    return request


def flaky_view():
    calls = []

    def view(request):
        calls.append(request.method)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("ok")

    return view, calls


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_whose_connection_died_is_run_again():
    view, calls = flaky_view()
    request = _request("GET", view)
    middleware = ReadRetryMiddleware(lambda r: HttpResponse())
    try:
        view(request)
    except OperationalError as exc:
        response = middleware.process_exception(request, exc)
    assert response.status_code == 200 and calls == ["GET", "GET"]
    # Once only: a second failure goes to the 503 page.
    assert middleware.process_exception(request, OperationalError("again")) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_is_not_run_again():
    view, calls = flaky_view()
    request = _request("POST", view)
    with pytest.raises(OperationalError) as caught:
        view(request)
    assert ReadRetryMiddleware(lambda r: HttpResponse()).process_exception(request, caught.value) is None
    assert calls == ["POST"]


def test_a_request_waits_for_a_restarting_database(monkeypatch):
    from portal import middleware

    tries, slept = [], []
    monkeypatch.setattr(middleware.time, "sleep", slept.append)

    def ensure_connection():
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("the database system is starting up")

    monkeypatch.setattr(middleware.connection, "close_if_health_check_failed", lambda: None)
    monkeypatch.setattr(middleware.connection, "ensure_connection", ensure_connection)
    monkeypatch.setattr(middleware.connection, "close", lambda: None)
    seen = []
    response = middleware.DatabaseWaitMiddleware(lambda r: seen.append(r.path) or HttpResponse("ok"))(
        RequestFactory().post("/usage/import/")
    )
    assert response.status_code == 200 and seen == ["/usage/import/"]
    assert len(tries) == 3 and slept == [0.0, 0.25, 0.5]


def test_a_database_that_stays_away_is_waited_for_a_few_seconds_then_the_request_goes_on(monkeypatch, settings):
    from portal import middleware

    slept = []
    monkeypatch.setattr(middleware.time, "sleep", slept.append)
    monkeypatch.setattr(middleware.connection, "close_if_health_check_failed", lambda: None)
    monkeypatch.setattr(
        middleware.connection, "ensure_connection", lambda: (_ for _ in ()).throw(OperationalError("down"))
    )
    monkeypatch.setattr(middleware.connection, "close", lambda: None)
    assert middleware.wait_for_database() is False
    assert slept == [0.0, *settings.DATABASE_WAIT_SECONDS] and sum(slept) < 5


def test_the_health_check_does_not_wait(monkeypatch):
    from portal import middleware

    monkeypatch.setattr(middleware, "wait_for_database", lambda: pytest.fail("/healthz waited"))
    response = middleware.DatabaseWaitMiddleware(lambda r: HttpResponse("ok"))(RequestFactory().get("/healthz"))
    assert response.status_code == 200
