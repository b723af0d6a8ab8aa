"""Cursor pagination by key: each page ends with an opaque cursor naming the last key it
held, and the next page starts after it. Rows written meanwhile never shift a walk (no row
is skipped or repeated, as with offsets), and a page costs the same deep in the list.

Querysets are walked by primary key; computed lists (per-school summaries) by the view's
`cursor_key` (e.g. the school code), which must be unique and sortable."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def encode_cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": key}).encode()).decode().rstrip("=")


def decode_cursor(text: str):
    if len(text) > 200:
        raise ValidationError({"cursor": "cursor 無效：請使用上一頁回應中 next 的網址"})
    try:
        padded = text + "=" * (-len(text) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        key = data["after"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationError({"cursor": "cursor 無效：請使用上一頁回應中 next 的網址"}) from None
    if not isinstance(key, int | str) or isinstance(key, bool):
        raise ValidationError({"cursor": "cursor 無效：請使用上一頁回應中 next 的網址"})
    return key


def read_limit(request) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not raw.isdigit() or len(raw) > 4 or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError({"limit": f"limit 須為 1 到 {MAX_LIMIT:,} 的整數"})
    return int(raw)


class KeyCursorPagination(BasePagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        limit = read_limit(request)
        raw = request.query_params.get("cursor")
        after = decode_cursor(raw) if raw else None
        if isinstance(queryset, QuerySet):
            if after is not None:
                if not isinstance(after, int):
                    raise ValidationError({"cursor": "cursor 無效：請使用上一頁回應中 next 的網址"})
                queryset = queryset.filter(pk__gt=after)
            rows = list(queryset.order_by("pk")[: limit + 1])
            key = _pk
        else:
            field = view.cursor_key
            items = sorted(queryset, key=lambda item: str(_get(item, field)))
            if after is not None:
                after = str(after)
                items = [item for item in items if str(_get(item, field)) > after]
            rows = items[: limit + 1]

            def key(item):
                return str(_get(item, field))

        self.has_next = len(rows) > limit
        rows = rows[:limit]
        self.next_key = key(rows[-1]) if self.has_next and rows else None
        return rows

    def next_link(self) -> str | None:
        if self.next_key is None:
            return None
        params = self.request.query_params.copy()
        params["cursor"] = encode_cursor(self.next_key)
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(params, doseq=True)

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "下一頁的完整網址（含 cursor）；最後一頁為 null",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "上一頁回應 next 網址中的 cursor（不透明字串）",
                "schema": {"type": "string"},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"每頁筆數，預設 {DEFAULT_LIMIT}，最多 {MAX_LIMIT:,}",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
        ]


def _pk(item):
    return item["pk"] if isinstance(item, dict) else item.pk


def _get(item, field):
    return item[field] if isinstance(item, dict) else getattr(item, field)
