"""National figures kept in the database between the writes they depend on.

A few of the MOE's figures aggregate the whole country (600,000 devices, 216,000 usage
rows): 0.2-0.3 s of a core each. The read cache (portal.cache) keeps them only until the next
write to their data, and on the 10th of a month 300 schools upload usage without a pause, so
every visit to the dashboard recomputed them; with the read cache flushed or Redis away, every
visit did. Here such a figure is a registered function whose last value lives in a row:

    @stored_figure("national_device_summary", depends=(DEVICES, ROSTER))
    def national_device_summary(*, plan_year_id: int) -> dict: ...

    national_device_summary.value(plan_year_id=3)   # the kept value, or computed and kept
    national_device_summary.value(lambda: ..., plan_year_id=3)  # computed from what the caller holds

A committed write to a namespace it depends on marks the row stale (one UPDATE after the
commit). Celery beat recomputes stale rows every few seconds (`refresh_stale_figures`); in
between, readers get the last value for at most STORED_FIGURES_MAX_STALE_SECONDS, then compute
it themselves (beat or the worker is away). A value computed on an earlier day is never
served: figures "until today" change at midnight. STORED_FIGURES off (the tests' default):
every call computes, as if nothing were kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Case, F, When
from django.utils import timezone

from portal import cache as read_cache
from portal.models import StoredFigure

log = logging.getLogger(__name__)

_REGISTRY: dict[str, Figure] = {}


@dataclass(frozen=True)
class Figure:
    name: str
    compute: Callable[..., Any]
    depends: tuple[str, ...]

    def key(self, params: dict) -> str:
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
        return f"{self.name}:{digest}"

    def value(self, here: Callable[[], Any] | None = None, **params) -> Any:
        """The kept value while it may be served, else computed now (and kept). `here`, when
        given, computes the same value from objects the caller already holds (no refetch).

        A fresh value is also put in the read cache under its namespaces' tokens (a page's
        usual read is one cache get, as before); a stale one is not, or the cache would go on
        serving it after beat has refreshed the row."""
        if not settings.STORED_FIGURES:
            return here() if here else self.compute(**params)
        key = self.key(params)
        cache_key = self._cache_key(key)
        if cache_key is not None:
            value = cache.get(cache_key)
            if value is not None:
                return value
        row = StoredFigure.objects.filter(key=key).values("value", "computed_at", "stale_since").first()
        if row is not None and _servable(row, timezone.now()):
            try:
                value = pickle.loads(row["value"])  # noqa: S301 - our own value, written below
            except Exception:  # kept by an older release of the code: compute it again
                log.warning("stored figure %s could not be read; computed again", key)
            else:
                if row["stale_since"] is None and cache_key is not None:
                    cache.set(cache_key, value, read_cache.TIMEOUT)
                return value
        value = self.refresh(params, here)
        if cache_key is not None:
            cache.set(cache_key, value, read_cache.TIMEOUT)
        return value

    def _cache_key(self, key: str) -> str | None:
        """Read before the value: a write meanwhile moves a token, so what is cached under these
        tokens never misses that write. The day is part of it (figures "until today")."""
        if not settings.READ_CACHE:
            return None
        tokens = ":".join(read_cache.version(namespace) for namespace in self.depends)
        return f"stored-figure:{key}:{timezone.localdate().isoformat()}:{tokens}"

    def refresh(self, params: dict, here: Callable[[], Any] | None = None) -> Any:
        started = timezone.now()
        value = here() if here else self.compute(**params)
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        key = self.key(params)
        # A write that committed after we began reading keeps the row stale: our value may
        # not include it.
        still_stale = Case(When(stale_since__gt=started, then=F("stale_since")), default=None)
        updated = StoredFigure.objects.filter(key=key).update(value=blob, computed_at=started, stale_since=still_stale)
        if not updated:
            try:
                with transaction.atomic():
                    StoredFigure.objects.create(
                        key=key,
                        name=self.name,
                        params=params,
                        depends="," + ",".join(self.depends) + ",",
                        value=blob,
                        computed_at=started,
                    )
            except IntegrityError:
                pass  # another reader kept it first: theirs is as good
        return value


def _servable(row: dict, now) -> bool:
    if timezone.localdate(row["computed_at"]) != timezone.localdate(now):
        return False
    stale_since = row["stale_since"]
    return stale_since is None or now - stale_since < timedelta(seconds=settings.STORED_FIGURES_MAX_STALE_SECONDS)


def stored_figure(name: str, *, depends: tuple[str, ...]) -> Callable[[Callable[..., Any]], Figure]:
    """Registers a figure; its keyword arguments must be JSON values (ids, not objects)."""

    def register(compute: Callable[..., Any]) -> Figure:
        figure = Figure(name=name, compute=compute, depends=tuple(depends))
        _REGISTRY[name] = figure
        return figure

    return register


def mark_stale(namespace: str) -> int:
    """After a committed write to `namespace`: the figures that depend on it are stale."""
    if not settings.STORED_FIGURES or not any(namespace in f.depends for f in _REGISTRY.values()):
        return 0  # no figure reads it (月報, outcomes ...): the write costs no query here
    try:
        return StoredFigure.objects.filter(depends__contains=f",{namespace},", stale_since__isnull=True).update(
            stale_since=timezone.now()
        )
    except DatabaseError:
        # The write itself has committed: its request must not fail here (the table not yet
        # migrated, the database gone a moment). Kept figures then live until they are too old.
        log.exception("stored figures depending on %s could not be marked stale", namespace)
        return 0


def refresh_stale_figures() -> int:
    """Recomputes every stale row (and rows of an earlier day) of a registered figure."""
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = StoredFigure.objects.filter(stale_since__isnull=False) | StoredFigure.objects.filter(
        computed_at__lt=today_start
    )
    refreshed = 0
    for key, name, params in rows.values_list("key", "name", "params"):
        figure = _REGISTRY.get(name)
        if figure is None:
            StoredFigure.objects.filter(key=key).delete()  # a figure no longer in the code
            continue
        try:
            figure.refresh(params)
            refreshed += 1
        except Exception:
            # Its parameters may name a plan year since deleted: drop it, readers recompute.
            log.exception("stored figure %s could not be refreshed; dropped", key)
            StoredFigure.objects.filter(key=key).delete()
    return refreshed


read_cache.on_committed_write(mark_stale)
