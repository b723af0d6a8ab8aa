from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "以備份取代目前的資料庫與檔案（須加 --yes-really；先檢查備份、結構版本相同才還原，並先備份目前狀態）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="備份檔（manage.py backup 產生的 .tar）")
        parser.add_argument("--yes-really", action="store_true", help="確認要以備份取代目前所有資料")

    def handle(self, *args, archive, yes_really, **options):
        if not yes_really:
            raise CommandError(
                "還原會以備份取代目前所有資料與檔案。確定要還原，請加上 --yes-really（還原前會先自動備份目前狀態）"
            )
        try:
            before, summary = backup_restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"還原前的狀態已備份於 {before}")
        self.stdout.write(summary)
