import datetime
import functools
import json
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from budget import rules as engine
from portal.cache import invalidate

SCHOOL_CODE_PATTERN = r"^[0-9A-Z]{6}$"


class County(models.Model):
    code = models.CharField("縣市代碼", max_length=2, unique=True)
    name = models.CharField("縣市", max_length=10, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    scope_county_field = "pk"

    class Meta:
        ordering = ["sort_order"]
        verbose_name = "縣市"
        verbose_name_plural = "縣市"

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return self.name.endswith("市")


class Ownership(models.TextChoices):
    PUBLIC = "公立", "公立"
    MUNICIPAL = "市立", "市立"
    COUNTY = "縣立", "縣立"
    PRIVATE = "私立", "私立"
    NATIONAL = "國立", "國立"


class Affiliation(models.TextChoices):
    NONE = "", "（無）"
    UNIVERSITY = "大學附屬", "大學附屬"
    HIGH_SCHOOL = "高中附屬", "高中附屬"
    COMPLETE = "完全中學", "完全中學"
    COMBINED = "國中小", "國中小"


class School(models.Model):
    code = models.CharField(
        "學校代碼",
        max_length=6,
        unique=True,
        validators=[RegexValidator(SCHOOL_CODE_PATTERN, "學校代碼須為 6 碼英數字")],
    )
    name = models.CharField("學校全銜", max_length=100)
    county = models.ForeignKey(County, verbose_name="縣市別", on_delete=models.PROTECT, related_name="schools")
    ownership = models.CharField("設立別", max_length=4, choices=Ownership.choices)
    affiliation = models.CharField("附屬", max_length=4, choices=Affiliation.choices, blank=True)

    history = HistoricalRecords()

    scope_county_field = "county"
    scope_school_field = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = "學校"
        verbose_name_plural = "學校"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=SCHOOL_CODE_PATTERN), name="school_code_6_chars"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@functools.lru_cache(maxsize=64)
def _rule_set(rules_json: str) -> engine.RuleSet:
    """A rule set read and checked once per process and content (RuleSet is frozen): a plan
    year comes out of the read cache as a new instance on every request, and building its
    rule set (~1 ms, every rule validated) was part of every page that reads a rule."""
    return engine.RuleSet.from_dict(json.loads(rules_json))


class PlanYear(models.Model):
    """A yearly plan (ROC year) and the rule set its subsidies are computed by."""

    year = models.PositiveSmallIntegerField("計畫年度（民國）", unique=True)
    title = models.CharField("計畫名稱", max_length=200)
    period_start = models.DateField("計畫期程起")
    period_end = models.DateField("計畫期程迄")
    submission_deadline = models.DateField(
        "縣市計畫送審截止日", null=True, blank=True, help_text="過了這一天，縣市不能再修改名單、經費表或送審"
    )
    survey_year = models.PositiveSmallIntegerField(
        "附錄調查年度（民國）", help_text="附錄表頭的「110年班級數」等欄位的年度，通常為計畫年度的前一年"
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="沿用自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="開啟本年度時複製規則、名單與已受補助數的來源年度",
    )
    rules = models.JSONField("補助規則參數")

    # Who changed the rules, when, from what: the rule-set page shows it.
    history = HistoricalRecords(excluded_fields=["previous"])

    class Meta:
        ordering = ["-year"]
        verbose_name = "計畫年度"
        verbose_name_plural = "計畫年度"
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="plan_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年"

    def save(self, *args, **kwargs):
        if self.survey_year is None:
            # The 111 plan reads 110年班級數: the survey is the school year before the plan.
            self.survey_year = self.year - 1
        super().save(*args, **kwargs)
        invalidate("plan_years")
        invalidate("roster")  # entitlements shown are computed with the year's rules

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        invalidate("plan_years")
        return result

    @property
    def months(self) -> list[datetime.date]:
        """The first day of every month of the plan period (111: 2022-02-01 .. 2022-12-01)."""
        months, current = [], datetime.date(self.period_start.year, self.period_start.month, 1)
        while current <= self.period_end:
            months.append(current)
            current = datetime.date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months

    @property
    def final_report_due(self) -> datetime.date:
        """七(三): the 結報 is due so many months after the plan period ends (the month's last day
        when it has no such day: 111-12-31 + 2 months = 112-02-28)."""
        months = self.rule_set.final_report_due_months
        end = self.period_end
        index = end.year * 12 + end.month - 1 + months
        year, month = divmod(index, 12)
        month += 1
        last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
        return datetime.date(year, month, min(end.day, last))

    @property
    def is_closed(self) -> bool:
        return self.submission_deadline is not None and timezone.localdate() > self.submission_deadline

    @cached_property
    def rule_set(self) -> engine.RuleSet:
        return _rule_set(json.dumps(self.rules, sort_keys=True, ensure_ascii=False))

    def clean(self) -> None:
        try:
            rule_set = engine.RuleSet.from_dict(self.rules or {})
        except engine.RuleSetError as exc:
            raise ValidationError({"rules": str(exc)}) from exc
        if rule_set.year != self.year:
            raise ValidationError({"rules": "規則的 year 必須與計畫年度相同"})
        if self.period_start and self.period_end:
            problems = engine.period_problems(rule_set, self.period_start, self.period_end)
            if problems:
                raise ValidationError({"rules": "；".join(message for _, message in problems)})


