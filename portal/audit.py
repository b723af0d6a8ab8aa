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


def changes(records: Sequence) -> list[dict]:
    """Each historical record with what it changed against the one before it (old -> new)."""
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    result = []
    previous = None
    for record in ordered:
        fields = []
        if previous is not None and record.history_type == CHANGED:
            delta = record.diff_against(previous)
            fields = [
                {
                    "field": record.instance_type._meta.get_field(change.field).verbose_name,
                    "old": change.old,
                    "new": change.new,
                }
                for change in delta.changes
            ]
        result.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "kind": HISTORY_TYPE_LABELS.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "fields": fields,
            }
        )
        previous = record
    result.reverse()
    return result
