from pathlib import Path

from django.core.management.base import BaseCommand

from portal.commands import county_or_fail, plan_year_or_fail
from schools.selectors import roster_export_workbook


class Command(BaseCommand):
    help = "以教育部附錄格式匯出名單（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")
        parser.add_argument("--county", help="只匯出這個縣市，例如 新北市")
        parser.add_argument("--out", required=True, help="輸出的 .xlsx 檔")

    def handle(self, *args, year, county, out, **options):
        plan_year = plan_year_or_fail(year)
        content, count = roster_export_workbook(plan_year=plan_year, county=county_or_fail(county), user=None)
        Path(out).write_bytes(content)
        self.stdout.write(f"已匯出 {count} 列到 {out}")