class Level(models.TextChoices):
    ELEMENTARY = engine.ELEMENTARY, "國小"
    JUNIOR_HIGH = engine.JUNIOR_HIGH, "國中"


class Area(models.TextChoices):
    REMOTE = engine.AREA_REMOTE, "偏遠"
    SPECIAL_REMOTE = engine.AREA_SPECIAL_REMOTE, "特偏"
    EXTREME_REMOTE = engine.AREA_EXTREME_REMOTE, "極偏"
    NEITHER = engine.AREA_NEITHER, "非山非市"
    GENERAL = engine.AREA_GENERAL, "一般"


class RosterRow(models.Model):
    """One 學制 of one school in one plan year's survey (a row of the 附錄 roster).

    The entitled counts and `complies` are the engine's verdict at the time of the last
    write (schools.services is the only writer); they are stored so that lists can filter
    and the database can add them up per county.
    """

    plan_year = models.ForeignKey(
        PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="roster_rows"
    )
    school = models.ForeignKey(School, verbose_name="學校", on_delete=models.PROTECT, related_name="roster_rows")
    level = models.CharField("學制", max_length=2, choices=Level.choices)
    name = models.CharField("學校全銜", max_length=100, help_text="名單上本學制的全銜，如「○○高中附設國中部」")
    area = models.CharField("地區屬性", max_length=4, choices=Area.choices)
    classes = models.PositiveIntegerField("班級數")
    max_class_size = models.PositiveIntegerField("最大班級人數")
    teachers = models.PositiveIntegerField("編制教師數")
    students = models.PositiveIntegerField("學生數")
    req_carts = models.PositiveIntegerField("申請補助充電車數", null=True, blank=True)
    req_teacher_devices = models.PositiveIntegerField("申請補助教師載具數", null=True, blank=True)
    req_student_devices = models.PositiveIntegerField("申請補助學生載具數", null=True, blank=True)
    reason = models.TextField("不符原則之原因", blank=True)
    entitled_carts = models.PositiveIntegerField("計算補助充電車數", default=0)
    entitled_teacher_devices = models.PositiveIntegerField("計算補助教師載具數", default=0)
    entitled_student_devices = models.PositiveIntegerField("計算補助學生載具數", default=0)
    complies = models.BooleanField("符合原則", null=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        ordering = ["school__code", "level"]
        verbose_name = "名單列"
        verbose_name_plural = "名單"
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "school", "level"], name="roster_row_unique_key"),
            models.CheckConstraint(condition=Q(max_class_size__lte=F("students")), name="roster_max_class_le_students"),
            models.CheckConstraint(condition=~Q(classes=0) | Q(students=0), name="roster_no_classes_no_students"),
            models.CheckConstraint(
                condition=Q(students__lte=F("max_class_size") * F("classes")), name="roster_students_fit_classes"
            ),
            models.CheckConstraint(
                condition=(
                    Q(req_carts__isnull=True, req_teacher_devices__isnull=True, req_student_devices__isnull=True)
                    | Q(req_carts__isnull=False, req_teacher_devices__isnull=False, req_student_devices__isnull=False)
                ),
                name="roster_requested_all_or_none",
            ),
        ]
        indexes = [models.Index(fields=["plan_year", "level", "area"], name="roster_year_level_area")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.level}"

    @property
    def facts(self) -> engine.RowFacts:
        return engine.RowFacts(
            level=self.level,
            area=self.area,
            classes=self.classes,
            max_class_size=self.max_class_size,
            teachers=self.teachers,
            students=self.students,
        )

    @property
    def requested(self) -> engine.Requested | None:
        if self.req_carts is None:
            return None
        return engine.Requested(self.req_carts, self.req_teacher_devices, self.req_student_devices)

    def apply_rules(self, rule_set: engine.RuleSet) -> engine.Entitlement:
        entitlement = engine.entitle_row(self.facts, rule_set)
        self.entitled_carts = entitlement.carts
        self.entitled_teacher_devices = entitlement.teacher_devices
        self.entitled_student_devices = entitlement.student_devices
        self.complies = engine.complies(self.requested, entitlement)
        return entitlement


