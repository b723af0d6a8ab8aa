"""Reads of the devices app that other layers use (reporting: monthly reports, dashboards).

`county_device_summary` is the contract between this app and `reporting/`: its keys are
fixed here; the implementation arrives with the devices issue (5). Until then it reports
no data, and the pages that read it say 尚無資料 rather than a zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

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


def county_device_summary(
    *, plan_year, county_ids: Iterable[int] | None = None, until: date | None = None
) -> dict[int, dict[str, int]]:
    """{county id: {key: int for key in DEVICE_SUMMARY_KEYS}} for the counties that have data.

    `county_ids` None means every county (the MOE's national view); `until` None means now.
    A month's own figure is the difference of two calls (until = its last day, and the
    previous month's). Aggregated in the database: a constant number of queries."""
    return {}
