"""Writes of the office/training app. The pages and the commands call these, nothing else writes."""

from __future__ import annotations

from django.db import models, transaction

from budget.models import CountyPlan
from budget.services import PlanActionRefused, plan_for, plan_set_county_figures
from portal.cache import invalidate
from portal.models import User
from schools.models import County, PlanYear
from training.models import Attendance, TrainingSession, WorkingMeeting
from training.selectors import TRAINING
from training.selectors_office import plan_figures

# --- Office records ----------------------------------------------------------------------


@transaction.atomic
def office_record_save(*, instance: models.Model, user: User, minutes=None) -> models.Model:
    """Create or change one record of the office (the form has validated it). A meeting's
    `minutes` (an uploaded file) are attached in the same transaction: the meeting and its
    minutes are kept together or not at all."""
    instance.full_clean()
    instance.save()
    if minutes:
        meeting_minutes_attach(meeting=instance, uploaded_file=minutes, user=user)
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


# --- A new plan year ---------------------------------------------------------------------------------


def office_carry_over(*, source, target, user) -> int:
    """The office goes on into the new year: its staff, working groups and members are copied
    (the county corrects who left). Sessions, meetings and attendance stay with their year; A1
    and A2 count across years anyway. Called by budget.years.plan_year_open."""
    from portal.audit import CREATED, record_history
    from training.models import OfficeMember, OfficeStaff, WorkingGroup

    reason = f"由 {source.year} 年度帶入"
    groups = {}
    for group in WorkingGroup.objects.filter(plan_year=source):
        old_pk = group.pk
        group.pk = None
        group.plan_year = target
        groups[old_pk] = group
    WorkingGroup.objects.bulk_create(groups.values())
    staff = []
    for person in OfficeStaff.objects.filter(plan_year=source):
        person.pk = None
        person.plan_year = target
        staff.append(person)
    OfficeStaff.objects.bulk_create(staff)
    members = []
    for member in OfficeMember.objects.filter(plan_year=source):
        member.pk = None
        member.plan_year = target
        member.group = groups.get(member.group_id)
        members.append(member)
    OfficeMember.objects.bulk_create(members)
    for objs in (list(groups.values()), staff, members):
        if objs and objs[0].pk is not None:
            record_history(objs, kind=CREATED, user=user, reason=reason)
    invalidate(TRAINING)
    return len(staff)
