#!/usr/bin/env python
"""Issue 15's choice of API framework, measured on one endpoint: the roster rows of the
national roster, as Django REST Framework (what api/ uses) and as django-ninja would serve
them, with the same token check, the same selector and the same fields.

django-ninja is not a dependency: install it beside the project for this script only,

    .venv/bin/pip install --target /tmp/ninja django-ninja && rm -rf /tmp/ninja/django /tmp/ninja/asgiref*
    PYTHONPATH=/tmp/ninja DATABASE_URL=sqlite:///... .venv/bin/python bench/api_frameworks.py [--runs 200]

on a database holding the national roster (`manage.py import_roster` of `roster_from_realdata`).
In process (Django's test client, no network), one token of an MOE reviewer: the median and
p95 of `--runs` requests of the first page at limit 100 and 1,000."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("API_RATE_LIMIT", "100000000/min")

import django

django.setup()

from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from api.authentication import authenticate_token
from api.tokens import token_create
from budget import rules as engine
from portal.models import Role, User
from schools.selectors import plan_years, roster_rows_for

ninja_api = NinjaAPI(urls_namespace="ninja_bench")


class Bearer(HttpBearer):
    def authenticate(self, request, token):
        user, _token = authenticate_token(token, request=request)
        request.user = user
        return user


class Counts(Schema):
    carts: int
    teacher_devices: int
    student_devices: int


class Row(Schema):
    id: int
    roc_year: int
    survey_roc_year: int
    school_code: str
    name: str
    county_code: str
    county: str
    level: str
    area: str
    remote: bool
    classes: int
    max_class_size: int
    teachers: int
    students: int
    requested: Counts | None
    entitled: Counts
    entitled_amount_ntd: int
    complies: bool | None
    reason: str
    updated_at: str


class Page(Schema):
    next: str | None
    results: list[Row]


@ninja_api.get("/roster-rows/", response=Page, auth=Bearer())
def roster_rows(request, limit: int = 100, cursor: int = 0):
    year = plan_years()[0]
    rules = year.rule_set
    rows = (
        roster_rows_for(user=request.user, plan_year=year)
        .filter(pk__gt=cursor)
        .order_by("pk")
        .values(
            "pk",
            "name",
            "level",
            "area",
            "classes",
            "max_class_size",
            "teachers",
            "students",
            "req_carts",
            "req_teacher_devices",
            "req_student_devices",
            "entitled_carts",
            "entitled_teacher_devices",
            "entitled_student_devices",
            "complies",
            "reason",
            "updated_at",
            school_code=F("school__code"),
            county_code=F("school__county__code"),
            county_name=F("school__county__name"),
        )[: limit + 1]
    )
    rows = list(rows)
    results = []
    for row in rows[:limit]:
        entitled = {
            "carts": row["entitled_carts"],
            "teacher_devices": row["entitled_teacher_devices"],
            "student_devices": row["entitled_student_devices"],
        }
        requested = None
        if row["req_carts"] is not None:
            requested = {
                "carts": row["req_carts"],
                "teacher_devices": row["req_teacher_devices"],
                "student_devices": row["req_student_devices"],
            }
        results.append(
            {
                **row,
                "id": row["pk"],
                "roc_year": year.year,
                "survey_roc_year": year.survey_year,
                "county": row["county_name"],
                "remote": engine.is_remote(row["area"], rules),
                "requested": requested,
                "entitled": entitled,
                "entitled_amount_ntd": (entitled["teacher_devices"] + entitled["student_devices"])
                * rules.device_unit_price
                + entitled["carts"] * rules.cart_unit_price,
                "updated_at": row["updated_at"].isoformat(),
            }
        )
    next_url = f"/ninja/roster-rows/?limit={limit}&cursor={rows[limit - 1]['pk']}" if len(rows) > limit else None
    return {"next": next_url, "results": results}


urlpatterns = [path("ninja/", ninja_api.urls), path("", include("portal.urls"))]


def timed(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    settings.ROOT_URLCONF = __name__
    settings.READ_CACHE = False
    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(username="framework_bench", defaults={"role": Role.MOE})
    _token, raw = token_create(user=user, name="framework bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    print("| endpoint | limit | median | p95 | bytes |")
    print("| --- | --- | --- | --- | --- |")
    for limit in (100, 1000):
        for label, url in (("DRF /api/v1/roster-rows/", "/api/v1/roster-rows/"), ("ninja", "/ninja/roster-rows/")):
            median, p95, size = timed(client, f"{url}?limit={limit}", args.runs)
            print(f"| {label} | {limit:,} | {median:.1f} ms | {p95:.1f} ms | {size:,} |")
    user.delete()


if __name__ == "__main__":
    main()
