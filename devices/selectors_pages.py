"""Reads of the devices pages: a page of the device list, of the open loans and of the repair
tickets, one device's history, what there is to count at inspection, the wireless totals.
Each list is plain values of one page, cached like portal.pagination.list_page; the shared
reads (devices_for, loans_for ...) and the contract with reporting are in devices.selectors."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from devices.models import Device, InspectionCount, LendingRules, WirelessAllocation
from devices.selectors import (
    DEVICES,
    Reconciliation,
    SchoolReconciliation,
    devices_for,
    loans_for,
    overdue_loans,
    repairs_for,
)
from portal import access
from portal.cache import cached_for
from portal.models import User
from portal.pagination import ListPage, list_page
from portal.search import fold_name, name_matches
from schools.models import PlanYear

DEVICE_LIST_FIELDS = ("pk", "serial", "asset_tag", "use", "status", "delivered_on", "mdm_enrolled_on", "warranty_until")
LOAN_LIST_FIELDS = ("pk", "borrower_code", "purpose", "lent_on", "due_on", "device_id")
REPAIR_LIST_FIELDS = ("pk", "opened_on", "closed_on", "fault", "under_warranty", "outcome")


def device_list_page(*, user: User, filters: dict, page: str | None, per_page: int) -> ListPage:
    """A page of the device list (DeviceFilterForm's cleaned filters), plain values in serial
    order with the school, batch and county each row names."""
    devices = devices_for(user=user)
    if filters.get("q"):
        q = fold_name(filters["q"]).upper()
        devices = devices.filter(Q(serial__startswith=q) | Q(asset_tag__startswith=q))
    if filters.get("school"):
        devices = devices.filter(school__code=fold_name(filters["school"]).upper())
    if filters.get("status"):
        devices = devices.filter(status=filters["status"])
    if filters.get("batch"):
        devices = devices.filter(batch_id=filters["batch"])
    rows = devices.order_by("serial").values(
        *DEVICE_LIST_FIELDS,
        school_code=F("school__code"),
        school_name=F("school__name"),
        tender=F("batch__tender_number"),
        brand=F("batch__brand"),
        county_name=F("county__name"),
    )
    return device_page(
        user=user,
        parts=("device_list", tuple(sorted(filters.items()))),
        devices=devices,
        rows=rows,
        page=page,
        per_page=per_page,
    )


def device_page(
    *, user: User, parts: tuple, devices: QuerySet, rows: QuerySet, page: str | None, per_page: int
) -> ListPage:
    """A page of the device list, cached like portal.pagination.list_page.

    With the read cache cold this runs on every request, so it touches only what one page
    needs: the count is taken of the filtered devices alone (an index-only count), the page's
    ids come from an index in serial order that carries the id (index-only, however deep the
    page), and only those 50 rows are joined to their school, batch and county."""

    def compute() -> ListPage:
        count = _estimated_count(devices)
        estimated = count is not None
        if count is None:
            count = devices.count()
        paginator = Paginator(range(count), per_page)
        number = paginator.get_page(page).number
        start = (number - 1) * per_page
        ids = list(devices.order_by("serial").values_list("pk", flat=True)[start : start + per_page])
        return ListPage(
            object_list=list(rows.filter(pk__in=ids)) if ids else [],
            number=number,
            count=count,
            num_pages=paginator.num_pages,
            estimated=estimated,
        )

    return cached_for(user, DEVICES, (*parts, page or "1", per_page), compute)


ESTIMATE_ABOVE = 100_000


def _estimated_count(devices: QuerySet) -> int | None:
    """The national list unfiltered counts every device (600,000: ~30 ms of a page that else
    takes ~15): PostgreSQL's own estimate of the table's rows (kept by ANALYZE/autovacuum) is
    shown instead, marked 約. None (count exactly) for any filter or a smaller table."""
    if devices.query.where or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Device._meta.db_table])
        row = cursor.fetchone()
    estimate = row[0] if row else -1
    return estimate if estimate >= ESTIMATE_ABOVE else None


def device_history(*, device: Device, limit: int = 20) -> dict:
    """The device page's loans and repairs (the latest `limit` of each), the open ones, and its
    school's lending rules."""
    loans = list(device.loans.select_related("created_by")[:limit])
    repairs = list(device.repairs.select_related("spare")[:limit])
    return {
        "loans": loans,
        "repairs": repairs,
        "open_loan": next((loan for loan in loans if loan.returned_on is None), None),
        "open_repair": next((r for r in repairs if r.closed_on is None), None),
        "lending_rules": LendingRules.objects.filter(school_id=device.school_id).first() if device.school_id else None,
    }


def open_loan_page(*, user: User, overdue: bool, today: date, page: str | None, per_page: int) -> ListPage:
    """The loans not yet returned (only the overdue ones with `overdue`), due first, as plain values."""
    if overdue:
        loans = overdue_loans(user=user, today=today)
    else:
        loans = loans_for(user=user).filter(returned_on__isnull=True).order_by("due_on", "pk")
    rows = loans.values(
        *LOAN_LIST_FIELDS,
        serial=F("device__serial"),
        school_code=F("school__code"),
        school_name=F("school__name"),
    )
    parts = ("loans", overdue, today)
    return list_page(namespace=DEVICES, user=user, parts=parts, rows=rows, page=page, per_page=per_page)


def repair_page(*, user: User, open_only: bool, page: str | None, per_page: int) -> ListPage:
    """The repair tickets (only the open ones with `open_only`), as plain values."""
    tickets = repairs_for(user=user)
    if open_only:
        tickets = tickets.filter(closed_on__isnull=True)
    rows = tickets.values(
        *REPAIR_LIST_FIELDS,
        device_pk=F("device__pk"),
        serial=F("device__serial"),
        spare_serial=F("spare__serial"),
        school_name=F("school__name"),
    )
    parts = ("repairs", open_only)
    return list_page(namespace=DEVICES, user=user, parts=parts, rows=rows, page=page, per_page=per_page)


def inspection_page(
    *, user: User, plan_year: PlanYear, semester: str, page: str | None, per_page: int
) -> tuple[ListPage, list[tuple[dict, InspectionCount | None]]]:
    """What there is to count: this plan's delivered devices per school and batch (a page of
    them), each with the semester's count so far (None: not counted yet)."""
    delivered = (
        devices_for(user=user)
        .filter(batch__plan_year=plan_year, school__isnull=False, delivered_on__isnull=False)
        .values(
            "school_id", "batch_id", code=F("school__code"), name=F("school__name"), tender=F("batch__tender_number")
        )
        .annotate(delivered=Count("pk"))
        .order_by("code", "tender")
    )
    parts = ("inspection", plan_year.pk)
    listed = list_page(namespace=DEVICES, user=user, parts=parts, rows=delivered, page=page, per_page=per_page)
    counts = {
        (c.school_id, c.batch_id): c
        for c in access.for_user(InspectionCount.objects.filter(semester=semester), user).filter(
            school_id__in=[row["school_id"] for row in listed]
        )
    }
    return listed, [(row, counts.get((row["school_id"], row["batch_id"]))) for row in listed]


WIRELESS_TOTAL_KEYS = (
    "classes",
    "ap_count",
    "classroom_aps",
    "special_classroom_aps",
    "amount_ntd",
    "whole_class_classrooms",
)


def wireless_totals(allocations: Iterable[WirelessAllocation]) -> dict[str, int]:
    """The allocations' figures added up (the page's 合計 row)."""
    allocations = list(allocations)
    return {key: sum(getattr(a, key) for a in allocations) for key in WIRELESS_TOTAL_KEYS}


def reconciliation_schools(result: Reconciliation, *, flagged_only: bool, q: str) -> list[SchoolReconciliation]:
    """The page's school lines: only the flagged ones with `flagged_only`, those matching `q`."""
    schools = result.schools
    if flagged_only:
        schools = [s for s in schools if s.flags]
    if q:
        schools = [s for s in schools if name_matches(q, s.code, s.name)]
    return schools
