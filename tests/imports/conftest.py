"""A world every import kind can run in: county A's two schools and county B's one, a
procurement batch and a training session of county A; for each kind a clean two-row file
and the counts of every table an import writes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from devices.models import Device
from portal.imports.kinds import get_kind
from reporting.models import UsageRecord
from schools.models import RosterRow, School
from tests.conftest import client_for, load_roster, record, roster_bytes
from tests.devices.conftest import device_row, devices_xlsx, make_batch
from tests.reporting.conftest import usage_csv, usage_row
from tests.training.conftest import sheet_bytes
from tests.training.factories import make_session
from training.models import Attendance

KINDS = ("roster", "devices", "attendance", "usage")


@pytest.fixture
def world(plan_year, county_a, county_b, school_a):
    load_roster(plan_year, [record(code="154601"), record(code="154602", name="花蓮縣立另一國小")])
    load_roster(plan_year, [record(code="144601", county="臺東縣", name="臺東縣立某國小")], county_label="臺東縣")
    make_batch(county_a, plan_year)
    make_session(plan_year, county_a, code="A1-001")
    return {"plan_year": plan_year, "county": county_a}


def clean_file(kind: str, *, variant: int = 0) -> bytes:
    """Two good rows of the kind (a variant changes the figures, not the keys)."""
    if kind == "roster":
        return roster_bytes([record(code="154601", teachers=37 + variant), record(code="154602", name="另一國小")])
    if kind == "devices":
        return devices_xlsx([device_row(f"C{variant}-1"), device_row(f"C{variant}-2")])
    if kind == "attendance":
        return sheet_bytes([["A1-001", "154601", "T001", ""], ["A1-001", "154602", f"T{variant:03d}", ""]])
    return usage_csv([usage_row(hours=str(100 + variant)), usage_row(code="154602", hours="50")])


def written() -> dict[str, int]:
    """Rows of every table an import writes (pending uploads aside)."""
    return {
        "schools": School.objects.count(),
        "roster": RosterRow.objects.count(),
        "roster_history": RosterRow.history.count(),
        "devices": Device.objects.count(),
        "attendance": Attendance.objects.count(),
        "usage": UsageRecord.objects.count(),
    }


def upload_file(client, kind: str, content: bytes, name: str = "檔案.xlsx"):
    """The kind's upload page, as a county officer fills it."""
    data = {"file": SimpleUploadedFile(name, content)}
    if get_kind(kind).asks_plan_year:
        data["plan_year"] = 111
    return client.post(reverse(get_kind(kind).urls.upload), data)


@pytest.fixture
def officer_client(officer_a):
    return client_for(officer_a)
