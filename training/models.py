"""The county's 數位學習推動辦公室 (五(四)): its people, duties, meetings, lessons and training.

Every record hangs off a county (or a school, and through it a county) and a plan year;
`scope_county_field` / `scope_school_field` let `portal.access` scope them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from budget import rules as engine
from portal.identifiers import personal_identifier_problem

# A 身分證統一編號 or 居留證號: one letter, then 1/2 (citizens), 8/9 (new residence permits)
# or A-D (old permits), then 8 digits. A trainee identifier that looks like one is refused.
NATIONAL_ID = re.compile(r"^[A-Z][12589A-D][0-9]{8}$", re.IGNORECASE)
TEACHER_CODE = re.compile(r"^[0-9A-Za-z_.\-]{1,30}$")


def teacher_code_problem(code: str) -> str:
    """Why `code` cannot identify a trainee ("" when it can)."""
    if not code:
        return "未填寫"
    if NATIONAL_ID.match(code):
        return "看起來是身分證統一編號或居留證號：請改用縣市自訂的教師識別碼，不要登錄身分證號"
    personal = personal_identifier_problem(code)
    if personal:
        return personal.replace("自訂的編號", "縣市自訂的教師識別碼")
    if not TEACHER_CODE.match(code):
        return f"「{code}」不是可用的識別碼（1–30 個英數字、底線、點或減號）"
    return ""


def validate_teacher_code(value: str) -> None:
    problem = teacher_code_problem(value)
    if problem:
        raise ValidationError(problem)


class CountyRecord(models.Model):
    """A record of one county's office in one plan year."""

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey("schools.County", verbose_name="縣市", on_delete=models.PROTECT, related_name="+")

    scope_county_field = "county"

    class Meta:
        abstract = True


class SchoolRecord(models.Model):
    """A record of one school in one plan year."""

    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("schools.School", verbose_name="學校", on_delete=models.PROTECT, related_name="+")

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        abstract = True

    @property
    def county(self):
        return self.school.county


# --- The office's people -------------------------------------------------------------------


class StaffKind(models.TextChoices):
    COUNSELOR = "counselor", "數位學習輔導人力"
    IT = "it", "資訊網路人力"
    ADMIN = "admin", "數位學習事務(行政)人力"


