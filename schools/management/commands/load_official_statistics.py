"""`manage.py load_official_statistics FILE [--year 110] [--source ...] [--licence ...]`

Loads one file of the MOE's open school statistics — 國民小學校別資料 (basec), 國民中學校別資料
(basej) or 偏遠地區學校名錄 — through the import pipeline (.csv in UTF-8 or Big5, or .xlsx),
recording where it came from and its licence. It replaces the figures of the same kind and
year loaded before; the roster of plan year N is checked against the school year N-1."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.commands import read_file_or_fail
from portal.imports.kinds import ImportRefused
from portal.imports.pipeline import import_rows, read_file
from schools.official_import import DEFAULT_LICENCE, DEFAULT_SOURCE, OFFICIAL_STATISTICS, official_target

SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = "載入教育部學校統計公開資料（國小／國中校別資料、偏遠地區學校名錄），記錄來源與授權"

    def add_arguments(self, parser):
        parser.add_argument("file", help="教育部校別資料或偏遠地區學校名錄（.csv 或 .xlsx）")
        parser.add_argument("--year", type=int, help="學年度（校別資料沒有「學年度」欄時）或名錄年度，如 110、111")
        parser.add_argument("--source", default=DEFAULT_SOURCE, help=f"資料來源（預設：{DEFAULT_SOURCE}）")
        parser.add_argument("--licence", default=DEFAULT_LICENCE, help=f"授權條款（預設：{DEFAULT_LICENCE}）")

    def handle(self, *args, file, year, source, licence, **options):
        max_bytes = settings.IMPORT_COMMAND_MAX_BYTES
        content = read_file_or_fail(file, max_bytes=max_bytes)
        target = official_target(content, year=year, source=source.strip(), licence=licence.strip())
        parse = read_file(OFFICIAL_STATISTICS, content, target=target, max_bytes=max_bytes)
        try:
            summary = import_rows(OFFICIAL_STATISTICS, parse, target=target, user=None, source=Path(file).name)
        except ImportRefused as refused:
            for problem in refused.problems[:SHOWN_PROBLEMS]:
                self.stderr.write(str(problem))
            raise CommandError(f"檔案有 {len(refused.problems):,} 個錯誤，未載入任何資料") from None
        self.stdout.write(OFFICIAL_STATISTICS.command_message(summary, target))
