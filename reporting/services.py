"""Export jobs: asked for on a page, rendered by a Celery worker, downloaded when done."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from budget.models import CountyPlan, PlanSubmission
from portal.cache import invalidate
from portal.models import User
from reporting.cache import OUTCOMES
from reporting.models import ExportJob
from reporting.rendering import plan_document, plan_pdf, plan_xlsx, results_pdf, results_title
from schools.models import County, PlanYear
from schools.selectors import roster_export_workbook

logger = logging.getLogger(__name__)
XLSX = "xlsx"


@transaction.atomic
def export_job_request(
    *,
    user: User,
    kind: str,
    plan_year: PlanYear,
    county: County | None = None,
    plan: CountyPlan | None = None,
    submission: PlanSubmission | None = None,
) -> ExportJob:
    """Record the request; the worker gets the job's id once the row is committed."""
    from reporting.tasks import render_export

    job = ExportJob.objects.create(
        kind=kind, requested_by=user, plan_year=plan_year, county=county, plan=plan, submission=submission
    )
    transaction.on_commit(lambda: render_export.delay(job.pk))
    return job


def plan_document_submission(
    plan: CountyPlan, *, number: int | None = None, draft: bool = False
) -> PlanSubmission | None:
    """Which version of the plan a document shows: the submission asked for by number; the
    current data (None) while the county may still edit it or when a draft is asked for;
    otherwise what was last submitted. Raises PlanSubmission.DoesNotExist for a wrong number."""
    if number:
        return plan.submissions.get(number=number)
    if draft or plan.county_may_edit:
        return None
    return plan.submissions.order_by("-number").first()


def export_job_progress(job_id: int, percent: int, note: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=min(100, max(0, percent)), progress_note=note[:100])


def export_job_render(job: ExportJob) -> tuple[bytes, str]:
    """The document's bytes and file name (the same code `manage.py render_plan` runs)."""

    def progress(percent: int, note: str) -> None:
        export_job_progress(job.pk, percent, note)

    if job.kind == ExportJob.Kind.ROSTER_XLSX:
        progress(20, "讀取名單")
        content, _count = roster_export_workbook(plan_year=job.plan_year, county=job.county, user=None)
        label = job.county.name if job.county else "全國"
        return content, f"{job.plan_year.year}年{label}國民中小學名單.{XLSX}"
    if job.kind == ExportJob.Kind.RESULTS_PDF:
        return results_pdf(job.plan_year, job.county, progress), f"{results_title(job.plan_year, job.county)}.pdf"
    progress(10, "讀取計畫資料")
    document = plan_document(job.plan, job.submission)
    if job.kind == ExportJob.Kind.PLAN_PDF:
        return plan_pdf(document, progress), document.filename("pdf")
    return plan_xlsx(document, progress), document.filename(XLSX)


def export_job_finish(*, job: ExportJob, content: bytes, filename: str) -> None:
    job.file.save(f"job-{job.pk}.{filename.rsplit('.', 1)[-1]}", ContentFile(content), save=False)
    job.filename = filename
    job.status = ExportJob.Status.DONE
    job.progress = 100
    job.progress_note = "完成"
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "status", "progress", "progress_note", "error", "finished_at"])


def export_job_fail(*, job_id: int, reason: str) -> None:
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def export_jobs_delete_old_files(*, older_than_days: int | None = None) -> int:
    """Files of jobs finished long ago are deleted; the rows stay as the record of who asked."""
    days = settings.EXPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    count = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        job.save(update_fields=["file"])
        count += 1
    return count


# --- Learning outcomes and learning-support classes (entered by the county) ------------------


@transaction.atomic
def outcome_save(*, plan_year: PlanYear, county: County, subject: str, sampled: int, improved: int, method: str = ""):
    """One subject's sampled evaluation; the same subject again replaces its figures."""
    from reporting.models import LearningOutcome

    if improved > sampled:
        raise ValueError("成效提升人數不可多於抽樣人數")
    outcome, _ = LearningOutcome.objects.update_or_create(
        plan_year=plan_year,
        county=county,
        subject=subject.strip(),
        defaults={"sampled_students": sampled, "improved_students": improved, "method": method},
    )
    invalidate(OUTCOMES)
    return outcome


@transaction.atomic
def support_figures_save(*, plan_year: PlanYear, county: County, support_classes: int, digital_classes: int):
    from reporting.models import SupportClassFigures

    if digital_classes > support_classes:
        raise ValueError("融入數位教學的班級數不可多於學習扶助班級數")
    figures, _ = SupportClassFigures.objects.update_or_create(
        plan_year=plan_year,
        county=county,
        defaults={"support_classes": support_classes, "digital_classes": digital_classes},
    )
    invalidate(OUTCOMES)
    return figures
