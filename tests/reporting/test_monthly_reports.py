"""Monthly reports: writing, submitting, returning, resubmitting; deadline states; the grid; reminders."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from budget import rules as engine
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from reporting.importing import USAGE_IMPORT
from reporting.models import MonthlyReport, MonthlyReportEvent, MonthlySpending
from reporting.reminders import reminders_send
from reporting.selectors_monthly import (
    LATE,
    MISSING,
    NOT_DUE,
    ON_TIME,
    RETURNED,
    completeness_grid,
    deadline_of,
    report_state,
)
from reporting.services_monthly import (
    ReportActionRefused,
    monthly_report_for,
    monthly_report_save,
    monthly_report_submit,
)
from tests.conftest import client_for, make_user
from tests.reporting.conftest import usage_csv, usage_row

pytestmark = pytest.mark.django_db
TAIPEI = ZoneInfo("Asia/Taipei")
MARCH = datetime.date(2022, 3, 1)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TAIPEI)


def url(report, action=""):
    name = f"monthly_report_{action}" if action else "monthly_report"
    return reverse(name, args=[report.plan_year.year, report.county.code, report.month.strftime("%Y-%m")])


def test_the_deadline_is_a_rule_set_parameter():
    assert deadline_of(MARCH, engine.RULES_111) == datetime.date(2022, 4, 10)
    assert deadline_of(datetime.date(2022, 12, 1), engine.RULES_111) == datetime.date(2023, 1, 10)
    later = engine.RuleSet.from_dict({**engine.RULES_111.to_dict(), "year": 112, "monthly_report_deadline_day": 5})
    assert deadline_of(MARCH, later) == datetime.date(2022, 4, 5)


def test_a_stored_rule_set_without_the_reporting_keys_still_loads():
    stored = engine.RULES_111.to_dict()
    for key in ("usage_platforms", "monthly_report_deadline_day", "monthly_report_reminder_days"):
        stored.pop(key)
    rules = engine.RuleSet.from_dict(stored)
    assert rules.monthly_report_deadline_day == 10 and "因材網" in rules.usage_platforms
    assert engine.RuleSet.from_dict(rules.to_dict()) == rules
    with pytest.raises(engine.RuleSetError):
        engine.RuleSet.from_dict({**stored, "monthly_report_deadline_day": 31})


@pytest.mark.parametrize(
    ("status", "first_submitted", "today", "state"),
    [
        (None, None, datetime.date(2022, 4, 10), NOT_DUE),
        (None, None, datetime.date(2022, 4, 11), MISSING),
        ("draft", None, datetime.date(2022, 4, 11), MISSING),
        ("submitted", at(2022, 4, 10, 23, 59), datetime.date(2022, 6, 1), ON_TIME),
        ("submitted", at(2022, 4, 11, 0, 1), datetime.date(2022, 6, 1), LATE),
        ("returned", at(2022, 4, 1, 9), datetime.date(2022, 6, 1), RETURNED),
    ],
)
def test_the_state_of_a_month(status, first_submitted, today, state):
    report = None if status is None else MonthlyReport(status=status, first_submitted_at=first_submitted)
    assert report_state(report, datetime.date(2022, 4, 10), today) == state


def test_write_submit_return_resubmit_through_the_pages(roster, plan_year, county_a, officer_a, reviewer, no_summaries):
    county = client_for(officer_a)
    report = monthly_report_for(county=county_a, plan_year=plan_year, month=MARCH)
    page = county.get(url(report)).content.decode()
    assert "提交期限 111年4月10日" in page and "尚無資料" in page  # no device or training figures yet
    response = county.post(url(report, "submit"), follow=True)
    assert "請先填寫本月執行情形說明" in response.content.decode()
    data = {
        "notes": "召開工作會議 1 次，到校輔導 5 校。",
        "version": report.version,
        "line_7": "1200000",
        "line_9": "50000",
    }
    county.post(url(report), data)
    assert dict(MonthlySpending.objects.values_list("line", "amount_ntd")) == {
        **dict.fromkeys(engine.LINE_NUMBERS, 0),
        7: 1_200_000,
        9: 50_000,
    }
    response = county.post(url(report, "submit"), follow=True)
    assert "已提交花蓮縣111年3月月報" in response.content.decode()
    report.refresh_from_db()
    first = report.first_submitted_at
    assert report.status == "submitted" and report.figures["spending_to_date"]["7"] == 1_200_000
    # Once submitted the county cannot change it.
    county.post(url(report), data | {"version": report.version, "notes": "改了"})
    report.refresh_from_db()
    assert report.notes.startswith("召開")

    moe = client_for(reviewer)
    response = moe.post(url(report, "return"), {"reason": ""}, follow=True)
    assert "退回時請寫明理由" in response.content.decode()
    moe.post(url(report, "return"), {"reason": "經費支用第 7 項與核定數不符，請確認。"})
    report.refresh_from_db()
    assert report.status == "returned"
    page = county.get(url(report)).content.decode()
    assert "經費支用第 7 項與核定數不符" in page and "重新提交月報" in page

    county.post(url(report), data | {"version": report.version, "notes": "更正：第 7 項為 1,100,000 元。"})
    county.post(url(report, "submit"))
    report.refresh_from_db()
    assert report.status == "submitted" and report.first_submitted_at == first and report.submitted_at > first
    assert list(report.events.values_list("action", flat=True)) == ["submitted", "returned", "resubmitted"]
    assert report.events.get(action="returned").by == reviewer


def test_a_month_not_yet_over_cannot_be_submitted(roster, plan_year, county_a, officer_a, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2022, 3, 20))
    report = monthly_report_for(county=county_a, plan_year=plan_year, month=MARCH)
    report = monthly_report_save(report=report, user=officer_a, notes="x", spending={}, expected_version=1)
    with pytest.raises(ReportActionRefused, match="111年3月尚未結束"):
        monthly_report_submit(report=report, user=officer_a)


def test_a_stale_form_is_refused(roster, plan_year, county_a, officer_a):
    report = monthly_report_for(county=county_a, plan_year=plan_year, month=MARCH)
    monthly_report_save(report=report, user=officer_a, notes="one", spending={}, expected_version=1)
    with pytest.raises(ReportActionRefused, match="已被修改過"):
        monthly_report_save(report=report, user=officer_a, notes="two", spending={}, expected_version=1)


def test_the_report_compiles_usage_of_its_month(roster, plan_year, county_a, officer_a):
    rows = [usage_row(), usage_row(code="154602", hours="9.5"), usage_row(month="111年2月", hours="100")]
    pipeline.import_rows(
        USAGE_IMPORT,
        pipeline.read_file(USAGE_IMPORT, usage_csv(rows), target=ImportTarget(plan_year=plan_year)),
        target=ImportTarget(plan_year=plan_year),
        user=officer_a,
    )
    report = monthly_report_for(county=county_a, plan_year=plan_year, month=MARCH)
    page = client_for(officer_a).get(url(report)).content.decode()
    assert "130 小時" in page and "230 小時" in page and ".0 小時" not in page and "2 / 2 校" in page


def _submitted(county, plan_year, month, when, status="submitted"):
    return MonthlyReport.objects.create(
        county=county, plan_year=plan_year, month=month, status=status, first_submitted_at=when, submitted_at=when
    )


def test_the_completeness_grid_and_its_rates(roster, plan_year, county_a, county_b):
    feb, mar, apr = (datetime.date(2022, m, 1) for m in (2, 3, 4))
    _submitted(county_a, plan_year, feb, at(2022, 3, 9, 10))
    _submitted(county_a, plan_year, mar, at(2022, 4, 12, 10))
    _submitted(county_a, plan_year, apr, at(2022, 5, 2, 10), status="returned")
    _submitted(county_b, plan_year, feb, at(2022, 3, 10, 18))
    MonthlyReport.objects.create(county=county_b, plan_year=plan_year, month=mar)  # a draft, never sent
    grid = completeness_grid(plan_year=plan_year, counties=[county_a, county_b], today=datetime.date(2022, 5, 20))
    states = {row["county"].name: [c.state for c in row["cells"]][:5] for row in grid["rows"]}
    assert states == {
        "花蓮縣": [ON_TIME, LATE, RETURNED, NOT_DUE, NOT_DUE],
        "臺東縣": [ON_TIME, MISSING, MISSING, NOT_DUE, NOT_DUE],
    }
    assert grid["national"] == {"expected": 6, "delivered": 3, "on_time": 2, "rate": 50, "on_time_rate": 33}
    assert grid["columns"][0]["rate"] == 100 and grid["columns"][1]["rate"] == 50 and grid["columns"][2]["rate"] == 0
    assert grid["columns"][4]["rate"] is None  # nothing due yet
    assert grid["rows"][0]["tally"]["rate"] == 67
    assert grid["rows"][0]["cells"][0].schools_expected == 2


def test_the_moe_sees_every_county_and_a_county_only_itself(
    roster, plan_year, county_a, officer_a, officer_b, reviewer
):
    _submitted(county_a, plan_year, datetime.date(2022, 2, 1), at(2022, 3, 1, 9))
    page = client_for(reviewer).get(reverse("completeness")).content.decode()
    assert page.count("<tr><th>") == 22 + 2 and "全國填報率" in page and "臺北市" in page
    assert "準時" in page and url(MonthlyReport.objects.get()) in page
    own = client_for(officer_b).get(reverse("completeness")).content.decode()
    assert "臺東縣" in own and "花蓮縣" not in own


def test_reminders_go_to_those_who_have_not_reported_once_a_day(roster, plan_year, county_a, county_b, school_a):
    officer_a = make_user("remind_a", "county", county=county_a)
    officer_a.email = "a@county.example"
    officer_a.save()
    officer_b = make_user("remind_b", "county", county=county_b)
    officer_b.email = "b@county.example"
    officer_b.save()
    school_user = make_user("remind_school", "school", county=county_a, school=school_a)
    school_user.email = "school@school.example"
    school_user.save()
    _submitted(county_b, plan_year, MARCH, at(2022, 4, 5, 9))
    assert reminders_send(today=datetime.date(2022, 4, 6)) == 0  # 4 days before: not yet (lead 3 days)
    assert reminders_send(today=datetime.date(2022, 4, 8)) == 2
    subjects = {m.subject: m.to for m in mail.outbox}
    assert subjects == {
        "【提醒】111年3月月報請於 111年4月10日 前提交": ["a@county.example"],
        "【提醒】請上傳111年3月數位學習平臺使用時數": ["school@school.example"],
    }
    assert "111年4月10日" in mail.outbox[0].body
    assert reminders_send(today=datetime.date(2022, 4, 8)) == 0  # beat firing twice a day sends nothing new
    assert reminders_send(today=datetime.date(2022, 4, 11)) == 0  # past the deadline: the grid shows it missing


def test_the_beat_schedule_runs_the_reminders():
    from django.conf import settings

    from reporting.tasks import send_report_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report-reminders"]
    assert entry["task"] == send_report_reminders.name
    assert send_report_reminders.apply().get() == 0
    assert MonthlyReportEvent.objects.count() == 0
