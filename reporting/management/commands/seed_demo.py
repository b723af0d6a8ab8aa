"""Demo data for `make run`: one county's real roster (花蓮縣, from MOE open data), one user
per role, and each app's own demo data (DEMO_SEEDERS). Runs once; later runs only print the
logins again. It lives in reporting, the one app that may import every other."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budget import demo as budget_demo
from budget import demo_scenarios
from budget import rules as engine
from devices import demo as devices_demo
from portal.imports.kinds import ImportTarget
from portal.imports.pipeline import import_content
from portal.models import Role, User
from reporting import demo as reporting_demo
from schools import demo as schools_demo
from schools.exporting import write_roster_workbook
from schools.importing import ROSTER_IMPORT
from schools.models import County, PlanYear, RosterRow, School
from schools.realdata import roster_records
from training import demo as training_demo

DEMO_COUNTY = "花蓮縣"
# Each app's demo data: seed(*, county, plan_year, users) -> a line to print, or "" when it
# already exists. Called in this order, each in its own transaction.
DEMO_SEEDERS: list = [
    schools_demo.seed,
    budget_demo.seed,
    devices_demo.seed,
    training_demo.seed,
    reporting_demo.seed,
    demo_scenarios.seed,
]
DEMO_PASSWORD = "demo-portal-2022"  # noqa: S105 - printed on purpose for the local demo
DEMO_USERS = (
    ("county", Role.COUNTY, "花蓮縣承辦（示範）"),
    ("school", Role.SCHOOL, "學校承辦（示範）"),
    ("moe", Role.MOE, "教育部審查（示範）"),
    ("admin", Role.ADMIN, "系統管理（示範）"),
)


def demo_records(plan_year: PlanYear) -> list[dict]:
    """The county's real roster; two rows ask for fewer devices, as counties do, with a reason."""
    records = roster_records(DEMO_COUNTY, plan_year.rule_set)
    for record, reason in zip(
        [r for r in records if r["area"] == "一般"][:2],
        ("學校已有 30 臺自購平板，申請數扣除之", "校內無線網路尚未完成，先申請半數"),
        strict=False,
    ):
        record["req_student_devices"] = max(0, record["req_student_devices"] - 30)
        record["complies"], record["reason"] = False, reason
    return _survey_differences(records, plan_year)


def _survey_differences(records: list[dict], plan_year: PlanYear) -> list[dict]:
    """The county's own survey is not the MOE's statistics: a few rows differ (as they do in
    real rosters), so the check against the 110 statistics has something to show. The
    requested counts follow the changed figures (the rows still comply)."""
    general = [r for r in records if r["area"] == "一般" and r["classes"] >= 12 and r["complies"] is True]
    remote = [r for r in records if r["area"] != "一般" and r["teachers"] >= 10]
    changes = []
    if len(general) >= 3:
        bigger = general[0]
        bigger["students"] = bigger["students"] * 115 // 100
        bigger["max_class_size"] += 4
        general[1]["area"] = "偏遠"  # not on the MOE's remote-school list
        general[2]["classes"] += 2
        changes += general[:3]
    if remote:
        remote[0]["teachers"] += 4
        changes.append(remote[0])
    new_school = {
        **(general[-1] if general else records[-1]),
        "code": "154999",
        "name": "花蓮縣立新城實驗國民小學",
        "level": "國小",
        "area": "一般",
        "classes": 6,
        "max_class_size": 20,
        "teachers": 9,
        "students": 98,
        "complies": True,
        "reason": "",
    }
    records.append(new_school)
    changes.append(new_school)
    for record in changes:
        facts = engine.RowFacts(
            record["level"],
            record["area"],
            record["classes"],
            min(record["max_class_size"], record["students"]),
            record["teachers"],
            record["students"],
        )
        record["max_class_size"] = facts.max_class_size
        entitlement = engine.entitle_row(facts, plan_year.rule_set)
        record["req_carts"] = entitlement.carts
        record["req_teacher_devices"] = entitlement.teacher_devices
        record["req_student_devices"] = entitlement.student_devices
    return records


