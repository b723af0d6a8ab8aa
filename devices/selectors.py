"""Reads of the devices app: lists, the reconciliation, expiry, and the contract that
reporting reads (`county_device_summary`).

Everything is grouped in the database (one GROUP BY a source, whatever the number of
devices) and merged per school; no query runs per device or per school.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from devices.models import (
    GONE_STATUSES,
    BlockedBrand,
    Device,
    DeviceUse,
    Funding,
    InspectionCount,
    Loan,
    ProcurementBatch,
    RepairTicket,
    SoftwareItem,
    SoftwarePurchase,
    WirelessAllocation,
)
from portal import access
from portal.cache import cached, cached_for
from portal.cache import version as cache_version
from portal.figures import stored_figure
from portal.models import User
from portal.search import name_q
from schools.models import PlanYear, RosterRow, School
from schools.selectors import ROSTER

DEVICES = "devices"
"""The read cache's namespace: every device write invalidates it."""

# The keys of one county's summary, all integers (counts), cumulative up to `until`.
DEVICE_SUMMARY_KEYS = (
    "purchased",  # learning devices (teacher + student) of this plan year's procurement batches
    "remote_purchased",  # of them, for schools whose roster area is remote (rule set's remote_areas)
    "delivered",  # of this plan year's devices, delivered to a school (delivery date <= until)
    "mdm_enrolled",  # of the delivered, enrolled in MDM (enrolment date <= until)
    "remote_schools",  # distinct remote schools in the county's roster
    "remote_schools_complete",  # of them, with delivered student devices >= students and teacher >= teachers
    "other_schools",  # distinct non-remote schools in the roster
    "other_schools_complete",  # of them, with delivered devices >= the engine's entitlement (每 6 班 1 班)
    "wireless_classes",  # classrooms with wireless good enough for a whole class at once (附件1 五(一)7)
)


def blocked_brand_pairs() -> list[tuple[str, str]]:
    return list(BlockedBrand.objects.values_list("name", "normalized"))


def devices_for(*, user: User | None) -> QuerySet:
    """user None: every device (a national figure portal.figures keeps for the MOE)."""
    return _visible(Device.objects.all(), user)


def _visible(queryset: QuerySet, user: User | None) -> QuerySet:
    return queryset if user is None else access.for_user(queryset, user)


def batches_for(*, user: User, plan_year: PlanYear | None = None) -> QuerySet:
    batches = access.for_user(ProcurementBatch.objects.select_related("county", "plan_year"), user)
    return batches.filter(plan_year=plan_year) if plan_year else batches


def plan_batch_ids(plan_year: PlanYear, **extra) -> QuerySet:
    """The ids of this plan year's batches (a few dozen), as a subquery: devices filtered by
    them need no join to the batches' columns, so the reconciliation's GROUP BY reads one
    covering index (device_county_school_cover) and hashes the batch ids."""
    return ProcurementBatch.objects.filter(plan_year=plan_year, funding=Funding.PLAN, **extra).values("pk")


# --- Roster and device figures per school ------------------------------------------------


def _roster_by_school(rows: QuerySet, plan_year: PlanYear) -> dict[int, dict]:
    remote = Q(area__in=plan_year.rule_set.remote_areas)
    grouped = rows.values("school_id").annotate(
        teachers=Sum("teachers"),
        students=Sum("students"),
        classes=Sum("classes"),
        entitled=Sum(F("entitled_teacher_devices") + F("entitled_student_devices")),
        requested=Sum(F("req_teacher_devices") + F("req_student_devices")),
        unrequested=Count("pk", filter=Q(req_teacher_devices__isnull=True)),
        remote_rows=Count("pk", filter=remote),
    )
    return {row["school_id"]: row for row in grouped}


def _devices_by_school(devices: QuerySet, until: date | None = None) -> dict[int | None, dict]:
    delivered = Q(delivered_on__isnull=False, school__isnull=False)
    enrolled = delivered & Q(mdm_enrolled_on__isnull=False)
    if until is not None:
        delivered &= Q(delivered_on__lte=until)
        enrolled = delivered & Q(mdm_enrolled_on__lte=until)
    grouped = devices.values("school_id").annotate(
        purchased=Count("pk"),
        delivered=Count("pk", filter=delivered),
        delivered_teacher=Count("pk", filter=delivered & Q(use=DeviceUse.TEACHER)),
        delivered_student=Count("pk", filter=delivered & Q(use=DeviceUse.STUDENT)),
        mdm=Count("pk", filter=enrolled),
        gone=Count("pk", filter=Q(status__in=GONE_STATUSES)),
    )
    return {row["school_id"]: row for row in grouped}


