import json

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.commands import fail_on_errors, plan_year_or_fail, read_file_or_fail
from portal.imports.kinds import ImportTarget
from portal.imports.pipeline import read_file
from schools.importing import ROSTER_IMPORT
from schools.roster_format import estimate_report


class Command(BaseCommand):
    help = "讀取附錄名單，計算每列與各縣市的補助數（不寫入任何資料）"
    requires_system_checks: list = []  # a read-only calculation; `check` has its own command

    def add_arguments(self, parser):
        parser.add_argument("file", help="附錄名單 .xlsx 或 .csv")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")
        parser.add_argument("--json", action="store_true", help="輸出 JSON")

    def handle(self, *args, file, year, json: bool, **options):
        plan_year = plan_year_or_fail(year)
        max_bytes = settings.IMPORT_COMMAND_MAX_BYTES
        content = read_file_or_fail(file, max_bytes=max_bytes)
        parse = read_file(ROSTER_IMPORT, content, target=ImportTarget(plan_year=plan_year), max_bytes=max_bytes)
        fail_on_errors(parse.errors, self.stderr)
        report = estimate_report(parse.rows, plan_year.rule_set)
        if json:
            self.stdout.write(_dumps(report))
        else:
            self._print_table(report, parse)

    def _print_table(self, report: dict, parse) -> None:
        out = self.stdout.write
        out(f"{'列':>5} {'學校代碼':<6} {'學制':<2} {'地區':<4} {'充電車':>6} {'教師載具':>8} {'學生載具':>8} 符合")
        for row in report["rows"]:
            complies = {True: "是", False: "否", None: "—"}[row["complies"]]
            out(
                f"{row['row']:>5} {row['code']:<8} {row['level']:<2} {row['area']:<4} "
                f"{row['carts']:>8,} {row['teacher_devices']:>10,} {row['student_devices']:>10,} {complies}"
            )
        out("")
        out(
            f"{'縣市':<4} {'校數':>5} {'充電車':>8} {'教師載具':>8} {'學生載具':>9} "
            f"{'專任人力':>6} {'人事費':>12} {'運作費':>12}"
        )
        for county in [*report["counties"], {"county": "合計", **report["totals"]}]:
            staff = county["staffing"]
            persons = staff["counselors"] + staff["it"] + staff["admin"]
            out(
                f"{county['county']:<4} {county['schools']:>7,} {county['carts']:>10,} "
                f"{county['teacher_devices']:>10,} {county['student_devices']:>11,} {persons:>10,} "
                f"{staff['amount_ntd']:>14,} {county['operating_fee_ntd']:>14,}"
            )
        totals = report["totals"]
        out("")
        out(f"學習載具經費 {totals['device_amount_ntd']:,} 元；行動充電車經費 {totals['cart_amount_ntd']:,} 元")
        for warning in parse.warnings:
            self.stderr.write(f"提醒：{warning}")


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1)
