"""The text the MOE pastes into its 公文系統 (and the county into its 簽呈) on a return and on an
approval: 主旨 and 說明 with the county, the round, the total in 千元, the per-line reasons or
approved amounts and, on a return, the ROC deadline for resubmission."""

from __future__ import annotations

import datetime

from django.conf import settings

from budget import rules as engine
from portal.roc import roc_date

_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 20 -> 二十 (enough for a 說明's items)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def thousands(ntd: int) -> str:
    """NTD as 千元 with separators, rounded half up: 1,234,500 -> '1,235'."""
    return f"{engine.to_thousands(ntd):,}"


def resubmit_deadline(returned_on: datetime.date, days: int | None = None) -> datetime.date:
    days = settings.PLAN_RESUBMIT_DAYS if days is None else days
    return returned_on + datetime.timedelta(days=days)


def _items(items: list[str]) -> str:
    return "\n".join(f"{chinese_number(i)}、{text}" for i, text in enumerate(items, 1))


def _sub_items(items: list[str]) -> str:
    return "\n".join(f"　　（{chinese_number(i)}）{text}" for i, text in enumerate(items, 1))


def return_text(
    *,
    county: str,
    plan_title: str,
    year: int,
    round_number: int,
    submitted_on: datetime.date,
    total_ntd: int,
    reason: str,
    line_comments: list[tuple[int, str, str]],
    returned_on: datetime.date,
    days: int | None = None,
) -> str:
    """The 公文 draft of a return. `line_comments`: (項次, 項目名稱, 意見) in order."""
    deadline = roc_date(resubmit_deadline(returned_on, days))
    items = [
        f"復貴府{roc_date(submitted_on)}第{round_number}次送審之{plan_title}，"
        f"經費合計新臺幣{thousands(total_ntd)}千元。",
        f"旨揭計畫經本部審查，{reason.strip() or '尚需修正'}。",
    ]
    if line_comments:
        items.append(
            "逐項審查意見如下：\n"
            + _sub_items([f"第{number}項「{name}」：{text}" for number, name, text in line_comments])
        )
    items.append(f"請貴府依上開意見逐項修正並回覆說明，於{deadline}前重新送審。")
    return (
        f"主旨：貴府所報{plan_title}（第{round_number}次送審）"
        f"請依說明修正，並於{deadline}前重新送審，請查照。\n"
        f"說明：\n{_items(items)}"
    )


def approval_text(
    *,
    county: str,
    plan_title: str,
    year: int,
    round_number: int,
    submitted_on: datetime.date,
    requested_ntd: int,
    lines: list[tuple[int, str, int, int, str]],
) -> str:
    """The 公文 draft of an approval. `lines`: (項次, 項目名稱, 核定元, 申請元, 核定說明)."""
    approved = sum(line[2] for line in lines)
    line_items = []
    for number, name, amount, requested, note in lines:
        if not amount and not requested:
            continue
        detail = f"核定{thousands(amount)}千元"
        if amount < requested:
            detail += f"（申請{thousands(requested)}千元；{note}）" if note else f"（申請{thousands(requested)}千元）"
        line_items.append(f"第{number}項「{name}」：{detail}。")
    items = [
        f"復貴府{roc_date(submitted_on)}第{round_number}次送審之{plan_title}，"
        f"申請經費新臺幣{thousands(requested_ntd)}千元。",
        f"旨揭計畫經本部審查，核定經費新臺幣{thousands(approved)}千元，各項核定如下：\n" + _sub_items(line_items),
        "請貴府依核定內容辦理，並依規定辦理撥款請領及結報事宜。",
    ]
    return (
        f"主旨：核定{county}{plan_title}（第{round_number}次送審）"
        f"經費新臺幣{thousands(approved)}千元，請查照。\n"
        f"說明：\n{_items(items)}"
    )


def plan_official_text(*, plan, latest, comments, lines, returned_or_approved_at) -> dict | None:
    """The 公文 draft for the plan's current state: a return (退回) or an approval (核定); None
    in any other state. `latest`: the last PlanSubmission; `comments`: the plan's ReviewComments;
    `lines`: {number: BudgetLine}; `returned_or_approved_at`: when the state began."""
    from django.utils import timezone

    from budget.models import PlanStatus

    if latest is None or plan.status not in (PlanStatus.RETURNED, PlanStatus.APPROVED):
        return None
    when = timezone.localdate(returned_or_approved_at) if returned_or_approved_at else timezone.localdate()
    common = {
        "county": plan.county.name,
        "plan_title": plan.plan_year.title,
        "year": plan.plan_year.year,
        "round_number": latest.number,
        "submitted_on": timezone.localdate(latest.submitted_at),
    }
    names = {item["number"]: item["name"] for item in latest.budget}
    requested = {item["number"]: item["total_ntd"] for item in latest.budget}
    if plan.status == PlanStatus.RETURNED:
        line_comments = [
            (c.line_number, names.get(c.line_number, c.line_name), c.text)
            for c in comments
            if c.submission_id == latest.pk
        ]
        text = return_text(
            **common,
            total_ntd=latest.totals.get("total_ntd", sum(requested.values())),
            reason=plan.return_reason,
            line_comments=line_comments,
            returned_on=when,
        )
        return {"kind": "退回", "text": text, "deadline": roc_date(resubmit_deadline(when))}
    text = approval_text(
        **common,
        requested_ntd=sum(requested.values()),
        lines=[
            (
                number,
                names.get(number, ""),
                lines[number].approved_ntd or 0,
                requested.get(number, 0),
                lines[number].approval_note,
            )
            for number in sorted(lines)
        ],
    )
    return {"kind": "核定", "text": text, "deadline": ""}
