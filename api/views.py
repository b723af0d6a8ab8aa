"""The read-only API (/api/v1/). Each resource reads through the same selectors as the pages,
with the token's user, so a token sees exactly what its user sees on the pages: another
county's rows never, a school its own school. Resources the pages keep from a role (the
budget table, monthly reports and indicators from school staff) answer 403 to its token."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions

from api import serializers as s
from api.base import COUNTY, UPDATED_SINCE, YEAR, ApiListView
from budget import rules as engine
from budget.models import CountyPlan, PlanEvent, PlanStatus
from budget.selectors import NARRATIVES, plan_table
from devices.selectors import DEVICES, reconciliation
from portal import access
from portal.roc import ROC_OFFSET
from reporting.cache import OUTCOMES, page_part
from reporting.importing import USAGE
from reporting.indicators import indicators
from reporting.models import MonthlyReport, MonthlySpending, UsageRecord
from reporting.selectors_monthly import deadline_of
from schools.models import County, RosterRow, School
from schools.roster_format import ROW_FIGURES
from schools.selectors import ROSTER, county_entitlements, roster_rows_for
from training.selectors import TRAINING, cached_read, progress_for_schools

MONTH = OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM（如 2022-03）", required=False)
TAG = "資料"


ERRORS = {
    304: OpenApiResponse(description="與 If-None-Match 的 ETag 相同：內容未變"),
    400: OpenApiResponse(
        s.ErrorSerializer, description="參數錯誤（year、county、updated_since、month、limit、cursor）"
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="沒有權杖、權杖無效、已撤銷或帳號已停用"),
    403: OpenApiResponse(s.ErrorSerializer, description="此帳號的角色不能讀取這項資料"),
    404: OpenApiResponse(s.ErrorSerializer, description="縣市或年度不存在，或您看不到"),
    429: OpenApiResponse(s.ErrorSerializer, description="請求過於頻繁；Retry-After 標頭為需等待的秒數"),
}


def resource(**kwargs):
    """The view's entry in the API schema: its serializer_class, the errors every resource may
    answer, and `kwargs` (summary, parameters, description)."""

    def describe(view):
        return extend_schema(responses={200: view.serializer_class, **ERRORS}, tags=[TAG], **kwargs)(view)

    return describe


class ScopedListView(ApiListView):
    """A list read from one model's rows, narrowed by the common filters as the resources ask
    (each call reads its parameter, so a bad one is reported in the order the view checks them)."""

    def in_scope(self, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` the token's user sees on the pages, in ?county= when given."""
        rows = access.for_user(queryset, self.request.user)
        county = self.county()
        return rows if county is None else rows.filter(county=county)

    def changed_since(self, rows: QuerySet) -> QuerySet:
        """`rows` updated at or after ?updated_since= when given."""
        since = self.updated_since()
        return rows if since is None else rows.filter(updated_at__gte=since)


def _month(value) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _roc_month(value) -> str:
    return f"{value.year - ROC_OFFSET}{value.month:02d}"


@resource(summary="縣市", description="您看得到的縣市（學校帳號：無）。")
class CountyList(ApiListView):
    serializer_class = s.CountySerializer

    def get_queryset(self):
        return access.for_user(County.objects.all(), self.request.user).values("pk", "code", "name")


@resource(
    summary="學校",
    parameters=[COUNTY],
    description="您看得到的學校；學校帳號為本校。",
)
class SchoolList(ScopedListView):
    serializer_class = s.SchoolSerializer

    def get_queryset(self):
        return self.in_scope(School.objects.all()).values(
            "pk",
            "code",
            "name",
            "ownership",
            "affiliation",
            county_code=F("county__code"),
            county_name=F("county__name"),
        )

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        for row in rows:
            row["county"] = row.pop("county_name")
        return rows


