from django.core.management.base import BaseCommand, CommandError

from portal.backup import backup_verify


class Command(BaseCommand):
    help = "把備份還原到暫存資料庫與暫存資料夾，與清單比對列數及檔案雜湊，並執行系統檢查；不動現有資料"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="備份檔（manage.py backup 產生的 .tar）")

    def handle(self, *args, archive, **options):
        result = backup_verify(archive)
        if not result.ok:
            for problem in result.problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"備份驗證未通過：{result.summary}")
        self.stdout.write(result.summary)
