"""Writes of the devices app. Pages, the command and the demo call these, nothing else writes."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from budget.models import CountyPlan
from budget.services import plan_set_county_figures
from devices.allocation import classrooms_first, largest_remainder, split_amount
from devices.brands import blocked_match, refusal_message
from devices.models import (
    GONE_STATUSES,
    Device,
    DeviceStatus,
    InspectionCount,
    LendingRules,
    Loan,
    ProcurementBatch,
    RepairTicket,
    SoftwareItem,
    SoftwarePurchase,
    WirelessAllocation,
)
from devices.selectors import DEVICES, blocked_brand_pairs, existing_devices_without_mdm
from portal import access
from portal.actions import Refused
from portal.cache import invalidate
from portal.identifiers import personal_identifier_problem
from portal.models import User
from schools.models import County, PlanYear, RosterRow, School


class DeviceActionRefused(Refused):
    """The action cannot be done; the message says why, in Chinese."""


def refuse_blocked(text: str, what: str, blocked: list[tuple[str, str]] | None = None) -> None:
    name = blocked_match(text, blocked_brand_pairs() if blocked is None else blocked)
    if name:
        raise DeviceActionRefused(f"{what}{refusal_message(text, name)}，不予登錄")


# --- Procurement batches ------------------------------------------------------------------


@transaction.atomic
def batch_create(*, county: County, plan_year: PlanYear, values: dict, user: User) -> ProcurementBatch:
    refuse_blocked(values["brand"], "廠牌")
    refuse_blocked(values["vendor"], "廠商")
    if ProcurementBatch.objects.filter(county=county, tender_number=values["tender_number"]).exists():
        raise DeviceActionRefused(f"採購案號 {values['tender_number']} 已登錄")
    batch = ProcurementBatch(county=county, plan_year=plan_year, **values)
    batch.save()
    invalidate(DEVICES)
    return batch


def batch_late(batch: ProcurementBatch) -> bool:
    """Delivered after (or not yet delivered by) the plan year's deadline."""
    deadline = batch.plan_year.rule_set.delivery_deadline
    if batch.delivery_date:
        return batch.delivery_date > deadline
    return timezone.localdate() > deadline


# --- One device: status, lending, repairs --------------------------------------------------


def _locked(device: Device) -> Device:
    return Device.objects.select_for_update(of=("self",)).select_related("school", "batch").get(pk=device.pk)


@transaction.atomic
def device_status_set(*, device: Device, status: str, user: User) -> Device:
    device = _locked(device)
    if device.status in (DeviceStatus.LENT, DeviceStatus.REPAIR) and status != device.status:
        raise DeviceActionRefused(f"載具{device.get_status_display()}中，請先辦理歸還或完修")
    if status in (DeviceStatus.LENT, DeviceStatus.REPAIR):
        raise DeviceActionRefused("借出與送修請用借用、送修功能辦理")
    if device.school_id is None and status not in (DeviceStatus.IN_STOCK, DeviceStatus.SPARE, *GONE_STATUSES):
        raise DeviceActionRefused("載具尚未配發學校")
    device.status = status
    device.save(update_fields=["status"])
    invalidate(DEVICES)
    return device


@transaction.atomic
def loan_create(
    *,
    device: Device,
    user: User,
    borrower_code: str,
    purpose: str,
    due_on: date | None = None,
    lent_on: date | None = None,
    note: str = "",
) -> Loan:
    device = _locked(device)
    if device.school_id is None:
        raise DeviceActionRefused("載具尚未配發學校，不能借出")
    if device.status not in (DeviceStatus.ASSIGNED, DeviceStatus.IN_USE, DeviceStatus.SPARE):
        raise DeviceActionRefused(f"載具目前為「{device.get_status_display()}」，不能借出")
    borrower_code = borrower_code.strip()
    if not borrower_code:
        raise DeviceActionRefused("請填寫借用人編號")
    # No personal data: a name or a national ID is refused however the loan comes in.
    problem = personal_identifier_problem(borrower_code)
    if problem:
        raise DeviceActionRefused(problem)
    lent_on = lent_on or timezone.localdate()
    rules = device.batch.plan_year.rule_set
    due_on = due_on or lent_on + timedelta(days=rules.loan_default_days)
    if due_on < lent_on:
        raise DeviceActionRefused("應歸還日期不可早於借出日期")
    loan = Loan.objects.create(
        device=device,
        school_id=device.school_id,
        borrower_code=borrower_code,
        purpose=purpose,
        lent_on=lent_on,
        due_on=due_on,
        note=note,
        created_by=user,
    )
    device.status = DeviceStatus.LENT
    device.save(update_fields=["status"])
    invalidate(DEVICES)
    return loan


