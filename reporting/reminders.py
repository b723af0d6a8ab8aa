"""Reminder e-mails (Celery beat, daily: reporting.tasks.send_report_reminders): county staff
whose monthly report falls due within the rule set's lead days, and school staff whose usage
hours of that month are missing. Once a day per county and kind (ReminderSent)."""

from __future__ import annotations

import datetime

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from portal.models import Role, User
from reporting.importing import roc_month
from reporting.models import MonthlyReport, ReminderSent, UsageRecord
from reporting.selectors_monthly import deadline_of, month_end
from schools.models import PlanYear

REMINDER_REPORT = "monthly_report"
REMINDER_USAGE = "usage"


def reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail the county staff whose report of the month falls due within the rule set's lead days
    (and schools that have not reported usage for it). Once a day per county and kind. Returns
    the number of e-mails sent."""
    today = today or timezone.localdate()
    sent = 0
    for plan_year in PlanYear.objects.all():
        rules = plan_year.rule_set
        for month in plan_year.months:
            deadline = deadline_of(month, rules)
            if not 0 <= (deadline - today).days <= rules.monthly_report_reminder_days or today <= month_end(month):
                continue
            sent += _remind(plan_year, month, deadline, today)
    return sent


def _remind(plan_year: PlanYear, month: datetime.date, deadline: datetime.date, today: datetime.date) -> int:
    done = set(
        MonthlyReport.objects.filter(
            plan_year=plan_year, month=month, status=MonthlyReport.Status.SUBMITTED
        ).values_list("county_id", flat=True)
    )
    already = set(ReminderSent.objects.filter(month=month, sent_on=today).values_list("county_id", "kind"))
    label, due = roc_month(month), f"{deadline.year - 1911}年{deadline.month}月{deadline.day}日"
    users = User.objects.filter(is_active=True).exclude(email="").select_related("school")
    officers: dict[int, list[str]] = {}
    for county_id, email in users.filter(role=Role.COUNTY).values_list("county_id", "email"):
        officers.setdefault(county_id, []).append(email)
    reported_schools = set(
        UsageRecord.objects.filter(plan_year=plan_year, month=month).values_list("school_id", flat=True).distinct()
    )
    school_staff: dict[int, list[tuple[str, str]]] = {}
    for county_id, school_id, email in (
        users.filter(role=Role.SCHOOL, school__roster_rows__plan_year=plan_year)
        .distinct()
        .values_list("county_id", "school_id", "email")
    ):
        if school_id not in reported_schools:
            school_staff.setdefault(county_id, []).append((email, ""))
    messages, marks = [], []
    for county_id, emails in officers.items():
        if county_id in done or (county_id, REMINDER_REPORT) in already:
            continue
        messages.append(
            (
                f"【提醒】{label}月報請於 {due} 前提交",
                f"貴縣市{label}的數位學習精進方案月報尚未提交，提交期限為 {due}。\n"
                "請登入縣市管理平臺，確認本月數據、填寫執行情形與經費支用後提交。",
                None,
                emails,
            )
        )
        marks.append(
            ReminderSent(county_id=county_id, month=month, kind=REMINDER_REPORT, sent_on=today, recipients=len(emails))
        )
    for county_id, entries in school_staff.items():
        if (county_id, REMINDER_USAGE) in already:
            continue
        # One message a school user: schools do not see each other's addresses.
        for email, _ in entries:
            messages.append(
                (
                    f"【提醒】請上傳{label}數位學習平臺使用時數",
                    f"貴校尚未上傳{label}的數位學習平臺使用時數；縣市月報提交期限為 {due}，請儘早上傳。",
                    None,
                    [email],
                )
            )
        marks.append(
            ReminderSent(county_id=county_id, month=month, kind=REMINDER_USAGE, sent_on=today, recipients=len(entries))
        )
    if not messages:
        return 0
    with transaction.atomic():
        ReminderSent.objects.bulk_create(marks, ignore_conflicts=True)
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
