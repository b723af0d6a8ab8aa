import datetime

from django.core.management.base import BaseCommand, CommandError

from budget.years import PlanYearRefused, parse_rule_value, plan_year_open
from portal.commands import plan_year_or_fail
from portal.models import User


def _date(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 須為 YYYY-MM-DD 日期：{text}") from None


class Command(BaseCommand):
    help = (
        "由前一年度開啟新的計畫年度：補助規則的每一個參數（日期移到新年度）、名單（申請數清空）、"
        "已受補助數（加上前一年度核定數）與推動辦公室人力一併帶入；--set 修改有變動的參數"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="新計畫年度（民國），例如 112")
        parser.add_argument("--from", dest="source", type=int, required=True, help="沿用的年度，例如 111")
        parser.add_argument(
            "--set",
            dest="values",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="規則參數，可重複：--set classes_per_device_class=4 --set device_delivery_deadline=2023-09-30",
        )
        parser.add_argument("--period-start", help="計畫期程起（YYYY-MM-DD），預設為來源年度移後一年")
        parser.add_argument("--period-end", help="計畫期程迄（YYYY-MM-DD）")
        parser.add_argument("--submission-deadline", help="縣市計畫送審截止日（YYYY-MM-DD）")
        parser.add_argument("--survey-year", type=int, help="附錄調查年度（民國），預設為來源年度的加一年")
        parser.add_argument("--title", help="計畫名稱，預設由來源年度的名稱換成新年度")
        parser.add_argument("--user", help="記錄為執行者的帳號（處理歷程顯示）")

    def handle(self, *args, year, source, values, period_start, period_end, submission_deadline, **options):
        source_year = plan_year_or_fail(source)
        rules = {}
        try:
            for item in values:
                key, sep, text = item.partition("=")
                if not sep or not key.strip():
                    raise CommandError(f"--set 須寫成 KEY=VALUE：{item}")
                rules[key.strip()] = parse_rule_value(key.strip(), text)
        except PlanYearRefused as refused:
            raise CommandError(str(refused)) from None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"沒有帳號 {options['user']}")
        try:
            opened = plan_year_open(
                year=year,
                source=source_year,
                values=rules,
                user=user,
                period_start=_date(period_start, "--period-start") if period_start else None,
                period_end=_date(period_end, "--period-end") if period_end else None,
                submission_deadline=_date(submission_deadline, "--submission-deadline")
                if submission_deadline
                else None,
                survey_year=options["survey_year"],
                title=options["title"],
            )
        except PlanYearRefused as refused:
            for _key, message in refused.problems:
                self.stderr.write(message)
            raise CommandError(f"未開啟 {year} 年度：{refused}") from None
        rows = opened.roster_rows.count()
        changed = "、".join(f"{k}={v}" for k, v in sorted(rules.items())) or "無"
        self.stdout.write(
            f"已開啟 {opened.year} 年度（{opened.period_start}～{opened.period_end}，沿用 {source_year.year} 年度；"
            f"修改：{changed}）；名單帶入 {rows} 列，申請補助數待縣市重新填寫或上傳附錄"
        )
