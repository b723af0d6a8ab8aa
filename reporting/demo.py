"""Demo data of reporting: a year of usage hours for the demo county's schools, learning outcomes,
learning-support classes and the first monthly reports (one returned by the MOE)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from portal.imports.kinds import ImportTarget, Parse
from portal.imports.pipeline import import_rows
from reporting.importing import USAGE_IMPORT, UsageRow
from reporting.models import LearningOutcome, MonthlyReport, MonthlyReportEvent, MonthlySpending
from reporting.selectors_monthly import deadline_of, report_figures
from reporting.services_outcomes import outcome_save, support_figures_save
from schools.models import RosterRow

TAIPEI = datetime.timezone(datetime.timedelta(hours=8))


def seed(*, county, plan_year, users) -> str:
    if LearningOutcome.objects.filter(plan_year=plan_year, county=county).exists():
        return ""
    rng = random.Random(111)  # noqa: S311 - demo figures, not secrets
    students = dict(
        RosterRow.objects.filter(plan_year=plan_year, school__county=county)
        .values_list("school__code", "students")
        .order_by("school__code")
    )
    platforms = plan_year.rule_set.usage_platforms[:3]
    months = plan_year.months
    rows = []
    for code, count in students.items():
        for month in months[:-1]:  # the last month is not in yet
            if rng.random() < 0.05:
                continue  # some schools are late
            for platform in platforms:
                devices = max(1, count // 3)
                active = min(count, devices + rng.randint(0, 10))
                rows.append(
                    UsageRow(
                        excel_row=0,
                        code=code,
                        month=month,
                        platform=platform,
                        hours=Decimal(rng.randint(devices * 5, devices * 40)),
                        active_students=active,
                        active_devices=devices,
                    )
                )
    import_rows(USAGE_IMPORT, Parse(rows=rows), target=ImportTarget(plan_year=plan_year), user=None)
    outcome_save(plan_year=plan_year, county=county, subject="國語文", sampled=420, improved=151, method="前後測")
    outcome_save(plan_year=plan_year, county=county, subject="數學", sampled=400, improved=108, method="前後測")
    support_figures_save(plan_year=plan_year, county=county, support_classes=120, digital_classes=66)
    officer, moe = users["county"], users["moe"]
    notes = "召開工作會議 1 次；到校輔導 {n} 校；辦理數位學習工作坊 2 場。"
    for index, month in enumerate(months[:4]):
        deadline = deadline_of(month, plan_year.rule_set)
        when = datetime.datetime.combine(deadline, datetime.time(9), TAIPEI) - datetime.timedelta(days=2 - index)
        report = MonthlyReport.objects.create(
            plan_year=plan_year,
            county=county,
            month=month,
            notes=notes.format(n=5 + index),
            status=MonthlyReport.Status.SUBMITTED,
            first_submitted_at=when,
            submitted_at=when,
            figures=report_figures(plan_year=plan_year, county=county, month=month),
        )
        MonthlySpending.objects.bulk_create(
            [
                MonthlySpending(report=report, line=7, amount_ntd=1_075_000),
                MonthlySpending(report=report, line=8, amount_ntd=120_000 + 10_000 * index),
            ]
        )
        MonthlyReportEvent.objects.create(report=report, action="submitted", by=officer, at=when)
    returned = MonthlyReport.objects.get(plan_year=plan_year, county=county, month=months[3])
    returned.status = MonthlyReport.Status.RETURNED
    returned.return_reason = "運作費支用與核定數不一致，請確認後重新提交。"
    returned.returned_at = timezone.now()
    returned.save()
    MonthlyReportEvent.objects.create(
        report=returned, action="returned", by=moe, at=returned.returned_at, reason=returned.return_reason
    )
    return f"已建立{county.name}平臺使用時數 {len(rows):,} 筆、成效評估與 4 份月報（1 份退回）示範資料"
