"""Monthly reports (月報, 五(四)2(1)G) written: the county saves and submits its report (its
figures frozen at submission), the MOE returns it with a reason."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from budget import rules as engine
from portal.actions import Refused
from portal.cache import invalidate
from portal.models import User
from reporting.cache import REPORTS
from reporting.importing import roc_month
from reporting.models import MonthlyReport, MonthlyReportEvent, MonthlySpending
from reporting.selectors_monthly import month_end, report_figures
from schools.models import County, PlanYear


class ReportActionRefused(Refused):
    """The report cannot do that now; the message says why."""


def monthly_report_for(*, county: County, plan_year: PlanYear, month: datetime.date) -> MonthlyReport:
    report = MonthlyReport.objects.filter(county=county, plan_year=plan_year, month=month).first()
    if report is None:
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(county=county, plan_year=plan_year, month=month)
                invalidate(REPORTS)
        except IntegrityError:
            report = MonthlyReport.objects.get(county=county, plan_year=plan_year, month=month)
    return report


def _locked(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("county", "plan_year").get(pk=report.pk)


@transaction.atomic
def monthly_report_save(
    *, report: MonthlyReport, user: User, notes: str, spending: dict[int, int], expected_version: int
) -> MonthlyReport:
    report = _locked(report)
    if not report.county_may_edit:
        raise ReportActionRefused("月報已提交，教育部退回後才能修改")
    if report.version != expected_version:
        raise ReportActionRefused("這份月報在您開啟後已被修改過，請重新載入頁面後再改")
    unknown = set(spending) - set(engine.LINE_NUMBERS)
    if unknown or any(amount < 0 for amount in spending.values()):
        raise ReportActionRefused("經費支用的項次或金額不正確")
    report.notes = notes
    report.version += 1
    report.save(update_fields=["notes", "version"])
    invalidate(REPORTS)
    existing = {item.line: item for item in report.spending.all()}
    for line, amount in spending.items():
        item = existing.get(line)
        if item is None:
            MonthlySpending.objects.create(report=report, line=line, amount_ntd=amount)
        elif item.amount_ntd != amount:
            item.amount_ntd = amount
            item.save(update_fields=["amount_ntd"])
    return report


@transaction.atomic
def monthly_report_submit(*, report: MonthlyReport, user: User) -> MonthlyReport:
    report = _locked(report)
    if report.status == MonthlyReport.Status.SUBMITTED:
        raise ReportActionRefused("這份月報已經提交，正等待教育部查閱")
    if timezone.localdate() <= month_end(report.month):
        raise ReportActionRefused(f"{roc_month(report.month)}尚未結束，月底後才能提交月報")
    if not report.notes.strip():
        raise ReportActionRefused("請先填寫本月執行情形說明")
    now = timezone.now()
    again = report.first_submitted_at is not None
    report.figures = report_figures(plan_year=report.plan_year, county=report.county, month=report.month)
    report.status = MonthlyReport.Status.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.version += 1
    report.save()
    action = MonthlyReportEvent.Action.RESUBMITTED if again else MonthlyReportEvent.Action.SUBMITTED
    MonthlyReportEvent.objects.create(report=report, action=action, by=user, at=now)
    invalidate(REPORTS)
    return report


@transaction.atomic
def monthly_report_return(*, report: MonthlyReport, user: User, reason: str) -> MonthlyReport:
    report = _locked(report)
    if report.status != MonthlyReport.Status.SUBMITTED:
        raise ReportActionRefused("只有已提交的月報可以退回")
    reason = reason.strip()
    if not reason:
        raise ReportActionRefused("退回時請寫明理由，縣市才知道要修正什麼")
    now = timezone.now()
    report.status = MonthlyReport.Status.RETURNED
    report.return_reason = reason
    report.returned_at = now
    report.version += 1
    report.save(update_fields=["status", "return_reason", "returned_at", "version"])
    invalidate(REPORTS)
    MonthlyReportEvent.objects.create(
        report=report, action=MonthlyReportEvent.Action.RETURNED, by=user, at=now, reason=reason
    )
    return report
