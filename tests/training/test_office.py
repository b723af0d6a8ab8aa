"""The office's gaps and targets: months without a meeting, schools without a public lesson,
key schools against ~5%, staff against the engine's entitlement."""

import datetime

import pytest
from django.urls import reverse

from schools.models import School
from tests.conftest import client_for, load_roster, record
from training import models as m
from training.selectors_office import (
    key_school_figures,
    meeting_months,
    schools_without_public_lesson,
    staffing_figures,
)

pytestmark = pytest.mark.django_db


def meet(plan_year, county, *days):
    for day in days:
        m.WorkingMeeting.objects.create(plan_year=plan_year, county=county, held_on=day, topic="工作會議")


def test_months_of_the_plan_period_without_a_meeting(plan_year, county_a, county_b, officer_a):
    # 111's period is 111-02-01..111-12-31: 11 months. Two meetings in March count once for March;
    # January is outside the period; county B's meeting in April is not A's.
    meet(plan_year, county_a, datetime.date(2022, 1, 20), datetime.date(2022, 2, 8), datetime.date(2022, 3, 1))
    meet(plan_year, county_a, datetime.date(2022, 3, 30), datetime.date(2022, 5, 31), datetime.date(2022, 12, 1))
    meet(plan_year, county_b, datetime.date(2022, 4, 12))
    months = meeting_months(meetings=m.WorkingMeeting.objects.filter(county=county_a), plan_year=plan_year)
    assert len(months) == 11
    missing = [x["label"] for x in months if not x["met"]]
    assert missing == ["111年4月", "111年6月", "111年7月", "111年8月", "111年9月", "111年10月", "111年11月"]
    assert [x["count"] for x in months][:2] == [1, 2]
    page = client_for(officer_a).get(reverse("training_meetings")).content.decode()
    assert "尚未召開會議的月份（7）" in page and "111年4月" in page


def test_two_meetings_a_month_when_the_rules_say_so(plan_year, county_a):
    plan_year.rules = plan_year.rule_set.to_dict() | {"meetings_per_month": 2}
    plan_year.save()
    plan_year.__dict__.pop("rule_set", None)
    meet(plan_year, county_a, datetime.date(2022, 3, 1), datetime.date(2022, 3, 30), datetime.date(2022, 4, 2))
    months = meeting_months(meetings=m.WorkingMeeting.objects.filter(county=county_a), plan_year=plan_year)
    met = [x["label"] for x in months if x["met"]]
    assert met == ["111年3月"]


def test_schools_still_without_a_public_lesson(plan_year, roster_ab, county_a, officer_a):
    m.PublicLesson.objects.create(
        plan_year=plan_year,
        school=School.objects.get(code="154601"),
        held_on=datetime.date(2022, 10, 3),
        teacher="陳老師",
        subject="數學",
    )
    missing = schools_without_public_lesson(schools=School.objects.filter(county=county_a), plan_year=plan_year)
    assert [s.code for s in missing] == ["154602"]
    page = client_for(officer_a).get(reverse("training_lessons")).content.decode()
    assert "本年度尚未辦理公開觀議課的學校（1 校）" in page and "花蓮縣立另一國小" in page


def test_key_schools_against_five_percent(plan_year, county_a):
    load_roster(plan_year, [record(code=f"{154600 + i:06d}", name=f"花蓮縣立第{i}國小") for i in range(1, 42)])
    figures = key_school_figures(county=county_a, plan_year=plan_year)
    assert (figures["schools"], figures["target"], figures["key"]) == (41, 3, 0)  # ceil(41 x 5%) = 3
    for code in ("154601", "154602", "154603"):
        m.SchoolDesignation.objects.create(
            plan_year=plan_year, school=School.objects.get(code=code), kind="key", plan_text="計畫"
        )
    m.SchoolDesignation.objects.create(
        plan_year=plan_year, school=School.objects.get(code="154610"), kind="model", plan_text="計畫"
    )
    figures = key_school_figures(county=county_a, plan_year=plan_year)
    assert (figures["key"], figures["model"], figures["met"]) == (3, 1, True)