# --- Reconciliation ---------------------------------------------------------------------


@dataclass
class SchoolReconciliation:
    school_id: int
    code: str
    name: str
    county: str
    entitled: int = 0
    approved: int = 0
    delivered: int = 0
    mdm: int = 0
    found: int | None = None
    unexplained: int = 0
    flags: list[str] = field(default_factory=list)

    @property
    def mdm_percent(self) -> int | None:
        return None if not self.delivered else self.mdm * 100 // self.delivered


@dataclass
class Reconciliation:
    schools: list[SchoolReconciliation]
    totals: dict
    deadline: date
    threshold: int
    stock: int
    """This plan's devices still in the county's stock (no school)."""
    flagged: int = 0
    counties: list[dict] = field(default_factory=list)
    """The national view: one line a county instead of the schools."""


FLAG_NOT_DELIVERED = "逾期未交貨"
FLAG_LOW_MDM = "MDM 註冊率偏低"
FLAG_INSPECTION = "盤點數與到校數不符且未說明"


def reconciliation(
    *, user: User, plan_year: PlanYear, county_id: int | None = None, today: date | None = None
) -> Reconciliation:
    """Per school: entitled (engine) / approved (plan) / delivered / MDM-enrolled / found at
    inspection, and the flags; cached per access scope until a device or roster write."""
    today = today or timezone.localdate()
    parts = ("reconciliation", plan_year.pk, county_id, today, cache_version(ROSTER))
    return cached_for(user, DEVICES, parts, lambda: _reconciliation(user, plan_year, county_id, today))


def _reconciliation(user: User | None, plan_year: PlanYear, county_id: int | None, today: date) -> Reconciliation:
    rules = plan_year.rule_set
    rows = _visible(RosterRow.objects.filter(plan_year=plan_year), user)
    devices = devices_for(user=user).filter(batch_id__in=plan_batch_ids(plan_year))
    inspections = _visible(InspectionCount.objects.filter(batch__plan_year=plan_year), user)
    if county_id:
        rows = rows.filter(school__county_id=county_id)
        devices = devices.filter(county_id=county_id)
        inspections = inspections.filter(school__county_id=county_id)
    roster = _roster_by_school(rows, plan_year)
    counted = _devices_by_school(devices)
    # The latest semester counted for each school and batch; a difference is explained by a reason.
    latest = inspections.aggregate(semester=Max("semester"))["semester"]
    found: dict[int, dict] = {}
    if latest:
        for row in (
            inspections.filter(semester=latest)
            .values("school_id")
            .annotate(
                county=Sum("county_count"),
                own=Sum("self_count"),
                county_rows=Count("pk", filter=Q(county_count__isnull=False)),
                reasons=Count("pk", filter=~Q(reason="")),
            )
        ):
            found[row["school_id"]] = row
    school_ids = set(roster) | {pk for pk in counted if pk} | set(found)
    schools = {
        s["pk"]: s
        for s in School.objects.filter(pk__in=school_ids).values("pk", "code", "name", county_name=F("county__name"))
    }
    late = today > rules.delivery_deadline
    result = []
    for pk in sorted(school_ids, key=lambda pk: (schools[pk]["county_name"], schools[pk]["code"])):
        r, d, f = roster.get(pk, {}), counted.get(pk, {}), found.get(pk)
        approved = r.get("requested") if r and not r.get("unrequested") else r.get("entitled", 0)
        line = SchoolReconciliation(
            school_id=pk,
            code=schools[pk]["code"],
            name=schools[pk]["name"],
            county=schools[pk]["county_name"],
            entitled=r.get("entitled", 0) or 0,
            approved=approved or 0,
            delivered=d.get("delivered", 0),
            mdm=d.get("mdm", 0),
        )
        if f:
            line.found = f["county"] if f["county_rows"] else f["own"]
            if line.found is not None and line.found != line.delivered and not f["reasons"]:
                line.unexplained = line.delivered - line.found
        if late and line.delivered < line.approved:
            line.flags.append(FLAG_NOT_DELIVERED)
        if line.delivered and line.mdm * 100 < line.delivered * rules.mdm_enrolment_threshold_percent:
            line.flags.append(FLAG_LOW_MDM)
        if line.unexplained:
            line.flags.append(FLAG_INSPECTION)
        result.append(line)
    totals = {
        key: sum(getattr(s, key) for s in result) for key in ("entitled", "approved", "delivered", "mdm", "unexplained")
    }
    totals["found"] = sum(s.found for s in result if s.found is not None)
    totals["mdm_percent"] = totals["mdm"] * 100 // totals["delivered"] if totals["delivered"] else None
    stock = counted.get(None, {}).get("purchased", 0)
    flagged = sum(1 for line in result if line.flags)
    return Reconciliation(
        result, totals, rules.delivery_deadline, rules.mdm_enrolment_threshold_percent, stock, flagged
    )


