"""Demo data of devices: the blocked list, a procurement batch delivered to the demo county's
schools (some not yet in MDM), county stock and spares, a loan overdue, a repair, the
software catalogue, and a serial list to try the import page with (var/demo/)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from devices.importing import HEADER_TEXTS
from devices.models import BlockedBrand, Device, DeviceStatus, Funding, ProcurementBatch, SoftwareItem
from devices.services import loan_create, repair_open
from portal.db import refresh_statistics
from schools.models import RosterRow

BLOCKED = ("Huawei／華為", "Lenovo／聯想", "Xiaomi／小米", "Hikvision／海康威視", "ZTE／中興", "Dahua／大華")
CATALOGUE = (
    ("因材網進階診斷模組", "國立臺中教育大學", "因材網", "校", 0),
    ("PaGamO 學習平臺", "PaGamO 公司", "PaGamO", "帳號", 300),
    ("Cool English 英語線上學習", "國立臺灣師範大學", "Cool English", "校", 0),
    ("數學互動教具組", "臺灣教具公司", "MathKit", "套", 12_000),
)


def seed(*, county, plan_year, users) -> str:
    for name in BLOCKED:
        BlockedBrand.objects.get_or_create(name=name)
    for name, vendor, brand, unit, price in CATALOGUE:
        SoftwareItem.objects.get_or_create(
            name=name, defaults={"vendor": vendor, "brand": brand, "unit": unit, "unit_price": price}
        )
    if ProcurementBatch.objects.filter(county=county).exists():
        return ""
    rows = list(
        RosterRow.objects.filter(plan_year=plan_year, school__county=county)
        .values("school_id")
        .annotate(entitled=Sum(F("entitled_teacher_devices") + F("entitled_student_devices")))
        .order_by("school__code")
    )
    wanted = sum(r["entitled"] for r in rows)
    batch = ProcurementBatch.objects.create(
        county=county,
        plan_year=plan_year,
        funding=Funding.PLAN,
        tender_number=f"{plan_year.year}-HL-001",
        vendor="宏碁股份有限公司",
        brand="Acer",
        model_name="Chromebook Spin 511",
        unit_price=plan_year.rule_set.device_unit_price,
        quantity=wanted + 200,
        contract_date=date(2022, 6, 15),
        delivery_date=date(2022, 9, 20),
        mdm_years=plan_year.rule_set.mdm_licence_years,
        warranty_years=plan_year.rule_set.warranty_years,
    )
    earlier = ProcurementBatch.objects.create(
        county=county,
        plan_year=plan_year,
        funding=Funding.EARLIER_MOE,
        tender_number="109-HL-007",
        vendor="華碩電腦",
        brand="ASUS",
        model_name="BR1100",
        unit_price=12_000,
        quantity=400,
        contract_date=date(2020, 8, 1),
        delivery_date=date(2020, 9, 1),
        mdm_years=0,
        warranty_years=3,
    )
    devices = []
    for index, row in enumerate(rows):
        # Most schools complete; every fifth still waits for a third of its devices; MDM lags behind.
        count = row["entitled"] - (row["entitled"] // 3 if index % 5 == 4 else 0)
        for n in range(count):
            devices.append(
                Device(
                    serial=f"HL{len(devices):07d}",
                    batch=batch,
                    county=county,
                    school_id=row["school_id"],
                    use="teacher" if n < 2 else "student",
                    status=DeviceStatus.IN_USE,
                    delivered_on=batch.delivery_date,
                    mdm_enrolled_on=None if index % 7 == 3 or n % 10 == 9 else date(2022, 9, 30),
                    licence_until=batch.licence_until,
                    warranty_until=batch.warranty_until,
                )
            )
    for n in range(40):
        devices.append(
            Device(
                serial=f"HLS{n:06d}",
                batch=batch,
                county=county,
                status=DeviceStatus.SPARE,
                licence_until=batch.licence_until,
                warranty_until=batch.warranty_until,
            )
        )
    soon = timezone.localdate() + timedelta(days=120)
    for n in range(300):
        devices.append(
            Device(
                serial=f"AS109{n:05d}",
                batch=earlier,
                county=county,
                school_id=rows[n % len(rows)]["school_id"],
                status=DeviceStatus.IN_USE,
                delivered_on=earlier.delivery_date,
                warranty_until=soon,
            )
        )
    Device.objects.bulk_create(devices, batch_size=5_000)
    refresh_statistics(Device)

    officer = users["county"]
    school_user = users["school"]
    own = list(Device.objects.filter(school=school_user.school, batch=batch).order_by("serial")[:3])
    today = timezone.localdate()
    if len(own) == 3:
        loan_create(
            device=own[0],
            user=school_user,
            borrower_code="601-07",
            purpose="home_disadvantaged",
            lent_on=today - timedelta(days=45),
            due_on=today - timedelta(days=15),
        )
        loan_create(device=own[1], user=school_user, borrower_code="502-21", purpose="home_multichild")
        repair_open(
            device=own[2], user=officer, fault="螢幕無法顯示", spare=Device.objects.filter(serial="HLS000000").first()
        )

    demo_dir = Path(settings.VAR_DIR) / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER_TEXTS.values()))
    code = RosterRow.objects.filter(plan_year=plan_year, school__county=county).values_list("school__code", flat=True)[
        0
    ]
    for n in range(150):
        sheet.append(
            [
                f"HLNEW{n:05d}",
                batch.tender_number,
                code if n < 100 else "",
                "學生",
                "",
                "",
                "111/09/28" if n < 100 else "",
                "",
                "",
            ]
        )
    workbook.save(demo_dir / "載具序號-示範.xlsx")
    return f"已建立{county.name}載具示範資料：{len(devices):,} 臺（序號匯入示範檔：{demo_dir / '載具序號-示範.xlsx'}）"
