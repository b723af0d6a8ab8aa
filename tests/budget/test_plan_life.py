"""The plan's whole life after 核定: the county records the money received (撥款), files the final
report (結報) once the period is over, due 2 months later (seed 七(三)); the MOE confirms it
(核結) or returns it; the monthly reports' spending starts it; the plan page shows the timeline."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from budget.models import CountyPlan, FinalReport, PlanEvent
from budget.selectors_review import plan_timeline
from budget.services import PlanActionRefused, plan_for, plan_submit, plan_update
from budget.services_close import (
    final_report_close,
    final_report_for,
    final_report_return,
    final_report_submit,
    final_report_summary,
    final_report_update,
    plan_disbursement_add,
)
from budget.services_review import budget_line_approve, plan_approve
from reporting.services_monthly import monthly_report_for, monthly_report_save
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db
URLS = ("plan_detail", "final_report")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def approve(plan, officer, reviewer):
    submission = plan_submit(plan=plan, user=officer)
    for item in submission.budget:
        if item["total_ntd"]:
            budget_line_approve(
                line=plan.lines.get(number=item["number"]), user=reviewer, approved_ntd=item["total_ntd"], note=""
            )
    return plan_approve(plan=plan, user=reviewer)


@pytest.fixture
def approved(plan_year, county_a, officer_a, reviewer):
    """花蓮縣 approved: 8 teacher + 112 student devices, 4 carts, staff, operating fee, 2 sessions
    (1,560,000 + 200,000 + 2,150,000 + 1,000,000 + 50,000 = 4,960,000)."""
    load_roster(plan_year, [record()], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    values = {
        "existing_devices_without_mdm": 0,
        "training_sessions": 2,
        "substitute_periods_elementary": 0,
        "substitute_periods_junior": 0,
        "requested_counselors": None,
        "requested_it_staff": None,
        "requested_admin_staff": None,
        "part_time_counselors": 0,
        "part_time_it_staff": 0,
        "part_time_share_percent": None,
    }
    plan = plan_update(plan=plan, user=officer_a, plan_values=values, line_values={}, expected_version=plan.version)
    return approve(plan, officer_a, reviewer)


def test_the_approved_total(approved):
    assert sum(line.approved_ntd for line in approved.lines.all()) == 4_960_000


# --- 撥款 ---------------------------------------------------------------------------------------------


def test_the_county_records_the_money_received_up_to_the_approved_total(approved, officer_a, reviewer):
    client = client_for(officer_a)
    url = reverse("plan_disbursement_add", args=[111, approved.county.code])
    response = client.post(
        url, {"received_on": "2022-04-01", "amount_ntd": 3_000_000, "reference": "臺教資(五)字第1110001號"}, follow=True
    )
    assert "已登錄撥款 3,000,000 元" in text(response) and "已入帳 3,000,000／4,960,000 元" in text(response)
    refused = client.post(url, {"received_on": "2022-05-01", "amount_ntd": 1_960_001}, follow=True)
    assert "累計撥款 4,960,001 元將超過核定總經費 4,960,000 元（已登錄 3,000,000 元）" in text(refused)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "入帳日期不能晚於今天" in text(client.post(url, {"received_on": tomorrow, "amount_ntd": 1}, follow=True))
    assert "撥款金額" in text(client.post(url, {"received_on": "2022-05-01", "amount_ntd": 0}, follow=True))
    assert approved.disbursements.count() == 1
    event = approved.events.get(kind=PlanEvent.Kind.DISBURSED)
    assert event.actor == officer_a and "111年4月1日 入帳 3,000,000 元" in event.note
    assert client_for(reviewer).post(url, {"received_on": "2022-05-01", "amount_ntd": 1}).status_code == 403


def test_money_cannot_be_recorded_before_the_plan_is_approved(plan_year, county_a, officer_a):
    plan = plan_for(county=county_a, plan_year=plan_year)
    with pytest.raises(PlanActionRefused, match="核定後才能登錄撥款與結報"):
        plan_disbursement_add(plan=plan, user=officer_a, received_on=datetime.date(2022, 4, 1), amount_ntd=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
def test_two_payments_recorded_at_once_never_exceed_the_approved_total(approved, officer_a):
    barrier, results = threading.Barrier(2), []

    def record_payment():
        try:
            barrier.wait()
            results.append(
                plan_disbursement_add(
                    plan=CountyPlan.objects.get(pk=approved.pk),
                    user=officer_a,
                    received_on=datetime.date(2022, 4, 1),
                    amount_ntd=3_000_000,
                )
            )
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record_payment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    refused = [r for r in results if isinstance(r, PlanActionRefused)]
    assert len(refused) == 1 and "超過核定總經費" in str(refused[0]), results
    assert approved.disbursements.count() == 1


# --- 結報 -----------------------------------------------------------------------------------------------


def test_the_monthly_reports_spending_starts_the_final_report(approved, officer_a, plan_year):
    for month, spending in ((3, {1: 100_000, 7: 500_000}), (4, {1: 4_000, 9: 25_000})):
        report = monthly_report_for(county=approved.county, plan_year=plan_year, month=datetime.date(2022, month, 1))
        monthly_report_save(report=report, user=officer_a, notes="", spending=spending, expected_version=report.version)
    report = final_report_for(plan=approved)
    spent = {line.number: (line.recurrent_spent_ntd, line.capital_spent_ntd) for line in report.lines.all()}
    # Each line in its own 門 as the approved plan split it.
    assert spent[1] == (0, 104_000) and spent[7] == (500_000, 0) and spent[9] == (25_000, 0)
    assert spent[2] == (0, 0) and len(spent) == 11


def test_file_return_correct_and_close_the_final_report(approved, officer_a, reviewer):
    plan_disbursement_add(plan=approved, user=officer_a, received_on=datetime.date(2022, 4, 1), amount_ntd=4_960_000)
    county, moe = client_for(officer_a), client_for(reviewer)
    url = reverse("final_report", args=[111, approved.county.code])
    page = text(county.get(url))
    assert "期限 <strong>112年2月28日</strong>" in page  # 111-12-31 + 2 months
    report = FinalReport.objects.get(plan=approved)
    data = {"version": report.version, "notes": ""}
    for number in range(1, 12):
        data[f"line{number}_recurrent"] = 0
        data[f"line{number}_capital"] = 0
    data |= {"line1_capital": 104_000, "line2_capital": 1_456_000, "line7_recurrent": 2_150_000}
    assert county.post(url, data).status_code == 302
    summary = final_report_summary(plan=approved, report=FinalReport.objects.get(pk=report.pk))
    assert (summary["spent_ntd"], summary["refund_ntd"]) == (3_710_000, 1_250_000)
    # 賸餘款 to return: the county says how before it files.
    submit = reverse("final_report_submit", args=[111, approved.county.code])
    assert "有賸餘款 1,250,000 元應繳回，請在說明中寫明繳回方式" in text(county.post(submit, follow=True))
    stale = county.post(url, data | {"notes": "x"}, follow=True)
    assert "結報在您開啟後已被他人修改" in text(stale)
    report.refresh_from_db()
    final_report_update(
        report=report,
        user=officer_a,
        spent={1: (0, 104_000), 2: (0, 1_456_000), 7: (2_150_000, 0)},
        notes="賸餘款 1,250,000 元已於 112年1月15日 繳回",
        expected_version=report.version,
    )
    assert "結報已提交" in text(county.post(submit, follow=True))
    assert "結報目前為「已提交」，不能修改" in text(
        county.post(url, data | {"version": report.version + 1}, follow=True)
    )
    assert (
        client_for(officer_a).post(reverse("final_report_close", args=[111, approved.county.code])).status_code == 403
    )
    moe.post(reverse("final_report_return", args=[111, approved.county.code]), {"reason": "第 7 項請附薪資清冊"})
    report.refresh_from_db()
    assert report.status == FinalReport.Status.RETURNED and report.return_reason == "第 7 項請附薪資清冊"
    final_report_submit(report=report, user=officer_a)
    response = moe.post(reverse("final_report_close", args=[111, approved.county.code]), follow=True)
    assert "花蓮縣計畫已核結" in text(response)
    report.refresh_from_db()
    assert report.status == FinalReport.Status.CLOSED
    kinds = list(approved.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[-5:] == ["disbursed", "final_submitted", "final_returned", "final_submitted", "closed"]
    late = approved.events.filter(kind="final_submitted").first()
    assert "逾期：期限 112年2月28日" in late.note  # filed long after 112-02-28
    with pytest.raises(PlanActionRefused, match="計畫已核結，不能再登錄撥款"):
        plan_disbursement_add(plan=approved, user=officer_a, received_on=datetime.date(2022, 5, 1), amount_ntd=1)


def test_a_final_report_waits_for_the_end_of_the_period(approved, officer_a, plan_year):
    plan_year.period_end = timezone.localdate() + datetime.timedelta(days=30)
    plan_year.rules = plan_year.rules | {"device_delivery_deadline": plan_year.period_end.isoformat()}
    plan_year.save()
    approved.plan_year.refresh_from_db()
    approved.plan_year.__dict__.pop("rule_set", None)
    report = final_report_for(plan=approved)
    with pytest.raises(PlanActionRefused, match="期滿後才能提交結報"):
        final_report_submit(report=report, user=officer_a)


def test_the_moe_cannot_close_what_was_not_filed(approved, reviewer):
    report = final_report_for(plan=approved)
    with pytest.raises(PlanActionRefused, match="不在審查中"):
        final_report_close(report=report, user=reviewer)
    with pytest.raises(PlanActionRefused, match="不在審查中"):
        final_report_return(report=report, user=reviewer, reason="x")


def test_the_plan_page_shows_the_whole_timeline(school_user_a, approved, officer_a, reviewer, officer_b):
    steps = {step["label"]: step for step in plan_timeline(approved)}
    assert [s["state"] for s in steps.values()] == ["done", "done", "done", "current", "done", "current", "pending"]
    assert steps["結報"]["late"] and steps["結報"]["deadline"] == datetime.date(2023, 2, 28)
    page = text(client_for(officer_a).get(reverse("plan_detail", args=[111, approved.county.code])))
    for label in ("縣市填寫計畫", "送審", "教育部核定", "撥款", "學習載具配發到校期限", "結報", "核結"):
        assert f'<span class="label">{label}</span>' in page
    assert "期限 112年2月28日（計畫結束後 2 個月）" in page and "登錄撥款" in page
    assert "登錄撥款" not in text(client_for(reviewer).get(reverse("plan_detail", args=[111, approved.county.code])))
    for user, status in ((school_user_a, 403), (officer_b, 404)):
        assert client_for(user).get(reverse("final_report", args=[111, approved.county.code])).status_code == status
    assert client_for(reviewer).get(reverse("final_report", args=[111, approved.county.code])).status_code == 200
