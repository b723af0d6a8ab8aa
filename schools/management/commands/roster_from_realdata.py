from pathlib import Path

from django.core.management.base import BaseCommand

from portal.commands import county_or_fail, plan_year_or_fail
from schools.exporting import write_roster_workbook
from schools.realdata import roster_records


class Command(BaseCommand):
    help = "由教育部公開資料（110 學年度校別資料與偏遠地區學校名錄）產生附錄名單，供示範與效能測試"

    def add_arguments(self, parser):
        parser.add_argument("--county", help="只產生這個縣市，預設為全國")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")
        parser.add_argument("--out", required=True)

    def handle(self, *args, county, year, out, **options):
        plan_year = plan_year_or_fail(year)
        chosen = county_or_fail(county)
        name = chosen.name if chosen else None
        records = roster_records(name, plan_year.rule_set)
        content = write_roster_workbook(
            records,
            plan_year=plan_year.year,
            county_label=name or "全國",
            survey_year=plan_year.survey_year,
            rule_set=plan_year.rule_set,
        )
        Path(out).write_bytes(content)
        self.stdout.write(f"已寫入 {len(records)} 列到 {out}")
