"""Reads of the office/training app that other layers use (reporting: monthly reports, dashboards).

`county_training_summary` is the contract between this app and `reporting/`: its keys are
fixed here; the implementation arrives with the office issue (6). Until then it reports
no data, and the pages that read it say 尚無資料 rather than a zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

# The keys of one county's summary, all integers, cumulative up to `until` within the plan year
# unless said otherwise.
TRAINING_SUMMARY_KEYS = (
    "sessions_held",  # training sessions of the plan year held on or before `until`
    "teachers_trained",  # distinct teachers of the county's schools who completed any session
    "a1a2_teachers",  # distinct teachers who completed both A1 and A2 (any plan year up to `until`)
    "literacy_teachers",  # distinct teachers trained in digital literacy this plan year
    "it_staff_trained",  # distinct IT staff (資訊組長) trained this plan year
    "teachers_total",  # the roster's 編制教師數, summed over the county's rows
    "meetings_held",  # working meetings of the office held on or before `until`
    "public_lessons",  # 公開觀議課 in digital-learning mode held
    "schools_with_public_lesson",  # distinct schools with at least one
    "schools_total",  # distinct schools in the county's roster
)


def county_training_summary(
    *, plan_year, county_ids: Iterable[int] | None = None, until: date | None = None
) -> dict[int, dict[str, int]]:
    """{county id: {key: int for key in TRAINING_SUMMARY_KEYS}} for the counties that have data.

    `county_ids` None means every county; `until` None means now. A month's own figure is the
    difference of two calls. Aggregated in the database: a constant number of queries."""
    return {}
