from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    COUNTY = "county", "縣市承辦"
    SCHOOL = "school", "學校"
    MOE = "moe", "教育部審查"
    ADMIN = "admin", "系統管理"


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. What they may see follows from role + county/school (portal.access)."""

    role = models.CharField("角色", max_length=10, choices=Role.choices)
    county = models.ForeignKey(
        "schools.County",
        verbose_name="所屬縣市",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name="所屬學校",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = PortalUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "使用者"
        verbose_name_plural = "使用者"
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_known"),
            models.CheckConstraint(
                condition=~Q(role=Role.COUNTY) | Q(county__isnull=False),
                name="county_staff_have_county",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.SCHOOL) | Q(school__isnull=False, county__isnull=False),
                name="school_staff_have_school",
            ),
        ]

    @property
    def is_county_staff(self) -> bool:
        return self.role == Role.COUNTY

    @property
    def is_school_staff(self) -> bool:
        return self.role == Role.SCHOOL

    @property
    def is_moe(self) -> bool:
        return self.role == Role.MOE

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_every_county(self) -> bool:
        return self.role in (Role.MOE, Role.ADMIN)


class PendingUpload(models.Model):
    """A file waiting for its uploader to confirm the preview (a roster, a device list ...).

    Nothing of it is in the portal's data until then. It is imported once: PENDING ->
    IMPORTING (claimed under the row's lock; a big file as a background job, whose progress
    is kept here) -> CONFIRMED or FAILED. Confirmed files are deleted, and abandoned ones by a
    periodic task (portal.tasks)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待確認"
        IMPORTING = "importing", "匯入中"
        CONFIRMED = "confirmed", "已匯入"
        FAILED = "failed", "匯入失敗"
        DISCARDED = "discarded", "已放棄"

    kind = models.CharField("種類", max_length=30)
    plan_year = models.ForeignKey(
        "schools.PlanYear", verbose_name="計畫年度", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    county = models.ForeignKey(
        "schools.County",
        verbose_name="限定縣市",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="上傳者為縣市或學校人員時，檔案只能含本縣市的資料",
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上傳者", on_delete=models.CASCADE)
    file = models.FileField("檔案", upload_to="uploads/%Y/%m/")
    original_name = models.CharField("原始檔名", max_length=255)
    size = models.PositiveIntegerField("大小（位元組）")
    sha256 = models.CharField(max_length=64)
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("上傳時間", auto_now_add=True)
    row_count = models.PositiveIntegerField("資料列數", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("進度（%）", default=0)
    progress_note = models.CharField("進度說明", max_length=100, blank=True)
    started_at = models.DateTimeField("開始匯入", null=True, blank=True)
    finished_at = models.DateTimeField("結束匯入", null=True, blank=True)
    confirmed_at = models.DateTimeField("匯入時間", null=True, blank=True)
    error = models.TextField("失敗原因", blank=True)
    attempts = models.PositiveSmallIntegerField("背景匯入次數", default=0)
    summary = models.JSONField("匯入結果", default=dict, blank=True)

    scope_county_field = "county"
    # School staff upload too (usage hours); upload_for_user narrows every read to the uploader.
    scope_school_reads_county = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "上傳檔案"
        verbose_name_plural = "上傳檔案"
        indexes = [models.Index(fields=["status", "created_at"], name="upload_status_created")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.FAILED, self.Status.DISCARDED)


class Heartbeat(models.Model):
    """The last time a background service proved it runs (the worker, through a beat task):
    /healthz and the status page read it. One row a service."""

    name = models.CharField("服務", max_length=30, unique=True)
    at = models.DateTimeField("最近一次")

    class Meta:
        verbose_name = "服務心跳"
        verbose_name_plural = "服務心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