MAX_BULK_LOANS = 200


@transaction.atomic
def device_loans_create(
    *,
    user: User,
    borrowers: dict[int, str],
    purpose: str,
    due_on: date | None = None,
    lent_on: date | None = None,
    note: str = "",
) -> list[Loan]:
    """Lend several devices at once, one borrower identifier each (`borrowers`: device pk ->
    code), with a shared purpose and due date: all of them or none (the first refusal names
    its device and nothing is lent). Only devices the user may see can be lent."""
    if not borrowers:
        raise DeviceActionRefused("請至少選取一臺載具")
    if len(borrowers) > MAX_BULK_LOANS:
        raise DeviceActionRefused(f"一次最多借出 {MAX_BULK_LOANS} 臺")
    devices = {
        device.pk: device
        for device in access.for_user(Device.objects.select_related("school", "batch"), user).filter(
            pk__in=list(borrowers)
        )
    }
    if len(devices) != len(borrowers):
        raise DeviceActionRefused("選取的載具中有不屬於本帳號可管理範圍的載具")
    loans = []
    for pk in sorted(borrowers, key=lambda key: devices[key].serial):
        device = devices[pk]
        try:
            loans.append(
                loan_create(
                    device=device,
                    user=user,
                    borrower_code=borrowers[pk],
                    purpose=purpose,
                    due_on=due_on,
                    lent_on=lent_on,
                    note=note,
                )
            )
        except DeviceActionRefused as refused:
            raise DeviceActionRefused(f"{device.serial}：{refused}（全部未借出）") from refused
    return loans


@transaction.atomic
def loan_return(*, loan: Loan, user: User, condition: str, returned_on: date | None = None, note: str = "") -> Loan:
    loan = Loan.objects.select_for_update(of=("self",)).select_related("device").get(pk=loan.pk)
    if loan.returned_on is not None:
        raise DeviceActionRefused("這筆借用已歸還")
    loan.returned_on = returned_on or timezone.localdate()
    if loan.returned_on < loan.lent_on:
        raise DeviceActionRefused("歸還日期不可早於借出日期")
    loan.return_condition = condition
    if note:
        loan.note = f"{loan.note}；{note}" if loan.note else note
    loan.save(update_fields=["returned_on", "return_condition", "note"])
    device = loan.device
    if condition == Loan.Condition.LOST:
        device.status = DeviceStatus.LOST
    elif loan.purpose == Loan.Purpose.REPAIR_SPARE:
        device.status = DeviceStatus.SPARE
    else:
        device.status = DeviceStatus.IN_USE
    device.save(update_fields=["status"])
    invalidate(DEVICES)
    return loan


@transaction.atomic
def lending_rules_save(*, school: School, text: str, user: User) -> LendingRules:
    rules, _ = LendingRules.objects.update_or_create(school=school, defaults={"text": text.strip()})
    return rules


