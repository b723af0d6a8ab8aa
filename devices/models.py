"""Devices, wireless and software of the programme (issue 5).

Every model says how it hangs off a county (and a school, where it has one) for
portal.access; nothing here is read without going through it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from devices.brands import blocked_key
from schools.models import County, PlanYear, School


def add_years(start: date, years: int) -> date:
    """`years` after `start`, the day before the anniversary (a 4-year term from 111-09-01
    ends 115-08-31); 29 February moves to 28 February."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


class BlockedBrand(models.Model):
    """A brand or vendor whose ICT hardware and software the programme refuses (大陸廠牌)."""

    name = models.CharField("廠牌／廠商", max_length=100, help_text="同一廠牌的多個名稱以「／」分隔，如 Huawei／華為")
    normalized = models.CharField(max_length=200, unique=True, editable=False)
    note = models.CharField("說明", max_length=200, blank=True)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "禁用廠牌"
        verbose_name_plural = "禁用廠牌"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = blocked_key(self.name)
        super().save(*args, **kwargs)


class Funding(models.TextChoices):
    PLAN = "plan", "本計畫"
    EARLIER_MOE = "earlier_moe", "教育部先前計畫"
    SCHOOL = "school", "學校自購"
    DONATED = "donated", "捐贈"


class ProcurementBatch(models.Model):
    """採購案: one tender of one county, devices of one brand and model."""

    county = models.ForeignKey(County, verbose_name="縣市", on_delete=models.PROTECT, related_name="device_batches")
    plan_year = models.ForeignKey(
        PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="device_batches"
    )
    funding = models.CharField("經費來源", max_length=12, choices=Funding.choices, default=Funding.PLAN)
    tender_number = models.CharField("採購案號", max_length=50)
    vendor = models.CharField("得標廠商", max_length=100)
    brand = models.CharField("廠牌", max_length=60)
    model_name = models.CharField("型號", max_length=100)
    unit_price = models.PositiveIntegerField("單價（元）")
    quantity = models.PositiveIntegerField("數量")
    contract_date = models.DateField("簽約日期")
    delivery_date = models.DateField("交貨日期", null=True, blank=True, help_text="全部到校的日期；未交貨請留白")
    mdm_years = models.PositiveSmallIntegerField("MDM 授權年限", default=4)
    warranty_years = models.PositiveSmallIntegerField("保固年限", default=4)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)

    scope_county_field = "county"
    scope_school_reads_county = True

    class Meta:
        ordering = ["-plan_year__year", "tender_number"]
        verbose_name = "採購案"
        verbose_name_plural = "採購案"
        constraints = [
            models.UniqueConstraint(fields=["county", "tender_number"], name="batch_tender_unique_in_county"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_number} {self.brand} {self.model_name}"

    @property
    def amount_ntd(self) -> int:
        return self.unit_price * self.quantity

    @property
    def term_start(self) -> date:
        """Licence and warranty run from delivery (the contract date until delivered)."""
        return self.delivery_date or self.contract_date

    @property
    def licence_until(self) -> date | None:
        return add_years(self.term_start, self.mdm_years) if self.mdm_years else None

    @property
    def warranty_until(self) -> date | None:
        return add_years(self.term_start, self.warranty_years) if self.warranty_years else None


class DeviceStatus(models.TextChoices):
    IN_STOCK = "stock", "在庫"
    ASSIGNED = "assigned", "已配發"
    IN_USE = "in_use", "使用中"
    LENT = "lent", "借出"
    REPAIR = "repair", "送修"
    SPARE = "spare", "備品"
    LOST = "lost", "遺失"
    SCRAPPED = "scrapped", "報廢"


GONE_STATUSES = (DeviceStatus.LOST, DeviceStatus.SCRAPPED)


class DeviceUse(models.TextChoices):
    TEACHER = "teacher", "教師"
    STUDENT = "student", "學生"


class Device(models.Model):
    """One learning device. The county is stored with it (not only through the school): a
    device in the county's stock has no school yet, and county pages filter by it."""

    serial = models.CharField("序號", max_length=60, unique=True)
    asset_tag = models.CharField("財產編號", max_length=60, blank=True)
    # No single-column indexes on the three keys: the composite ones below start with them.
    batch = models.ForeignKey(
        ProcurementBatch, verbose_name="採購案", on_delete=models.PROTECT, related_name="devices", db_index=False
    )
    county = models.ForeignKey(
        County, verbose_name="縣市", on_delete=models.PROTECT, related_name="devices", db_index=False
    )
    school = models.ForeignKey(
        School,
        verbose_name="學校",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        db_index=False,
    )
    use = models.CharField("用途", max_length=8, choices=DeviceUse.choices, default=DeviceUse.STUDENT)
    status = models.CharField("狀態", max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.IN_STOCK)
    delivered_on = models.DateField("到校日期", null=True, blank=True)
    mdm_enrolled_on = models.DateField("MDM 註冊日期", null=True, blank=True)
    licence_until = models.DateField("MDM 授權到期", null=True, blank=True)
    warranty_until = models.DateField("保固到期", null=True, blank=True)

    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        ordering = ["serial"]
        verbose_name = "學習載具"
        verbose_name_plural = "學習載具"
        indexes = [
            # The device list filters by county, then school / status / batch, ordered by serial;
            # the id rides along (INCLUDE, PostgreSQL) so a page's ids are read from the index
            # alone at any depth (issue 11: the list with the read cache cold).
            models.Index(fields=["county", "serial"], include=["id"], name="device_county_serial_id"),
            models.Index(fields=["school", "serial"], include=["id"], name="device_school_serial_id"),
            models.Index(
                fields=["county", "status", "serial"], include=["id", "batch"], name="device_county_status_id"
            ),
            models.Index(fields=["batch", "serial"], include=["id"], name="device_batch_serial_id"),
            models.Index(fields=["status", "serial"], include=["id"], name="device_status_serial_id"),
            # The reconciliation and reporting's summary group a county's devices by school: every
            # column they read is in this index (an index-only scan, no sort, no heap).
            models.Index(
                fields=["county", "school"],
                include=["batch", "use", "status", "delivered_on", "mdm_enrolled_on"],
                name="device_county_school_cover",
            ),
            models.Index(fields=["county", "licence_until"], name="device_county_licence"),
            models.Index(fields=["county", "warranty_until"], name="device_county_warranty"),
            # Search by the start of a serial or asset tag (LIKE 'KH0009%'): a btree of the
            # database's collation cannot serve LIKE, one with the pattern operators can.
            models.Index(
                fields=["county", "serial"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="device_county_serial_like",
            ),
            models.Index(
                fields=["county", "asset_tag"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="device_county_asset_like",
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class Loan(models.Model):
    """借用: a device lent to a borrower the school identifies (never a name)."""

    class Purpose(models.TextChoices):
        CLASS = "class", "課堂使用"
        HOME_DISADVANTAGED = "home_disadvantaged", "攜回（經濟弱勢）"
        HOME_MULTICHILD = "home_multichild", "攜回（多子女家庭）"
        HOME_OTHER = "home_other", "攜回（其他）"
        REPAIR_SPARE = "repair_spare", "維修備品"

    class Condition(models.TextChoices):
        GOOD = "good", "良好"
        DAMAGED = "damaged", "損壞"
        LOST = "lost", "遺失"

    device = models.ForeignKey(Device, verbose_name="載具", on_delete=models.PROTECT, related_name="loans")
    school = models.ForeignKey(School, verbose_name="學校", on_delete=models.PROTECT, related_name="device_loans")
    borrower_code = models.CharField(
        "借用人編號", max_length=40, help_text="學校自訂的編號（如班級座號或借用證號），請勿填寫姓名"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices, default=Purpose.CLASS)
    lent_on = models.DateField("借出日期")
    due_on = models.DateField("應歸還日期")
    returned_on = models.DateField("歸還日期", null=True, blank=True)
    return_condition = models.CharField("歸還狀況", max_length=10, choices=Condition.choices, blank=True)
    note = models.CharField("備註", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        ordering = ["-lent_on", "-pk"]
        verbose_name = "借用紀錄"
        verbose_name_plural = "借用紀錄"
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(returned_on__isnull=True), name="one_open_loan_per_device"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("lent_on")), name="loan_due_after_lent"),
        ]
        indexes = [models.Index(fields=["school", "returned_on", "due_on"], name="loan_school_open_due")]

    def __str__(self) -> str:
        return f"{self.device} → {self.borrower_code}"

    def is_overdue(self, today: date) -> bool:
        return self.returned_on is None and self.due_on < today


class LendingRules(models.Model):
    """A school's lending rules text (借用規範), shown with every loan of its devices."""

    school = models.OneToOneField(School, verbose_name="學校", on_delete=models.CASCADE, related_name="lending_rules")
    text = models.TextField("借用規範")
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        verbose_name = "借用規範"
        verbose_name_plural = "借用規範"

    def __str__(self) -> str:
        return f"{self.school_id} 借用規範"


class RepairTicket(models.Model):
    """送修: one ticket per repair, with the spare device lent meanwhile."""

    device = models.ForeignKey(Device, verbose_name="載具", on_delete=models.PROTECT, related_name="repairs")
    school = models.ForeignKey(
        School, verbose_name="學校", on_delete=models.PROTECT, null=True, blank=True, related_name="device_repairs"
    )
    county = models.ForeignKey(County, verbose_name="縣市", on_delete=models.PROTECT, related_name="device_repairs")
    opened_on = models.DateField("送修日期")
    fault = models.CharField("故障情形", max_length=200)
    under_warranty = models.BooleanField("保固內", help_text="送修當日是否仍在保固期內")
    spare = models.ForeignKey(
        Device,
        verbose_name="備品",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spare_for",
    )
    closed_on = models.DateField("完修日期", null=True, blank=True)
    outcome = models.CharField("維修結果", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = "維修單"
        verbose_name_plural = "維修單"
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(closed_on__isnull=True), name="one_open_repair_per_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} 送修 {self.opened_on}"


class InspectionReason(models.TextChoices):
    NONE = "", "（無差異）"
    REPAIR = "repair", "送修中"
    LENT = "lent", "借出未歸"
    TRANSFERRED = "transferred", "已調撥他校"
    LOST = "lost", "遺失"
    SCRAPPED = "scrapped", "報廢"
    MISCOUNTED = "miscounted", "登錄錯誤待更正"
    OTHER = "other", "其他（請說明）"


class InspectionCount(models.Model):
    """盤點: per semester, batch and school, the school's self-check and the county's count."""

    semester = models.CharField("學期", max_length=6, help_text="如 111-1（111 學年度第 1 學期）")
    batch = models.ForeignKey(
        ProcurementBatch, verbose_name="採購案", on_delete=models.PROTECT, related_name="inspections"
    )
    school = models.ForeignKey(School, verbose_name="學校", on_delete=models.PROTECT, related_name="device_inspections")
    self_count = models.PositiveIntegerField("學校自主盤點數", null=True, blank=True)
    county_count = models.PositiveIntegerField("縣市抽查盤點數", null=True, blank=True)
    reason = models.CharField("差異原因", max_length=12, choices=InspectionReason.choices, blank=True)
    note = models.CharField("說明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        ordering = ["-semester", "school__code", "batch__tender_number"]
        verbose_name = "盤點紀錄"
        verbose_name_plural = "盤點紀錄"
        constraints = [
            models.UniqueConstraint(fields=["semester", "batch", "school"], name="inspection_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.semester} {self.school_id}/{self.batch_id}"

    @property
    def found(self) -> int | None:
        """The county's count when it has counted, else the school's own."""
        return self.county_count if self.county_count is not None else self.self_count


class WirelessAllocation(models.Model):
    """One school's share of the county's wireless APs (budget line 5), and its classrooms
    with wireless good enough for a whole class at once (附件1 五(一)7)."""

    plan_year = models.ForeignKey(PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, verbose_name="學校", on_delete=models.PROTECT, related_name="wireless")
    classes = models.PositiveIntegerField("班級數", default=0)
    ap_count = models.PositiveIntegerField("分配 AP 數", default=0)
    classroom_aps = models.PositiveIntegerField("普通教室 AP", default=0)
    special_classroom_aps = models.PositiveIntegerField("專科教室 AP", default=0)
    amount_ntd = models.PositiveBigIntegerField("分配經費（元）", default=0)
    whole_class_classrooms = models.PositiveIntegerField("可全班同時上網之教室數", default=0)

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        ordering = ["school__code"]
        verbose_name = "無線網路分配"
        verbose_name_plural = "無線網路分配"
        constraints = [models.UniqueConstraint(fields=["plan_year", "school"], name="wireless_unique")]

    def __str__(self) -> str:
        return f"{self.school_id} AP {self.ap_count}"


class SoftwareItem(models.Model):
    """教學軟體及數位內容: the MOE's catalogue, and items counties propose for it."""

    class Status(models.TextChoices):
        LISTED = "listed", "推薦品項"
        PROPOSED = "proposed", "提案審查中"
        REFUSED = "refused", "未通過"

    name = models.CharField("品項名稱", max_length=150)
    vendor = models.CharField("廠商", max_length=100)
    brand = models.CharField("廠牌", max_length=60)
    unit = models.CharField("單位", max_length=20, default="授權")
    unit_price = models.PositiveIntegerField("單價（元）")
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.LISTED)
    security_statement = models.TextField("資安合規聲明", blank=True)
    proposed_by_county = models.ForeignKey(
        County, verbose_name="提案縣市", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("審查時間", null=True, blank=True)
    refusal_reason = models.TextField("未通過理由", blank=True)

    # Listed items are the MOE's public catalogue; proposals belong to the proposing county.
    scope_county_field = "proposed_by_county"
    scope_school_reads_county = True

    class Meta:
        ordering = ["status", "name"]
        verbose_name = "教學軟體品項"
        verbose_name_plural = "教學軟體品項"

    def __str__(self) -> str:
        return f"{self.name}（{self.brand}）"


class SoftwarePurchase(models.Model):
    """A county's (or a school's) purchase of a catalogue item."""

    county = models.ForeignKey(County, verbose_name="縣市", on_delete=models.PROTECT, related_name="+")
    plan_year = models.ForeignKey(PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(SoftwareItem, verbose_name="品項", on_delete=models.PROTECT, related_name="purchases")
    seats = models.PositiveIntegerField("授權數")
    schools = models.ManyToManyField(School, verbose_name="使用學校", related_name="software_purchases", blank=True)
    amount_ntd = models.PositiveBigIntegerField("金額（元）")
    meeting_date = models.DateField("決議會議日期", help_text="正式會議決議採購的日期")
    teaching_use = models.TextField("教學運用說明", blank=True)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)

    scope_county_field = "county"
    scope_school_reads_county = True

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = "教學軟體採購"
        verbose_name_plural = "教學軟體採購"

    def __str__(self) -> str:
        return f"{self.item_id} × {self.seats}"
