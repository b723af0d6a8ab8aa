import unicodedata

from django import forms
from django.core.validators import MaxValueValidator

from budget import rules as engine
from budget.models import NARRATIVE_FIELDS, BudgetLine, CountyPlan, PlanNarrative
from budget.services import COUNTY_PLAN_FIELDS, MOE_PLAN_FIELDS

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


# The unit printed beside each box of the budget form.
PLAN_FIELD_UNITS = {
    "existing_devices_without_mdm": "臺",
    "training_sessions": "場",
    "substitute_periods_elementary": "節",
    "substitute_periods_junior": "節",
    "requested_counselors": "人",
    "requested_it_staff": "人",
    "requested_admin_staff": "人",
    "part_time_counselors": "人",
    "part_time_it_staff": "人",
    "part_time_share_percent": "%",
}
REQUESTED_UNITS = {
    engine.LINE_MDM: "套",
    engine.LINE_WIRELESS: "臺",
    engine.LINE_SOFTWARE: "元",
    engine.LINE_OPERATING: "元",
    engine.LINE_TRAINING: "場",
}


def _describe(field, *, unit: str, blank: str = "", placeholder: str = "") -> None:
    """The unit beside the box and what a blank box means (「留白＝預估 1,463 臺」), shown as
    the field's help and, shorter, inside the empty box."""
    field.unit = unit
    if blank:
        field.help_text = f"留白＝{blank}"
        field.widget.attrs["placeholder"] = placeholder or blank


def _link_help(form) -> None:
    """Each box with a help line (what blank means) points at it: screen readers read it too."""
    for name, field in form.fields.items():
        if field.help_text:
            field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}-help"


def _number(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, required=False, widget=forms.NumberInput(attrs={"min": 0, "step": 1}), **kwargs
    )


class _VersionedForm(forms.ModelForm):
    """A record's fields edited under the version the page was opened at (the service refuses a
    save over someone else's newer one)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def values(self) -> dict:
        """The record's fields as typed, for the service."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PlanFiguresForm(_VersionedForm):
    """The county's own figures of the plan (lines 4, 7, 9, 10 come from these)."""

    class Meta:
        model = CountyPlan
        fields = COUNTY_PLAN_FIELDS
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

    def describe_blanks(self, staffing) -> None:
        """Units beside every box; the staff boxes say what blank means (the rules' count)."""
        for name, unit in PLAN_FIELD_UNITS.items():
            self.fields[name].unit = unit
        for name, entitled in (
            ("requested_counselors", staffing.counselors),
            ("requested_it_staff", staffing.it_staff),
            ("requested_admin_staff", staffing.admin_staff),
        ):
            _describe(self.fields[name], unit="人", blank=f"依原則 {entitled:,} 人", placeholder=f"{entitled:,}")
        for name in ("part_time_counselors", "part_time_it_staff"):
            _describe(self.fields[name], unit="人", blank="0 人", placeholder="0")
        _link_help(self)

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
        if number == engine.LINE_WIRELESS:
            self.fields["capital_ntd"].label = "申請金額（元，留白為教育部預估經費）"
        # The text boxes sit under their column headers; a screen reader hears the line as well.
        for name in ("explanation", "procurement_note"):
            self.fields[name].widget.attrs.setdefault("aria-label", f"第 {number} 項 {self.fields[name].label}")

    def describe_blanks(self, line, plan) -> None:
        """Units beside every box and what blank means, from the computed table's `line`."""
        number = self.instance.number
        if "requested" in self.fields:
            unit = REQUESTED_UNITS.get(number, "")
            estimate = line.estimate if line.estimate is not None else line.computed
            _describe(
                self.fields["requested"],
                unit=unit,
                blank=f"預估 {estimate or 0:,} {unit}".rstrip(),
                placeholder=f"{estimate or 0:,}",
            )
        if number == engine.LINE_WIRELESS:
            _describe(
                self.fields["capital_ntd"],
                unit="元",
                blank=f"教育部預估 {plan.ap_amount_ntd:,} 元",
                placeholder=f"{plan.ap_amount_ntd:,}",
            )
        elif number == engine.LINE_SOFTWARE:
            _describe(self.fields["recurrent_ntd"], unit="元", blank="申請金額全數列經常門", placeholder="全數")
            _describe(self.fields["capital_ntd"], unit="元", blank="0 元", placeholder="0")
        elif number == engine.LINE_OTHER:
            _describe(self.fields["recurrent_ntd"], unit="元", blank="0 元", placeholder="0")
            _describe(self.fields["capital_ntd"], unit="元", blank="0 元", placeholder="0")
        _link_help(self)

    def values(self) -> dict:
        """Every county column, the ones this line lacks as None."""
        data = self.cleaned_data
        return {name: data.get(name) for name in ("requested", "recurrent_ntd", "capital_ntd")} | {
            "explanation": data.get("explanation", "").strip(),
            "procurement_note": data.get("procurement_note", "").strip(),
        }


class MoeFiguresForm(_VersionedForm):
    """教育部提供: 已受補助數 and 預估補助數 of lines 1-3 (blank: 暫估), the AP count and amount,
    the software amount. The labels name the rule set's years."""

    class Meta:
        model = CountyPlan
        fields = MOE_PLAN_FIELDS

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


def parse_ntd(text: str | None) -> int | None:
    """「1,234,000」「１２３４０００」「1234000 元」 -> 1234000; blank -> None; ValueError otherwise."""
    cleaned = unicodedata.normalize("NFKC", str(text or "")).strip().removesuffix("元").strip()
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("，", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(cleaned)
    return int(cleaned)


class NtdField(forms.CharField):
    """An amount in 元 typed with or without thousands separators (a text box, inputmode=numeric,
    so the page can show 1,234,000); blank is None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value and len(str(value)) > 30:
            raise forms.ValidationError("金額過長")
        try:
            return parse_ntd(value)
        except ValueError:
            raise forms.ValidationError("請填寫金額（元），可含千分位逗號，例如 1,234,000") from None

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value


class PlanReviewForm(forms.Form):
    """The MOE's review of all 11 lines in one form: 核定金額 prefilled with what was submitted
    (「依申請數核定」; blank means the same), 核定說明 needed only below it."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, requested: dict[int, int], approved: dict[int, tuple[int | None, str]], **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        for number in engine.LINE_NUMBERS:
            amount, note = approved.get(number, (None, ""))
            initial[f"amount_{number}"] = requested.get(number, 0) if amount is None else amount
            initial[f"note_{number}"] = note
        super().__init__(*args, initial=initial, **kwargs)
        for number in engine.LINE_NUMBERS:
            self.fields[f"amount_{number}"] = NtdField(label="核定金額（元）", required=False)
            self.fields[f"note_{number}"] = forms.CharField(
                label="核定說明（低於申請數時必填）", required=False, max_length=1000
            )

    def decisions(self) -> dict[int, tuple[int | None, str]]:
        return {
            number: (self.cleaned_data.get(f"amount_{number}"), self.cleaned_data.get(f"note_{number}") or "")
            for number in engine.LINE_NUMBERS
        }

    def add_line_errors(self, line_errors: dict[int, str]) -> None:
        for number, message in line_errors.items():
            self.add_error(f"amount_{number}", message)

    def line_errors(self) -> dict[int, list[str]]:
        return {
            number: [*self.errors.get(f"amount_{number}", []), *self.errors.get(f"note_{number}", [])]
            for number in engine.LINE_NUMBERS
        }


class NarrativeForm(_VersionedForm):
    """附件1's placeholders; the page puts each input where the MOE's ○ stands."""

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
