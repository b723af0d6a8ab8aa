"""The devices app's part of the URL matrix (tests/portal/test_url_matrix.py).

The world's objects are county A's, at school 154602 (not the school user's own school):
county B's officer and the school user get 404 for them, never their data."""

from __future__ import annotations

from datetime import date, timedelta

from devices.models import (
    DeviceStatus,
    Loan,
    RepairTicket,
    SoftwareItem,
    WirelessAllocation,
)
from portal.imports.uploads import upload_create
from schools.models import School
from tests.devices.conftest import device_row, devices_xlsx, make_batch, make_devices

LOGIN = "login"
ALL = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 200, "reviewer": 200, "admin": 200}
OBJECT_READ = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 200, "admin": 200}
OBJECT_WRITE = {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 404, "reviewer": 403, "admin": 302}
PROCURING = {
    "anonymous": LOGIN,
    "officer_a": 200,
    "officer_b": 200,
    "school_a": 403,
    "reviewer": 403,
    "admin": 200,
}
OWN_UPLOAD = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 404}
OWN_UPLOAD_POST = OWN_UPLOAD | {"officer_a": 302}
# A county officer acts for their own county; an admin must name one (none named: 404).
COUNTY_ACTION = {"anonymous": LOGIN, "officer_a": 302, "officer_b": 302, "school_a": 403, "reviewer": 403, "admin": 404}

MATRIX = {
    "device_list": ("GET", ALL),
    "device_detail": ("GET", OBJECT_READ),
    "device_status": ("POST", OBJECT_WRITE),
    "device_lend": ("POST", OBJECT_WRITE),
    "device_repair": ("POST", OBJECT_WRITE),
    # No device ticked: back to the list with a message; MOE reviewers lend nothing.
    "device_bulk_lend": (
        "GET",
        ALL | {"officer_a": 302, "officer_b": 302, "school_a": 302, "reviewer": 403, "admin": 302},
    ),
    "loan_list": ("GET", ALL),
    "loan_return": ("POST", OBJECT_WRITE),
    "repair_list": ("GET", ALL),
    "repair_close": ("POST", OBJECT_WRITE),
    "lending_rules": ("GET", OBJECT_READ),
    "device_import": ("GET", PROCURING),
    "device_import_template": ("GET", PROCURING),
    "device_import_preview": ("GET", OWN_UPLOAD),
    "device_import_confirm": ("POST", OWN_UPLOAD_POST),
    "device_import_discard": ("POST", OWN_UPLOAD_POST),
    "batch_list": ("GET", ALL),
    "batch_create": ("GET", PROCURING),
    "reconciliation": ("GET", ALL),
    "mdm_feed": ("POST", COUNTY_ACTION),
    "inspection_list": ("GET", ALL),
    "expiry_list": ("GET", ALL),
    "wireless": ("GET", ALL),
    "wireless_distribute": ("POST", COUNTY_ACTION),
    "wireless_classrooms": ("POST", OBJECT_WRITE),
    "software_catalogue": ("GET", ALL),
    "software_propose": ("GET", PROCURING),
    "software_decide": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 403, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "software_purchases": ("GET", ALL),
    "software_purchases_export": ("GET", ALL | {"school_a": 403}),
}


def extend_world(world: dict) -> None:
    plan = world["plan"]
    county, plan_year = plan.county, plan.plan_year
    officer = world["users"]["officer_a"]
    other = School.objects.get(code="154602")
    batch = make_batch(county, plan_year, tender_number="111-A-900")
    device, lent, broken = make_devices(batch, other, 3, prefix="WORLD")
    lent.status = DeviceStatus.LENT
    lent.save()
    broken.status = DeviceStatus.REPAIR
    broken.save()
    today = date.today()
    loan = Loan.objects.create(
        device=lent,
        school=other,
        borrower_code="701-15",
        lent_on=today,
        due_on=today + timedelta(days=7),
        created_by=officer,
    )
    ticket = RepairTicket.objects.create(
        device=broken,
        school=other,
        county=county,
        opened_on=today,
        fault="螢幕破裂",
        under_warranty=True,
        created_by=officer,
    )
    allocation = WirelessAllocation.objects.create(plan_year=plan_year, school=other, classes=20, ap_count=5)
    proposal = SoftwareItem.objects.create(
        name="某縣提案軟體",
        vendor="某公司",
        brand="某牌",
        unit_price=1000,
        status=SoftwareItem.Status.PROPOSED,
        proposed_by_county=county,
        security_statement="符合資安規範",
    )

    class File:
        name = "序號.xlsx"

        def __init__(self):
            self.content = devices_xlsx([device_row("UPLOAD0001", tender="111-A-900", school="154602")])

        def read(self):
            return self.content

    upload = upload_create(user=officer, kind="devices", uploaded_file=File(), plan_year=plan_year, county=county)
    world["devices"] = {
        "device": device,
        "loan": loan,
        "ticket": ticket,
        "allocation": allocation,
        "proposal": proposal,
        "upload": upload,
    }


def url_kwargs(world: dict) -> dict:
    objects = world["devices"]
    upload = {"upload_id": objects["upload"].pk}
    return {
        "device_detail": {"pk": objects["device"].pk},
        "device_status": {"pk": objects["device"].pk},
        "device_lend": {"pk": objects["device"].pk},
        "device_repair": {"pk": objects["device"].pk},
        "loan_return": {"pk": objects["loan"].pk},
        "repair_close": {"pk": objects["ticket"].pk},
        "lending_rules": {"code": "154602"},
        "device_import_preview": upload,
        "device_import_confirm": upload,
        "device_import_discard": upload,
        "wireless_classrooms": {"pk": objects["allocation"].pk},
        "software_decide": {"pk": objects["proposal"].pk},
    }
