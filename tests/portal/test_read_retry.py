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
