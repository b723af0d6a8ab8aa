from pathlib import Path

from django import forms
from django.conf import settings

from schools.models import Area, Level, PlanYear

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class RosterUploadForm(forms.Form):
    plan_year = forms.ModelChoiceField(
        label="計畫年度", queryset=PlanYear.objects.all(), empty_label=None, to_field_name="year"
    )
    file = forms.FileField(
        label="附錄名單檔案",
        help_text=f"教育部附錄格式的 Excel 活頁簿（.xlsx）或 CSV，上限 {settings.ROSTER_UPLOAD_MAX_BYTES // 2**20} MB",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("檔案是空的")
        if upload.size > settings.ROSTER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"檔案太大（{upload.size:,} 位元組），上限為 {settings.ROSTER_UPLOAD_MAX_BYTES:,} 位元組"
            )
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只接受 .xlsx 或 .csv 檔（舊版 .xls 請先另存為 .xlsx）")
        return upload


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        label="搜尋", required=False, max_length=50, widget=forms.TextInput(attrs={"placeholder": "學校名稱或代碼"})
    )
    level = forms.ChoiceField(label="學制", required=False)
    area = forms.ChoiceField(label="地區屬性", required=False)
    complies = forms.ChoiceField(
        label="符合原則",
        required=False,
        choices=[("", "全部"), ("yes", "是"), ("no", "否"), ("no_reason", "否（未填原因）"), ("blank", "未填申請數")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "全部"), *Level.choices]
        self.fields["area"].choices = [("", "全部"), ("remote", "偏遠（含特偏、極偏）"), *Area.choices]
