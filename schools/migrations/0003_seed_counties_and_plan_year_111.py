"""The 22 counties and cities, and the 111 plan year with its rule set.

Both are frozen here as literals: a later change of the code must not change what this
migration wrote. A later plan year arrives as data (admin or a new migration).
"""

import datetime

from django.db import migrations

COUNTIES = (
    ("30", "臺北市"),
    ("01", "新北市"),
    ("03", "桃園市"),
    ("06", "臺中市"),
    ("11", "臺南市"),
    ("12", "高雄市"),
    ("02", "宜蘭縣"),
    ("04", "新竹縣"),
    ("05", "苗栗縣"),
    ("07", "彰化縣"),
    ("08", "南投縣"),
    ("09", "雲林縣"),
    ("10", "嘉義縣"),
    ("13", "屏東縣"),
    ("14", "臺東縣"),
    ("15", "花蓮縣"),
    ("16", "澎湖縣"),
    ("17", "基隆市"),
    ("18", "新竹市"),
    ("20", "嘉義市"),
    ("71", "金門縣"),
    ("72", "連江縣"),
)

RULES_111 = {
    "year": 111,
    "remote_areas": ["偏遠", "特偏", "極偏"],
    "remote_carts_per_class": 1,
    "classes_per_device_class": 6,
    "device_class_rounding": "ceil",
    "teacher_devices_per_device_class": {"國小": 2, "國中": 3},
    "carts_per_device_class": 1,
    "device_unit_price": 13000,
    "cart_unit_price": 50000,
    "mdm_licence_unit_price": 900,
    "training_session_unit_price": 25000,
    "substitute_period_unit_price": {"國小": 320, "國中": 360},
    "school_count_basis": "school_code",
    "schools_per_counselor": 50,
    "counselor_rounding": "ceil",
    "schools_per_it_staff": 50,
    "it_staff_rounding": "ceil",
    "max_it_staff": 5,
    "admin_staff_tiers": [
        {"max_schools": 60, "persons": 1},
        {"max_schools": 180, "persons": 2},
        {"max_schools": None, "persons": 3},
    ],
    "counselor_annual_rate": 750000,
    "it_staff_annual_rate": 750000,
    "admin_staff_annual_rate": 650000,
    "prorate_staffing": False,
    "plan_months": 11,
    "operating_fee_base": 1000000,
    "operating_fee_base_schools": 30,
    "operating_fee_per_extra_school": 10000,
    "operating_fee_cap": 10000000,
    "key_school_percent": 5,
    "meetings_per_month": 1,
    "public_lessons_per_school": 1,
    "a1a2_target_percent_first_year": 25,
    "a1a2_full_by_year": 114,
    "literacy_training_target_percent": 10,
    "improved_students_target_percent": 30,
}


def seed(apps, schema_editor):
    County = apps.get_model("schools", "County")
    PlanYear = apps.get_model("schools", "PlanYear")
    for order, (code, name) in enumerate(COUNTIES, start=1):
        County.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    PlanYear.objects.update_or_create(
        year=111,
        defaults={
            "title": "「推動中小學數位學習精進方案」111年國民中小學實施計畫",
            "period_start": datetime.date(2022, 2, 1),
            "period_end": datetime.date(2022, 12, 31),
            "rules": RULES_111,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("schools", "0002_roster_upload")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