class OfficeStaff(CountyRecord):
    """A person the plan pays (六(三)5 專任人力): counted against the engine's entitlement."""

    kind = models.CharField("人力類別", max_length=10, choices=StaffKind.choices)
    name = models.CharField("姓名", max_length=50)
    full_time = models.BooleanField("專任", default=True, help_text="不勾選為兼任")
    months = models.PositiveSmallIntegerField(
        "聘用月數", default=11, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    note = models.CharField("備註", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "kind", "name"]
        verbose_name = "推動辦公室人力"
        verbose_name_plural = "推動辦公室人力"
        constraints = [models.CheckConstraint(condition=Q(months__gte=1, months__lte=12), name="office_staff_months")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class WorkingGroup(CountyRecord):
    """建議依工作職掌分組 (行政推動、資訊網路、教學與增能 ...)."""

    name = models.CharField("分組名稱", max_length=50)
    duties = models.TextField("工作職掌", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "name"]
        verbose_name = "工作分組"
        verbose_name_plural = "工作分組"

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    COUNTY_UNIT = "county_unit", "縣市政府跨單位代表"
    TEACHER = "teacher", "具經驗教師"
    EXPERT = "expert", "數位學習專家與學者"
    MOE_TEAM = "moe_team", "教育部委託輔導團隊計畫主持人／協同主持人"
    OTHER = "other", "其他"


class OfficeMember(CountyRecord):
    """The office's other members (五(四)1(1)), not paid by the plan's staffing line."""

    kind = models.CharField("成員類別", max_length=12, choices=MemberKind.choices)
    name = models.CharField("姓名", max_length=50)
    affiliation = models.CharField("服務單位／職稱", max_length=100, blank=True)
    group = models.ForeignKey(
        WorkingGroup, verbose_name="所屬分組", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "kind", "name"]
        verbose_name = "推動辦公室成員"
        verbose_name_plural = "推動辦公室成員"

    def __str__(self) -> str:
        return self.name


# --- Duties ------------------------------------------------------------------------------


class VisitKind(models.TextChoices):
    GUIDANCE = "guidance", "到校輔導"
    TECHNICAL = "technical", "技術支援訪視"


class SchoolVisit(SchoolRecord):
    visited_on = models.DateField("訪視日期")
    kind = models.CharField("類別", max_length=10, choices=VisitKind.choices)
    findings = models.TextField("發現（執行困難與問題）")
    help_given = models.TextField("提供之協助與輔導", blank=True)
    follow_up = models.TextField("後續追蹤", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = "到校輔導"
        verbose_name_plural = "到校輔導"

    def __str__(self) -> str:
        return f"{self.school} {self.visited_on}"


class RequesterKind(models.TextChoices):
    TEACHER = "teacher", "教師"
    PARENT = "parent", "家長"
    STUDENT = "student", "學生"
    SCHOOL = "school", "學校"


class RequestStatus(models.TextChoices):
    OPEN = "open", "待處理"
    IN_PROGRESS = "in_progress", "處理中"
    CLOSED = "closed", "已結案"


class HelpRequest(CountyRecord):
    """A call for help (e.g. during home learning), followed until closed."""

    school = models.ForeignKey(
        "schools.School", verbose_name="學校", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requester = models.CharField("求助者", max_length=10, choices=RequesterKind.choices)
    received_on = models.DateField("受理日期")
    subject = models.CharField("主旨", max_length=100)
    description = models.TextField("內容", blank=True)
    status = models.CharField("狀態", max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    response = models.TextField("處理情形", blank=True)
    closed_on = models.DateField("結案日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-received_on", "-pk"]
        verbose_name = "求助案件"
        verbose_name_plural = "求助案件"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False), name="help_request_closed_has_date"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class PromotionKind(models.TextChoices):
    EXCHANGE = "exchange", "跨校交流"
    EXHIBITION = "exhibition", "成果展"
    COMMUNITY_AWARD = "community_award", "獎勵：教師社群"
    LESSON_PLAN_AWARD = "lesson_award", "獎勵：績優教案／人員徵選"
    LITERACY_ACTIVITY = "literacy", "學生數位素養推廣活動"
    COMPETITION = "competition", "學生數位素養競賽（資安自我評量、運算思維挑戰賽、貓咪盃等）"


class Promotion(CountyRecord):
    kind = models.CharField("類別", max_length=16, choices=PromotionKind.choices)
    title = models.CharField("活動名稱", max_length=100)
    held_on = models.DateField("日期")
    participants = models.PositiveIntegerField("參與人次", default=0)
    schools = models.PositiveIntegerField("參與校數", default=0)
    note = models.TextField("說明", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "推廣活動"
        verbose_name_plural = "推廣活動"

    def __str__(self) -> str:
        return self.title


def minutes_path(instance: WorkingMeeting, filename: str) -> str:
    return f"training/minutes/{instance.plan_year_id}/{instance.county_id}/{filename}"


class WorkingMeeting(CountyRecord):
    held_on = models.DateField("會議日期")
    topic = models.CharField("主題", max_length=100)
    invited_roles = models.CharField("邀請與會人員", max_length=200, blank=True)
    minutes = models.FileField("會議紀錄", upload_to=minutes_path, blank=True)
    minutes_name = models.CharField("會議紀錄原始檔名", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "工作會議"
        verbose_name_plural = "工作會議"
        indexes = [models.Index(fields=["plan_year", "county", "held_on"], name="meeting_year_county_date")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class PublicLesson(SchoolRecord):
    """A 公開觀議課 in digital-learning mode (at least one a school a year)."""

    held_on = models.DateField("日期")
    teacher = models.CharField("授課教師", max_length=50)
    subject = models.CharField("科目／領域", max_length=50)
    note = models.CharField("說明", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "公開觀議課"
        verbose_name_plural = "公開觀議課"
        indexes = [models.Index(fields=["plan_year", "school"], name="lesson_year_school")]

    def __str__(self) -> str:
        return f"{self.school} {self.held_on}"


class DesignationKind(models.TextChoices):
    KEY = "key", "重點學校"
    MODEL = "model", "典範學校"


class SchoolDesignation(SchoolRecord):
    kind = models.CharField("類型", max_length=5, choices=DesignationKind.choices)
    plan_text = models.TextField("推動計畫")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "school__code"]
        verbose_name = "重點／典範學校"
        verbose_name_plural = "重點／典範學校"
        constraints = [
            models.UniqueConstraint(
                fields=["plan_year", "school"],
                name="designation_one_per_school_year",
                violation_error_message="這所學校本年度已指定為重點學校或典範學校",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}（{self.get_kind_display()}）"


# --- Training ----------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    A1 = "a1", "數位學習工作坊(一) A1"
    A2 = "a2", "數位學習工作坊(二) A2"
    LITERACY_MEDIA = "lit_media", "數位素養：網路識讀"
    LITERACY_PRIVACY = "lit_privacy", "數位素養：隱私保護"
    LITERACY_SECURITY = "lit_security", "數位素養：資訊安全"
    IT_STAFF = "it_staff", "資訊組長增能研習"
    SELF_DIRECTED = "self_directed", "科技輔助自主學習工作坊（2日）"
    LECTURER_DIGITAL = "lecturer_digital", "數位學習講師培訓（2日）"
    LECTURER_SELF = "lecturer_self", "自主學習講師培訓（1日）"
    PBL = "pbl", "數位教學特色發展（PBL）"
    LEADERSHIP = "leadership", "校長／行政主管科技領導"


LITERACY_KINDS = (SessionKind.LITERACY_MEDIA, SessionKind.LITERACY_PRIVACY, SessionKind.LITERACY_SECURITY)


class TrainingSession(CountyRecord):
    code = models.CharField(
        "研習代碼",
        max_length=20,
        help_text="縣市自訂，匯入參加名單時用來對應場次（如 A1-001）",
        validators=[RegexValidator(r"^[0-9A-Za-z_.\-]{1,20}$", "研習代碼須為 1–20 個英數字、底線、點或減號")],
    )
    kind = models.CharField("研習類別", max_length=16, choices=SessionKind.choices)
    title = models.CharField("研習名稱", max_length=100)
    held_on = models.DateField("日期")
    hours = models.PositiveSmallIntegerField("時數", default=3)
    place = models.CharField("地點", max_length=100)
    capacity = models.PositiveIntegerField("名額", default=40)
    open_to_other_schools = models.BooleanField(
        "開放外縣市及國立學校教師參加", default=True, help_text="不勾選時，只接受本縣市學校教師"
    )
    substitute_periods_elementary = models.PositiveIntegerField("國小代理代課節數", default=0)
    substitute_periods_junior = models.PositiveIntegerField("國中代理代課節數", default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "code"]
        verbose_name = "研習場次"
        verbose_name_plural = "研習場次"
        constraints = [
            models.UniqueConstraint(
                fields=["plan_year", "county", "code"],
                name="session_code_unique",
                violation_error_message="本縣市本年度已有相同研習代碼的場次",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def cost_ntd(self, rule_set: engine.RuleSet) -> int:
        return engine.training_amount(1, rule_set)

    def substitute_ntd(self, rule_set: engine.RuleSet) -> int:
        return engine.substitute_amount(
            {engine.ELEMENTARY: self.substitute_periods_elementary, engine.JUNIOR_HIGH: self.substitute_periods_junior},
            rule_set,
        )


class Attendance(models.Model):
    """One teacher completed one session. The teacher is (school, an identifier the county
    chooses): no national ID number, the name optional."""

    session = models.ForeignKey(
        TrainingSession, verbose_name="研習場次", on_delete=models.CASCADE, related_name="attendances"
    )
    school = models.ForeignKey("schools.School", verbose_name="學校", on_delete=models.PROTECT, related_name="+")
    teacher_code = models.CharField("教師識別碼", max_length=30, validators=[validate_teacher_code])
    name = models.CharField("姓名", max_length=50, blank=True)
    created_at = models.DateTimeField("登錄時間", auto_now_add=True)

    scope_county_field = "session__county"
    scope_school_field = "school"

    class Meta:
        ordering = ["session", "school", "teacher_code"]
        verbose_name = "研習完成紀錄"
        verbose_name_plural = "研習完成紀錄"
        constraints = [
            models.UniqueConstraint(fields=["session", "school", "teacher_code"], name="attendance_once_a_session"),
        ]
        indexes = [models.Index(fields=["school", "teacher_code"], name="attendance_teacher")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.teacher_code}"
