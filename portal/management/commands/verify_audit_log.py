"""Check the security log's hash chain: exit 0 and one line when it is whole, 1 naming each
entry that was changed, removed or inserted after it was sealed."""

from django.core.management.base import BaseCommand, CommandError

from portal.security import seal_pending, verify_chain


class Command(BaseCommand):
    help = "驗證資安事件紀錄的雜湊鏈是否完整（有無被竄改、刪除或插入）"

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="先封存尚未封存的紀錄再驗證")

    def handle(self, *args, seal=False, **options):
        if seal:
            sealed = seal_pending()
            self.stdout.write(f"已封存 {sealed} 筆")
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if report.unsealed_stale:
            self.stderr.write(f"注意：有 {report.unsealed_stale} 筆超過 10 分鐘仍未封存（排程服務可能停止）")
        if not report.ok:
            raise CommandError(f"資安事件紀錄的雜湊鏈不完整：{len(report.problems)} 處問題")
        span = f"#{report.first_seq}–#{report.last_seq}" if report.checked else "（無已封存紀錄）"
        self.stdout.write(f"雜湊鏈完整：已驗證 {report.checked} 筆 {span}，未封存 {report.unsealed} 筆")
