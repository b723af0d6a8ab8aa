from django import forms
from django.core.validators import MaxValueValidator

from budget import rules as engine
from budget.models import NARRATIVE_FIELDS, BudgetLine, CountyPlan, PlanNarrative

# Which of a line's columns the county fills in, by line number.
# Lines 1-3's 申請補助數 are the 附錄's sums: shown, not typed (「由附錄彙總」).
LINE_COLUMNS = {
    engine.LINE_TEACHER_DEVICES: (),
    engine.LINE_STUDENT_DEVICES: (),
    engine.LINE_CARTS: (),
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
            "part_time_counselors",
            "part_time_it_staff",
            "part_time_share_percent",
        )
        help_texts = {
            "requested_counselors": "留白表示依補助原則計算之人數",
            "requested_it_staff": "留白表示依補助原則計算之人數",
            "requested_admin_staff": "留白表示依補助原則計算之人數",
            "part_time_share_percent": "兼任人力以全年金額的此比率編列（0–100）",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("part_time_counselors", "part_time_it_staff"):
            self.fields[name].required = False
        share = self.fields["part_time_share_percent"]
        share.widget.attrs.update({"min": 0, "max": 100})
        share.validators.append(MaxValueValidator(100, "比率不可超過 %(limit_value)s%%"))

    def clean_part_time_counselors(self):
        return self.cleaned_data["part_time_counselors"] or 0

    def clean_part_time_it_staff(self):
        return self.cleaned_data["part_time_it_staff"] or 0


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
        # The text boxes sit under their column headers; a screen reader hears the line as well.
        for name in ("explanation", "procurement_note"):
            self.fields[name].widget.attrs.setdefault("aria-label", f"第 {number} 項 {self.fields[name].label}")

    def values(self) -> dict:
        """Every county column, the ones this line lacks as None."""
        data = self.cleaned_data
        return {name: data.get(name) for name in ("requested", "recurrent_ntd", "capital_ntd")} | {
            "explanation": data.get("explanation", "").strip(),
            "procurement_note": data.get("procurement_note", "").strip(),
        }


class MoeFiguresForm(forms.ModelForm):
    """教育部提供: 已受補助數 and 預估補助數 of lines 1-3 (blank: 暫估), the AP count and amount,
    the software amount. The labels name the rule set's years."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CountyPlan
        fields = (
            "prev_teacher_devices",
            "prev_student_devices",
            "prev_carts",
            "moe_estimate_teacher_devices",
            "moe_estimate_student_devices",
            "moe_estimate_carts",
            "ap_count",
            "ap_amount_ntd",
            "software_amount_ntd",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = engine.years_label(self.instance.plan_year.rule_set.previously_subsidised_years)
        for name in ("prev_teacher_devices", "prev_student_devices", "prev_carts"):
            self.fields[name].label = f"{years}年{self.fields[name].label}"


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One form per line (prefix "line3"): a screen reader hears which line each box is for.
        line = (self.prefix or "").removeprefix("line")
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", f"第 {line} 項 {field.label}" if line else str(field.label))


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
        # Each input stands inside the MOE's sentence where its ○ was: its name for screen readers.
        for name, field in self.fields.items():
            if name not in ("version", "improved_subjects"):
                field.widget.attrs.setdefault("aria-label", str(field.label))
        for name in ("improved_share_percent", "learning_support_share_percent"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 100})
            self.fields[name].validators.append(MaxValueValidator(100, "比率不可超過 %(limit_value)s%%"))


# --- Plan years and their rules ---------------------------------------------------------------------


class RuleValuesForm(forms.Form):
    """Every rule-set parameter as a text field (JSON for lists and tables, plain text for
    dates and words), labelled with its meaning and the section of the MOE's text."""

    def __init__(self, *args, values: dict, **kwargs):
        from budget.years import rule_text

        super().__init__(*args, **kwargs)
        self.initial_values = values
        for name, note in engine.RULE_NOTES.items():
            if name == "year":
                continue
            help_text = f"依據：{note.seed}" + (f"；[解讀] {note.reading}" if note.reading else "")
            self.fields[f"rule_{name}"] = forms.CharField(
                label=f"{note.label}（{name}）",
                initial=rule_text(values.get(name)),
                help_text=help_text,
                max_length=2000,
                widget=forms.TextInput(attrs={"size": 40, "spellcheck": "false"}),
            )

    def rule_fields(self):
        return [self[name] for name in self.fields if name.startswith("rule_")]

    def changed_values(self) -> dict:
        """The parameters whose value differs from the one shown, parsed."""
        from budget.years import PlanYearRefused, parse_rule_value

        changed = {}
        for field_name in self.fields:
            if not field_name.startswith("rule_"):
                continue
            name = field_name.removeprefix("rule_")
            try:
                value = parse_rule_value(name, self.cleaned_data[field_name])
            except PlanYearRefused as refused:
                self.add_error(field_name, str(refused))
                continue
            if value != self.initial_values.get(name):
                changed[name] = value
        return changed

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        """The service's refusals, each on the field of the key it names."""
        for key, message in problems:
            field_name = f"rule_{key}"
            self.add_error(field_name if field_name in self.fields else None, message)


class PlanYearOpenForm(RuleValuesForm):
    year = forms.IntegerField(label="新計畫年度（民國）", min_value=100, max_value=200)
    source = forms.TypedChoiceField(label="沿用自", coerce=int)
    period_start = forms.DateField(
        label="計畫期程起", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    period_end = forms.DateField(label="計畫期程迄", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    submission_deadline = forms.DateField(
        label="縣市計畫送審截止日", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    survey_year = forms.IntegerField(label="附錄調查年度（民國）", min_value=100, max_value=200)

    field_order = ("year", "source", "period_start", "period_end", "submission_deadline", "survey_year")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(year, f"{year} 年度") for year in years]


class RulesEditForm(RuleValuesForm):
    digest = forms.CharField(widget=forms.HiddenInput)


# --- After 核定 ----------------------------------------------------------------------------------------


class DisbursementForm(forms.Form):
    received_on = forms.DateField(label="入帳日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    amount_ntd = forms.IntegerField(label="撥款金額（元）", min_value=1, max_value=10**12)
    reference = forms.CharField(label="教育部核撥文號", required=False, max_length=100)
    note = forms.CharField(label="備註", required=False, max_length=200)


class FinalReportForm(forms.Form):
    """One pair of amounts (經常門, 資本門) a budget line, and the notes."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label="執行情形與賸餘款說明", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            for column, label in (("recurrent", "經常門"), ("capital", "資本門")):
                name = f"line{line.number}_{column}"
                self.fields[name] = forms.IntegerField(
                    label=f"第{line.number}項實支{label}（元）",
                    min_value=0,
                    max_value=10**12,
                    initial=getattr(line, f"{column}_spent_ntd"),
                    widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
                )

    def spent(self) -> dict[int, tuple[int, int]]:
        numbers = {int(name[4:].split("_")[0]) for name in self.fields if name.startswith("line")}
        return {n: (self.cleaned_data[f"line{n}_recurrent"], self.cleaned_data[f"line{n}_capital"]) for n in numbers}

    def line_fields(self, number: int):
        return self[f"line{number}_recurrent"], self[f"line{number}_capital"]