def test_staff_by_kind_beside_the_engines_entitlement(plan_year, county_a, officer_a):
    # 95 schools (the spec's worked county): 輔導 2, 資訊 2, 行政 2.
    load_roster(plan_year, [record(code=f"{154000 + i:06d}", name=f"花蓮縣立第{i}國小") for i in range(95)])
    for kind, name, full in (("counselor", "甲", True), ("counselor", "乙", True), ("counselor", "丙", False)):
        m.OfficeStaff.objects.create(plan_year=plan_year, county=county_a, kind=kind, name=name, full_time=full)
    m.OfficeStaff.objects.create(plan_year=plan_year, county=county_a, kind="admin", name="丁")
    figures = staffing_figures(county=county_a, plan_year=plan_year)
    lines = {line.kind: line for line in figures["lines"]}
    assert (lines["counselor"].entitled, lines["counselor"].hired, lines["counselor"].part_time) == (2, 3, 1)
    assert lines["counselor"].over
    assert (lines["it"].entitled, lines["it"].hired) == (2, 0)
    assert (lines["admin"].entitled, lines["admin"].hired) == (2, 1)
    assert figures["entitled"].amount_ntd == 4_300_000
    assert figures["amount_ntd"] == 3 * 750_000 + 650_000
    page = client_for(officer_a).get(reverse("training_staff")).content.decode()
    assert "超過補助人數" in page and "2,900,000 元" in page