class Command(BaseCommand):
    help = "建立示範資料（花蓮縣名單與各角色的示範帳號），只建立一次"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # Known passwords and authenticator keys have no place on a server.
            raise CommandError("seed_demo 只能在開發模式（DEBUG）執行：示範帳號的密碼與驗證金鑰是公開的")
        plan_year = PlanYear.objects.get(year=111)
        demo_dir = Path(settings.VAR_DIR) / "demo"
        demo_dir.mkdir(parents=True, exist_ok=True)
        clean_file = demo_dir / f"{plan_year.year}年{DEMO_COUNTY}國民中小學名單.xlsx"
        broken_file = demo_dir / f"{plan_year.year}年{DEMO_COUNTY}名單-含錯誤.xlsx"
        records = demo_records(plan_year)
        workbook = write_roster_workbook(records, plan_year=plan_year.year, county_label=DEMO_COUNTY)
        clean_file.write_bytes(workbook)
        broken_file.write_bytes(
            write_roster_workbook(_broken(records), plan_year=plan_year.year, county_label=DEMO_COUNTY)
        )

        county = County.objects.get(name=DEMO_COUNTY)
        if not RosterRow.objects.filter(plan_year=plan_year, school__county=county).exists():
            summary = import_content(ROSTER_IMPORT, workbook, target=ImportTarget(plan_year=plan_year))
            self.stdout.write(f"已匯入{DEMO_COUNTY}名單 {summary['rows']} 列（教育部 110 學年度公開資料）")

        school = School.objects.filter(county=county).order_by("code").first()
        users = {}
        for username, role, full_name in DEMO_USERS:
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                users[username] = existing
                continue
            user = User(
                username=username,
                first_name=full_name,
                role=role,
                county=county if role in (Role.COUNTY, Role.SCHOOL) else None,
                school=school if role == Role.SCHOOL else None,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        demo_devices = {
            username: _demo_authenticator(users[username])
            for username, role, _ in DEMO_USERS
            if users[username].mfa_required
        }

        for seed in DEMO_SEEDERS:
            with transaction.atomic():
                message = seed(county=county, plan_year=plan_year, users=users)
            if message:
                self.stdout.write(message)

        self.stdout.write("")
        self.stdout.write(f"示範帳號（密碼皆為 {DEMO_PASSWORD}）：")
        for username, _role, full_name in DEMO_USERS:
            extra = f"，{school.name}" if username == "school" and school else ""
            self.stdout.write(f"  {username:<8} {full_name}{extra}")
        if demo_devices:
            self.stdout.write("教育部審查與系統管理帳號登入時須輸入雙因子驗證碼（僅限開發模式顯示）：")
            for username, device in demo_devices.items():
                self.stdout.write(f"  {username:<8} 金鑰 {_base32(device)}")
                self.stdout.write(f"           {device.config_url}")
            self.stdout.write(
                "  將金鑰加入驗證器 App，或以 `.venv/bin/python manage.py totp_code moe` 取得目前的驗證碼"
            )
        self.stdout.write("示範名單檔（可在「上傳附錄名單」試用）：")
        self.stdout.write(f"  {clean_file}")
        self.stdout.write(f"  {broken_file}（含錯誤，可看錯誤報告）")


def _demo_authenticator(user):
    """The demo account's authenticator (made once; the key is printed for the developer)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="示範驗證器", confirmed=True)
    return device


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def _broken(records: list[dict]) -> list[dict]:
    broken = [dict(r) for r in records[:12]]
    broken[1]["classes"] = "十二"
    broken[3]["max_class_size"] = broken[3]["students"] + 5
    broken[5]["area"] = "山區"
    broken[7]["req_carts"] = -1
    broken.append(dict(broken[8]))
    return broken
