from django.core.management.base import BaseCommand

from schools.management.commands._common import fail_on_errors, plan_year_or_fail, read_file
from schools.services import RosterImportRefused, roster_import, roster_parse_file


class Command(BaseCommand):
    help = "匯入附錄名單：全部成功才寫入；有任何錯誤時列出全部錯誤，不寫入任何資料"

    def add_arguments(self, parser):
        parser.add_argument("file", help="附錄名單 .xlsx 或 .csv")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")

    def handle(self, *args, file, year, **options):
        plan_year = plan_year_or_fail(year)
        parse = roster_parse_file(content=read_file(file), plan_year=plan_year)
        fail_on_errors(parse, self.stderr)
        try:
            summary = roster_import(plan_year=plan_year, parse=parse, user=None)
        except RosterImportRefused as refused:
            fail_on_errors(parse, self.stderr, refused.problems)
        for warning in parse.warnings:
            self.stderr.write(f"提醒：{warning}")
        self.stdout.write(
            f"{plan_year.year} 年度名單已匯入 {summary['rows']} 列（{'、'.join(summary['counties'])}）："
            f"新增 {summary['new']}、更新 {summary['updated']}、不變 {summary['unchanged']}、刪除 {summary['removed']}"
        )