@resource(
    summary="名單列與補助數",
    parameters=[YEAR, COUNTY, UPDATED_SINCE],
    description="附錄名單的每一列（一校一學制），含申請補助數與依補助原則計算的補助數及金額（元）。",
)
class RosterRowList(ScopedListView):
    serializer_class = s.RosterRowSerializer

    def get_queryset(self):
        self.year = self.plan_year()
        rows = roster_rows_for(user=self.request.user, plan_year=self.year, county=self.county())
        return self.changed_since(rows).values(
            "pk",
            "level",
            *ROW_FIGURES,
            "updated_at",
            school_code=F("school__code"),
            county_code=F("school__county__code"),
            county_name=F("school__county__name"),
        )

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        rules = self.year.rule_set
        for row in rows:
            requested = None
            if row["req_carts"] is not None:
                requested = {
                    "carts": row["req_carts"],
                    "teacher_devices": row["req_teacher_devices"],
                    "student_devices": row["req_student_devices"],
                }
            entitled = {
                "carts": row["entitled_carts"],
                "teacher_devices": row["entitled_teacher_devices"],
                "student_devices": row["entitled_student_devices"],
            }
            row.update(
                id=row["pk"],
                roc_year=self.year.year,
                survey_roc_year=self.year.survey_year,
                county=row["county_name"],
                remote=engine.is_remote(row["area"], rules),
                requested=requested,
                entitled=entitled,
                entitled_amount_ntd=(entitled["teacher_devices"] + entitled["student_devices"])
                * rules.device_unit_price
                + entitled["carts"] * rules.cart_unit_price,
            )
        return rows


@resource(
    summary="縣市計畫與經費表",
    parameters=[YEAR, COUNTY, UPDATED_SINCE],
    description="各縣市計畫的狀態、送審與核定，以及附件1 六 經費需求 11 項（元）。學校帳號不能讀取。",
)
class PlanList(ScopedListView):
    serializer_class = s.PlanSerializer

    def may_read(self, user) -> bool:
        return access.may_read_budget(user)

    def get_queryset(self):
        self.year = self.plan_year()
        plans = self.changed_since(self.in_scope(CountyPlan.objects.filter(plan_year=self.year)))
        return (
            plans.select_related("county", "plan_year")
            .prefetch_related("lines")
            .annotate(
                submission_count=Count("submissions", distinct=True),
                last_submitted_at=Max("submissions__submitted_at"),
                approved_at=Max("events__at", filter=Q(events__kind=PlanEvent.Kind.APPROVED)),
            )
        )

    def paginate_queryset(self, queryset):
        plans = super().paginate_queryset(queryset)
        if not plans:
            return plans
        rows = RosterRow.objects.filter(plan_year=self.year, school__county__in=[p.county_id for p in plans])
        totals = {
            item["county"]: item["totals"] for item in county_entitlements(rows=rows, rule_set=self.year.rule_set)
        }
        empty = engine.CountyTotals(0, 0, 0, 0, 0, 0)
        result = []
        for plan in plans:
            lines = {line.number: line for line in plan.lines.all()}
            table = plan_table(plan, lines, totals.get(plan.county.name, empty))
            approved = [line.approved_ntd for line in lines.values() if line.approved_ntd is not None]
            result.append(
                {
                    "id": plan.pk,
                    "roc_year": self.year.year,
                    "county_code": plan.county.code,
                    "county": plan.county.name,
                    "status": plan.status,
                    "status_label": plan.get_status_display(),
                    "approved": plan.status == PlanStatus.APPROVED,
                    "submissions": plan.submission_count,
                    "last_submitted_at": plan.last_submitted_at,
                    "approved_at": plan.approved_at if plan.status == PlanStatus.APPROVED else None,
                    "return_reason": plan.return_reason,
                    "schools": totals.get(plan.county.name, empty).schools,
                    "total_ntd": table.total_ntd,
                    "approved_total_ntd": sum(approved) if approved else None,
                    "budget_lines": [
                        {
                            "number": line.number,
                            "name": line.name,
                            "computed": line.computed,
                            "previously_subsidised": line.previously_subsidised,
                            "estimate": line.estimate,
                            "requested": line.requested,
                            "recurrent_ntd": line.recurrent_ntd,
                            "capital_ntd": line.capital_ntd,
                            "total_ntd": line.total_ntd,
                            "explanation": line.explanation,
                            "approved_ntd": lines[line.number].approved_ntd if line.number in lines else None,
                            "approval_note": lines[line.number].approval_note if line.number in lines else "",
                        }
                        for line in table.lines
                    ],
                    "updated_at": plan.updated_at,
                    "pk": plan.pk,
                }
            )
        return result


