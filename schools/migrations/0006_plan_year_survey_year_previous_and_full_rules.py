"""Plan years as data: the survey year of the 附錄 header and the year a plan year was opened
from become fields, and every stored rule set gets every key written out.

111's rules were stored in 0003 with 36 keys; the engine has since grown 14 more (usage
platforms, monthly reports, devices' terms ...) and now four of issue 13's. A rule set that
lacks a key silently takes the code's default, so a year copied from it would inherit a
delivery deadline of 2022-09-30. The values are frozen here as literals, as 0003 froze its own.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The keys 0003 did not write, with 111's values (the spec's reading of the 111 text).
MISSING_111 = {
    "a1a2_first_year": 111,
    "a1a2_full_target_percent": 100,
    "it_staff_trained_per_school": 1,
    "usage_platforms": ["因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English", "其他"],
    "monthly_report_deadline_day": 10,
    "monthly_report_reminder_days": 3,
    "remote_devices_target_percent": 100,
    "other_schools_target_percent": 100,
    "device_delivery_deadline": "2022-09-30",
    "mdm_licence_years": 4,
    "warranty_years": 4,
    "mdm_enrolment_threshold_percent": 80,
    "expiry_window_days": 180,
    "loan_default_days": 30,
    # Issue 13: 代理代課費補充保費 2.11%, the 實施對象, the years deducted, 核結 within 2 months.
    "substitute_premium_basis_points": 211,
    "ownerships_in_scope": ["公立", "市立", "縣立", "私立"],
    "previously_subsidised_years": [110, 111],
    "final_report_due_months": 2,
}


def write_every_key(apps, schema_editor):
    PlanYear = apps.get_model("schools", "PlanYear")
    for plan_year in PlanYear.objects.all():
        rules = dict(plan_year.rules or {})
        for key, value in MISSING_111.items():
            if key in rules:
                continue
            if key == "device_delivery_deadline":
                # Another year than 111 keeps its deadline inside its own period.
                value = f"{plan_year.year + 1911}-09-30"
            elif key == "previously_subsidised_years" and plan_year.year != 111:
                value = list(range(110, plan_year.year))
            rules[key] = value
        plan_year.rules = rules
        plan_year.survey_year = plan_year.year - 1
        plan_year.save(update_fields=["rules", "survey_year"])


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0005_delete_rosterupload"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="planyear",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                help_text="開啟本年度時複製規則、名單與已受補助數的來源年度",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="schools.planyear",
                verbose_name="沿用自",
            ),
        ),
        migrations.AddField(
            model_name="planyear",
            name="survey_year",
            field=models.PositiveSmallIntegerField(
                default=110,
                help_text="附錄表頭的「110年班級數」等欄位的年度，通常為計畫年度的前一年",
                verbose_name="附錄調查年度（民國）",
            ),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="HistoricalPlanYear",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(db_index=True, verbose_name="計畫年度（民國）")),
                ("title", models.CharField(max_length=200, verbose_name="計畫名稱")),
                ("period_start", models.DateField(verbose_name="計畫期程起")),
                ("period_end", models.DateField(verbose_name="計畫期程迄")),
                (
                    "submission_deadline",
                    models.DateField(
                        blank=True,
                        help_text="過了這一天，縣市不能再修改名單、經費表或送審",
                        null=True,
                        verbose_name="縣市計畫送審截止日",
                    ),
                ),
                (
                    "survey_year",
                    models.PositiveSmallIntegerField(
                        help_text="附錄表頭的「110年班級數」等欄位的年度，通常為計畫年度的前一年",
                        verbose_name="附錄調查年度（民國）",
                    ),
                ),
                ("rules", models.JSONField(verbose_name="補助規則參數")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical 計畫年度",
                "verbose_name_plural": "historical 計畫年度",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(write_every_key, migrations.RunPython.noop),
    ]