@transaction.atomic
def repair_open(
    *, device: Device, user: User, fault: str, spare: Device | None = None, opened_on: date | None = None
) -> RepairTicket:
    """送修. The warranty is checked on the day; a spare of the same school is lent meanwhile."""
    device = _locked(device)
    if device.status in (DeviceStatus.REPAIR, *GONE_STATUSES):
        raise DeviceActionRefused(f"載具目前為「{device.get_status_display()}」，不能送修")
    if device.status == DeviceStatus.LENT:
        raise DeviceActionRefused("載具借出中，請先辦理歸還再送修")
    opened_on = opened_on or timezone.localdate()
    ticket = RepairTicket(
        device=device,
        school_id=device.school_id,
        county_id=device.county_id,
        opened_on=opened_on,
        fault=fault.strip(),
        under_warranty=device.warranty_until is not None and device.warranty_until >= opened_on,
        created_by=user,
    )
    if spare is not None:
        spare = _locked(spare)
        if spare.pk == device.pk or spare.status != DeviceStatus.SPARE or spare.county_id != device.county_id:
            raise DeviceActionRefused(f"{spare.serial} 不是可用的備品")
        if device.school_id and spare.school_id not in (None, device.school_id):
            raise DeviceActionRefused(f"備品 {spare.serial} 屬於其他學校")
        ticket.spare = spare
        spare.status = DeviceStatus.IN_USE
        if spare.school_id is None:
            spare.school_id = device.school_id
        spare.save(update_fields=["status", "school"])
    ticket.save()
    device.status = DeviceStatus.REPAIR
    device.save(update_fields=["status"])
    invalidate(DEVICES)
    return ticket


@transaction.atomic
def repair_close(*, ticket: RepairTicket, user: User, outcome: str, closed_on: date | None = None) -> RepairTicket:
    ticket = RepairTicket.objects.select_for_update(of=("self",)).select_related("device", "spare").get(pk=ticket.pk)
    if ticket.closed_on is not None:
        raise DeviceActionRefused("這張維修單已結案")
    ticket.closed_on = closed_on or timezone.localdate()
    ticket.outcome = outcome.strip()
    ticket.save(update_fields=["closed_on", "outcome"])
    ticket.device.status = DeviceStatus.IN_USE
    ticket.device.save(update_fields=["status"])
    if ticket.spare_id:
        ticket.spare.status = DeviceStatus.SPARE
        ticket.spare.save(update_fields=["status"])
    invalidate(DEVICES)
    return ticket


# --- Inspection --------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    batch: ProcurementBatch,
    school: School,
    semester: str,
    user: User,
    self_count: int | None = None,
    county_count: int | None = None,
    reason: str = "",
    note: str = "",
) -> InspectionCount:
    """School staff record their self-check, county staff their own count; a difference
    from the devices delivered needs a reason code."""
    if school.county_id != batch.county_id:
        raise DeviceActionRefused("學校與採購案不屬於同一縣市")
    record, _ = InspectionCount.objects.select_for_update().get_or_create(semester=semester, batch=batch, school=school)
    if self_count is not None:
        record.self_count = self_count
    if county_count is not None:
        record.county_count = county_count
    delivered = Device.objects.filter(batch=batch, school=school, delivered_on__isnull=False).count()
    found = record.found
    if found is not None and found != delivered and not reason:
        raise DeviceActionRefused(f"盤點數 {found} 與到校數 {delivered} 不同，請選擇差異原因")
    if reason == "other" and not note.strip():
        raise DeviceActionRefused("差異原因為「其他」時請填寫說明")
    record.reason = reason if found != delivered else ""
    record.note = note.strip()
    record.save()
    invalidate(DEVICES)
    return record


# --- Wireless ----------------------------------------------------------------------------


