"""The account review and the security log as workbooks (openpyxl, write-only: a year of
the log is streamed, not built in memory)."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook

from portal.downloads import safe_text
from portal.roc import roc_date

EXPORT_MAX_EVENTS = 200_000


def _book(title: str, headers: list[str], rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([safe_text(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _when(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{roc_date(local.date())} {local:%H:%M:%S}"


def account_status(account) -> str:
    if not account.is_active:
        return "停用（" + (account.get_disabled_reason_display() or "管理者停用") + "）"
    if account.is_expired:
        return "已到期"
    return "啟用"


def accounts_workbook(accounts) -> bytes:
    headers = [
        "帳號", "姓名或職稱", "角色", "縣市", "學校代碼", "學校", "狀態", "使用期限", "最後登入",
        "建立時間", "建立者", "申請依據", "雙因子驗證", "密碼變更時間", "須變更密碼",
    ]  # fmt: skip
    rows = (
        [
            a.username,
            a.get_full_name(),
            a.get_role_display(),
            a.county.name if a.county_id else "",
            a.school.code if a.school_id else "",
            a.school.name if a.school_id else "",
            account_status(a),
            roc_date(a.valid_until) if a.valid_until else "",
            _when(a.last_login) or "從未登入",
            _when(a.date_joined),
            a.created_by.username if a.created_by_id else "",
            a.application_ref,
            "已啟用" if getattr(a, "has_mfa", False) else "未啟用",
            _when(a.password_changed_at),
            "是" if a.must_change_password else "否",
        ]
        for a in accounts.iterator(chunk_size=2000)
    )
    return _book("帳號清查", headers, rows)


def security_events_workbook(events) -> bytes:
    headers = ["時間（臺北）", "事件", "結果", "帳號", "來源位址", "對象", "內容", "網址", "序號", "雜湊"]
    rows = (
        [
            _when(e.at),
            e.get_kind_display(),
            e.get_outcome_display(),
            e.username,
            e.address or "",
            e.target,
            e.detail,
            e.path,
            e.seq if e.seq is not None else "未封存",
            e.hash,
        ]
        for e in events[:EXPORT_MAX_EVENTS].iterator(chunk_size=5000)
    )
    return _book("資安事件紀錄", headers, rows)
