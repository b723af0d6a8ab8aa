from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class DisabledReason(models.TextChoices):
    IDLE = "idle", "超過期限未登入，系統自動停用"
    EXPIRED = "expired", "臨時帳號已到使用期限"
    MANUAL = "manual", "由管理者停用"


class User(AbstractUser):
    """A person who logs in. What they may see follows from role + county/school (portal.access).

    The account fields the baseline asks for: who created it and on whose application, an end
    date for a temporary account, why it was disabled (told at the next login), whether the
    password was set by someone else (then it must be changed before anything else) and when
    it was last changed (it expires after PASSWORD_MAX_AGE_DAYS)."""

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

    valid_until = models.DateField(
        "使用期限", null=True, blank=True, help_text="臨時帳號：此日之後停用（留白為一般帳號）"
    )
    must_change_password = models.BooleanField("下次登入須變更密碼", default=False)
    password_changed_at = models.DateTimeField("密碼變更時間", default=timezone.now)
    disabled_reason = models.CharField("停用原因", max_length=10, choices=DisabledReason.choices, blank=True)
    disabled_at = models.DateTimeField("停用時間", null=True, blank=True)
    reactivated_at = models.DateTimeField("重新啟用時間", null=True, blank=True)
    created_by = models.ForeignKey(
        "self", verbose_name="建立者", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    application_ref = models.CharField("申請依據", max_length=100, blank=True, help_text="帳號申請單編號或公文文號")

    objects = PortalUserManager()
    # The data history keeps who changed a role, scope or status; logins and password
    # changes are security events (portal.security), not changes of the account.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "password_changed_at", "must_change_password"]
    )

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
            # Least privilege: only the admin role may enter the admin site or hold every
            # permission; the other roles' rights come from portal.access alone.
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(is_staff=False, is_superuser=False),
                name="only_admins_are_staff",
            ),
        ]

    # Saving only these is no change of the account (logins, password changes): no history row.
    UNTRACKED_FIELDS = frozenset({"password", "last_login", "password_changed_at", "must_change_password"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= self.UNTRACKED_FIELDS:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def password_expired(self) -> bool:
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        return bool(max_age) and self.password_changed_at < timezone.now() - timedelta(days=max_age)

    @property
    def mfa_required(self) -> bool:
        return self.role in settings.MFA_REQUIRED_ROLES

    @property
    def is_expired(self) -> bool:
        """A temporary account past its end date (the daily task also disables it)."""
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def scope_label(self) -> str:
        if self.school_id:
            return f"{self.county.name if self.county_id else ''} {self.school.name}".strip()
        if self.county_id:
            return self.county.name
        return "全國"

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


class StoredFigure(models.Model):
    """A figure over the national data kept between the writes it depends on (portal.figures):
    the MOE's pages read it instead of aggregating 600,000 devices on every visit, and it
    survives a flushed or unreachable read cache."""

    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=100)
    params = models.JSONField(default=dict)
    # ",devices,roster,": the read-cache namespaces whose writes make it stale.
    depends = models.CharField(max_length=200)
    value = models.BinaryField()
    computed_at = models.DateTimeField()
    stale_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "預先計算的全國統計"
        verbose_name_plural = "預先計算的全國統計"

    def __str__(self) -> str:
        return self.key


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords: a new one may not repeat them
    (portal.passwords.PasswordHistoryValidator). Only hashes, never the passwords."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "密碼歷程"
        verbose_name_plural = "密碼歷程"

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class SecurityEvent(models.Model):
    """One entry of the security event log (稽核紀錄): who, when, from where, what, outcome.

    Separate from the data history (django-simple-history). Written by
    `portal.security.security_event` only, never changed through the portal; entries are
    chained by `portal.security.seal_pending` (each carries the hash of the one before it) and
    `manage.py verify_audit_log` checks the chain."""

    class Kind(models.TextChoices):
        LOGIN = "login", "登入成功"
        LOGIN_FAILED = "login_failed", "登入失敗"
        LOGOUT = "logout", "登出"
        SESSION_TIMEOUT = "session_timeout", "閒置逾時登出"
        LOCKOUT = "lockout", "登入鎖定"
        THROTTLED = "throttled", "來源位址嘗試過多"
        DISABLED_LOGIN = "disabled_login", "停用帳號嘗試登入"
        PASSWORD_CHANGE = "password_change", "變更密碼"
        PASSWORD_RESET_REQUEST = "password_reset_request", "申請重設密碼"
        PASSWORD_RESET = "password_reset", "以郵件連結重設密碼"
        PASSWORD_SET_BY_OTHER = "password_set", "他人設定密碼"
        MFA_ENROLLED = "mfa_enrolled", "啟用雙因子驗證"
        MFA_VERIFIED = "mfa_verified", "雙因子驗證成功"
        MFA_FAILED = "mfa_failed", "雙因子驗證失敗"
        MFA_RESET = "mfa_reset", "重設雙因子驗證"
        MFA_RECOVERY_CODES = "mfa_codes", "重新產生備用碼"
        ACCOUNT_CREATED = "account_created", "建立帳號"
        ACCOUNT_CHANGED = "account_changed", "變更帳號角色或範圍"
        ACCOUNT_DISABLED = "account_disabled", "停用帳號"
        ACCOUNT_ENABLED = "account_enabled", "啟用帳號"
        ACCOUNT_DELETED = "account_deleted", "刪除帳號"
        DOWNLOAD = "download", "下載檔案"
        ADMIN_CHANGE = "admin_change", "系統管理變更"
        API_TOKEN_CREATED = "api_token_created", "建立 API 權杖"
        API_TOKEN_REVOKED = "api_token_revoked", "撤銷 API 權杖"
        API_TOKEN_REFUSED = "api_token_refused", "拒絕 API 權杖"
        ACCESS_DENIED = "access_denied", "拒絕存取"
        LOG_PURGED = "log_purged", "清除逾期紀錄"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失敗"
        DENIED = "denied", "拒絕"

    at = models.DateTimeField("時間", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=30, choices=Kind.choices)
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    # Who, as they were: a user's id and username, kept as text (no foreign key) so that
    # deleting an account changes no entry of the chain.
    user_pk = models.BigIntegerField("使用者編號", null=True, blank=True)
    username = models.CharField("帳號", max_length=150, blank=True)
    address = models.GenericIPAddressField("來源位址", null=True, blank=True)
    target = models.CharField("對象", max_length=255, blank=True)
    detail = models.TextField("內容", blank=True)
    path = models.CharField("網址", max_length=255, blank=True)
    # The chain: the order in which entries were sealed, the previous entry's hash, and this
    # entry's hash over its content and the previous hash. Empty until sealed.
    seq = models.BigIntegerField("序號", null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "資安事件紀錄"
        verbose_name_plural = "資安事件紀錄"
        indexes = [
            models.Index(fields=["kind", "at"], name="security_event_kind_at"),
            models.Index(fields=["username", "at"], name="security_event_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_sealing", False):
            raise ValueError("資安事件紀錄不可修改")
        super().save(*args, **kwargs)


class SecurityLogHead(models.Model):
    """The end of the sealed chain (one row): the last sequence number and hash, and where the
    retention purge cut the chain's start (the hash of the last purged entry)."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    purged_through_seq = models.BigIntegerField(default=0)
    purged_last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "資安紀錄鏈結"
        verbose_name_plural = "資安紀錄鏈結"

    def __str__(self) -> str:
        return f"#{self.last_seq}"
