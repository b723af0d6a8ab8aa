"""After 核定: 撥款 and 結報 (七(三)). The county records the payments it received and files its
final report once the plan period is over; the MOE returns it or closes the plan (核結).

Every writer locks the plan first (services.plan_locked) and moves its version on
(services.plan_save_fields), as the plan's other writers do, so the two take turns.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from budget import rules as engine
from budget.models import CountyPlan, FinalReport, FinalReportLine, PlanDisbursement, PlanEvent, PlanStatus
from budget.services import PlanActionRefused, plan_locked, plan_save_fields
from portal.models import User
from portal.roc import roc_date

SpendingSource = Callable[[CountyPlan], dict[int, int]]
_SPENDING_SOURCES: list[SpendingSource] = []


def register_spending_source(source: SpendingSource) -> SpendingSource:
    """`source(plan) -> {line number: NTD spent}`: the monthly reports (reporting, an app above
    this one) register theirs, which become the 結報's starting values."""
    if source not in _SPENDING_SOURCES:
        _SPENDING_SOURCES.append(source)
    return source


def _refuse_unless_approved(plan: CountyPlan) -> None:
    if plan.status != PlanStatus.APPROVED:
        raise PlanActionRefused(f"計畫目前為「{plan.get_status_display()}」，核定後才能登錄撥款與結報")


def _approved_total(plan: CountyPlan) -> int:
    return sum(line.approved_ntd or 0 for line in plan.lines.all())


@transaction.atomic
def plan_disbursement_add(
    *, plan: CountyPlan, user: User, received_on, amount_ntd: int, reference: str = "", note: str = ""
) -> PlanDisbursement:
    """The county records a payment of the approved subsidy it received."""
    plan = plan_locked(plan=plan)
    _refuse_unless_approved(plan)
    report = FinalReport.objects.filter(plan=plan).first()
    if report is not None and report.status == FinalReport.Status.CLOSED:
        raise PlanActionRefused("計畫已核結，不能再登錄撥款")
    if amount_ntd <= 0:
        raise PlanActionRefused("撥款金額須大於 0 元")
    if received_on > timezone.localdate():
        raise PlanActionRefused("入帳日期不能晚於今天")
    approved = _approved_total(plan)
    received = plan.disbursements.aggregate(total=Sum("amount_ntd"))["total"] or 0
    if received + amount_ntd > approved:
        raise PlanActionRefused(
            f"累計撥款 {received + amount_ntd:,} 元將超過核定總經費 {approved:,} 元（已登錄 {received:,} 元）"
        )
    disbursement = PlanDisbursement(
        plan=plan, received_on=received_on, amount_ntd=amount_ntd, reference=reference, note=note, recorded_by=user
    )
    disbursement._history_user = user
    disbursement.save()
    plan_save_fields(plan=plan, user=user, fields=[])
    PlanEvent.objects.create(
        plan=plan,
        kind=PlanEvent.Kind.DISBURSED,
        actor=user,
        note=f"{roc_date(received_on)} 入帳 {amount_ntd:,} 元" + (f"（{reference}）" if reference else ""),
        data={"amount_ntd": amount_ntd, "received_on": received_on.isoformat()},
    )
    return disbursement


def _starting_values(plan: CountyPlan) -> dict[int, tuple[int, int]]:
    """Each line's spending from the registered sources, split into 經常門 and 資本門 as the
    approved plan split it (a line with no split goes to its own 門)."""
    spent: dict[int, int] = {}
    for source in _SPENDING_SOURCES:
        for number, amount in source(plan).items():
            spent[number] = spent.get(number, 0) + amount
    submission = plan.submissions.order_by("-number").first()
    submitted = {item["number"]: item for item in (submission.budget if submission else [])}
    values = {}
    for number in engine.LINE_NUMBERS:
        amount = spent.get(number, 0)
        line = submitted.get(number, {})
        recurrent, capital = line.get("recurrent_ntd") or 0, line.get("capital_ntd") or 0
        if recurrent + capital == 0:
            capital_line = number in (1, 2, 3, 4, 5)
            values[number] = (0, amount) if capital_line else (amount, 0)
        else:
            share = engine.divide_half_up(amount * recurrent, recurrent + capital)
            values[number] = (share, amount - share)
    return values


def final_report_for(*, plan: CountyPlan) -> FinalReport:
    """The plan's 結報, created the first time it is asked for after 核定 with the monthly
    reports' spending per line as its starting values."""
    report = FinalReport.objects.filter(plan=plan).first()
    if report is not None:
        return report
    _refuse_unless_approved(plan)
    with transaction.atomic():
        report, created = FinalReport.objects.get_or_create(plan=plan)
        if created:
            FinalReportLine.objects.bulk_create(
                [
                    FinalReportLine(report=report, number=number, recurrent_spent_ntd=r, capital_spent_ntd=c)
                    for number, (r, c) in _starting_values(plan).items()
                ]
            )
    return report