def reconciliation_by_county(*, user: User, plan_year: PlanYear, today: date | None = None) -> Reconciliation:
    """The national view: the same figures and flags, added up per county (cached without
    the thousands of school lines; for those who see every county, kept between writes)."""
    today = today or timezone.localdate()
    if access.scope_key(user) == "all" and today == timezone.localdate():
        here = lambda: _reconciliation_by_county(None, plan_year, today)  # noqa: E731
        return national_reconciliation.value(here, plan_year_id=plan_year.pk)
    parts = ("reconciliation_by_county", plan_year.pk, today, cache_version(ROSTER))
    return cached_for(user, DEVICES, parts, lambda: _reconciliation_by_county(user, plan_year, today))


def _reconciliation_by_county(user: User | None, plan_year: PlanYear, today: date) -> Reconciliation:
    full = _reconciliation(user, plan_year, None, today)
    counties: dict[str, dict] = {}
    keys = ("entitled", "approved", "delivered", "mdm")
    for line in full.schools:
        figures = counties.setdefault(
            line.county, {"county": line.county, "schools": 0, "flagged": 0, **dict.fromkeys(keys, 0)}
        )
        figures["schools"] += 1
        figures["flagged"] += bool(line.flags)
        for key in keys:
            figures[key] += getattr(line, key)
    full.schools = []
    full.counties = list(counties.values())
    return full


@stored_figure("national_reconciliation", depends=(DEVICES, ROSTER))
def national_reconciliation(*, plan_year_id: int) -> Reconciliation:
    return _reconciliation_by_county(None, PlanYear.objects.get(pk=plan_year_id), timezone.localdate())


# --- Budget line 4 ----------------------------------------------------------------------


def existing_devices_without_mdm(*, county_id: int, plan_year: PlanYear) -> int:
    """Devices bought before this plan (earlier programmes, school-bought, donated) still in
    service, whose MDM licence does not cover the plan period: each needs a licence (line 4).
    Cached until a device write (the reconciliation page shows it on every load)."""
    return cached(DEVICES, ("without_mdm", county_id, plan_year.pk), lambda: _without_mdm(county_id, plan_year))


def _without_mdm(county_id: int, plan_year: PlanYear) -> int:
    return (
        Device.objects.filter(county_id=county_id)
        .exclude(batch__funding=Funding.PLAN, batch__plan_year=plan_year)
        .exclude(batch__plan_year__year__gt=plan_year.year)
        .exclude(status__in=GONE_STATUSES)
        .filter(Q(licence_until__isnull=True) | Q(licence_until__lt=plan_year.period_end))
        .count()
    )


# --- Expiry -----------------------------------------------------------------------------


