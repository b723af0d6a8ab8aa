from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from budget import rules as engine
from schools.models import County, PlanYear


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已送審"
    RETURNED = "returned", "退回修正"
    APPROVED = "approved", "已核定"


COUNTY_EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
# Lines whose 申請補助數 is the 附錄's (summed over the county, less the previously subsidised).
ROSTER_LINES = (engine.LINE_TEACHER_DEVICES, engine.LINE_STUDENT_DEVICES, engine.LINE_CARTS)


class CountyPlan(models.Model):
    """A county's plan for a plan year (附件1): the budget table's inputs and its review."""

    county = models.ForeignKey(County, verbose_name="縣市", on_delete=models.PROTECT, related_name="plans")
    plan_year = models.ForeignKey(PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="plans")
    status = models.CharField("狀態", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)

    # 教育部提供 (entered by an MOE reviewer; the years of 已受補助數 are the rule set's)
    prev_teacher_devices = models.PositiveIntegerField("已受補助教師載具數", default=0)
    prev_student_devices = models.PositiveIntegerField("已受補助學生載具數", default=0)
    prev_carts = models.PositiveIntegerField("已受補助充電車數", default=0)
    moe_estimate_teacher_devices = models.PositiveIntegerField(
        "教師載具預估補助數", null=True, blank=True, help_text="留白為暫估：計算補助數減已受補助數"
    )
    moe_estimate_student_devices = models.PositiveIntegerField(
        "學生載具預估補助數", null=True, blank=True, help_text="留白為暫估；可含學校及縣市統籌運用數"
    )
    moe_estimate_carts = models.PositiveIntegerField(
        "充電車預估補助數", null=True, blank=True, help_text="留白為暫估：計算補助數減已受補助數"
    )
    ap_count = models.PositiveIntegerField("無線網路AP預估補助數", default=0)
    ap_amount_ntd = models.PositiveBigIntegerField("無線網路AP預估補助經費（元）", default=0)
    software_amount_ntd = models.PositiveBigIntegerField("教學軟體及數位內容預估補助經費（元）", default=0)

    # 縣市填寫
    existing_devices_without_mdm = models.PositiveIntegerField("需MDM授權的既有學習載具數", default=0)
    training_sessions = models.PositiveIntegerField("規劃增能研習場次", default=0)
    substitute_periods_elementary = models.PositiveIntegerField("國小代理代課節數", default=0)
    substitute_periods_junior = models.PositiveIntegerField("國中代理代課節數", default=0)
    requested_counselors = models.PositiveSmallIntegerField("申請數位學習輔導人力", null=True, blank=True)
    requested_it_staff = models.PositiveSmallIntegerField("申請資訊網路人力", null=True, blank=True)
    requested_admin_staff = models.PositiveSmallIntegerField("申請數位學習事務(行政)人力", null=True, blank=True)
    part_time_counselors = models.PositiveSmallIntegerField(
        "其中兼任數位學習輔導人力", default=0, help_text="六(三)5(4)：輔導與資訊網路人力得採兼任"
    )
    part_time_it_staff = models.PositiveSmallIntegerField("其中兼任資訊網路人力", default=0)
    part_time_share_percent = models.PositiveSmallIntegerField(
        "兼任人力支給比率（%）", null=True, blank=True, help_text="兼任人力依全年金額的此比率編列"
    )

    return_reason = models.TextField("退回理由", blank=True)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    scope_county_field = "county"
    # School staff may read their county's plan status (not its budget lines).
    scope_school_reads_county = True

    class Meta:
        ordering = ["plan_year", "county__sort_order"]
        verbose_name = "縣市計畫"
        verbose_name_plural = "縣市計畫"
        constraints = [
            models.UniqueConstraint(fields=["county", "plan_year"], name="one_plan_per_county_year"),
            models.CheckConstraint(
                condition=Q(part_time_share_percent__isnull=True) | Q(part_time_share_percent__lte=100),
                name="plan_part_time_share_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_year.year}年{self.county.name}計畫"

    @property
    def county_may_edit(self) -> bool:
        return self.status in COUNTY_EDITABLE

    @property
    def moe_estimates(self) -> dict[int, int | None]:
        return {
            engine.LINE_TEACHER_DEVICES: self.moe_estimate_teacher_devices,
            engine.LINE_STUDENT_DEVICES: self.moe_estimate_student_devices,
            engine.LINE_CARTS: self.moe_estimate_carts,
        }

    def budget_inputs(
        self,
        totals: engine.CountyTotals,
        lines: dict[int, "BudgetLine"],
        roster_requested: engine.Requested | None = None,
    ) -> engine.BudgetInputs:
        requested = {
            n: line.requested for n, line in lines.items() if line.requested is not None and n not in ROSTER_LINES
        }
        staffing = None
        if any(v is not None for v in (self.requested_counselors, self.requested_it_staff, self.requested_admin_staff)):
            entitled = engine.entitled_staffing(totals.schools, self.plan_year.rule_set)
            staffing = engine.Staffing(
                counselors=_or(self.requested_counselors, entitled.counselors),
                it_staff=_or(self.requested_it_staff, entitled.it_staff),
                admin_staff=_or(self.requested_admin_staff, entitled.admin_staff),
                amount_ntd=0,
            )
        software = lines[engine.LINE_SOFTWARE]
        other = lines[engine.LINE_OTHER]
        wireless = lines[engine.LINE_WIRELESS]
        return engine.BudgetInputs(
            totals=totals,
            previously_subsidised={
                engine.LINE_TEACHER_DEVICES: self.prev_teacher_devices,
                engine.LINE_STUDENT_DEVICES: self.prev_student_devices,
                engine.LINE_CARTS: self.prev_carts,
            },
            moe_estimates=self.moe_estimates,
            roster_requested=roster_requested,
            part_time=engine.PartTime(
                counselors=self.part_time_counselors,
                it_staff=self.part_time_it_staff,
                share_percent=self.part_time_share_percent,
            ),
            existing_devices_without_mdm=self.existing_devices_without_mdm,
            ap_count=self.ap_count,
            ap_amount_ntd=self.ap_amount_ntd,
            software_amount_ntd=self.software_amount_ntd,
            training_sessions=self.training_sessions,
            substitute_periods={
                engine.ELEMENTARY: self.substitute_periods_elementary,
                engine.JUNIOR_HIGH: self.substitute_periods_junior,
            },
            requested_counts=requested,
            requested_staffing=staffing,
            requested_ap_amount_ntd=wireless.capital_ntd,
            software_split=(
                engine.Split(software.recurrent_ntd or 0, software.capital_ntd or 0)
                if software.recurrent_ntd is not None or software.capital_ntd is not None
                else None
            ),
            other_split=engine.Split(other.recurrent_ntd or 0, other.capital_ntd or 0),
            explanations={n: line.explanation for n, line in lines.items() if line.explanation},
        )


def _or(value, default):
    return default if value is None else value


class BudgetLine(models.Model):
    """One of the 11 lines of 附件1 六 經費需求: what the county asks and what the MOE grants.

    `requested` is a count (lines 1-5, 9) or an amount in NTD (6, 8); None means "as
    estimated". The engine computes every other column from the plan and the roster.
    """

    plan = models.ForeignKey(CountyPlan, verbose_name="計畫", on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField("項次")
    requested = models.PositiveBigIntegerField("申請補助數", null=True, blank=True)
    recurrent_ntd = models.PositiveBigIntegerField("經常門（元）", null=True, blank=True)
    capital_ntd = models.PositiveBigIntegerField("資本門（元）", null=True, blank=True)
    explanation = models.TextField("預估補助數與申請補助數之差異說明", blank=True)
    procurement_note = models.TextField("須發包項目說明", blank=True)
    approved_ntd = models.PositiveBigIntegerField("教育部核定（元）", null=True, blank=True)
    approval_note = models.TextField("核定說明", blank=True)
    review_note = models.TextField("審查意見", blank=True)

    history = HistoricalRecords()

    scope_county_field = "plan__county"

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = "經費項目"
        verbose_name_plural = "經費項目"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_line_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=11), name="line_number_1_to_11"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        return engine.LINE_NAMES[self.number]

    @property
    def is_amount(self) -> bool:
        return self.number in engine.AMOUNT_LINES


class PlanNarrative(models.Model):
    """附件1's own words: one field for every ○ the MOE's template leaves to the county.

    The fixed MOE text around them lives in the document templates; the quantitative
    indicators 1-4 of 五(一) are computed (budget.selectors.plan_indicators), 5-9 entered."""

    plan = models.OneToOneField(CountyPlan, verbose_name="計畫", on_delete=models.CASCADE, related_name="narrative")
    version = models.PositiveIntegerField("版本", default=1)
    organization = models.TextField("四(一)2 組織成員與分組", blank=True)
    promotion_plan = models.TextField("四(一)3(1)D 跨校交流、成果展等推廣活動及獎勵措施規劃", blank=True)
    key_schools_count = models.PositiveSmallIntegerField(
        "四(一)3(1)E 重點學校數", null=True, blank=True, help_text="留白為總校數的 5%"
    )
    key_schools_plan = models.TextField("四(一)3(1)E 重點學校工作規劃", blank=True)
    literacy_activities = models.TextField("四(一)3(1)F 學生數位素養推廣活動規劃", blank=True)
    literacy_training_plan = models.TextField("四(一)3(2)B(C) 數位素養教師增能研習規劃", blank=True)
    it_staff_training_plan = models.TextField("四(一)3(2)B(D) 資訊組長增能研習規劃", blank=True)
    usage_assurance = models.TextField("四(一)3(3)A 確保軟硬體充分應用的方式", blank=True)
    evaluation_mechanism = models.TextField("四(一)3(3)B 學習成效評估機制", blank=True)
    other_work = models.TextField("四(一)4 其他", blank=True)
    lending_rules = models.TextField("四(二)2 學習載具借用歸還規則與發放作業規劃", blank=True)
    software_management = models.TextField("四(三)2 教學軟體及數位內容購置、分配與管理機制", blank=True)
    improved_share_percent = models.PositiveSmallIntegerField(
        "五(一)5 抽樣學習成效提升人數比率（%）", null=True, blank=True
    )
    improved_subjects = models.CharField("五(一)5 抽樣科目", max_length=100, blank=True)
    wireless_classes = models.PositiveIntegerField("五(一)7 具備良好無線網路之班級數", null=True, blank=True)
    learning_support_share_percent = models.PositiveSmallIntegerField(
        "五(一)8 學習扶助班級融入數位教學比率（%）", null=True, blank=True
    )
    other_indicators = models.TextField("五(一)9 其他量化指標", blank=True)
    qualitative_indicators = models.TextField("五(二) 質化指標", blank=True)

    history = HistoricalRecords(excluded_fields=["version"])

    scope_county_field = "plan__county"

    # What submission needs filled in (the template's ○ placeholders); the rest is optional.
    REQUIRED = (
        "promotion_plan",
        "key_schools_plan",
        "literacy_activities",
        "literacy_training_plan",
        "it_staff_training_plan",
        "usage_assurance",
        "evaluation_mechanism",
        "lending_rules",
        "software_management",
        "improved_share_percent",
        "wireless_classes",
        "learning_support_share_percent",
        "qualitative_indicators",
    )

    class Meta:
        verbose_name = "計畫內容（附件1）"
        verbose_name_plural = "計畫內容（附件1）"
        constraints = [
            models.CheckConstraint(
                condition=Q(improved_share_percent__lte=100) & Q(learning_support_share_percent__lte=100),
                name="narrative_percents_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 附件1"

    def missing_fields(self) -> list[str]:
        """The verbose names of the required placeholders still empty."""
        return [
            self._meta.get_field(name).verbose_name
            for name in self.REQUIRED
            if getattr(self, name) is None or str(getattr(self, name)).strip() == ""
        ]


# The narrative's own fields, in the order of 附件1.
NARRATIVE_FIELDS = tuple(f.name for f in PlanNarrative._meta.concrete_fields if f.name not in ("id", "plan", "version"))


class PlanSubmission(models.Model):
    """What the county submitted, frozen: the reviewer sees exactly this, whatever changes later."""

    plan = models.ForeignKey(CountyPlan, verbose_name="計畫", on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField("第幾次送審")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送審者", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("送審時間", auto_now_add=True)
    roster = models.JSONField("名單")
    budget = models.JSONField("經費表")
    totals = models.JSONField("合計")
    narrative = models.JSONField("計畫內容與績效指標", default=dict)

    scope_county_field = "plan__county"

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = "送審版本"
        verbose_name_plural = "送審版本"
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_submission_per_number")]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.number}次送審"


class PlanEvent(models.Model):
    """Who did what to the plan, and when, as the plan's page lists it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "送審"
        RETURNED = "returned", "退回"
        LINE_APPROVED = "line_approved", "核定經費項目"
        APPROVED = "approved", "核定計畫"
        MOE_INPUTS = "moe_inputs", "更新教育部提供數"
        DISBURSED = "disbursed", "登錄撥款"
        FINAL_SUBMITTED = "final_submitted", "提交結報"
        FINAL_RETURNED = "final_returned", "結報退回"
        CLOSED = "closed", "核結"

    plan = models.ForeignKey(CountyPlan, verbose_name="計畫", on_delete=models.CASCADE, related_name="events")
    submission = models.ForeignKey(
        PlanSubmission, verbose_name="送審版本", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    kind = models.CharField("事件", max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="執行者", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("時間", auto_now_add=True)
    note = models.TextField("說明", blank=True)
    data = models.JSONField("內容", default=dict, blank=True)

    scope_county_field = "plan__county"

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "計畫紀錄"
        verbose_name_plural = "計畫紀錄"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ReviewComment(models.Model):
    """One line's comment of a return (退回): a checklist item the county answers (已修正／說明)
    before it resubmits; closed by the resubmission that carried the answer, archived with
    its round when the plan is approved."""

    class Reply(models.TextChoices):
        FIXED = "fixed", "已修正"
        EXPLAINED = "explained", "說明"

    plan = models.ForeignKey(CountyPlan, verbose_name="計畫", on_delete=models.CASCADE, related_name="review_comments")
    submission = models.ForeignKey(
        PlanSubmission, verbose_name="退回之送審版本", on_delete=models.CASCADE, related_name="review_comments"
    )
    line_number = models.PositiveSmallIntegerField("項次")
    text = models.TextField("審查意見")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="審查者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("退回時間", auto_now_add=True)
    reply_kind = models.CharField("回覆", max_length=10, choices=Reply.choices, blank=True)
    reply_text = models.TextField("回覆說明", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回覆者",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    replied_at = models.DateTimeField("回覆時間", null=True, blank=True)
    answered_in = models.ForeignKey(
        PlanSubmission,
        verbose_name="回覆之送審版本",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_comments",
    )
    archived_at = models.DateTimeField("歸檔時間", null=True, blank=True)

    scope_county_field = "plan__county"

    class Meta:
        ordering = ["submission__number", "line_number", "pk"]
        verbose_name = "審查意見"
        verbose_name_plural = "審查意見"
        constraints = [
            models.CheckConstraint(condition=Q(line_number__gte=1, line_number__lte=11), name="comment_line_1_to_11"),
        ]

    def __str__(self) -> str:
        return f"第{self.line_number}項審查意見"

    @property
    def is_open(self) -> bool:
        """Not yet carried by a resubmission and not archived: the county still owes an answer."""
        return self.answered_in_id is None and self.archived_at is None

    @property
    def line_name(self) -> str:
        return engine.LINE_NAMES[self.line_number]


class RuleScenario(models.Model):
    """A named copy of a plan year's rule set that an MOE reviewer changes to see what the
    counties' entitlement would be (budget.whatif). It never changes a plan or the roster:
    nothing reads it but the scenario pages. `rule_values()` is the plain dict of RuleSet keys
    (RuleSet.to_dict) that opening next year's plan from it takes."""

    plan_year = models.ForeignKey(PlanYear, verbose_name="依據年度", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("情境名稱", max_length=100)
    note = models.TextField("說明", blank=True)
    rules = models.JSONField("補助規則參數")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="建立者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    # National modelling: the MOE's and admins', no county's (portal.access).
    scope_national = True

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "補助規則情境"
        verbose_name_plural = "補助規則情境"
        constraints = [models.UniqueConstraint(fields=["plan_year", "name"], name="scenario_name_unique_per_year")]

    def __str__(self) -> str:
        return f"{self.plan_year.year}年 {self.name}"

    @property
    def rule_set(self) -> engine.RuleSet:
        return engine.RuleSet.from_dict(self.rules)

    def rules_dict(self) -> dict:
        """The stored rules completed with the defaults of parameters added since (RuleSet.to_dict)."""
        return self.rule_set.to_dict()

    def rule_values(self) -> dict:
        """The scenario as a plain dict of rule-set keys (RuleSet.to_dict), e.g. for open_plan_year."""
        return self.rule_set.to_dict()

    def changed_values(self) -> dict:
        """The parameters the scenario changed from its year's rules: what a next year opened
        from the scenario (budget.years.plan_year_open) takes instead of the year's own."""
        base = self.plan_year.rule_set.to_dict()
        return {key: value for key, value in self.rule_values().items() if base.get(key) != value}


# After 核定 (七(三) 核結): defined in models_closing, imported here so Django registers them.
from budget.models_closing import FinalReport, FinalReportLine, PlanDisbursement  # noqa: E402

__all__ = [
    "COUNTY_EDITABLE",
    "NARRATIVE_FIELDS",
    "ROSTER_LINES",
    "BudgetLine",
    "CountyPlan",
    "FinalReport",
    "FinalReportLine",
    "PlanDisbursement",
    "PlanEvent",
    "PlanNarrative",
    "PlanStatus",
    "PlanSubmission",
    "ReviewComment",
    "RuleScenario",
]
