from django.core.management.base import BaseCommand, CommandError

from reporting.usage import UsageImportRefused, usage_import, usage_parse_file
from schools.management.commands._common import plan_year_or_fail, read_file

# The operator's command takes a national year in one file (216,000 rows, ~9 MB); the pages
# keep the upload limit of settings.UPLOAD_MAX_BYTES.
MAX_BYTES = 100 * 1024 * 1024


class Command(BaseCommand):
    help = "匯入數位學習平臺使用時數：全部成功才寫入；同一學校、月份、平臺已有資料者以檔案取代"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="使用時數 .csv 或 .xlsx（學校代碼、月份、平臺、使用時數、活躍學生數、活躍載具數）"
        )
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")

    def handle(self, *args, file, year, **options):
        plan_year = plan_year_or_fail(year)
        parse = usage_parse_file(content=read_file(file), plan_year=plan_year, max_bytes=MAX_BYTES)
        try:
            summary = usage_import(plan_year=plan_year, parse=parse, user=None)
        except UsageImportRefused as refused:
            for problem in refused.problems[:200]:
                self.stderr.write(str(problem))
            raise CommandError(f"檔案有 {len(refused.problems)} 個錯誤，未寫入任何資料") from None
        self.stdout.write(
            f"{plan_year.year} 年度使用時數已匯入 {summary['rows']:,} 筆（{summary['schools']:,} 校）："
            f"新增 {summary['new']:,}、取代 {summary['replaced']:,}、相同 {summary['unchanged']:,}"
        )
