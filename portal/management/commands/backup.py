from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "備份資料庫與所有上傳、產製的檔案為一個檔案（含清單：時間、結構版本、各資料表列數、各檔案 SHA-256），"
        "並印出其路徑"
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="備份檔存放的資料夾（預設為設定的 BACKUP_DIR）")

    def handle(self, *args, out=None, **options):
        try:
            archive = backup_create(out=Path(out) if out else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(archive))