def _locked_report(report: FinalReport) -> tuple[CountyPlan, FinalReport]:
    plan = plan_locked(plan=report.plan)
    return plan, FinalReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def final_report_update(
    *, report: FinalReport, user: User, spent: dict[int, tuple[int, int]], notes: str, expected_version: int
) -> FinalReport:
    """The county's actual spending per line (經常門, 資本門) and its notes."""
    plan, report = _locked_report(report)
    _refuse_unless_approved(plan)
    if not report.county_may_edit:
        raise PlanActionRefused(f"結報目前為「{report.get_status_display()}」，不能修改")
    if report.version != expected_version:
        raise PlanActionRefused("儲存失敗：結報在您開啟後已被他人修改，為免覆蓋對方的修改，請重新載入頁面後再改")
    for line in report.lines.all():
        recurrent, capital = spent.get(line.number, (line.recurrent_spent_ntd, line.capital_spent_ntd))
        if recurrent < 0 or capital < 0:
            raise PlanActionRefused(f"第{line.number}項實支金額不可為負數")
        if (line.recurrent_spent_ntd, line.capital_spent_ntd) != (recurrent, capital):
            line.recurrent_spent_ntd, line.capital_spent_ntd = recurrent, capital
            line._history_user = user
            line.save(update_fields=["recurrent_spent_ntd", "capital_spent_ntd"])
    report.notes = notes
    report.version += 1
    report._history_user = user
    report.save(update_fields=["notes", "version"])
    return report


def _report_move(plan: CountyPlan, report: FinalReport, user: User, status: str, **fields) -> None:
    """The locked report to `status`, with `fields` (when, why): the report's version and the
    plan's move on, so a page opened before is refused on save."""
    report.status = status
    for name, value in fields.items():
        setattr(report, name, value)
    report.version += 1
    report._history_user = user
    report.save(update_fields=["status", *fields, "version"])
    plan_save_fields(plan=plan, user=user, fields=[])


@transaction.atomic
def final_report_submit(*, report: FinalReport, user: User) -> FinalReport:
    """Filed once the plan period is over (「計畫結束後 2 個月內完成核結」)."""
    plan, report = _locked_report(report)
    _refuse_unless_approved(plan)
    if not report.county_may_edit:
        raise PlanActionRefused(f"結報目前為「{report.get_status_display()}」，不能再提交")
    end = plan.plan_year.period_end
    if timezone.localdate() <= end:
        raise PlanActionRefused(f"計畫期程至 {roc_date(end)} 止，期滿後才能提交結報")
    summary = final_report_summary(plan=plan, report=report)
    if summary["refund_ntd"] and not report.notes.strip():
        raise PlanActionRefused(f"有賸餘款 {summary['refund_ntd']:,} 元應繳回，請在說明中寫明繳回方式")
    _report_move(plan, report, user, FinalReport.Status.SUBMITTED, submitted_at=timezone.now())
    due = plan.plan_year.final_report_due
    late = timezone.localdate() > due
    PlanEvent.objects.create(
        plan=plan,
        kind=PlanEvent.Kind.FINAL_SUBMITTED,
        actor=user,
        note=f"實支 {summary['spent_ntd']:,} 元，賸餘款 {summary['refund_ntd']:,} 元"
        + (f"（逾期：期限 {roc_date(due)}）" if late else ""),
        data={"spent_ntd": summary["spent_ntd"], "refund_ntd": summary["refund_ntd"], "late": late},
    )
    return report


@transaction.atomic
def final_report_return(*, report: FinalReport, user: User, reason: str) -> FinalReport:
    plan, report = _locked_report(report)
    if report.status != FinalReport.Status.SUBMITTED:
        raise PlanActionRefused(f"結報目前為「{report.get_status_display()}」，不在審查中")
    if not reason.strip():
        raise PlanActionRefused("退回時請填寫退回理由")
    _report_move(plan, report, user, FinalReport.Status.RETURNED, return_reason=reason.strip())
    PlanEvent.objects.create(plan=plan, kind=PlanEvent.Kind.FINAL_RETURNED, actor=user, note=report.return_reason)
    return report


@transaction.atomic
def final_report_close(*, report: FinalReport, user: User) -> FinalReport:
    """核結: the MOE accepts the final report; nothing of the plan changes after this."""
    plan, report = _locked_report(report)
    if report.status != FinalReport.Status.SUBMITTED:
        raise PlanActionRefused(f"結報目前為「{report.get_status_display()}」，不在審查中")
    _report_move(plan, report, user, FinalReport.Status.CLOSED, closed_at=timezone.now())
    summary = final_report_summary(plan=plan, report=report)
    PlanEvent.objects.create(
        plan=plan,
        kind=PlanEvent.Kind.CLOSED,
        actor=user,
        note=f"核結：實支 {summary['spent_ntd']:,} 元，賸餘款 {summary['refund_ntd']:,} 元",
        data={"spent_ntd": summary["spent_ntd"], "refund_ntd": summary["refund_ntd"]},
    )
    return report


def final_report_summary(*, plan: CountyPlan, report: FinalReport) -> dict:
    """Per line: approved, spent (經常門, 資本門); in total: approved, received, spent, and the
    賸餘款 to return (what was received and not spent)."""
    approved = {line.number: line.approved_ntd or 0 for line in plan.lines.all()}
    rows = []
    for line in report.lines.all():
        rows.append(
            {
                "number": line.number,
                "name": engine.LINE_NAMES[line.number],
                "approved_ntd": approved.get(line.number, 0),
                "recurrent_ntd": line.recurrent_spent_ntd,
                "capital_ntd": line.capital_spent_ntd,
                "spent_ntd": line.spent_ntd,
                "over": line.spent_ntd > approved.get(line.number, 0),
            }
        )
    received = plan.disbursements.aggregate(total=Sum("amount_ntd"))["total"] or 0
    spent = sum(row["spent_ntd"] for row in rows)
    return {
        "lines": rows,
        "approved_ntd": sum(approved.values()),
        "received_ntd": received,
        "recurrent_ntd": sum(row["recurrent_ntd"] for row in rows),
        "capital_ntd": sum(row["capital_ntd"] for row in rows),
        "spent_ntd": spent,
        "refund_ntd": max(0, received - spent),
        "due": plan.plan_year.final_report_due,
    }
