"""Demo data of the office: staff, meetings, lessons, key schools, sessions and a year of
attendance for 花蓮縣, so that every page of the office shows something under `make run`."""

from __future__ import annotations

import datetime
import random

from schools.models import RosterRow
from training import models as m

SESSIONS = (
    ("A1-001", m.SessionKind.A1, "數位學習工作坊(一)：科技輔助自主學習", datetime.date(2022, 4, 13), 20, 0),
    ("A1-002", m.SessionKind.A1, "數位學習工作坊(一)：平臺特色", datetime.date(2022, 5, 11), 18, 6),
    ("A2-001", m.SessionKind.A2, "數位學習工作坊(二)：載具操作與平臺應用", datetime.date(2022, 6, 8), 20, 4),
    ("A2-002", m.SessionKind.A2, "數位學習工作坊(二)：平臺進階", datetime.date(2022, 9, 21), 16, 8),
    ("L-001", m.SessionKind.LITERACY_SECURITY, "數位素養：資訊安全", datetime.date(2022, 10, 5), 10, 0),
    ("IT-001", m.SessionKind.IT_STAFF, "資訊組長增能：MDM 與校園網路", datetime.date(2022, 8, 17), 0, 0),
)


def seed(*, county, plan_year, users) -> str:
    if m.TrainingSession.objects.filter(plan_year=plan_year, county=county).exists():
        return ""
    rng = random.Random(111)  # noqa: S311 - demo figures, the same on every run
    schools = [
        row.school
        for row in RosterRow.objects.filter(plan_year=plan_year, school__county=county, level="國小")
        .select_related("school")
        .order_by("school__code")
    ]
    for kind, name, full in (
        (m.StaffKind.COUNSELOR, "林輔導員", True),
        (m.StaffKind.COUNSELOR, "黃輔導員", True),
        (m.StaffKind.IT, "張工程師", True),
        (m.StaffKind.ADMIN, "陳行政", False),
    ):
        m.OfficeStaff.objects.create(plan_year=plan_year, county=county, kind=kind, name=name, full_time=full)
    groups = {
        name: m.WorkingGroup.objects.create(plan_year=plan_year, county=county, name=name, duties=duties)
        for name, duties in (
            ("行政推動組", "工作會議、計畫管考、月報"),
            ("資訊網路組", "無線網路、MDM、載具管理"),
            ("教學與增能組", "研習、到校輔導、公開觀議課"),
        )
    }
    m.OfficeMember.objects.create(
        plan_year=plan_year,
        county=county,
        kind=m.MemberKind.EXPERT,
        name="吳教授",
        affiliation="國立東華大學",
        group=groups["教學與增能組"],
    )
    m.OfficeMember.objects.create(
        plan_year=plan_year,
        county=county,
        kind=m.MemberKind.COUNTY_UNIT,
        name="李科長",
        affiliation="教育處國教科",
        group=groups["行政推動組"],
    )
    for month in (2, 3, 4, 5, 6, 8, 9, 10, 11):  # no meeting in July and December yet
        m.WorkingMeeting.objects.create(
            plan_year=plan_year,
            county=county,
            held_on=datetime.date(2022, month, 15),
            topic=f"{month}月工作會議",
            invited_roles="輔導團、資訊中心",
        )
    for school in schools[: len(schools) * 2 // 3]:
        m.PublicLesson.objects.create(
            plan_year=plan_year,
            school=school,
            held_on=datetime.date(2022, rng.randint(3, 11), rng.randint(1, 28)),
            teacher="授課教師",
            subject=rng.choice(["國語", "數學", "自然", "英語"]),
        )
    for school in schools[:4]:
        m.SchoolDesignation.objects.create(
            plan_year=plan_year, school=school, kind=m.DesignationKind.KEY, plan_text="建立校際社群並辦理公開課"
        )
    if schools:
        m.SchoolVisit.objects.create(
            plan_year=plan_year,
            school=schools[0],
            visited_on=datetime.date(2022, 10, 12),
            kind=m.VisitKind.GUIDANCE,
            findings="教師不熟悉平臺派送作業",
            help_given="示範派送與批改",
            follow_up="11月再訪",
        )
        m.HelpRequest.objects.create(
            plan_year=plan_year,
            county=county,
            school=schools[1 % len(schools)],
            requester=m.RequesterKind.PARENT,
            received_on=datetime.date(2022, 5, 20),
            subject="居家學習無法登入平臺",
        )
    m.Promotion.objects.create(
        plan_year=plan_year,
        county=county,
        kind=m.PromotionKind.EXHIBITION,
        title="數位學習成果展",
        held_on=datetime.date(2022, 12, 10),
        participants=350,
        schools=42,
    )
    sessions = [
        m.TrainingSession.objects.create(
            plan_year=plan_year,
            county=county,
            code=code,
            kind=kind,
            title=title,
            held_on=day,
            hours=6,
            place="花蓮縣教育網路中心",
            capacity=60,
            substitute_periods_elementary=elementary,
            substitute_periods_junior=junior,
        )
        for code, kind, title, day, elementary, junior in SESSIONS
    ]
    attendance = []
    for school in schools:
        for n in range(rng.randint(2, 8)):
            code = f"T{n:03d}"
            for session, share in zip(sessions[:5], (0.6, 0.5, 0.5, 0.4, 0.15), strict=True):
                if rng.random() < share:
                    attendance.append(m.Attendance(session=session, school=school, teacher_code=code))
        attendance.append(m.Attendance(session=sessions[5], school=school, teacher_code="IT01"))
    m.Attendance.objects.bulk_create(attendance)
    return f"已建立{county.name}推動辦公室示範資料（研習 {len(sessions)} 場、完成紀錄 {len(attendance)} 筆）"