# --- The MOE's own school statistics (open data), to check rosters against (issue 15) ------


class OfficialSource(models.Model):
    """One file of MOE open data as loaded (`manage.py load_official_statistics`): what it
    was, where it came from, under which licence, and when. Its figures replace those of the
    same kind and year loaded before."""

    class Kind(models.TextChoices):
        ELEMENTARY = "basec", "國民小學校別資料"
        JUNIOR_HIGH = "basej", "國民中學校別資料"
        REMOTE = "remote", "偏遠地區學校名錄"

    kind = models.CharField("資料", max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        "學年度／年度", help_text="校別資料為學年度（110），名錄為其標示年度（111）"
    )
    source = models.TextField("來源")
    licence = models.CharField("授權", max_length=200)
    file_name = models.CharField("檔名", max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField("筆數")
    loaded_at = models.DateTimeField("載入時間", auto_now_add=True)
    loaded_by = models.ForeignKey(
        "portal.User", verbose_name="載入者", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = "教育部統計資料來源"
        verbose_name_plural = "教育部統計資料來源"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}（{self.file_name}）"


class OfficialSchoolFigures(models.Model):
    """One school level as the MOE's 校別資料 counts it (public open data: no access scope)."""

    source = models.ForeignKey(OfficialSource, on_delete=models.CASCADE, related_name="figures")
    school_year = models.PositiveSmallIntegerField("學年度")
    level = models.CharField("學制", max_length=2, choices=Level.choices)
    code = models.CharField("學校代碼", max_length=6)
    county = models.CharField("縣市", max_length=10)
    name = models.CharField("學校名稱", max_length=100)
    classes = models.PositiveIntegerField("班級數")
    students = models.PositiveIntegerField("學生數")
    teachers = models.PositiveIntegerField("專任教師數")
    max_class_size = models.PositiveIntegerField("最大班級人數（由各年級推算）")

    class Meta:
        verbose_name = "教育部校別統計"
        verbose_name_plural = "教育部校別統計"
        constraints = [
            models.UniqueConstraint(fields=["school_year", "level", "code"], name="official_one_per_year_level_code")
        ]
        indexes = [models.Index(fields=["school_year", "code"], name="official_year_code")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.code} {self.level}"


class OfficialRemoteSchool(models.Model):
    """A school on the MOE's 偏遠地區學校名錄 of a year, with its grade."""

    source = models.ForeignKey(OfficialSource, on_delete=models.CASCADE, related_name="remote_schools")
    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("學校代碼", max_length=6)
    name = models.CharField("學校名稱", max_length=100)
    grade = models.CharField("地區屬性", max_length=4)

    class Meta:
        verbose_name = "偏遠地區學校名錄"
        verbose_name_plural = "偏遠地區學校名錄"
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="remote_list_one_per_year_code")]

    def __str__(self) -> str:
        return f"{self.year} {self.code} {self.grade}"


class FindingAnswer(models.Model):
    """A county's reason for a difference between its roster and the MOE's statistics (a
    finding of schools.official_check), kept with the two values it answered."""

    plan_year = models.ForeignKey(PlanYear, verbose_name="計畫年度", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, verbose_name="學校", on_delete=models.PROTECT, related_name="finding_answers")
    level = models.CharField("學制", max_length=2, choices=Level.choices)
    kind = models.CharField("差異", max_length=20)
    reason = models.TextField("說明")
    county_value = models.CharField("回覆時名單數值", max_length=20)
    official_value = models.CharField("回覆時統計數值", max_length=20)
    answered_by = models.ForeignKey("portal.User", verbose_name="回覆者", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("回覆時間", auto_now=True)

    history = HistoricalRecords()

    scope_county_field = "school__county"
    scope_school_field = "school"

    class Meta:
        verbose_name = "統計差異說明"
        verbose_name_plural = "統計差異說明"
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "school", "level", "kind"], name="one_answer_per_finding")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.level} {self.kind}"
