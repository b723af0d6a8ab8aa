"""Objects of the office/training app for tests (the url matrix, the views, the bench)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from schools.models import School
from training import models as m


def make_session(plan_year, county, *, code="A1-001", kind=m.SessionKind.A1, held_on=None, **extra):
    values = {
        "title": f"研習 {code}",
        "held_on": held_on or datetime.date(2022, 9, 5),
        "hours": 3,
        "place": "縣立教師研習中心",
        "capacity": 40,
    } | extra
    return m.TrainingSession.objects.create(plan_year=plan_year, county=county, code=code, kind=kind, **values)


def attend(session, school: School, *codes: str):
    return [m.Attendance.objects.create(session=session, school=school, teacher_code=code) for code in codes]


def make_record(slug: str, *, plan_year, county, school: School):
    """One record of each kind the generic office pages handle."""
    day = datetime.date(2022, 3, 10)
    if slug == "staff":
        return m.OfficeStaff.objects.create(plan_year=plan_year, county=county, kind="counselor", name="王輔導")
    if slug == "groups":
        return m.WorkingGroup.objects.create(plan_year=plan_year, county=county, name="教學與增能組")
    if slug == "members":
        return m.OfficeMember.objects.create(plan_year=plan_year, county=county, kind="expert", name="林教授")
    if slug == "visits":
        return m.SchoolVisit.objects.create(
            plan_year=plan_year, school=school, visited_on=day, kind="guidance", findings="載具充電車未啟用"
        )
    if slug == "requests":
        return m.HelpRequest.objects.create(
            plan_year=plan_year, county=county, requester="parent", received_on=day, subject="帳號無法登入"
        )
    if slug == "promotions":
        return m.Promotion.objects.create(
            plan_year=plan_year, county=county, kind="exhibition", title="成果展", held_on=day, participants=120
        )
    if slug == "meetings":
        meeting = m.WorkingMeeting(plan_year=plan_year, county=county, held_on=day, topic="第一次工作會議")
        meeting.minutes_name = "紀錄.pdf"
        meeting.minutes.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=False)
        meeting.save()
        return meeting
    if slug == "lessons":
        return m.PublicLesson.objects.create(
            plan_year=plan_year, school=school, held_on=day, teacher="陳老師", subject="數學"
        )
    if slug == "designations":
        return m.SchoolDesignation.objects.create(plan_year=plan_year, school=school, kind="key", plan_text="推動計畫")
    if slug == "sessions":
        return make_session(plan_year, county, code=f"S-{m.TrainingSession.objects.count() + 1}")
    raise ValueError(slug)
