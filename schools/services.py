"""Writes to single roster rows (a whole roster comes in through schools.importing)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.audit import CHANGED, CREATED, record_history
from portal.cache import invalidate
from portal.db import bulk_update_rows, refresh_statistics
from portal.models import User
from portal.roc import roc_date
from schools.guards import roster_state
from schools.models import RosterRow
from schools.roster_format import COUNT_KEYS, EDITABLE_KEYS, ENTITLED_KEYS, REQUESTED_KEYS, consistency_problems
from schools.selectors import ROSTER


class RosterEditRefused(Exception):
    """The row may not change now; the message says why (plan submitted, period closed ...)."""


class StaleRosterRow(RosterEditRefused):
    """Someone saved the row after this person loaded it."""


EDITABLE_ROW_FIELDS = EDITABLE_KEYS


def roster_row_edit_refusal(row: RosterRow, *, for_update: bool = False) -> str:
    """Why this row cannot change now, or "" when it can (`for_update`: in the writing
    transaction, holding the plan's lock until it commits)."""
    state = roster_state(row.school.county_id, row.plan_year, for_update=for_update)
    return "" if state.editable else state.reason


@transaction.atomic
def roster_row_update(*, row: RosterRow, user: User, values: dict, expected_version: int) -> RosterRow:
    """Save one row's new figures, unless the plan locks it or someone saved it meanwhile."""
    refusal = roster_row_edit_refusal(row, for_update=True)
    if refusal:
        raise RosterEditRefused(refusal)
    problems = consistency_problems(values["classes"], values["max_class_size"], values["students"])
    if problems:
        raise RosterEditRefused("；".join(message for _, message in problems))
    for name in EDITABLE_ROW_FIELDS:
        setattr(row, name, values[name])
    row.apply_rules(row.plan_year.rule_set)
    if row.complies is not False:
        row.reason = ""
    # Compare-and-set on the version: a concurrent save made in between makes this match nothing.
    updated = RosterRow.objects.filter(pk=row.pk, version=expected_version).update(
        **{
            name: getattr(row, name)
            for name in (
                *EDITABLE_ROW_FIELDS,
                *ENTITLED_FIELDS,
            )
        },
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = RosterRow.objects.get(pk=row.pk)
        last = current.history.order_by("-history_date", "-history_id").select_related("history_user").first()
        who = (
            f"{last.history_user.get_full_name() or last.history_user.username}"
            if last and last.history_user
            else "他人"
        )
        raise StaleRosterRow(
            f"儲存失敗：這一列在您開啟後已由{who}於 {roc_date(current.updated_at)} 修改過，"
            "為免覆蓋對方的修改，請重新載入頁面後再改。"
        )
    row.refresh_from_db()
    record_history([row], kind=CHANGED, user=user, reason="逐列修改")
    invalidate(ROSTER)
    return row


# --- A plan year's roster as a whole ------------------------------------------------------------

ENTITLED_FIELDS = (*ENTITLED_KEYS, "complies")
CARRIED_FIELDS = ("school", "level", "name", "area", *COUNT_KEYS)
"""What a row brings into the next year: the school and its survey figures, not the request."""


def roster_apply_rules(*, plan_year, user: User | None, reason: str) -> int:
    """Every row of the year judged again by the year's (changed) rules: its entitlement and
    whether it complies. A row whose verdict changes is written (one UPDATE for all) and its
    version moves on, so a form opened before is refused as stale. Returns the rows changed."""
    rule_set = plan_year.rule_set
    changed = []
    for row in RosterRow.objects.filter(plan_year=plan_year).select_related("plan_year"):
        before = tuple(getattr(row, name) for name in ENTITLED_FIELDS)
        row.apply_rules(rule_set)
        if tuple(getattr(row, name) for name in ENTITLED_FIELDS) != before:
            row.version += 1
            row.updated_at = timezone.now()
            changed.append(row)
    if changed:
        bulk_update_rows(RosterRow, changed, (*ENTITLED_FIELDS, "version", "updated_at"))
        record_history(changed, kind=CHANGED, user=user, reason=reason)
    invalidate(ROSTER)
    return len(changed)


def roster_carry_over(*, source, target, user: User | None) -> int:
    """The new year's roster starts as last year's rows with the requested counts cleared (the
    county surveys its schools again; an upload of the new 附錄 replaces the whole roster).
    Schools the new rules leave out (國立, when out of scope) do not come along. One INSERT."""
    rule_set = target.rule_set
    now = timezone.now()
    rows = []
    for row in (
        RosterRow.objects.filter(plan_year=source, school__ownership__in=rule_set.ownerships_in_scope)
        .select_related("school")
        .order_by("school__code", "level")
    ):
        new = RosterRow(
            plan_year=target,
            **{name: getattr(row, name) for name in CARRIED_FIELDS},
            **dict.fromkeys(REQUESTED_KEYS),
            reason="",
            updated_at=now,
        )
        new.apply_rules(rule_set)
        rows.append(new)
    RosterRow.objects.bulk_create(rows, batch_size=2_000)
    if rows and rows[0].pk is None:
        # Backends that do not return keys from a bulk INSERT: read them back for the history.
        rows = list(RosterRow.objects.filter(plan_year=target))
    record_history(rows, kind=CREATED, user=user, reason=f"由 {source.year} 年度名單帶入")
    refresh_statistics(RosterRow)
    invalidate(ROSTER)
    return len(rows)
