from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A personal API token: `Authorization: Bearer <token>` acts as its user, sees exactly
    what that user sees. Only the SHA-256 of the token is stored; the token itself is shown
    once, when it is made. A revoked token stays as a record (who, when, last used)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="使用者", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名稱", max_length=100, help_text="用途，例如「教育部管考系統介接」")
    prefix = models.CharField("開頭", max_length=12, help_text="權杖的前幾個字元，用來辨認是哪一把")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤銷時間", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API 權杖"
        verbose_name_plural = "API 權杖"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
