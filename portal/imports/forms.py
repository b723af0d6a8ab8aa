from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

from portal.commands import County, PlanYear

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class UploadFileForm(forms.Form):
    """A spreadsheet, refused before anything parses it when empty, too big or not .xlsx/.csv."""

    file = forms.FileField(label="檔案")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = settings.UPLOAD_MAX_BYTES // 2**20
        self.fields["file"].help_text = f"Excel 活頁簿（.xlsx）或 CSV（UTF-8 或 Big5），上限 {limit_mb} MB"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("檔案是空的")
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"檔案太大（{upload.size:,} 位元組），上限為 {settings.UPLOAD_MAX_BYTES:,} 位元組"
            )
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只接受 .xlsx 或 .csv 檔（舊版 .xls 請先另存為 .xlsx）")
        return upload


class ImportUploadForm(UploadFileForm):
    """The upload form of any import kind: the plan year when the kind asks for it, the
    county when the kind needs one and the user has none (admins), then the file."""

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = kind.file_label
        if kind.asks_plan_year:
            self.fields["plan_year"] = forms.ModelChoiceField(
                label="計畫年度", queryset=PlanYear.objects.order_by("-year"), empty_label=None, to_field_name="year"
            )
        if kind.needs_county and not user.county_id:
            self.fields["county"] = forms.ModelChoiceField(label="縣市", queryset=County.objects.all())
        self.order_fields(["plan_year", "county", "file"])
