"""Reporting's URLs in the project-wide matrix (tests/portal/test_url_matrix.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.imports.uploads import upload_create
from reporting.models import MonthlyReport
from reporting.services_monthly import monthly_report_for
from tests.reporting.conftest import usage_csv, usage_row

LOGIN = "login"
EVERYONE = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 200, "reviewer": 200, "admin": 200}
UPLOADERS = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 200, "reviewer": 403, "admin": 200}
COUNTY_AND_MOE = {
    "anonymous": LOGIN,
    "officer_a": 200,
    "officer_b": 200,
    "school_a": 403,
    "reviewer": 200,
    "admin": 200,
}
OWN_UPLOAD = {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 403, "admin": 404}
OWN_UPLOAD_POST = {key: (302 if value == 200 else value) for key, value in OWN_UPLOAD.items()}

MATRIX = {
    "usage_overview": ("GET", EVERYONE),
    "usage_import": ("GET", UPLOADERS),
    "usage_import_preview": ("GET", OWN_UPLOAD),
    "usage_import_confirm": ("POST", OWN_UPLOAD_POST),
    "usage_import_discard": ("POST", OWN_UPLOAD_POST),
    "usage_entry": ("GET", UPLOADERS),
    "usage_template": ("GET", UPLOADERS),
    "usage_export": ("GET", COUNTY_AND_MOE),
    "usage_missing": ("GET", COUNTY_AND_MOE),
    "outcomes": ("GET", COUNTY_AND_MOE),
    "completeness": ("GET", COUNTY_AND_MOE),
    "dashboard": ("GET", COUNTY_AND_MOE),
    "equity": ("GET", COUNTY_AND_MOE),
    # Those who see every county are sent on to the completeness grid.
    "monthly_reports": ("GET", COUNTY_AND_MOE | {"reviewer": 302, "admin": 302}),
    "monthly_report": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    # Submitting without notes is refused with a message: back to the report.
    "monthly_report_submit": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 302},
    ),
    "monthly_report_return": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 404, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
}


def extend_world(world) -> None:
    plan = world["plan"]
    world["monthly_report"] = monthly_report_for(
        county=plan.county, plan_year=plan.plan_year, month=plan.plan_year.period_start.replace(month=3)
    )
    assert world["monthly_report"].status == MonthlyReport.Status.DRAFT


def url_kwargs(world) -> dict:
    # A fresh upload of county A's officer each time: confirm and discard use it up.
    plan = world["plan"]
    upload = upload_create(
        user=world["users"]["officer_a"],
        kind="usage",
        uploaded_file=SimpleUploadedFile("usage.csv", usage_csv([usage_row(code="154602")])),
        plan_year=plan.plan_year,
        county=plan.county,
    )
    report = {"year": plan.plan_year.year, "county_code": plan.county.code, "month": "2022-03"}
    return {
        "usage_import_preview": {"upload_id": upload.pk},
        "usage_import_confirm": {"upload_id": upload.pk},
        "usage_import_discard": {"upload_id": upload.pk},
        "monthly_report": report,
        "monthly_report_submit": report,
        "monthly_report_return": report,
    }
