from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A document rendered in the background (the plan as PDF, Excel workbooks).

    The job row is the truth about it: the page polls it for progress, the worker updates
    it, and a failed job keeps its reason. Files are kept for a while, then deleted by a
    periodic task; the row stays as a record of who asked for what."""

    class Kind(models.TextChoices):
        PLAN_PDF = "plan_pdf", "計畫書 PDF（附件1 含經費表與附錄）"
        PLAN_XLSX = "plan_xlsx", "經費表與附錄 Excel"
        ROSTER_XLSX = "roster_xlsx", "學校名單（附錄）Excel"

    class Status(models.TextChoices):
        QUEUED = "queued", "排隊中"
        RUNNING = "running", "產製中"
        DONE = "done", "完成"
        FAILED = "failed", "失敗"

    kind = models.CharField("文件", max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申請者", on_delete=models.PROTECT, related_name="+"
    )
    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "schools.County",
        verbose_name="縣市",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="空白為全國（只有教育部與系統管理者）",
    )
    plan = models.ForeignKey(
        "budget.CountyPlan", verbose_name="計畫", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        "budget.PlanSubmission",
        verbose_name="送審版本",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="計畫文件所依據的送審版本；空白為目前資料（草稿）",
    )
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("進度（%）", default=0)
    progress_note = models.CharField("進度說明", max_length=100, blank=True)
    file = models.FileField("檔案", upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField("檔名", max_length=200, blank=True)
    error = models.TextField("失敗原因", blank=True)
    attempts = models.PositiveSmallIntegerField("嘗試次數", default=0)
    created_at = models.DateTimeField("申請時間", auto_now_add=True)
    started_at = models.DateTimeField("開始時間", null=True, blank=True)
    finished_at = models.DateTimeField("完成時間", null=True, blank=True)

    scope_county_field = "county"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "文件產製"
        verbose_name_plural = "文件產製"
        indexes = [models.Index(fields=["status", "finished_at"], name="export_status_finished")]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_progress_le_100")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
