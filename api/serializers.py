"""The API's resources as they leave the portal. Money is integer NTD, dates ISO 8601, and
the plan year is the ROC year (`roc_year`: 111) beside the Gregorian dates."""

from __future__ import annotations

from rest_framework import serializers

ROC_YEAR = "計畫年度（民國年，如 111）"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.JSONField(help_text="原因（中文）；欄位錯誤時為 {欄位: [原因]}")


class CountySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="縣市代碼（2 碼）")
    name = serializers.CharField(help_text="縣市名稱")


class SchoolSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="學校代碼（6 碼）")
    name = serializers.CharField(help_text="學校全銜")
    county_code = serializers.CharField()
    county = serializers.CharField()
    ownership = serializers.CharField(help_text="設立別：公立、市立、縣立、私立")
    affiliation = serializers.CharField(allow_blank=True, help_text="附屬：大學附屬、高中附屬、完全中學、國中小或空白")


class CountsSerializer(serializers.Serializer):
    carts = serializers.IntegerField()
    teacher_devices = serializers.IntegerField()
    student_devices = serializers.IntegerField()


class RosterRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    survey_roc_year = serializers.IntegerField(help_text="名單數字的學年度（計畫年度減 1，如 110）")
    school_code = serializers.CharField()
    name = serializers.CharField(help_text="名單上本學制的全銜")
    county_code = serializers.CharField()
    county = serializers.CharField()
    level = serializers.CharField(help_text="學制：國小或國中")
    area = serializers.CharField(help_text="地區屬性：偏遠、特偏、極偏、非山非市、一般")
    remote = serializers.BooleanField(help_text="依該年度規則是否為偏遠學校")
    classes = serializers.IntegerField()
    max_class_size = serializers.IntegerField()
    teachers = serializers.IntegerField()
    students = serializers.IntegerField()
    requested = CountsSerializer(allow_null=True, help_text="申請補助數；未填為 null")
    entitled = CountsSerializer(help_text="依補助原則計算之補助數")
    entitled_amount_ntd = serializers.IntegerField(
        help_text="計算補助數之金額（元）：載具數 × 載具單價 + 充電車數 × 充電車單價"
    )
    complies = serializers.BooleanField(allow_null=True, help_text="符合原則（是／否）；未填申請數為 null")
    reason = serializers.CharField(allow_blank=True, help_text="不符原則之原因")
    updated_at = serializers.DateTimeField()


class BudgetLineSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="項次 1–11（附件1 六 經費需求）")
    name = serializers.CharField()
    computed = serializers.IntegerField(allow_null=True, help_text="計算補助數（數量；第 6、8、11 項為金額）")
    previously_subsidised = serializers.IntegerField(allow_null=True, help_text="110、111 年已受補助數")
    estimate = serializers.IntegerField(allow_null=True, help_text="預估補助數")
    requested = serializers.IntegerField(allow_null=True, help_text="申請補助數")
    recurrent_ntd = serializers.IntegerField(help_text="經常門（元）")
    capital_ntd = serializers.IntegerField(help_text="資本門（元）")
    total_ntd = serializers.IntegerField(help_text="合計（元）")
    explanation = serializers.CharField(allow_blank=True, help_text="差異說明")
    approved_ntd = serializers.IntegerField(allow_null=True, help_text="教育部核定（元）；未核定為 null")
    approval_note = serializers.CharField(allow_blank=True)


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    county_code = serializers.CharField()
    county = serializers.CharField()
    status = serializers.ChoiceField(choices=["draft", "submitted", "returned", "approved"])
    status_label = serializers.CharField(help_text="草稿、已送審、退回修正、已核定")
    approved = serializers.BooleanField(help_text="整份計畫已核定")
    submissions = serializers.IntegerField(help_text="送審次數")
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField(allow_blank=True)
    schools = serializers.IntegerField(help_text="名單學校數（總校數）")
    total_ntd = serializers.IntegerField(help_text="經費需求合計（元）")
    approved_total_ntd = serializers.IntegerField(allow_null=True, help_text="已核定金額合計（元）；尚無核定為 null")
    budget_lines = BudgetLineSerializer(many=True)
    updated_at = serializers.DateTimeField()


class DeviceSummarySerializer(serializers.Serializer):
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    school_code = serializers.CharField()
    school_name = serializers.CharField()
    county = serializers.CharField()
    entitled = serializers.IntegerField(help_text="依補助原則計算之載具數（教師＋學生）")
    approved = serializers.IntegerField(help_text="申請（核定）之載具數")
    delivered = serializers.IntegerField(help_text="已到校載具數")
    mdm_enrolled = serializers.IntegerField(help_text="已註冊 MDM 之到校載具數")
    inspected = serializers.IntegerField(allow_null=True, help_text="最近一次盤點數；未盤點為 null")
    flags = serializers.ListField(child=serializers.CharField(), help_text="待處理事項（逾期未交貨、MDM 註冊率偏低…）")


class UsageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    county_code = serializers.CharField()
    county = serializers.CharField()
    school_code = serializers.CharField()
    school_name = serializers.CharField()
    month = serializers.CharField(help_text="月份，ISO 8601（YYYY-MM）")
    roc_month = serializers.CharField(help_text="民國年月 YYYMM（11103 = 111年3月），同 /usage/export.csv")
    platform = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False, help_text="使用時數")
    active_students = serializers.IntegerField()
    active_devices = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class SpendingSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="經費項次 1–11")
    amount_ntd = serializers.IntegerField(help_text="本月支用（元）")


class MonthlyReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    county_code = serializers.CharField()
    county = serializers.CharField()
    month = serializers.CharField(help_text="月份，ISO 8601（YYYY-MM）")
    roc_month = serializers.CharField(help_text="民國年月 YYYMM")
    status = serializers.ChoiceField(choices=["draft", "submitted", "returned"])
    status_label = serializers.CharField()
    deadline = serializers.DateField(help_text="提交期限")
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True, help_text="首次提交是否在期限內；未提交為 null")
    returned_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    figures = serializers.DictField(help_text="提交時凍結的數據（載具、研習、使用時數…）；未提交為空物件")
    spending = SpendingSerializer(many=True)


class TrainingProgressSerializer(serializers.Serializer):
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    school_code = serializers.CharField()
    school_name = serializers.CharField()
    county = serializers.CharField()
    teachers = serializers.IntegerField(help_text="名單編制教師數")
    trained = serializers.IntegerField(help_text="本年度完成任一研習的教師數")
    a1a2 = serializers.IntegerField(help_text="完成數位學習工作坊 A1 及 A2 的教師數（累計）")
    a1a2_target_percent = serializers.IntegerField()
    a1a2_target = serializers.IntegerField(help_text="A1＋A2 目標教師數")
    literacy = serializers.IntegerField(help_text="本年度完成數位素養研習的教師數")
    literacy_target_percent = serializers.IntegerField()
    literacy_target = serializers.IntegerField()
    it_staff = serializers.IntegerField(help_text="完成資訊組長增能研習的人數")
    it_staff_target = serializers.IntegerField()


class IndicatorSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="附件1 五(一) 項次 1–8")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["count", "percent"])
    unit = serializers.CharField()
    value = serializers.IntegerField(
        allow_null=True, help_text="實際值（整數；比率為百分比，四捨五入）；尚無資料為 null"
    )
    target = serializers.IntegerField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class CountyIndicatorsSerializer(serializers.Serializer):
    roc_year = serializers.IntegerField(help_text=ROC_YEAR)
    county_code = serializers.CharField()
    county = serializers.CharField()
    indicators = IndicatorSerializer(many=True)
