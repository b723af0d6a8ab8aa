from django import forms

from devices.models import (
    DeviceStatus,
    Funding,
    InspectionReason,
    Loan,
    ProcurementBatch,
    SoftwareItem,
)
from portal.forms import RocDateField
from portal.identifiers import personal_identifier_problem


class DeviceFilterForm(forms.Form):
    q = forms.CharField(
        label="搜尋", required=False, max_length=60, widget=forms.TextInput(attrs={"placeholder": "序號或財產編號"})
    )
    school = forms.CharField(label="學校代碼", required=False, max_length=6, widget=forms.TextInput(attrs={"size": 8}))
    status = forms.ChoiceField(label="狀態", required=False, choices=[("", "全部"), *DeviceStatus.choices])
    batch = forms.TypedChoiceField(label="採購案", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, batches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [("", "全部"), *((b["pk"], b["tender_number"]) for b in batches)]


class BatchForm(forms.ModelForm):
    contract_date = RocDateField(label="簽約日期")
    delivery_date = RocDateField(label="交貨日期", required=False, help_text="全部到校的日期；未交貨請留白")

    class Meta:
        model = ProcurementBatch
        fields = [
            "tender_number",
            "funding",
            "vendor",
            "brand",
            "model_name",
            "unit_price",
            "quantity",
            "contract_date",
            "delivery_date",
            "mdm_years",
            "warranty_years",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding"].choices = Funding.choices


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="狀態",
        choices=[(v, label) for v, label in DeviceStatus.choices if v not in (DeviceStatus.LENT, DeviceStatus.REPAIR)],
    )


def validate_borrower_code(value: str) -> None:
    problem = personal_identifier_problem(value)
    if problem:
        raise forms.ValidationError(problem)


class LoanForm(forms.Form):
    borrower_code = forms.CharField(
        label="借用人編號",
        max_length=40,
        help_text="學校自訂的編號（如 701-15 或借用證號），請勿填寫姓名或身分證號",
        validators=[validate_borrower_code],
    )
    purpose = forms.ChoiceField(
        label="用途", choices=[c for c in Loan.Purpose.choices if c[0] != Loan.Purpose.REPAIR_SPARE]
    )
    due_on = RocDateField(label="應歸還日期", required=False, help_text="留白則依規則預設天數")
    note = forms.CharField(label="備註", max_length=200, required=False)


class BulkLoanForm(forms.Form):
    """Several devices lent at once: one 借用人編號 a device, the purpose and due date shared."""

    purpose = forms.ChoiceField(
        label="用途", choices=[c for c in Loan.Purpose.choices if c[0] != Loan.Purpose.REPAIR_SPARE]
    )
    due_on = RocDateField(label="應歸還日期（共用）", required=False, help_text="留白則依規則預設天數")
    note = forms.CharField(label="備註", max_length=200, required=False)

    def __init__(self, *args, devices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        for device in self.devices:
            self.fields[f"borrower_{device.pk}"] = forms.CharField(
                label=f"{device.serial} 借用人編號",
                max_length=40,
                validators=[validate_borrower_code],
                help_text="學校自訂的編號，請勿填寫姓名或身分證號",
            )

    def borrower_fields(self):
        return [self[f"borrower_{device.pk}"] for device in self.devices]

    def borrowers(self) -> dict[int, str]:
        return {device.pk: self.cleaned_data[f"borrower_{device.pk}"] for device in self.devices}


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(label="歸還狀況", choices=Loan.Condition.choices)
    note = forms.CharField(label="備註", max_length=200, required=False)


class RepairForm(forms.Form):
    fault = forms.CharField(label="故障情形", max_length=200)
    spare_serial = forms.CharField(label="備品序號", max_length=60, required=False, help_text="維修完成前提供的備品")


class RepairCloseForm(forms.Form):
    outcome = forms.CharField(label="維修結果", max_length=200)


class LendingRulesForm(forms.Form):
    text = forms.CharField(label="借用規範", widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)


class InspectionForm(forms.Form):
    semester = forms.RegexField(label="學期", regex=r"^\d{3}-[12]$", max_length=6, help_text="如 111-1")
    batch = forms.IntegerField(widget=forms.HiddenInput)
    school = forms.CharField(widget=forms.HiddenInput)
    count = forms.IntegerField(label="盤點數", min_value=0)
    reason = forms.ChoiceField(label="差異原因", choices=InspectionReason.choices, required=False)
    note = forms.CharField(label="說明", max_length=200, required=False)


class WirelessClassroomsForm(forms.Form):
    whole_class_classrooms = forms.IntegerField(label="可全班同時上網之教室數", min_value=0)


class SoftwareProposalForm(forms.ModelForm):
    class Meta:
        model = SoftwareItem
        fields = ["name", "vendor", "brand", "unit", "unit_price", "security_statement"]
        widgets = {"security_statement": forms.Textarea(attrs={"rows": 4})}


class SoftwareDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="審查結果", choices=[("1", "通過，列入目錄"), ("0", "不通過")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SoftwarePurchaseForm(forms.Form):
    item = forms.ModelChoiceField(label="品項", queryset=SoftwareItem.objects.none())
    seats = forms.IntegerField(label="授權數", min_value=1)
    amount_ntd = forms.IntegerField(label="金額（元）", min_value=0)
    meeting_date = RocDateField(label="決議會議日期")
    school_codes = forms.CharField(
        label="使用學校代碼", required=False, help_text="以逗號或空白分隔；留白表示全縣共用", max_length=5000
    )
    teaching_use = forms.CharField(label="教學運用說明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items

    def codes(self) -> list[str]:
        return [c for c in self.cleaned_data["school_codes"].replace(",", " ").replace("，", " ").split() if c]
