"""Shared by the roster commands: find the plan year, read a file, report problems."""

from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from schools.counties import canonical_county
from schools.models import County, PlanYear
from schools.roster_format import RosterParse


def plan_year_or_fail(year: int | None) -> PlanYear:
    try:
        if year is None:
            plan_year = PlanYear.objects.order_by("-year").first()
            if plan_year is None:
                raise CommandError("資料庫中沒有任何計畫年度")
            return plan_year
        return PlanYear.objects.get(year=year)
    except PlanYear.DoesNotExist:
        known = "、".join(str(y) for y in PlanYear.objects.values_list("year", flat=True))
        raise CommandError(f"沒有 {year} 年度的計畫（已有：{known or '無'}）") from None
    except DatabaseError as exc:
        raise CommandError(f"資料庫尚未建立或無法連線，請先執行 python manage.py migrate（{exc}）") from None


def read_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到檔案：{path}")
    return file.read_bytes()


def fail_on_errors(parse: RosterParse, stderr, problems=None) -> None:
    problems = parse.errors if problems is None else problems
    if not problems:
        return
    for problem in problems:
        stderr.write(str(problem))
    raise CommandError(f"檔案有 {len(problems)} 個錯誤，未寫入任何資料")


def county_or_fail(text: str | None) -> County | None:
    """The County a --county argument names (台/臺 and old names accepted); None for all."""
    if not text:
        return None
    name = canonical_county(text)
    if name is None:
        raise CommandError(f"「{text}」不是 22 個縣市之一")
    return County.objects.get(name=name)
