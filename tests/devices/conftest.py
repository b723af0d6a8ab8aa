"""Fixtures of the devices tests: county A's roster (two schools), a procurement batch,
devices made directly, and serial-list workbooks written like a vendor's file."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from devices.importing import HEADER_TEXTS
from devices.models import Device, DeviceStatus, Funding, ProcurementBatch
from tests.conftest import SCHOOL_A1, SCHOOL_A2, SCHOOL_B1, load_two_counties

OWN_SCHOOL = SCHOOL_A1  # school_user_a's school
OTHER_SCHOOL = SCHOOL_A2  # another school of county A
SCHOOL_B = SCHOOL_B1  # a school of county B


@pytest.fixture
def rosters(plan_year, county_a, county_b, school_a):
    """County A: 154601 (一般, 20 classes: entitled and requested 8 teacher + 112 student) and
    154602 (偏遠: every teacher and student, 37 + 516); county B: 144601."""
    return load_two_counties(
        plan_year, a2={"area": "偏遠", "req_carts": 20, "req_teacher_devices": 37, "req_student_devices": 516}
    )


def make_batch(county, plan_year, **overrides) -> ProcurementBatch:
    values = {
        "tender_number": "111-A-001",
        "funding": Funding.PLAN,
        "vendor": "宏碁股份有限公司",
        "brand": "Acer",
        "model_name": "TravelMate B3",
        "unit_price": 13_000,
        "quantity": 1_000,
        "contract_date": date(2022, 7, 1),
        "delivery_date": date(2022, 9, 1),
        "mdm_years": 4,
        "warranty_years": 4,
    }
    values.update(overrides)
    return ProcurementBatch.objects.create(county=county, plan_year=plan_year, **values)


@pytest.fixture
def batch_a(county_a, plan_year) -> ProcurementBatch:
    return make_batch(county_a, plan_year)


def make_devices(batch, school, count, *, prefix="SN", start=0, **overrides) -> list[Device]:
    values = {
        "status": DeviceStatus.IN_USE if school else DeviceStatus.IN_STOCK,
        "delivered_on": date(2022, 9, 1) if school else None,
        "licence_until": batch.licence_until,
        "warranty_until": batch.warranty_until,
    }
    values.update(overrides)
    devices = [
        Device(
            serial=f"{prefix}{start + i:07d}",
            batch=batch,
            county_id=batch.county_id,
            school=school,
            **values,
        )
        for i in range(count)
    ]
    return Device.objects.bulk_create(devices)


HEADERS = list(HEADER_TEXTS.values())


def device_row(
    serial,
    tender="111-A-001",
    school=OWN_SCHOOL,
    use="學生",
    asset="",
    status="",
    delivered="111/09/05",
    mdm="111/09/10",
    brand="",
):
    return [serial, tender, school, use, asset, status, delivered, mdm, brand]


def devices_xlsx(rows, headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def devices_csv(rows, headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
