"""What the management commands share: the plan year and county they are asked for, and
the file they read, each refused with a CommandError that says what is wrong in Chinese."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from portal.counties import canonical_county
from portal.db import database_problem
from portal.models import PendingUpload

# The plan year and the county models through a foreign key: portal imports no app.
PlanYear = PendingUpload._meta.get_field("plan_year").related_model
County = PendingUpload._meta.get_field("county").related_model


def plan_year_or_fail(year: int | None):
    """The plan year asked for, or the latest; a CommandError that says what is wrong."""
    try:
        if year is None:
            plan_year = PlanYear.objects.order_by("-year").first()
            if plan_year is None:
                raise CommandError("資料庫中沒有任何計畫年度（請先執行 python manage.py migrate）")
            return plan_year
        return PlanYear.objects.get(year=year)
    except PlanYear.DoesNotExist:
        known = "、".join(str(y) for y in PlanYear.objects.order_by("year").values_list("year", flat=True))
        raise CommandError(f"沒有 {year} 年度的計畫（已有：{known or '無'}）") from None
    except DatabaseError as exc:
        problem = database_problem(exc) or "資料庫發生錯誤"
        raise CommandError(f"{problem}（{exc.__class__.__name__}：{str(exc).strip().splitlines()[0]}）") from None


def county_or_fail(text: str | None):
    """The County a --county argument names (台/臺 and old names accepted); None for all."""
    if not text:
        return None
    name = canonical_county(text)
    if name is None:
        raise CommandError(f"「{text}」不是 22 個縣市之一")
    return County.objects.get(name=name)


def read_file_or_fail(path: str, *, max_bytes: int) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到檔案：{path}")
    size = file.stat().st_size
    if size > max_bytes:
        raise CommandError(f"檔案太大（{size:,} 位元組），上限為 {max_bytes:,} 位元組")
    return file.read_bytes()


def fail_on_errors(problems, stderr) -> None:
    """Every problem on stderr, then refuse: nothing was written."""
    if not problems:
        return
    for problem in problems:
        stderr.write(str(problem))
    raise CommandError(f"檔案有 {len(problems)} 個錯誤，未寫入任何資料")