@transaction.atomic
def wireless_distribute(*, plan: CountyPlan, user: User) -> list[WirelessAllocation]:
    """The MOE's AP count and amount (budget line 5) shared out to the county's schools in
    proportion to their classes, by largest remainder so the parts add up exactly."""
    classes = dict(
        RosterRow.objects.filter(plan_year=plan.plan_year, school__county=plan.county)
        .values("school_id")
        .annotate(n=Sum("classes"))
        .values_list("school_id", "n")
    )
    classes = dict(sorted(classes.items()))
    if not classes:
        raise DeviceActionRefused("本縣市尚無名單，無法分配無線網路 AP")
    if not any(classes.values()):
        raise DeviceActionRefused("名單中各校班級數皆為 0，無法依班級數分配無線網路 AP")
    if plan.ap_amount_ntd and not plan.ap_count:
        # The money follows the APs: with none to share it would all be lost.
        raise DeviceActionRefused("教育部核列的 AP 經費大於 0 但 AP 數為 0，請先確認 AP 數再分配")
    aps = largest_remainder(plan.ap_count, classes)
    amounts = split_amount(plan.ap_amount_ntd, [aps[pk] for pk in classes])
    existing = {
        a.school_id: a for a in WirelessAllocation.objects.filter(plan_year=plan.plan_year, school_id__in=classes)
    }
    WirelessAllocation.objects.filter(plan_year=plan.plan_year, school__county=plan.county).exclude(
        school_id__in=classes
    ).delete()
    result, new = [], []
    for (pk, n), amount in zip(classes.items(), amounts, strict=True):
        allocation = existing.get(pk) or WirelessAllocation(plan_year=plan.plan_year, school_id=pk)
        allocation.classes = n
        allocation.ap_count = aps[pk]
        allocation.classroom_aps, allocation.special_classroom_aps = classrooms_first(aps[pk], n)
        allocation.amount_ntd = amount
        (new if allocation.pk is None else result).append(allocation)
    fields = ["classes", "ap_count", "classroom_aps", "special_classroom_aps", "amount_ntd"]
    WirelessAllocation.objects.bulk_update(result, fields)
    WirelessAllocation.objects.bulk_create(new)
    invalidate(DEVICES)
    return result + new


@transaction.atomic
def wireless_classrooms_set(*, allocation: WirelessAllocation, whole_class_classrooms: int, user: User):
    allocation.whole_class_classrooms = whole_class_classrooms
    allocation.save(update_fields=["whole_class_classrooms"])
    invalidate(DEVICES)
    return allocation


# --- Budget line 4 -----------------------------------------------------------------------


def plan_existing_devices_feed(*, plan: CountyPlan, user: User) -> int:
    """Copy the count of existing devices needing an MDM licence into the plan (line 4)."""
    count = existing_devices_without_mdm(county_id=plan.county_id, plan_year=plan.plan_year)
    plan_set_county_figures(
        plan=plan, user=user, values={"existing_devices_without_mdm": count}, source="載具登錄：既有載具MDM授權數"
    )
    return count


# --- Software ----------------------------------------------------------------------------


@transaction.atomic
def software_item_propose(*, county: County, values: dict, user: User) -> SoftwareItem:
    refuse_blocked(values["brand"], "廠牌")
    refuse_blocked(values["vendor"], "廠商")
    if not values.get("security_statement", "").strip():
        raise DeviceActionRefused("目錄外品項須附資安合規聲明")
    return SoftwareItem.objects.create(status=SoftwareItem.Status.PROPOSED, proposed_by_county=county, **values)


@transaction.atomic
def software_item_decide(*, item: SoftwareItem, user: User, accept: bool, reason: str = "") -> SoftwareItem:
    item = SoftwareItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SoftwareItem.Status.PROPOSED:
        raise DeviceActionRefused("這個品項不在審查中")
    if not accept and not reason.strip():
        raise DeviceActionRefused("不通過時請填寫理由")
    if accept:
        refuse_blocked(f"{item.brand} {item.vendor}", "品項")
    item.status = SoftwareItem.Status.LISTED if accept else SoftwareItem.Status.REFUSED
    item.refusal_reason = "" if accept else reason.strip()
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save()
    return item


@transaction.atomic
def software_purchase_create(
    *, county: County, plan_year: PlanYear, item: SoftwareItem, schools: list[School], values: dict, user: User
) -> SoftwarePurchase:
    if item.status != SoftwareItem.Status.LISTED:
        raise DeviceActionRefused("只能採購教育部推薦目錄中的品項；目錄外品項請先提案審查")
    refuse_blocked(f"{item.brand} {item.vendor}", "品項")
    if any(s.county_id != county.pk for s in schools):
        raise DeviceActionRefused("使用學校須為本縣市的學校")
    purchase = SoftwarePurchase.objects.create(county=county, plan_year=plan_year, item=item, **values)
    purchase.schools.set(schools)
    return purchase