def expiry_window(plan_year: PlanYear, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today, today + timedelta(days=plan_year.rule_set.expiry_window_days)


def expiring(*, user: User, plan_year: PlanYear, today: date | None = None) -> list[dict]:
    """Licences and warranties ending within the window, per county, batch and school
    (counts, the earliest end date): one grouped query."""
    start, end = expiry_window(plan_year, today)
    licence = Q(licence_until__range=(start, end))
    warranty = Q(warranty_until__range=(start, end))
    rows = (
        devices_for(user=user)
        .exclude(status__in=GONE_STATUSES)
        .filter(licence | warranty)
        .values(
            "county__name",
            "batch__tender_number",
            "batch__brand",
            "batch__model_name",
            "school__code",
            "school__name",
        )
        .annotate(
            licences=Count("pk", filter=licence),
            warranties=Count("pk", filter=warranty),
            licence_first=Min("licence_until", filter=licence),
            warranty_first=Min("warranty_until", filter=warranty),
        )
        .order_by("county__name", "batch__tender_number", "school__code")
    )
    return list(rows)


def expiry_totals(*, user: User | None, plan_year: PlanYear, today: date | None = None) -> dict:
    start, end = expiry_window(plan_year, today)
    devices = devices_for(user=user).exclude(status__in=GONE_STATUSES)
    return devices.aggregate(
        licences=Count("pk", filter=Q(licence_until__range=(start, end))),
        warranties=Count("pk", filter=Q(warranty_until__range=(start, end))),
        # Already ended and still in service: the window's list does not show them, the page says how many.
        licences_ended=Count("pk", filter=Q(licence_until__lt=start)),
        warranties_ended=Count("pk", filter=Q(warranty_until__lt=start)),
    )


# --- Loans and repairs ------------------------------------------------------------------


def loans_for(*, user: User | None) -> QuerySet:
    return _visible(Loan.objects.select_related("device", "school"), user)


def overdue_loans(*, user: User | None, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return loans_for(user=user).filter(returned_on__isnull=True, due_on__lt=today).order_by("due_on", "pk")


def repairs_for(*, user: User) -> QuerySet:
    return access.for_user(RepairTicket.objects.select_related("device", "spare", "school"), user)


# --- Software ---------------------------------------------------------------------------


def catalogue(*, q: str = "") -> QuerySet:
    """The MOE's recommended items: public reference data, the same for every reader."""
    items = SoftwareItem.objects.filter(status=SoftwareItem.Status.LISTED)
    if q:
        items = items.filter(name_q(("name", "vendor", "brand"), q))
    return items


def proposals_for(*, user: User) -> QuerySet:
    return access.for_user(
        SoftwareItem.objects.exclude(status=SoftwareItem.Status.LISTED).select_related("proposed_by_county"), user
    )


def purchases_for(*, user: User, plan_year: PlanYear) -> QuerySet:
    return (
        access.for_user(SoftwarePurchase.objects.filter(plan_year=plan_year), user)
        .select_related("item", "county")
        .prefetch_related("schools")
    )


def wireless_for(*, user: User, plan_year: PlanYear) -> QuerySet:
    return access.for_user(
        WirelessAllocation.objects.filter(plan_year=plan_year).select_related("school", "school__county"), user
    )


# --- The county home page ----------------------------------------------------------------


def home_panel(*, user: User, plan_year: PlanYear, today: date | None = None) -> dict:
    """What the county home page shows of devices: expiring licences/warranties, overdue loans
    (for those who see every county: the national figures, kept between writes)."""
    today = today or timezone.localdate()
    if access.scope_key(user) == "all" and today == timezone.localdate():
        return national_home_panel.value(lambda: _home_panel(None, plan_year, today), plan_year_id=plan_year.pk)
    parts = ("home_panel", plan_year.pk, today)
    return cached_for(user, DEVICES, parts, lambda: _home_panel(user, plan_year, today))


def _home_panel(user: User | None, plan_year: PlanYear, today: date) -> dict:
    _, end = expiry_window(plan_year, today)
    totals = expiry_totals(user=user, plan_year=plan_year, today=today)
    return {
        "devices": devices_for(user=user).count(),
        "licences": totals["licences"],
        "warranties": totals["warranties"],
        "overdue": overdue_loans(user=user, today=today).count(),
        "window_days": plan_year.rule_set.expiry_window_days,
        "until": end,
    }


@stored_figure("national_devices_home_panel", depends=(DEVICES,))
def national_home_panel(*, plan_year_id: int) -> dict:
    return _home_panel(None, PlanYear.objects.get(pk=plan_year_id), timezone.localdate())


# --- The contract with reporting ---------------------------------------------------------


def county_device_summary(
    *, plan_year, county_ids: Iterable[int] | None = None, until: date | None = None
) -> dict[int, dict[str, int]]:
    """{county id: {key: int for key in DEVICE_SUMMARY_KEYS}} for the counties that have data.

    `county_ids` None means every county (the MOE's national view); `until` None means now.
    A month's own figure is the difference of two calls (until = its last day, and the
    previous month's). Aggregated in the database: a constant number of queries."""
    if county_ids is None and until is None:
        here = lambda: _device_summary(plan_year, None, timezone.localdate())  # noqa: E731
        return national_device_summary.value(here, plan_year_id=plan_year.pk)
    return _device_summary(plan_year, county_ids, until or timezone.localdate())


@stored_figure("national_device_summary", depends=(DEVICES, ROSTER))
def national_device_summary(*, plan_year_id: int) -> dict[int, dict[str, int]]:
    return _device_summary(PlanYear.objects.get(pk=plan_year_id), None, timezone.localdate())


def _device_summary(plan_year: PlanYear, county_ids: Iterable[int] | None, until: date) -> dict[int, dict[str, int]]:
    devices = Device.objects.filter(batch_id__in=plan_batch_ids(plan_year, contract_date__lte=until))
    rows = RosterRow.objects.filter(plan_year=plan_year)
    wireless = WirelessAllocation.objects.filter(plan_year=plan_year)
    if county_ids is not None:
        county_ids = list(county_ids)
        devices = devices.filter(county_id__in=county_ids)
        rows = rows.filter(school__county_id__in=county_ids)
        wireless = wireless.filter(school__county_id__in=county_ids)

    roster = _roster_by_school(rows, plan_year)
    school_county = dict(School.objects.filter(pk__in=roster).values_list("pk", "county_id"))
    remote_ids = [pk for pk, r in roster.items() if r["remote_rows"]]
    summary: dict[int, dict[str, int]] = {}

    def county(pk: int) -> dict[str, int]:
        return summary.setdefault(pk, dict.fromkeys(DEVICE_SUMMARY_KEYS, 0))

    delivered = Q(school__isnull=False, delivered_on__lte=until)
    for row in devices.values("county_id").annotate(
        purchased=Count("pk"),
        remote_purchased=Count("pk", filter=Q(school_id__in=remote_ids)),
        delivered=Count("pk", filter=delivered),
        mdm_enrolled=Count("pk", filter=delivered & Q(mdm_enrolled_on__lte=until)),
    ):
        figures = county(row.pop("county_id"))
        figures.update(row)

    per_school = _devices_by_school(devices.filter(school__isnull=False), until)
    for pk, r in roster.items():
        figures = county(school_county[pk])
        d = per_school.get(pk, {})
        if r["remote_rows"]:
            figures["remote_schools"] += 1
            if d.get("delivered_student", 0) >= r["students"] and d.get("delivered_teacher", 0) >= r["teachers"]:
                figures["remote_schools_complete"] += 1
        else:
            figures["other_schools"] += 1
            if d.get("delivered", 0) >= (r["entitled"] or 0):
                figures["other_schools_complete"] += 1

    for row in wireless.values(county_id=F("school__county_id")).annotate(classes=Sum("whole_class_classrooms")):
        county(row["county_id"])["wireless_classes"] = row["classes"] or 0
    return summary


def school_device_counts(*, county_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """{school id: {registered, registered_student, mdm}} of the devices in the register at
    each school today, whatever bought them (earlier programmes, the plan, the school itself),
    lost and scrapped ones left out: what reporting's equity view compares the schools by.
    One grouped query."""
    devices = Device.objects.filter(school__isnull=False).exclude(status__in=GONE_STATUSES)
    if county_ids is not None:
        devices = devices.filter(county_id__in=list(county_ids))
    grouped = devices.values("school_id").annotate(
        registered=Count("pk"),
        registered_student=Count("pk", filter=Q(use=DeviceUse.STUDENT)),
        mdm=Count("pk", filter=Q(mdm_enrolled_on__isnull=False)),
    )
    return {row.pop("school_id"): row for row in grouped}
