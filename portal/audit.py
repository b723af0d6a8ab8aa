"""The audit trail (django-simple-history) for writes that bypass `save()`.

Why django-simple-history rather than django-auditlog: the roster arrives in bulk (a
county's whole file, the national one is 3,633 rows) and simple-history can write the
history of a bulk write in one INSERT, where auditlog logs only through signals; and its
full snapshots let a page show a row as it was, with old -> new computed between versions.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.utils import timezone

CREATED, CHANGED, DELETED = "+", "~", "-"
HISTORY_TYPE_LABELS = {CREATED: "新增", CHANGED: "修改", DELETED: "刪除"}


def record_history(objs: Sequence[models.Model], *, kind: str, user, reason: str = "") -> None:
    """One historical row per object, in one INSERT, as if each had been saved by `user`."""
    if not objs:
        return
    historical = type(objs[0]).history.model
    now = timezone.now()
    historical.objects.bulk_create(
        [
            historical(
                history_date=now,
                history_user=user,
                history_change_reason=reason[:100],
                history_type=kind,
                **{field.attname: getattr(obj, field.attname) for field in historical.tracked_fields},
            )
            for obj in objs
        ]
    )


def recent(history_queryset, limit: int = 50) -> list[dict]:
    """The newest `limit` changes of a history queryset (one query, whatever its length)."""
    records = list(
        history_queryset.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    return changes(records, complete=len(records) <= limit)[:limit]


def changes(records: Sequence, complete: bool = True) -> list[dict]:
    """Each historical record with what it changed against the one before it (old -> new),
    newest first. When `records` is not the whole history (`complete` false), the oldest
    record of each object has no predecessor to compare with and is left out."""
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    result = []
    previous_by_object: dict = {}
    for record in ordered:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        if previous is None and not complete and record.history_type != CREATED:
            continue
        fields = []
        if previous is not None and record.history_type == CHANGED:
            delta = record.diff_against(previous)
            fields = []
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                fields.append(
                    {
                        "field": field.verbose_name,
                        "old": _shown(field, change.old),
                        "new": _shown(field, change.new),
                        "unit": _unit(field),
                    }
                )
        result.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "kind": HISTORY_TYPE_LABELS.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "fields": fields,
                "object_id": record.id,
            }
        )
    result.reverse()
    return result


def _unit(field) -> str:
    # Money is integer NTD: a field named *_ntd or labelled （元） prints 「8,200 元」.
    if field.name.endswith("_ntd") or "（元）" in str(field.verbose_name):
        return "元"
    return ""


def _shown(field, value):
    # A choice reads as its label (已送審, not "submitted"); a blank text and a missing
    # number both read as 「（空白）」 on the page.
    if value == "":
        return None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
