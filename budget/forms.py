from django import forms
from django.core.validators import MaxValueValidator

from budget import rules as engine
from budget.models import NARRATIVE_FIELDS, BudgetLine, CountyPlan, PlanNarrative

# Which of a line's columns the county fills in, by line number.
LINE_COLUMNS = {
    engine.LINE_TEACHER_DEVICES: ("requested",),
    engine.LINE_STUDENT_DEVICES: ("requested",),
    engine.LINE_CARTS: ("requested",),
    engine.LINE_MDM: ("requested",),
    engine.LINE_WIRELESS: ("requested", "capital_ntd"),
    engine.LINE_SOFTWARE: ("requested", "recurrent_ntd", "capital_ntd"),
    engine.LINE_STAFF: (),
    engine.LINE_OPERATING: ("requested",),
    engine.LINE_TRAINING: ("requested",),
    engine.LINE_SUBSTITUTES: (),
    engine.LINE_OTHER: ("recurrent_ntd", "capital_ntd"),
}
REQUESTED_LABELS = {
    engine.LINE_WIRELESS: "申請AP數",
    engine.LINE_SOFTWARE: "申請金額（元）",
    engine.LINE_OPERATING: "申請金額（元）",
    engine.LINE_TRAINING: "申請場次",
}


def _number(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, required=False, widget=forms.NumberInput(attrs={"min": 0, "step": 1}), **kwargs
    )


class PlanFiguresForm(forms.ModelForm):
    """The county's own figures of the plan (lines 4, 7, 9, 10 come from these)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CountyPlan
        fields = (
            "existing_devices_without_mdm",
            "training_sessions",
            "substitute_periods_elementary",
            "substitute_periods_junior",
            "requested_counselors",
            "requested_it_staff",
            "requested_admin_staff",
        )
        help_texts = {
            "requested_counselors": "留白表示依補助原則計算之人數",
            "requested_it_staff": "留白表示依補助原則計算之人數",
            "requested_admin_staff": "留白表示依補助原則計算之人數",
        }


class BudgetLineForm(forms.ModelForm):
    """One line of the county's budget table: only the columns this line has."""

    class Meta:
        model = BudgetLine
        fields = ("requested", "recurrent_ntd", "capital_ntd", "explanation", "procurement_note")
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 2}),
            "procurement_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.instance.number
        for name in ("requested", "recurrent_ntd", "capital_ntd"):
            if name not in LINE_COLUMNS[number]:
                del self.fields[name]
        if "requested" in self.fields:
            self.fields["requested"].label = REQUESTED_LABELS.get(number, "申請補助數")
            self.fields["requested"].help_text = "留白表示與預估補助數相同"
        if number == engine.LINE_WIRELESS:
            self.fields["capital_ntd"].label = "申請金額（元，留白為教育部預估經費）"

    def values(self) -> dict:
        """Every county column, the ones this line lacks as None."""
        data = self.cleaned_data
        return {name: data.get(name) for name in ("requested", "recurrent_ntd", "capital_ntd")} | {
            "explanation": data.get("explanation", "").strip(),
            "procurement_note": data.get("procurement_note", "").strip(),
        }


class MoeFiguresForm(forms.ModelForm):
    class Meta:
        model = CountyPlan
        fields = (
            "prev_teacher_devices",
            "prev_student_devices",
            "prev_carts",
            "ap_count",
            "ap_amount_ntd",
            "software_amount_ntd",
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由（整體）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, line_numbers=engine.LINE_NUMBERS, **kwargs):
        super().__init__(*args, **kwargs)
        for number in line_numbers:
            self.fields[f"line_{number}"] = forms.CharField(
                label=f"第{number}項 {engine.LINE_NAMES[number]}",
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"placeholder": "此項的審查意見（可留白）"}),
            )

    def line_notes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("line_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }


class LineApproveForm(forms.Form):
    approved_ntd = forms.IntegerField(label="核定金額（元）", min_value=0)
    note = forms.CharField(label="核定說明", required=False, max_length=1000)


class NarrativeForm(forms.ModelForm):
    """附件1's placeholders; the page puts each input where the MOE's ○ stands."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PlanNarrative
        fields = NARRATIVE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "organization",
                "promotion_plan",
                "key_schools_plan",
                "literacy_activities",
                "literacy_training_plan",
                "it_staff_training_plan",
                "evaluation_mechanism",
                "other_work",
                "lending_rules",
                "software_management",
                "other_indicators",
                "qualitative_indicators",
            )
        } | {"usage_assurance": forms.TextInput(attrs={"size": 40, "placeholder": "例如：使用時數統計、到校訪視"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("improved_share_percent", "trained_teachers_percent", "learning_support_share_percent"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 100})
            self.fields[name].validators.append(MaxValueValidator(100, "比率不可超過 %(limit_value)s%%"))
