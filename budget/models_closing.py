"""After 核定: the money the county received and its final report (seed 七(三) 核結).

Apart from budget/models.py only to keep each module short; budget.models re-exports these,
so every import names budget.models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class PlanDisbursement(models.Model):
    """A payment of the approved subsidy the county received (撥款), as the county records it."""

    plan = models.ForeignKey(
        "budget.CountyPlan", verbose_name="計畫", on_delete=models.CASCADE, related_name="disbursements"
    )
    received_on = models.DateField("入帳日期")
    amount_ntd = models.PositiveBigIntegerField("撥款金額（元）")
    reference = models.CharField("教育部核撥文號", max_length=100, blank=True)
    note = models.CharField("備註", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登錄者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登錄時間", auto_now_add=True)

    history = HistoricalRecords()

    scope_county_field = "plan__county"

    class Meta:
        ordering = ["plan", "received_on", "pk"]
        verbose_name = "撥款紀錄"
        verbose_name_plural = "撥款紀錄"
        constraints = [models.CheckConstraint(condition=Q(amount_ntd__gt=0), name="disbursement_amount_positive")]

    def __str__(self) -> str:
        return f"{self.plan} 撥款 {self.amount_ntd:,} 元"


class FinalReport(models.Model):
    """結報: what the county actually spent per line, 經常門 and 資本門, and what it returns.

    Filed after the plan period ends and due `final_report_due_months` later (seed 七(三));
    the MOE confirms it (核結) or returns it with a reason. The monthly reports' spending per
    line are its starting values."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "退回修正"
        CLOSED = "closed", "已核結"

    plan = models.OneToOneField(
        "budget.CountyPlan", verbose_name="計畫", on_delete=models.CASCADE, related_name="final_report"
    )
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    notes = models.TextField("執行情形與賸餘款說明", blank=True)
    submitted_at = models.DateTimeField("提交時間", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    closed_at = models.DateTimeField("核結時間", null=True, blank=True)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    scope_county_field = "plan__county"

    class Meta:
        verbose_name = "結報"
        verbose_name_plural = "結報"

    def __str__(self) -> str:
        return f"{self.plan} 結報"

    @property
    def county_may_edit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class FinalReportLine(models.Model):
    """One budget line's actual spending in the final report, integer NTD."""

    report = models.ForeignKey(FinalReport, verbose_name="結報", on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField("項次")
    recurrent_spent_ntd = models.PositiveBigIntegerField("實支經常門（元）", default=0)
    capital_spent_ntd = models.PositiveBigIntegerField("實支資本門（元）", default=0)

    history = HistoricalRecords()

    scope_county_field = "report__plan__county"

    class Meta:
        ordering = ["report", "number"]
        verbose_name = "結報經費項目"
        verbose_name_plural = "結報經費項目"
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="final_line_one_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=11), name="final_line_number_1_to_11"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.number}"

    @property
    def spent_ntd(self) -> int:
        return self.recurrent_spent_ntd + self.capital_spent_ntd