def test_the_office_records_pages_create_and_edit(plan_year, roster_ab, officer_a, county_a):
    client = client_for(officer_a)
    response = client.post(
        reverse("training_visits_create"),
        {
            "school_code": "154602",
            "visited_on": "111/09/05",
            "kind": "guidance",
            "findings": "充電車未接電",
            "help_given": "協助配電",
            "follow_up": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = m.SchoolVisit.objects.get()
    assert visit.visited_on == datetime.date(2022, 9, 5) and visit.school.code == "154602"
    assert visit.plan_year == plan_year
    # Another county's school cannot be named.
    response = client.post(
        reverse("training_visits_create"),
        {"school_code": "144601", "visited_on": "111/09/05", "kind": "guidance", "findings": "x"},
    )
    assert "不屬於您的縣市" in response.content.decode()
    # A help request cannot close without a date.
    response = client.post(
        reverse("training_requests_create"),
        {"requester": "parent", "received_on": "1110510", "subject": "平板無法連線", "status": "closed"},
    )
    assert "結案時請填寫結案日期" in response.content.decode()
    response = client.post(
        reverse("training_requests_create"),
        {"requester": "parent", "received_on": "1110510", "subject": "平板無法連線", "status": "open"},
    )
    request = m.HelpRequest.objects.get()
    assert request.county == county_a and request.status == "open"
    edit = reverse("training_requests_edit", args=[request.pk])
    client.post(
        edit,
        {
            "requester": "parent",
            "received_on": "111/05/10",
            "subject": "平板無法連線",
            "status": "closed",
            "closed_on": "111年5月12日",
            "response": "重設帳號",
        },
    )
    request.refresh_from_db()
    assert request.status == "closed" and request.closed_on == datetime.date(2022, 5, 12)
    listing = client.get(reverse("training_requests"), {"status": "closed"}).content.decode()
    assert "平板無法連線" in listing and "111年5月12日" in listing


def test_a_key_school_is_designated_once_a_year(plan_year, roster_ab, officer_a):
    client = client_for(officer_a)
    data = {"school_code": "154601", "kind": "key", "plan_text": "建立社群"}
    assert client.post(reverse("training_designations_create"), data).status_code == 302
    response = client.post(reverse("training_designations_create"), data | {"kind": "model"})
    assert response.status_code == 200 and m.SchoolDesignation.objects.count() == 1
    assert "這所學校本年度已指定為重點學校或典範學校" in response.content.decode()


def test_meeting_minutes_upload_is_size_limited_and_downloadable(plan_year, officer_a, officer_b, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 1000
    client = client_for(officer_a)
    data = {"held_on": "111/03/02", "topic": "第一次會議", "invited_roles": "輔導團"}
    too_big = client.post(
        reverse("training_meetings_create"), data | {"minutes": SimpleUploadedFile("紀錄.pdf", b"%PDF" + b"x" * 2000)}
    )
    assert "檔案太大" in too_big.content.decode() and not m.WorkingMeeting.objects.exists()
    wrong = client.post(reverse("training_meetings_create"), data | {"minutes": SimpleUploadedFile("紀錄.exe", b"MZ")})
    assert "只接受 PDF" in wrong.content.decode()
    client.post(reverse("training_meetings_create"), data | {"minutes": SimpleUploadedFile("紀錄.pdf", b"%PDF-1.4")})
    meeting = m.WorkingMeeting.objects.get()
    assert meeting.minutes_name == "紀錄.pdf"
    download = client.get(reverse("training_meeting_minutes", args=[meeting.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert client_for(officer_b).get(reverse("training_meeting_minutes", args=[meeting.pk])).status_code == 404


def test_attendance_typed_in_on_the_session_page(plan_year, roster_ab, county_a, officer_a):
    from tests.training.factories import make_session

    session = make_session(plan_year, county_a, code="A1-1", open_to_other_schools=False)
    client = client_for(officer_a)
    url = reverse("training_session_detail", args=[session.pk])
    assert client.post(url, {"school_code": "154601", "teacher_code": "T1"}).status_code == 302
    again = client.post(url, {"school_code": "154601", "teacher_code": "T1"}).content.decode()
    assert "已登錄於本場次" in again
    national_id = client.post(url, {"school_code": "154601", "teacher_code": "B223456789"}).content.decode()
    assert "身分證" in national_id
    closed = client.post(url, {"school_code": "144601", "teacher_code": "X1"}).content.decode()
    assert "本場次只開放花蓮縣的學校" in closed
    assert m.Attendance.objects.count() == 1


def test_the_county_home_page_shows_the_office(plan_year, roster_ab, county_a, officer_a, reviewer):
    meet(plan_year, county_a, datetime.date(2022, 2, 8))
    page = client_for(officer_a).get(reverse("home")).content.decode()
    assert "數位學習推動辦公室" in page and "未開工作會議的月份" in page and "111年3月" in page
    assert "尚未辦理公開觀議課" in page
    assert "未開工作會議的月份" not in client_for(reviewer).get(reverse("home")).content.decode()


def test_the_admin_lists_the_offices_records(admin_user, plan_year, county_a):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = client_for(admin_user)
    for name in ("trainingsession", "attendance", "workingmeeting", "helprequest"):
        assert client.get(reverse(f"admin:training_{name}_changelist")).status_code == 200


def test_a_records_changes_are_kept_with_who_made_them(plan_year, county_a, officer_a):
    client = client_for(officer_a)
    data = {"requester": "teacher", "received_on": "111/05/10", "subject": "帳號問題", "status": "open"}
    client.post(reverse("training_requests_create"), data)
    request = m.HelpRequest.objects.get()
    client.post(
        reverse("training_requests_edit", args=[request.pk]),
        data | {"status": "closed", "closed_on": "111/05/11", "response": "已重設"},
    )
    page = client.get(reverse("training_requests_edit", args=[request.pk])).content.decode()
    assert "異動紀錄" in page and "待處理 → 已結案" in page and "officer_a" in page


def test_a_meeting_is_saved_without_minutes_and_they_are_attached_later(plan_year, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(officer_a)
    data = {"held_on": "111/04/06", "topic": "第二次會議", "invited_roles": "輔導團"}
    response = client.post(reverse("training_meetings_create"), data)
    assert response.status_code == 302
    meeting = m.WorkingMeeting.objects.get()
    assert not meeting.minutes
    edit = reverse("training_meetings_edit", args=[meeting.pk])
    assert client.post(edit, data | {"minutes": SimpleUploadedFile("紀錄.pdf", b"%PDF-1.4")}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_name == "紀錄.pdf"
