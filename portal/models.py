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
