"""portal.figures: national figures kept in the database between the writes they depend on."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from devices import selectors as device_selectors
from portal import figures
from portal.cache import invalidate
from portal.models import StoredFigure

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@figures.stored_figure("test_counter", depends=("test_ns",))
def counter(*, start: int) -> dict:
    CALLS.append(start)
    return {"value": start + len(CALLS), "when": datetime.date(2022, 1, 1)}


@pytest.fixture(autouse=True)
def _on():
    CALLS.clear()
    with override_settings(STORED_FIGURES=True, STORED_FIGURES_MAX_STALE_SECONDS=120):
        yield


def _write(captured, namespace="test_ns"):
    """A write to the namespace, committed (its after-commit listeners run)."""
    with captured(execute=True):
        invalidate(namespace)


def test_computed_once_then_kept_even_when_the_read_cache_is_flushed():
    first = counter.value(start=10)
    cache.clear()
    assert counter.value(start=10) == first == {"value": 11, "when": datetime.date(2022, 1, 1)}
    assert CALLS == [10]
    assert StoredFigure.objects.get().name == "test_counter"


def test_other_parameters_are_another_figure():
    counter.value(start=1)
    counter.value(start=2)
    assert CALLS == [1, 2]


def test_off_computes_every_time():
    with override_settings(STORED_FIGURES=False):
        counter.value(start=1)
        counter.value(start=1)
    assert CALLS == [1, 1]
    assert not StoredFigure.objects.exists()


def test_a_committed_write_marks_it_stale_and_beat_recomputes_it(django_capture_on_commit_callbacks):
    counter.value(start=1)
    _write(django_capture_on_commit_callbacks)
    assert StoredFigure.objects.get().stale_since is not None
    # Within the allowed staleness readers get the last value, without computing.
    assert counter.value(start=1)["value"] == 2
    assert CALLS == [1]
    assert figures.refresh_stale_figures() == 1
    row = StoredFigure.objects.get()
    assert row.stale_since is None
    assert counter.value(start=1)["value"] == 3
    assert CALLS == [1, 1]


def test_a_write_to_another_namespace_leaves_it_fresh(django_capture_on_commit_callbacks):
    counter.value(start=1)
    _write(django_capture_on_commit_callbacks, "unrelated")
    assert StoredFigure.objects.get().stale_since is None


def test_stale_for_too_long_readers_compute_it_themselves(django_capture_on_commit_callbacks):
    counter.value(start=1)
    _write(django_capture_on_commit_callbacks)
    StoredFigure.objects.update(stale_since=timezone.now() - datetime.timedelta(seconds=121))
    assert counter.value(start=1)["value"] == 3
    assert StoredFigure.objects.get().stale_since is None


def test_a_write_during_the_computation_keeps_it_stale(django_capture_on_commit_callbacks):
    counter.value(start=1)
    later = timezone.now() + datetime.timedelta(seconds=5)
    StoredFigure.objects.update(stale_since=later)  # committed while the refresh was reading
    figures.refresh_stale_figures()
    assert StoredFigure.objects.get().stale_since == later


def test_a_value_of_an_earlier_day_is_never_served():
    counter.value(start=1)
    cache.clear()  # the read cache's copy is keyed by the day too; this is the row's own check
    StoredFigure.objects.update(computed_at=timezone.now() - datetime.timedelta(days=1))
    counter.value(start=1)
    assert CALLS == [1, 1]


def test_a_figure_that_cannot_be_computed_any_more_is_dropped():
    StoredFigure.objects.create(
        key="gone:1",
        name="no_longer_in_the_code",
        depends=",x,",
        value=b"",
        computed_at=timezone.now(),
        stale_since=timezone.now(),
    )
    StoredFigure.objects.create(
        key=device_selectors.national_device_summary.key({"plan_year_id": 999_999}),
        name="national_device_summary",
        params={"plan_year_id": 999_999},
        depends=",devices,roster,",
        value=b"",
        computed_at=timezone.now(),
        stale_since=timezone.now(),
    )
    assert figures.refresh_stale_figures() == 0
    assert not StoredFigure.objects.exists()


def test_the_national_device_summary_is_kept_and_follows_device_writes(
    plan_year, county_a, django_capture_on_commit_callbacks
):
    from devices.selectors import _device_summary

    kept = device_selectors.county_device_summary(plan_year=plan_year)
    assert kept == _device_summary(plan_year, None, timezone.localdate())
    assert StoredFigure.objects.filter(name="national_device_summary", stale_since__isnull=True).exists()
    _write(django_capture_on_commit_callbacks, device_selectors.DEVICES)
    assert StoredFigure.objects.get(name="national_device_summary").stale_since is not None


def test_a_value_kept_by_an_older_release_that_cannot_be_read_is_computed_again():
    counter.value(start=1)
    cache.clear()
    StoredFigure.objects.update(value=b"not a pickle")
    assert counter.value(start=1)["value"] == 3
    assert CALLS == [1, 1]


def test_a_fresh_value_is_read_from_the_read_cache_and_a_stale_one_is_not_put_there(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    counter.value(start=1)
    with django_assert_num_queries(0):
        assert counter.value(start=1)["value"] == 2
    _write(django_capture_on_commit_callbacks)  # moves the token: the cached copy is unreachable
    with django_assert_num_queries(1):
        assert counter.value(start=1)["value"] == 2  # the stale row, within the allowed staleness
    with django_assert_num_queries(1):
        counter.value(start=1)  # still from the row: the stale value was not cached
    figures.refresh_stale_figures()
    assert counter.value(start=1)["value"] == 3
    with django_assert_num_queries(0):
        assert counter.value(start=1)["value"] == 3


def test_a_committed_write_never_fails_because_the_figures_cannot_be_marked(monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("no such table: portal_storedfigure")

    monkeypatch.setattr(StoredFigure.objects, "filter", broken)
    assert figures.mark_stale("test_ns") == 0


def test_a_write_to_a_namespace_no_figure_reads_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert figures.mark_stale("monthly_reports") == 0
    with django_assert_num_queries(1):
        figures.mark_stale("test_ns")
