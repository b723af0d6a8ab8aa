from django import forms

from budget import rules as engine
from portal.counties import COUNTIES
from portal.forms import QuickSelect
from schools.models import Area, Level
from schools.roster_format import REQUESTED_KEYS, consistency_problems
from schools.selectors import ROSTER_PAGE_SIZES, roster_sort

REQUESTED_FIELDS = REQUESTED_KEYS


class RosterFilterForm(forms.Form):
    """The roster list's filters. `national`: the reader sees every county (MOE, admins), who
    also gets the 縣市 filter. `sort` and `per_page` are whitelisted here and in the selector."""

    q = forms.CharField(
        label="搜尋", required=False, max_length=50, widget=forms.TextInput(attrs={"placeholder": "學校名稱或代碼"})
    )
    county = forms.ChoiceField(label="縣市", required=False, widget=QuickSelect)
    level = forms.ChoiceField(label="學制", required=False, widget=QuickSelect)
    area = forms.ChoiceField(label="地區屬性", required=False, widget=QuickSelect)
    complies = forms.ChoiceField(
        label="符合原則",
        required=False,
        widget=QuickSelect,
        choices=[("", "全部"), ("yes", "是"), ("no", "否"), ("no_reason", "否（未填原因）"), ("blank", "未填申請數")],
    )

    per_page = forms.TypedChoiceField(
        label="每頁列數",
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
        choices=[("", "50")] + [(str(size), str(size)) for size in ROSTER_PAGE_SIZES[1:]],
    )
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "全部"), *Level.choices]
        self.fields["area"].choices = [("", "全部"), ("remote", "偏遠（含特偏、極偏）"), *Area.choices]
        if national:
            self.fields["county"].choices = [("", "全部縣市"), *COUNTIES]
        else:
            del self.fields["county"]

    def clean_sort(self) -> str:
        return roster_sort(self.cleaned_data.get("sort"))


class RosterRowForm(forms.Form):
    """One row's figures; the entitlement is recomputed from them (never typed in)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    area = forms.ChoiceField(label="地區屬性", choices=Area.choices)
    classes = forms.IntegerField(label="班級數", min_value=0)
    max_class_size = forms.IntegerField(label="最大班級人數", min_value=0)
    teachers = forms.IntegerField(label="編制教師數", min_value=0)
    students = forms.IntegerField(label="學生數", min_value=0)
    req_carts = forms.IntegerField(label="申請補助充電車數", min_value=0, required=False)
    req_teacher_devices = forms.IntegerField(label="申請補助教師載具數", min_value=0, required=False)
    req_student_devices = forms.IntegerField(label="申請補助學生載具數", min_value=0, required=False)
    reason = forms.CharField(
        label="不符原則之原因", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )

    def __init__(self, *args, plan_year, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.level = level
        self.entitlement = None
        self.complies = None

    def clean(self):
        data = super().clean()
        numbers = ("classes", "max_class_size", "students", "teachers")
        if any(data.get(name) is None for name in numbers) or not data.get("area"):
            return data
        problems = consistency_problems(data["classes"], data["max_class_size"], data["students"])
        for key, message in problems:
            self.add_error(key, message)
        if problems:
            return data
        requested = [data.get(name) for name in REQUESTED_FIELDS]
        if any(v is None for v in requested) and not all(v is None for v in requested):
            self.add_error(None, "三個申請補助數須全部填寫（可填 0），或全部留白")
            return data
        facts = engine.RowFacts(
            self.level, data["area"], data["classes"], data["max_class_size"], data["teachers"], data["students"]
        )
        self.entitlement = engine.entitle_row(facts, self.plan_year.rule_set)
        self.complies = engine.complies(
            None if requested[0] is None else engine.Requested(*requested), self.entitlement
        )
        if self.complies is False and not data.get("reason", "").strip():
            self.add_error("reason", "申請數與補助原則不符（否），請說明原因")
        return data
