"""The management command of every import: the same read, check and write as the pages,
run by the operator (no user: every county). A refused file lists every problem on
stderr and exits with status 1, without a traceback, having written nothing."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.commands import county_or_fail, plan_year_or_fail, read_file_or_fail
from portal.imports.kinds import ImportRefused, ImportTarget, get_kind
from portal.imports.pipeline import import_rows, read_file

SHOWN_PROBLEMS = 200


class ImportCommand(BaseCommand):
    """Subclasses name their kind; the arguments follow from it."""

    kind_name: str = ""

    @property
    def kind(self):
        return get_kind(self.kind_name)

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"{self.kind.title} .xlsx 或 .csv")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")
        if self.kind.needs_county:
            parser.add_argument("--county", required=True, help="縣市，如 花蓮縣")

    def handle(self, *args, file, year, county=None, **options):
        kind = self.kind
        target = ImportTarget(plan_year=plan_year_or_fail(year), county=county_or_fail(county))
        max_bytes = settings.IMPORT_COMMAND_MAX_BYTES
        parse = read_file(kind, read_file_or_fail(file, max_bytes=max_bytes), target=target, max_bytes=max_bytes)
        try:
            summary = import_rows(kind, parse, target=target, user=None, source=Path(file).name)
        except ImportRefused as refused:
            for problem in refused.problems[:SHOWN_PROBLEMS]:
                self.stderr.write(str(problem))
            more = len(refused.problems) - SHOWN_PROBLEMS
            if more > 0:
                self.stderr.write(f"……另有 {more:,} 個錯誤未列出")
            raise CommandError(f"檔案有 {len(refused.problems):,} 個錯誤，未寫入任何資料") from None
        for warning in parse.warnings:
            self.stderr.write(f"提醒：{warning}")
        self.stdout.write(kind.command_message(summary, target))
