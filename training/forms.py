from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

from portal import access
from portal.forms import RocDateField
from schools.models import County, PlanYear, School
from training import models as m

MINUTES_SUFFIXES = (".pdf", ".docx", ".odt", ".doc", ".jpg", ".jpeg", ".png")


def _date_callback(field, **kwargs):
    if isinstance(field, m.models.DateField):
        return RocDateField(label=field.verbose_name, required=not field.blank, help_text=field.help_text)
    return field.formfield(**kwargs)


class OfficeRecordForm(forms.ModelForm):
    """A record of the office. The county comes from the user (an admin picks it); a school
    is given by its code and must be one the user may see."""

    def __init__(self, *args, user, plan_year: PlanYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.plan_year = plan_year
        self.school_bound = "school" in {f.name for f in self._meta.model._meta.fields} and not isinstance(
            self.instance, m.HelpRequest
        )
        if self.school_bound or isinstance(self.instance, m.HelpRequest):
            required = self.school_bound
            current = getattr(self.instance, "school", None) if self.instance.pk else None
            self.fields = {
                "school_code": forms.CharField(
                    label="學校代碼",
                    max_length=6,
                    required=required,
                    initial=current.code if current else "",
                    help_text="6 碼學校代碼",
                ),
                **self.fields,
            }
        if not self.school_bound and not user.county_id and not self.instance.pk:
            self.fields = {
                "county_choice": forms.ModelChoiceField(label="縣市", queryset=County.objects.all(), empty_label=None),
                **self.fields,
            }
        if "group" in self.fields:
            county_id = user.county_id or getattr(self.instance, "county_id", None)
            self.fields["group"].queryset = m.WorkingGroup.objects.filter(plan_year=plan_year, county_id=county_id)

    def clean_school_code(self):
        code = (self.cleaned_data.get("school_code") or "").strip().upper()
        if not code:
            return None
        school = access.for_user(School.objects.select_related("county"), self.user).filter(code=code).first()
        if school is None:
            raise forms.ValidationError(f"找不到學校代碼 {code}，或該校不屬於您的縣市")
        return school

    def clean(self):
        data = super().clean()
        closing = data.get("status") == m.RequestStatus.CLOSED
        if isinstance(self.instance, m.HelpRequest) and closing and not data.get("closed_on"):
            self.add_error("closed_on", "結案時請填寫結案日期")
        return data

    def save(self, commit=True):
        instance = super().save(commit=False)
        if not instance.pk:
            instance.plan_year = self.plan_year
        if "school_code" in self.cleaned_data:
            instance.school = self.cleaned_data["school_code"]
        if not self.school_bound and not getattr(instance, "county_id", None):
            instance.county = self.user.county or self.cleaned_data.get("county_choice")
        if commit:
            instance.save()
        return instance


def form_for(model, fields: tuple[str, ...]):
    return forms.modelform_factory(model, form=OfficeRecordForm, fields=fields, formfield_callback=_date_callback)


class MinutesForm(forms.Form):
    minutes = forms.FileField(label="會議紀錄檔案")

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].required = required
        self.fields["minutes"].help_text = f"PDF、Word、ODT 或圖片，上限 {minutes_limit() // 2**20} MB"

    def clean_minutes(self):
        upload = self.cleaned_data["minutes"]
        if upload is None:
            # A meeting may be recorded first and its minutes attached once they are written.
            return None
        limit = minutes_limit()
        if upload.size == 0:
            raise forms.ValidationError("檔案是空的")
        if upload.size > limit:
            raise forms.ValidationError(f"檔案太大（{upload.size:,} 位元組），上限為 {limit:,} 位元組")
        if Path(upload.name).suffix.lower() not in MINUTES_SUFFIXES:
            raise forms.ValidationError("只接受 PDF、Word（.docx/.doc）、ODT、JPG 或 PNG 檔")
        return upload


def minutes_limit() -> int:
    """Minutes are documents, not spreadsheets, but the portal's one upload limit serves them too."""
    return settings.UPLOAD_MAX_BYTES


class AttendanceAddForm(forms.Form):
    school_code = forms.CharField(label="學校代碼", max_length=6)
    teacher_code = forms.CharField(label="教師識別碼", max_length=30, validators=[m.validate_teacher_code])
    name = forms.CharField(label="姓名（可省略）", max_length=50, required=False)

    def __init__(self, *args, session: m.TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean_school_code(self):
        code = self.cleaned_data["school_code"].strip().upper()
        school = School.objects.select_related("county").filter(code=code).first()
        if school is None:
            raise forms.ValidationError(f"本系統沒有學校代碼 {code} 的學校")
        if not self.session.open_to_other_schools and school.county_id != self.session.county_id:
            raise forms.ValidationError(f"本場次只開放{self.session.county.name}的學校")
        return school

    def clean(self):
        data = super().clean()
        school, code = data.get("school_code"), data.get("teacher_code")
        if school and code and self.session.attendances.filter(school=school, teacher_code=code).exists():
            raise forms.ValidationError(f"{school.name} 的 {code} 已登錄於本場次")
        return data
