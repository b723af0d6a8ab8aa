from django.core.management.base import BaseCommand, CommandError

from devices.services import DeviceImportRefused, device_parse_file, devices_import
from schools.management.commands._common import county_or_fail, read_file


class Command(BaseCommand):
    help = "匯入載具序號清單：全部成功才寫入；有任何錯誤時列出全部錯誤（含列號），不寫入任何資料"

    def add_arguments(self, parser):
        parser.add_argument("file", help="載具序號 .xlsx 或 .csv")
        parser.add_argument("--county", required=True, help="採購案所屬縣市，如 花蓮縣")

    def handle(self, *args, file, county, **options):
        county = county_or_fail(county)
        parse = device_parse_file(content=read_file(file))
        problems = parse.errors
        if not problems:
            try:
                summary = devices_import(parse=parse, county=county, user=None)
            except DeviceImportRefused as refused:
                problems = refused.problems
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"檔案有 {len(problems)} 個錯誤，未寫入任何資料")
        self.stdout.write(
            f"{county.name}已匯入 {summary['rows']:,} 臺載具：配發 {summary['schools']:,} 校、"
            f"縣市庫存 {summary['stock']:,} 臺、已到校 {summary['delivered']:,} 臺、已註冊 MDM {summary['mdm']:,} 臺"
        )