@resource(
    summary="各校載具概況",
    parameters=[YEAR, COUNTY],
    description="每校的應補助（依補助原則）、申請、到校、MDM 註冊與盤點載具數，及待處理事項。",
)
class DeviceSummaryList(ApiListView):
    serializer_class = s.DeviceSummarySerializer
    cursor_key = "school_code"

    def get_queryset(self):
        year = self.plan_year()
        county = self.county()
        result = reconciliation(user=self.request.user, plan_year=year, county_id=county.pk if county else None)
        return [
            {
                "roc_year": year.year,
                "school_code": line.code,
                "school_name": line.name,
                "county": line.county,
                "entitled": line.entitled,
                "approved": line.approved,
                "delivered": line.delivered,
                "mdm_enrolled": line.mdm,
                "inspected": line.found,
                "flags": list(line.flags),
            }
            for line in result.schools
        ]


@resource(
    summary="數位學習平臺使用時數",
    parameters=[YEAR, COUNTY, MONTH, UPDATED_SINCE],
    description="每校每月每平臺一筆，數字與 /usage/export.csv 相同。",
)
class UsageList(ScopedListView):
    serializer_class = s.UsageSerializer

    def get_queryset(self):
        self.year = self.plan_year()
        records = self.in_scope(UsageRecord.objects.filter(plan_year=self.year))
        month = self.request.query_params.get("month")
        if month:
            wanted = next((m for m in self.year.months if _month(m) == month), None)
            if wanted is None:
                raise exceptions.ValidationError({"month": "month 須為計畫期程內的月份，格式 YYYY-MM（如 2022-03）"})
            records = records.filter(month=wanted)
        return self.changed_since(records).values(
            "pk",
            "month",
            "platform",
            "hours",
            "active_students",
            "active_devices",
            "updated_at",
            county_code=F("county__code"),
            county_name=F("county__name"),
            school_code=F("school__code"),
            school_name=F("school__name"),
        )

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        for row in rows:
            month = row["month"]
            row.update(
                id=row["pk"],
                roc_year=self.year.year,
                county=row["county_name"],
                month=_month(month),
                roc_month=_roc_month(month),
            )
        return rows


@resource(
    summary="月報",
    parameters=[YEAR, COUNTY, UPDATED_SINCE],
    description="各縣市各月月報的狀態、期限、是否準時、提交時凍結的數據與各項經費支用（元）。學校帳號不能讀取。",
)
class MonthlyReportList(ScopedListView):
    serializer_class = s.MonthlyReportSerializer

    def may_read(self, user) -> bool:
        return access.may_read_county_reports(user)

    def get_queryset(self):
        self.year = self.plan_year()
        reports = self.in_scope(MonthlyReport.objects.filter(plan_year=self.year))
        # A report changes when it is submitted or returned.
        since = self.updated_since()
        if since is not None:
            reports = reports.filter(Q(submitted_at__gte=since) | Q(returned_at__gte=since))
        return reports.select_related("county")

    def paginate_queryset(self, queryset):
        reports = super().paginate_queryset(queryset)
        rules = self.year.rule_set
        spending: dict[int, list] = {}
        lines = MonthlySpending.objects.filter(report__in=[r.pk for r in reports]).order_by("line")
        for item in access.for_user(lines, self.request.user).values("report_id", "line", "amount_ntd"):
            spending.setdefault(item.pop("report_id"), []).append(item)
        result = []
        for report in reports:
            deadline = deadline_of(report.month, rules)
            first = report.first_submitted_at
            result.append(
                {
                    "pk": report.pk,
                    "id": report.pk,
                    "roc_year": self.year.year,
                    "county_code": report.county.code,
                    "county": report.county.name,
                    "month": _month(report.month),
                    "roc_month": _roc_month(report.month),
                    "status": report.status,
                    "status_label": report.get_status_display(),
                    "deadline": deadline,
                    "first_submitted_at": first,
                    "submitted_at": report.submitted_at,
                    "on_time": None if first is None else _local_date(first) <= deadline,
                    "returned_at": report.returned_at,
                    "return_reason": report.return_reason,
                    "notes": report.notes,
                    "figures": report.figures or {},
                    "spending": spending.get(report.pk, []),
                }
            )
        return result


