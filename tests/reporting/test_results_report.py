"""The year-end results report (成果報告) through the export jobs: asked for, rendered, its text."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.importing import USAGE_IMPORT
from reporting.models import ExportJob, MonthlyReport, MonthlySpending
from reporting.services_outcomes import outcome_save
from tests.conftest import client_for
from tests.reporting.conftest import usage_csv, usage_row

pytestmark = pytest.mark.django_db


def pdf_text(job: ExportJob) -> str:
    reader = PdfReader(io.BytesIO(job.file.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_county_asks_for_its_results_report(
    roster, plan_year, county_a, officer_a, summaries, django_capture_on_commit_callbacks
):
    parse = pipeline.read_file(
        USAGE_IMPORT,
        usage_csv([usage_row(), usage_row(code="154602", hours="9.5")]),
        target=ImportTarget(plan_year=plan_year),
    )
    pipeline.import_rows(USAGE_IMPORT, parse, target=ImportTarget(plan_year=plan_year), user=officer_a)
    outcome_save(plan_year=plan_year, county=county_a, subject="數學", sampled=120, improved=48, method="前後測")
    report = MonthlyReport.objects.create(
        county=county_a,
        plan_year=plan_year,
        month=datetime.date(2022, 3, 1),
        status="submitted",
        notes="三月辦理成果展籌備會議。",
        first_submitted_at=datetime.datetime(2022, 4, 8, 10, tzinfo=datetime.UTC),
        submitted_at=datetime.datetime(2022, 4, 8, 10, tzinfo=datetime.UTC),
    )
    MonthlySpending.objects.create(report=report, line=7, amount_ntd=1_234_567)
    client = client_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export_request"), {"kind": "results_pdf", "year": 111, "county": county_a.code})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    assert job.status == "done", job.error
    assert job.filename == "111年花蓮縣推動中小學數位學習精進方案成果報告.pdf"
    text = pdf_text(job).replace(" ", "")
    for expected in (
        "111年花蓮縣推動中小學數位學習精進方案成果報告",
        "預期績效指標達成情形",
        "購置學習載具總臺數",
        "900臺",
        "數學",
        "40%",  # 48 of 120
        "130",  # March's hours (no trailing .0)
        "1,234,567",
        "三月辦理成果展籌備會議",
        "準時",
        "第1頁",
    ):
        assert expected in text, expected


def test_another_county_cannot_ask_for_county_a_and_a_school_not_at_all(roster, officer_b, school_user_a, county_a):
    response = client_for(officer_b).post(
        reverse("export_request"), {"kind": "results_pdf", "year": 111, "county": county_a.code}
    )
    assert response.status_code == 404
    response = client_for(school_user_a).post(
        reverse("export_request"), {"kind": "results_pdf", "year": 111, "county": county_a.code}
    )
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
