"""Writes of the office/training app. The pages and the commands call these, nothing else writes."""

from __future__ import annotations

from django.db import models, transaction

from budget.models import CountyPlan
from budget.services import PlanActionRefused, plan_for, plan_set_county_figures
from portal.cache import invalidate
from portal.models import User
from schools.models import County, PlanYear
from training.models import Attendance, TrainingSession, WorkingMeeting
from training.selectors import TRAINING, plan_figures

# --- Office records ----------------------------------------------------------------------


@transaction.atomic
def office_record_save(*, instance: models.Model, user: User) -> models.Model:
    """Create or change one record of the office (the form has validated it)."""
    instance.full_clean()
    instance.save()
    invalidate(TRAINING)
    return instance


@transaction.atomic
def office_record_delete(*, instance: models.Model, user: User) -> None:
    if isinstance(instance, WorkingMeeting) and instance.minutes:
        # The file goes only once the row is gone for good.
        name = instance.minutes.name
        storage = instance.minutes.storage
        transaction.on_commit(lambda: storage.delete(name))
    instance.delete()
    invalidate(TRAINING)


@transaction.atomic
def meeting_minutes_attach(*, meeting: WorkingMeeting, uploaded_file, user: User) -> WorkingMeeting:
    """Replace the meeting's minutes (the form has checked size and type)."""
    old = meeting.minutes.name if meeting.minutes else ""
    meeting.minutes_name = uploaded_file.name[:255]
    meeting.minutes.save(uploaded_file.name, uploaded_file, save=False)
    meeting.save(update_fields=["minutes", "minutes_name"])
    if old and old != meeting.minutes.name:
        storage = meeting.minutes.storage
        transaction.on_commit(lambda: storage.delete(old))
    return meeting


# --- Attendance ----------------------------------------------------------------------------


@transaction.atomic
def attendance_add(*, session: TrainingSession, school, teacher_code: str, name: str, user: User) -> Attendance:
    """One teacher typed in on the session's page (the form has checked the identifier)."""
    attendance = Attendance(session=session, school=school, teacher_code=teacher_code, name=name)
    attendance.full_clean()
    attendance.save()
    invalidate(TRAINING)
    return attendance


@transaction.atomic
def attendance_delete(*, attendance: Attendance, user: User) -> None:
    attendance.delete()
    invalidate(TRAINING)


# --- Into the county plan --------------------------------------------------------------------


def office_figures_to_plan(*, county: County, plan_year: PlanYear, user: User) -> tuple[CountyPlan, dict]:
    """Lines 7, 9 and 10 of the budget table from the office's staff and sessions, through
    the budget app's one door for other apps' figures. Refused (PlanActionRefused) when the
    county may not change its plan now."""
    plan = plan_for(county=county, plan_year=plan_year)
    figures = plan_figures(county=county, plan_year=plan_year)
    plan = plan_set_county_figures(plan=plan, user=user, values=figures, source="推動辦公室人力與研習場次")
    return plan, figures


__all__ = ["PlanActionRefused"]
