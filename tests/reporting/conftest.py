"""Reporting fixtures: a roster of two schools in county A and one in B, usage files, summaries."""

from __future__ import annotations

import csv
import io

import pytest

HEADER = ("學校代碼", "學校名稱", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數")


@pytest.fixture
def roster(two_counties):
    """tests/conftest.py's two counties: 154601 and 154602 in county A, 144601 in county B."""
    return two_counties


def usage_row(code="154601", month="111年3月", platform="因材網", hours="120.5", students=80, devices=40, name=""):
    return (code, name, month, platform, hours, students, devices)


def usage_csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


DEVICE_FIGURES = {
    "purchased": 900,
    "remote_purchased": 300,
    "delivered": 800,
    "mdm_enrolled": 700,
    "remote_schools": 10,
    "remote_schools_complete": 9,
    "other_schools": 20,
    "other_schools_complete": 20,
    "wireless_classes": 150,
}
TRAINING_FIGURES = {
    "sessions_held": 12,
    "teachers_trained": 400,
    "a1a2_teachers": 300,
    "literacy_teachers": 100,
    "it_staff_trained": 20,
    "teachers_total": 1000,
    "meetings_held": 3,
    "public_lessons": 15,
    "schools_with_public_lesson": 14,
    "schools_total": 30,
}


@pytest.fixture
def no_summaries(monkeypatch):
    """Neither app has figures for any county (what a county without devices or training
    records looks like to reporting)."""
    monkeypatch.setattr("devices.selectors.county_device_summary", lambda **kwargs: {})
    monkeypatch.setattr("training.selectors.county_training_summary", lambda **kwargs: {})


@pytest.fixture
def summaries(monkeypatch, county_a):
    """The devices and training summaries as their apps will answer: county A has figures,
    cumulative up to `until` (before March the cumulative figures are smaller)."""
    import datetime

    calls = {"devices": [], "training": []}

    def scaled(figures, until):
        if until is not None and until < datetime.date(2022, 3, 1):
            return {k: v // 2 for k, v in figures.items()}
        return dict(figures)

    def devices(*, plan_year, county_ids=None, until=None):
        calls["devices"].append((county_ids, until))
        if county_ids is not None and county_a.pk not in list(county_ids):
            return {}
        return {county_a.pk: scaled(DEVICE_FIGURES, until)}

    def training(*, plan_year, county_ids=None, until=None):
        calls["training"].append((county_ids, until))
        if county_ids is not None and county_a.pk not in list(county_ids):
            return {}
        return {county_a.pk: scaled(TRAINING_FIGURES, until)}

    monkeypatch.setattr("devices.selectors.county_device_summary", devices)
    monkeypatch.setattr("training.selectors.county_training_summary", training)
    return calls