def _local_date(moment):
    return timezone.localtime(moment).date()


@resource(
    summary="教師培訓進度",
    parameters=[YEAR, COUNTY],
    description="各校完成數位學習工作坊 A1＋A2、數位素養研習與資訊組長研習的人數，對照該年度目標。",
)
class TrainingProgressList(ApiListView):
    serializer_class = s.TrainingProgressSerializer
    cursor_key = "school_code"

    def get_queryset(self):
        year = self.plan_year()
        schools = access.for_user(School.objects.all(), self.request.user)
        county = self.county()
        if county is not None:
            schools = schools.filter(county=county)
        report = cached_read(
            ("api_progress", year.pk, county.pk if county else None),
            lambda: progress_for_schools(schools=schools, plan_year=year, label=""),
            user=self.request.user,
        )
        counties = dict(schools.values_list("code", "county__name"))
        return [
            {
                "roc_year": year.year,
                "school_code": p.code,
                "school_name": p.label,
                "county": counties.get(p.code, ""),
                "teachers": p.teachers,
                "trained": p.trained,
                "a1a2": p.a1a2,
                "a1a2_target_percent": p.a1a2_target_percent,
                "a1a2_target": p.a1a2_target,
                "literacy": p.literacy,
                "literacy_target_percent": p.literacy_target_percent,
                "literacy_target": p.literacy_target,
                "it_staff": p.it_staff,
                "it_staff_target": p.it_staff_target,
            }
            for p in report.rows
        ]


@resource(
    summary="附件1 五(一) 量化指標",
    parameters=[YEAR, COUNTY],
    description="各縣市八項量化指標的實際值、目標與是否達成（尚無資料為 null，不是 0）。學校帳號不能讀取。",
)
class IndicatorList(ApiListView):
    serializer_class = s.CountyIndicatorsSerializer
    cursor_key = "county_code"

    def may_read(self, user) -> bool:
        return access.may_read_county_reports(user)

    def get_queryset(self):
        year = self.plan_year()
        county = self.county()
        counties = [county] if county else list(access.for_user(County.objects.all(), self.request.user))
        if not counties:
            return []
        # The dashboard's own computation, cached the same way until any source changes.
        items = page_part(
            "api_indicators",
            (year.pk, tuple(c.pk for c in counties)),
            lambda: indicators(plan_year=year, counties=counties),
            user=self.request.user,
            depends=(USAGE, ROSTER, OUTCOMES, NARRATIVES, DEVICES, TRAINING),
        )
        result = {
            c.pk: {"roc_year": year.year, "county_code": c.code, "county": c.name, "indicators": []} for c in counties
        }
        for item in items:
            for row in item["counties"]:
                result[row["county"].pk]["indicators"].append(
                    {
                        "number": item["number"],
                        "label": item["label"],
                        "kind": item["kind"],
                        "unit": item["unit"],
                        "value": row["value"],
                        "target": row["target"],
                        "numerator": row["numerator"],
                        "denominator": row["denominator"],
                        "met": row["met"],
                    }
                )
        return list(result.values())
