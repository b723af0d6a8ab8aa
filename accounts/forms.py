from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError

from portal.forms import RocDateField
from portal.models import DisabledReason, Role, SecurityEvent, User
from portal.passwords import MinimumAgeValidator
from portal.roc import roc_date
from schools.models import County, School

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,30}$")


class PortalAuthenticationForm(AuthenticationForm):
    """Django's login form; a disabled or expired account whose password was right is told
    why (the backend marks it on the request), anyone else gets the one wrong-login message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "帳號或密碼不正確，請再試一次。",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            account = getattr(self.request, "refused_account", None)
            if account is not None:
                raise ValidationError(disabled_message(account), code="inactive") from None
            raise


def disabled_message(account: User) -> str:
    if account.is_active and account.is_expired:
        reason = f"臨時帳號的使用期限（{roc_date(account.valid_until)}）已到"
    elif account.disabled_reason == DisabledReason.IDLE:
        reason = f"超過 {settings.ACCOUNT_IDLE_DAYS} 天未登入，系統已自動停用"
    elif account.disabled_reason == DisabledReason.EXPIRED:
        reason = f"臨時帳號的使用期限（{roc_date(account.valid_until)}）已到，系統已自動停用"
    else:
        reason = "已由管理者停用"
    when = f"（{roc_date(account.disabled_at.date())}）" if account.disabled_at else ""
    return f"此帳號無法登入：{reason}{when}。請聯絡所屬縣市承辦或系統管理者重新啟用。"


class OwnPasswordCheck:
    """Users changing their own password: also not twice within PASSWORD_MIN_AGE_DAYS."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password:
            MinimumAgeValidator(days=settings.PASSWORD_MIN_AGE_DAYS).validate(password, self.user)
        return password

    def save(self, commit=True):
        self.user.set_password(self.cleaned_data["new_password1"])
        self.user.must_change_password = False
        if commit:
            self.user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        return self.user


class OwnPasswordChangeForm(OwnPasswordCheck, PasswordChangeForm):
    pass


class ResetSetPasswordForm(OwnPasswordCheck, SetPasswordForm):
    pass


class PortalPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(label="電子郵件", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="驗證碼",
        max_length=20,
        help_text="驗證器 App 顯示的 6 位數字；手機遺失時可輸入一組備用碼",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class AccountForm(forms.Form):
    """Create or change an account. A county officer's form has only the school (of their
    county) as scope; an admin's has the role, county and school."""

    username = forms.CharField(label="帳號", max_length=30, help_text="3–30 個英數字、底線、點或減號")
    first_name = forms.CharField(label="姓名或職稱", max_length=150, required=False, help_text="例如「教務處資訊組長」")
    email = forms.EmailField(label="電子郵件", required=False, help_text="忘記密碼時，重設連結寄到這裡")
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    county = forms.ModelChoiceField(label="縣市", queryset=County.objects.all(), required=False)
    school_code = forms.CharField(label="學校代碼", max_length=6, required=False, help_text="學校帳號必填，6 碼")
    valid_until = RocDateField(label="使用期限", required=False, help_text="臨時帳號填到期日（含當日），一般帳號留白")
    application_ref = forms.CharField(label="申請依據", max_length=100, help_text="帳號申請單編號或公文文號")

    def __init__(self, *args, actor: User, roles: list[str], account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.account = actor, account
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in roles]
        if actor.role != Role.ADMIN:
            # A county officer creates their county's school accounts only.
            del self.fields["role"], self.fields["county"]
        if account is not None:
            del self.fields["username"], self.fields["application_ref"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not USERNAME.match(username):
            raise ValidationError("帳號只能用 3–30 個英數字、底線、點或減號")
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(f"帳號「{username}」已有人使用")
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role", Role.SCHOOL)
        data["role"] = role
        code = (data.get("school_code") or "").strip()
        data["school"] = None
        if role == Role.SCHOOL:
            if not code:
                self.add_error("school_code", "學校帳號須填學校代碼")
                return data
            schools = School.objects.select_related("county")
            if self.actor.role != Role.ADMIN:
                schools = schools.filter(county_id=self.actor.county_id)
            school = schools.filter(code=code).first()
            if school is None:
                self.add_error(
                    "school_code",
                    f"找不到學校代碼 {code}" + ("（限本縣市學校）" if self.actor.role != Role.ADMIN else ""),
                )
                return data
            data["school"], data["county"] = school, school.county
        elif role == Role.COUNTY and not data.get("county"):
            self.add_error("county", "縣市承辦帳號須選縣市")
        valid_until = data.get("valid_until")
        if valid_until is not None and self.account is None:
            from django.utils import timezone

            if valid_until < timezone.localdate():
                self.add_error("valid_until", "使用期限不可早於今天")
        return data


class AccountFilterForm(forms.Form):
    q = forms.CharField(label="搜尋", required=False, max_length=100, help_text="帳號、姓名或學校代碼")
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部"), *Role.choices])
    status = forms.ChoiceField(
        label="狀態",
        required=False,
        choices=[
            ("", "全部"),
            ("active", "啟用中"),
            ("disabled", "已停用"),
            ("temporary", "臨時帳號"),
            ("no_mfa", "未啟用雙因子"),
        ],
    )


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(label="事件", required=False, choices=[("", "全部"), *SecurityEvent.Kind.choices])
    outcome = forms.ChoiceField(label="結果", required=False, choices=[("", "全部"), *SecurityEvent.Outcome.choices])
    username = forms.CharField(label="帳號", required=False, max_length=150)
    address = forms.GenericIPAddressField(label="來源位址", required=False)
    since = RocDateField(label="起日", required=False)
    until = RocDateField(label="迄日", required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("起日不可晚於迄日")
        return data
