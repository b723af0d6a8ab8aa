"""The security event log (稽核紀錄): one small service every app calls.

    security_event(SecurityEvent.Kind.DOWNLOAD, request=request, target="111年花蓮縣計畫.pdf")
    security_event("account_disabled", user=officer, target="school_a", detail="...")

Who, when (stored in UTC, shown in Asia/Taipei), from which address, what, outcome. During a
request the entries are kept on the request and written in one INSERT when the response
leaves (`SecurityLogMiddleware`): the log adds at most one query to a request, whatever it
records. Outside a request (tasks, commands) an entry is written at once.

Tamper evidence: entries are written unsealed; `seal_pending` (a Celery beat task every
minute, and `verify_audit_log --seal`) gives each the next sequence number, the previous
entry's hash and its own hash over its content and that previous hash, under the lock of the
chain's head row. `verify_chain` recomputes every hash: an entry changed, removed or inserted
after sealing breaks the chain at that entry. The sealing happens off the request so that the
request pays one INSERT and no lock; its window (an unsealed minute) is the price, and
`verify_audit_log` reports entries left unsealed longer than that.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import SecurityEvent, SecurityLogHead

logger = logging.getLogger("portal.security")

Kind = SecurityEvent.Kind
Outcome = SecurityEvent.Outcome

# The entries of the request being served (None outside a request).
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("security_events", default=None)


def client_address(request) -> str | None:
    """The client's address as django-axes sees it (the same PROXY_COUNT rule as lockouts)."""
    if request is None:
        return None
    address = getattr(request, "axes_ip_address", None)
    if address:
        return address
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def security_event(
    kind: str,
    *,
    request=None,
    user=None,
    username: str = "",
    outcome: str = Outcome.SUCCESS,
    target: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Record one event. `user` defaults to the request's user; `username` names someone who
    is not a user (a failed login's typed name)."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    event = SecurityEvent(
        at=timezone.now(),
        kind=str(kind),
        outcome=str(outcome),
        user_pk=user.pk if user is not None else None,
        username=(user.get_username() if user is not None else username)[:150],
        address=client_address(request),
        target=str(target)[:255],
        detail=str(detail)[:2000],
        path=(request.get_full_path()[:255] if request is not None else ""),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        event.save()
    return event


def flush() -> None:
    """Write the request's entries (one INSERT)."""
    pending = _pending.get()
    if pending:
        SecurityEvent.objects.bulk_create(pending)
        pending.clear()


class SecurityLogMiddleware:
    """Collects the request's security events and writes them in one INSERT; records every
    download (a response sent as an attachment: exports, uploaded files, templates), so that
    no view can hand out a file without a log entry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pending.set([])
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if response.status_code == 200 and disposition.startswith("attachment"):
                match = getattr(request, "resolver_match", None)
                security_event(
                    Kind.DOWNLOAD,
                    request=request,
                    target=_filename(disposition),
                    detail=match.view_name if match else "",
                )
            elif response.status_code == 403:
                security_event(Kind.ACCESS_DENIED, request=request, outcome=Outcome.DENIED)
            try:
                flush()
            except Exception:
                # The answer the user gets does not depend on the log; the failure is loud.
                logger.exception("security events of %s could not be written", request.path)
            return response
        finally:
            _pending.reset(token)


def _filename(disposition: str) -> str:
    import re
    from urllib.parse import unquote

    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.IGNORECASE)
    if encoded:
        return unquote(encoded.group(1))
    plain = re.search(r'filename="([^"]*)"', disposition)
    return plain.group(1) if plain else disposition


# --- The hash chain ---------------------------------------------------------------------


def entry_hash(event: SecurityEvent, prev_hash: str) -> str:
    """The hash of an entry: its sequence number, content and the previous entry's hash."""
    parts = [
        str(event.seq),
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.kind,
        event.outcome,
        "" if event.user_pk is None else str(event.user_pk),
        event.username,
        event.address or "",
        event.target,
        event.detail,
        event.path,
        prev_hash,
    ]
    # Unit separators cannot be typed into any field we hash, so no two contents collide.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _head_for_update() -> SecurityLogHead:
    head = SecurityLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        SecurityLogHead.objects.get_or_create(pk=1)
        head = SecurityLogHead.objects.select_for_update().get(pk=1)
    return head


def seal_pending(batch: int = 5000) -> int:
    """Chain the entries written since the last seal (in the order of their ids). Returns how
    many were sealed. Safe to run twice at once: the head row is locked, and its sequence
    number is checked again when it is moved."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = _head_for_update()
            events = list(SecurityEvent.objects.filter(seq__isnull=True).order_by("pk")[:batch])
            if not events:
                return sealed
            seq, prev = head.last_seq, head.last_hash
            for event in events:
                seq += 1
                event.seq = seq
                event.prev_hash = prev
                event.hash = prev = entry_hash(event, prev)
            SecurityEvent.objects.bulk_update(events, ["seq", "prev_hash", "hash"])
            moved = SecurityLogHead.objects.filter(pk=1, last_seq=head.last_seq).update(last_seq=seq, last_hash=prev)
            if moved != 1:
                raise RuntimeError("the security log's head moved while sealing")
            sealed += len(events)
        # The head's hash goes to the application log too (kept elsewhere): whoever rewrites
        # the whole chain in the database cannot rewrite these lines.
        logger.info("security log sealed through #%d %s", seq, prev)


@dataclass
class ChainReport:
    checked: int
    first_seq: int | None
    last_seq: int | None
    problems: list[str]
    unsealed: int
    unsealed_stale: int

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, chunk: int = 5000) -> ChainReport:
    """Recompute the chain from where the retention purge left it to the head."""
    head = SecurityLogHead.objects.filter(pk=1).first() or SecurityLogHead(pk=1)
    problems: list[str] = []
    expected_seq = head.purged_through_seq + 1
    prev = head.purged_last_hash
    checked = 0
    first = last = None
    after = head.purged_through_seq
    while True:
        events = list(SecurityEvent.objects.filter(seq__gt=after).order_by("seq")[:chunk])
        if not events:
            break
        for event in events:
            if first is None:
                first = event.seq
            if event.seq != expected_seq:
                problems.append(f"#{expected_seq}–#{event.seq - 1} 不見了（序號不連續）")
            if event.prev_hash != prev:
                problems.append(f"#{event.seq} 的前一筆雜湊不符（前一筆被改過、刪除或插入）")
            if entry_hash(event, event.prev_hash) != event.hash:
                problems.append(f"#{event.seq} 的內容與雜湊不符（此筆被改過）")
            prev = event.hash
            expected_seq = event.seq + 1
            last = event.seq
            checked += 1
            if len(problems) > 50:
                break
        after = events[-1].seq
        if len(problems) > 50:
            break
    if last is not None and (last != head.last_seq or prev != head.last_hash):
        problems.append(f"鏈結尾端應為 #{head.last_seq}，實為 #{last}（最後幾筆被刪除或改過）")
    elif last is None and head.last_seq > head.purged_through_seq:
        problems.append(f"鏈結尾端應為 #{head.last_seq}，但已封存的紀錄全部不見了")
    unsealed = SecurityEvent.objects.filter(seq__isnull=True)
    stale = unsealed.filter(at__lt=timezone.now() - timedelta(minutes=10)).count()
    return ChainReport(checked, first, last, problems, unsealed.count(), stale)


def purge_older_than(days: int | None = None) -> int:
    """Delete sealed entries older than the retention period, keeping the chain verifiable
    from the first remaining entry (the head keeps the hash of the last purged one)."""
    days = settings.SECURITY_LOG_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    seal_pending()
    with transaction.atomic():
        head = _head_for_update()
        last = (
            SecurityEvent.objects.filter(seq__isnull=False, at__lt=cutoff, seq__gt=head.purged_through_seq)
            .order_by("-seq")
            .values("seq", "hash")
            .first()
        )
        if last is None:
            return 0
        deleted, _ = SecurityEvent.objects.filter(seq__lte=last["seq"]).delete()
        SecurityLogHead.objects.filter(pk=1).update(purged_through_seq=last["seq"], purged_last_hash=last["hash"])
    security_event(
        Kind.LOG_PURGED,
        username="system",
        target=f"#{last['seq']}",
        detail=f"刪除 {deleted} 筆超過 {days} 天的紀錄（保存期限）",
    )
    return deleted
