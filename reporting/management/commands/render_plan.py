import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budget.models import PlanSubmission
from budget.services import plan_for
from portal.commands import county_or_fail, plan_year_or_fail
from reporting.rendering import plan_document, plan_json, plan_pdf, plan_xlsx
from reporting.selectors import plan_document_submission


class Command(BaseCommand):
    help = (
        "產製縣市計畫書（PDF）、經費表與附錄（Excel）或計畫數據（JSON），與背景工作相同的程式，不需 worker；"
        "JSON 未指定 --out 時印在標準輸出"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="縣市，例如 新北市")
        parser.add_argument("--year", type=int, help="計畫年度（民國），預設為最新年度")
        parser.add_argument("--format", choices=("pdf", "xlsx", "json"), default="pdf")
        parser.add_argument(
            "--submission", type=int, help="第幾次送審版本；預設：縣市仍可修改時為目前資料，否則為最近一次送審"
        )
        parser.add_argument("--draft", action="store_true", help="依目前資料產製（草稿）")
        parser.add_argument("--out", help="輸出檔（PDF、Excel 必填）")

    def handle(self, *args, county, year, format, submission, draft, out, **options):
        if format != "json" and not out:
            raise CommandError("PDF 與 Excel 請以 --out 指定輸出檔")
        plan = plan_for(county=county_or_fail(county), plan_year=plan_year_or_fail(year))
        try:
            chosen = plan_document_submission(plan, number=submission, draft=draft)
        except PlanSubmission.DoesNotExist:
            raise CommandError(f"{plan} 沒有第 {submission} 次送審") from None
        document = plan_document(plan, chosen)
        if format == "json":
            text = json.dumps(plan_json(document), ensure_ascii=False, indent=1) + "\n"
            if not out:
                self.stdout.write(text, ending="")
                return
            content = text.encode()
        else:
            content = plan_pdf(document) if format == "pdf" else plan_xlsx(document)
        Path(out).write_bytes(content)
        self.stdout.write(f"已寫入 {out}（{document.title}，{document.version_label}，{len(content):,} 位元組）")
