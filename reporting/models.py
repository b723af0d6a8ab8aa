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
        RESULTS_PDF = "results_pdf", "年度成果報告 PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", "排隊中"
        RUNNING = "running", "產製中"
        DONE = "done", "完成"
        FAILED = "failed", "失敗"
        CANCELLED = "cancelled", "已取消"

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
    # The message (Celery task id) and the worker process (host:pid) of the current attempt:
    # a second delivery of the same message while that process lives is not a new attempt.
    task_id = models.CharField("工作訊息編號", max_length=155, blank=True, editable=False)
    claimed_by = models.CharField("執行程序", max_length=200, blank=True, editable=False)
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
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)


# --- Usage hours (五(四)2(1)C, (3)A) ------------------------------------------------------


class UsageRecord(models.Model):
    """One school's hours on one learning platform in one month, as the school reported it.

    A later upload of the same school, month and platform replaces the figures (the
    reporting services say so in the preview). The county is stored alongside the school
    so that the national aggregates group 216,000 rows without a join.

    plan_year and county carry no database constraint: both are written by the import from
    the PlanYear it runs for and the School's own county, and PostgreSQL's deferred foreign
    key checks cost a trigger a row and constraint at commit (seconds for a national year).
    The school keeps its constraint."""

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    county = models.ForeignKey(
        "schools.County", verbose_name="縣市", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    school = models.ForeignKey(
        "schools.School", verbose_name="學校", on_delete=models.PROTECT, related_name="usage_records"
    )
    month = models.DateField("月份", help_text="該月 1 日")
    platform = models.CharField("數位學習平臺", max_length=40)
    hours = models.DecimalField("使用時數", max_digits=12, decimal_places=1)
    active_students = models.PositiveIntegerField("活躍學生數")
    active_devices = models.PositiveIntegerField("活躍載具數")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填報者", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("填報時間")

    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        ordering = ["month", "school__code", "platform"]
        verbose_name = "平臺使用時數"
        verbose_name_plural = "平臺使用時數"
        constraints = [
            models.UniqueConstraint(fields=["school", "month", "platform"], name="usage_school_month_platform"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="usage_hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["plan_year", "county", "month"], name="usage_year_county_month"),
            models.Index(fields=["plan_year", "month", "platform"], name="usage_year_month_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m} {self.platform}"


# --- Learning outcomes (五(四)2(3)B) ------------------------------------------------------


class LearningOutcome(models.Model):
    """The county's sampled evaluation of one subject: students sampled and students improved."""

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey("schools.County", verbose_name="縣市", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("學科", max_length=20)
    sampled_students = models.PositiveIntegerField("抽樣學生數")
    improved_students = models.PositiveIntegerField("成效提升學生數")
    method = models.CharField("評估方式", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    scope_county_field = "county"

    class Meta:
        ordering = ["county__sort_order", "subject"]
        verbose_name = "學習成效評估"
        verbose_name_plural = "學習成效評估"
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "county", "subject"], name="outcome_one_per_subject"),
            models.CheckConstraint(
                condition=models.Q(improved_students__lte=models.F("sampled_students")),
                name="outcome_improved_le_sampled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.subject}"


class SupportClassFigures(models.Model):
    """附件1 五(一)8: the county's learning-support (學習扶助) classes and how many teach digitally."""

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey("schools.County", verbose_name="縣市", on_delete=models.PROTECT, related_name="+")
    support_classes = models.PositiveIntegerField("學習扶助班級數")
    digital_classes = models.PositiveIntegerField("融入數位教學之班級數")
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    scope_county_field = "county"

    class Meta:
        verbose_name = "學習扶助班級"
        verbose_name_plural = "學習扶助班級"
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "county"], name="support_figures_one_per_county"),
            models.CheckConstraint(
                condition=models.Q(digital_classes__lte=models.F("support_classes")),
                name="support_digital_le_classes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.digital_classes}/{self.support_classes}"


# --- Monthly reports (五(四)2(1)G 月報) ---------------------------------------------------


class MonthlyReport(models.Model):
    """A county's report of one month: figures compiled from the portal, its spending and notes.

    Drafted by the county, submitted by the deadline of the rule set (the 10th of the next
    month), returned by the MOE with a reason, submitted again. `figures` freezes what the
    portal said at the (last) submission."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "退回修正"

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey("schools.County", verbose_name="縣市", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份", help_text="該月 1 日")
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField("執行情形說明", blank=True)
    figures = models.JSONField("提交時的數據", default=dict, blank=True)
    first_submitted_at = models.DateTimeField("首次提交時間", null=True, blank=True)
    submitted_at = models.DateTimeField("最近提交時間", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    returned_at = models.DateTimeField("退回時間", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    scope_county_field = "county"

    class Meta:
        ordering = ["county__sort_order", "month"]
        verbose_name = "月報"
        verbose_name_plural = "月報"
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "county", "month"], name="monthly_report_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m}"

    @property
    def county_may_edit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class MonthlySpending(models.Model):
    """What the county spent in the month on one budget line (附件1 六, lines 1-11), integer NTD."""

    report = models.ForeignKey(MonthlyReport, verbose_name="月報", on_delete=models.CASCADE, related_name="spending")
    line = models.PositiveSmallIntegerField("經費項次")
    amount_ntd = models.PositiveBigIntegerField("本月支用（元）", default=0)

    scope_county_field = "report__county"

    class Meta:
        ordering = ["line"]
        verbose_name = "月報經費支用"
        verbose_name_plural = "月報經費支用"
        constraints = [models.UniqueConstraint(fields=["report", "line"], name="spending_one_per_line")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.line}: {self.amount_ntd}"


class MonthlyReportEvent(models.Model):
    """The report's trail: each submission and each return, by whom, when, why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "提交"
        RESUBMITTED = "resubmitted", "重新提交"
        RETURNED = "returned", "退回"

    report = models.ForeignKey(MonthlyReport, verbose_name="月報", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("動作", max_length=12, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作者", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("時間")
    reason = models.TextField("理由", blank=True)

    scope_county_field = "report__county"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "月報紀錄"
        verbose_name_plural = "月報紀錄"

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class ReminderSent(models.Model):
    """One reminder e-mail run for a county and month on one day: beat may fire more than once."""

    county = models.ForeignKey("schools.County", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    kind = models.CharField(max_length=20)
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    scope_county_field = "county"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "month", "kind", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month} {self.kind} {self.sent_on}"
