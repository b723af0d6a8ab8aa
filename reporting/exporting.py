"""The usage hours as files: the plain CSV the MOE's designated system takes (五(四)2(1)C) and
the prefilled template to fill in (read back by reporting.importing)."""

from __future__ import annotations

import csv
import io

from portal.downloads import safe_text
from portal.models import User
from portal.roc import ROC_OFFSET
from portal.templatetags.portal_tags import decimal_text
from reporting.importing import FIGURES, TEMPLATE_HEADERS, roc_month
from reporting.models import UsageRecord
from reporting.selectors_usage import usage_for
from schools.models import County, PlanYear, School

# The export's columns, in order (documented in README.md, 「平臺使用時數 CSV」).
EXPORT_HEADERS = (
    "計畫年度",
    "縣市代碼",
    "縣市",
    "學校代碼",
    "學校名稱",
    "月份",
    "平臺",
    "使用時數",
    "活躍學生數",
    "活躍載具數",
)


def usage_export_csv(*, user: User, plan_year: PlanYear, county: County | None = None) -> bytes:
    """The plain CSV the MOE's system takes: UTF-8 with BOM, one row per school+month+platform,
    月份 as ROC YYYMM (11103), hours with one decimal, counts as integers."""
    records = usage_for(user=user, plan_year=plan_year)
    if county is not None:
        records = records.filter(county=county)
    rows = records.order_by("county__sort_order", "school__code", "month", "platform").values_list(
        "county__code", "county__name", "school__code", "school__name", "month", "platform", *FIGURES
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for county_code, county_name, code, name, month, platform, hours, students, devices in rows.iterator(
        chunk_size=5000
    ):
        writer.writerow(
            [
                plan_year.year,
                county_code,
                county_name,
                code,
                safe_text(name),
                f"{month.year - ROC_OFFSET}{month.month:02d}",
                safe_text(platform),
                f"{hours:.1f}",
                students,
                devices,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


LAST_MONTH_HEADERS = ("上月使用時數（參考）", "上月活躍學生數（參考）", "上月活躍載具數（參考）")


def usage_template_csv(*, plan_year: PlanYear, schools: list[School]) -> bytes:
    """The file to fill, prefilled: for a school that has reported, every remaining month of
    the plan period (after the last month it reported) x the platforms it reported that month,
    with that month's figures beside the blanks (for reference: the import reads only the
    blank columns); for a school that has not, one row of the first month and platform.
    Months are ROC (111年12月), hours without a trailing 「.0」. One query whatever the size."""
    months = plan_year.months
    last: dict[int, dict] = {}
    records = (
        UsageRecord.objects.filter(plan_year=plan_year, school__in=[school.pk for school in schools])
        .order_by("school_id", "-month", "platform")
        .values_list("school_id", "month", "platform", "hours", "active_students", "active_devices")
    )
    for school_id, month, platform, hours, students, devices in records:
        latest = last.setdefault(school_id, {"month": month, "platforms": {}})
        if month == latest["month"]:
            latest["platforms"][platform] = (decimal_text(hours), students, devices)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*TEMPLATE_HEADERS, *LAST_MONTH_HEADERS))
    for school in schools:
        name = safe_text(school.name)
        reported = last.get(school.pk)
        if reported is None:
            for platform in plan_year.rule_set.usage_platforms[:1]:
                writer.writerow([school.code, name, roc_month(months[0]), platform, "", "", "", "", "", ""])
            continue
        remaining = [month for month in months if month > reported["month"]]
        for month in remaining:
            for platform, figures in sorted(reported["platforms"].items()):
                writer.writerow([school.code, name, roc_month(month), platform, "", "", "", *figures])
    return buffer.getvalue().encode("utf-8-sig")
