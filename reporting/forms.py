from django import forms

from reporting.models import ExportJob


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportJob.Kind.choices)
    year = forms.IntegerField(min_value=100, max_value=200)
    county = forms.CharField(max_length=2, required=False)
    submission = forms.IntegerField(min_value=1, required=False)
    draft = forms.BooleanField(required=False)


class UsageEntryForm(forms.Form):
    """One school's hours on one platform in one month, typed in instead of uploaded."""

    code = forms.CharField(label="學校代碼", max_length=6)
    month = forms.ChoiceField(label="月份")
    platform = forms.ChoiceField(label="數位學習平臺")
    hours = forms.DecimalField(label="使用時數（小時）", min_value=0, max_digits=12, decimal_places=1)
    active_students = forms.IntegerField(label="活躍學生數", min_value=0)
    active_devices = forms.IntegerField(label="活躍載具數", min_value=0)

    def __init__(self, *args, months, platforms, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m.year - 1911}年{m.month}月") for m in months]
        self.fields["platform"].choices = [(p, p) for p in platforms]
        if school is not None:
            self.fields["code"].initial = school.code
            self.fields["code"].disabled = True


class MonthlyReportForm(forms.Form):
    notes = forms.CharField(
        label="本月執行情形說明",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
        help_text="工作會議、到校輔導、研習、推廣活動與遭遇的困難等",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lines: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for number, name in lines.items():
            self.fields[f"line_{number}"] = forms.IntegerField(
                label=f"{number}. {name}", min_value=0, max_value=10**12, required=False, initial=0
            )

    def spending(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OutcomeForm(forms.Form):
    subject = forms.CharField(label="學科", max_length=20, help_text="如國語文、英語文、數學")
    sampled_students = forms.IntegerField(label="抽樣學生數", min_value=1)
    improved_students = forms.IntegerField(label="成效提升學生數", min_value=0)
    method = forms.CharField(label="評估方式", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("sampled_students") is not None
            and data.get("improved_students") is not None
            and data["improved_students"] > data["sampled_students"]
        ):
            self.add_error("improved_students", "成效提升人數不可多於抽樣人數")
        return data


class SupportClassForm(forms.Form):
    support_classes = forms.IntegerField(label="學習扶助班級數", min_value=0)
    digital_classes = forms.IntegerField(label="其中融入數位教學之班級數", min_value=0)

    def clean(self):
        data = super().clean()
        if (data.get("digital_classes") or 0) > (data.get("support_classes") or 0):
            self.add_error("digital_classes", "融入數位教學的班級數不可多於學習扶助班級數")
        return data
