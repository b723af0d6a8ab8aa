"""Writes of the office/training app. The pages and the commands call these, nothing else writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction

from budget.models import CountyPlan
from budget.services import PlanActionRefused, plan_for, plan_set_county_figures
from portal.cache import invalidate
from portal.db import refresh_statistics
from portal.models import PendingUpload, User
from portal.uploads import upload_confirmed, upload_read
from schools.models import County, PlanYear
from schools.roster_format import Problem
from training.importing import AttendanceParse, AttendanceRow, parse_attendance
from training.models import Attendance, TrainingSession, WorkingMeeting
from training.selectors import TRAINING, plan_figures, schools_by_code

ATTENDANCE_UPLOAD_KIND = "attendance"
INSERT_BATCH = 5_000


class AttendanceImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(str(p) for p in problems[:5]))
        self.problems = problems


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


@dataclass
class AttendancePreview:
    """What confirming would do, computed without writing anything."""

    parse: AttendanceParse
    errors: list[Problem]
    new: list[AttendanceRow] = field(default_factory=list)
    already: int = 0
    sessions: dict[str, TrainingSession] = field(default_factory=dict)
    schools: dict = field(default_factory=dict)
    per_session: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> dict:
        return {"rows": len(self.parse.rows), "new": len(self.new), "already": self.already}


def attendance_parse_file(*, content: bytes) -> AttendanceParse:
    return parse_attendance(content, max_bytes=settings.UPLOAD_MAX_BYTES)


def attendance_preview(*, parse: AttendanceParse, plan_year: PlanYear, county: County) -> AttendancePreview:
    """Check the file against the county's sessions of the year and the portal's schools.
    Three queries whatever the number of rows."""
    if not parse.rows:
        return AttendancePreview(parse=parse, errors=list(parse.errors))
    sessions = {
        s.code: s
        for s in TrainingSession.objects.filter(
            plan_year=plan_year, county=county, code__in={r.session_code for r in parse.rows}
        )
    }
    schools = schools_by_code(r.school_code for r in parse.rows)
    # The file's own problems and the database's, together: the county fixes the file once.
    errors: list[Problem] = list(parse.errors)
    for row in parse.rows:
        session = sessions.get(row.session_code)
        school = schools.get(row.school_code)
        if session is None:
            errors.append(
                Problem(
                    row.excel_row,
                    parse.where("session"),
                    f"{county.name} {plan_year.year} 年度沒有研習代碼為「{row.session_code}」的場次（請先建立場次）",
                )
            )
        if school is None:
            errors.append(Problem(row.excel_row, parse.where("school"), f"本系統沒有學校代碼 {row.school_code} 的學校"))
        elif session is not None and not session.open_to_other_schools and school.county_id != county.pk:
            errors.append(
                Problem(
                    row.excel_row,
                    parse.where("school"),
                    f"場次 {session.code} 只開放{county.name}的學校，{school.name}屬於{school.county.name}",
                )
            )
    errors.sort(key=lambda p: p.row or 0)
    preview = AttendancePreview(parse=parse, errors=errors, sessions=sessions, schools=schools)
    if errors:
        return preview
    existing = set(
        Attendance.objects.filter(session__in=sessions.values()).values_list(
            "session__code", "school__code", "teacher_code"
        )
    )
    per_session: dict[str, dict] = {}
    for row in parse.rows:
        item = per_session.setdefault(row.session_code, {"session": sessions[row.session_code], "new": 0, "already": 0})
        if row.key in existing:
            preview.already += 1
            item["already"] += 1
        else:
            preview.new.append(row)
            item["new"] += 1
    preview.per_session = sorted(per_session.values(), key=lambda item: item["session"].code)
    return preview


@transaction.atomic
def attendance_import(*, parse: AttendanceParse, plan_year: PlanYear, county: County, user: User | None) -> dict:
    """All or nothing: every row of the file is recorded, or none (rows already recorded stay)."""
    preview = attendance_preview(parse=parse, plan_year=plan_year, county=county)
    if not preview.ok:
        raise AttendanceImportRefused(preview.errors)
    records = [
        Attendance(
            session=preview.sessions[row.session_code],
            school=preview.schools[row.school_code],
            teacher_code=row.teacher_code,
            name=row.name,
        )
        for row in preview.new
    ]
    Attendance.objects.bulk_create(records, batch_size=INSERT_BATCH)
    invalidate(TRAINING)
    if len(records) > 1000:
        refresh_statistics(Attendance)
    return preview.summary


def attendance_upload_confirm(*, upload: PendingUpload, user: User) -> dict:
    if upload.status != PendingUpload.Status.PENDING:
        raise AttendanceImportRefused([Problem(None, "", "這個檔案已處理過，請重新上傳")])
    parse = attendance_parse_file(content=upload_read(upload))
    with transaction.atomic():
        summary = attendance_import(parse=parse, plan_year=upload.plan_year, county=upload.county, user=user)
        upload_confirmed(upload=upload, summary=summary)
    return summary


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


__all__ = ["ATTENDANCE_UPLOAD_KIND", "AttendanceImportRefused", "PlanActionRefused"]
