from django.core.management.base import BaseCommand, CommandError

from schools.counties import canonical_county
from schools.management.commands._common import plan_year_or_fail, read_file
from schools.models import County
from training.services import AttendanceImportRefused, attendance_import, attendance_parse_file


class Command(BaseCommand):
    help = "匯入研習參加名單（研習代碼、學校代碼、教師識別碼、姓名）：全部正確才寫入，否則列出全部錯誤"

    def add_arguments(self, parser):
        parser.add_argument("file", help="研習參加名單 .xlsx 或 .csv")
        parser.add_argument("--county", required=True, help="辦理研習的縣市，如 花蓮縣")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")

    def handle(self, *args, file, county, year, **options):
        plan_year = plan_year_or_fail(year)
        name = canonical_county(county)
        found = County.objects.filter(name=name).first() if name else None
        if found is None:
            raise CommandError(f"「{county}」不是 22 個縣市之一")
        parse = attendance_parse_file(content=read_file(file))
        try:
            summary = attendance_import(parse=parse, plan_year=plan_year, county=found, user=None)
        except AttendanceImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"有 {len(refused.problems)} 個錯誤，未匯入任何資料") from None
        self.stdout.write(
            f"{plan_year.year} 年度{found.name}研習完成紀錄：檔案 {summary['rows']:,} 列，"
            f"新增 {summary['new']:,}，先前已登錄 {summary['already']:,}"
        )
