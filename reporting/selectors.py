"""Export jobs read: which version of a plan a document shows, and the jobs a user may see.
Writes (asking, claiming, finishing) are in reporting.services."""

from __future__ import annotations

from budget.models import CountyPlan, PlanSubmission
from portal import access
from portal.models import User
from reporting.models import ExportJob

RECENT_JOBS = 50


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


def export_job_get(*, user: User, pk: int) -> ExportJob:
    """One job the user may see (another county's answers 404)."""
    jobs = ExportJob.objects.select_related("plan_year", "county", "submission", "requested_by")
    return access.get_for_user(jobs, user, pk=pk)


def export_jobs_recent(*, user: User):
    """The user's own latest jobs."""
    jobs = access.for_user(ExportJob.objects.filter(requested_by=user), user)
    return jobs.select_related("plan_year", "county", "submission")[:RECENT_JOBS]
