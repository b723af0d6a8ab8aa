"""What every API resource shares: who may read it, the common filters (?year= ?county=
?updated_since=), cursor pagination, the rate limit and ETag / If-None-Match."""

from __future__ import annotations

import datetime
import hashlib

from django.http import Http404, HttpResponseNotModified
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, generics
from rest_framework.permissions import BasePermission
from rest_framework.views import exception_handler as drf_exception_handler

from api.pagination import KeyCursorPagination
from portal import access
from schools.models import County, PlanYear

YEAR = OpenApiParameter(
    "year", OpenApiTypes.INT, description="計畫年度（民國年，如 111）；預設為最新年度", required=False
)
COUNTY = OpenApiParameter(
    "county", OpenApiTypes.STR, description="縣市代碼（2 碼，如 15 為花蓮縣）；只能是您看得到的縣市", required=False
)
UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="只列出此時間之後（含）更新的資料，ISO 8601（如 2022-03-01T00:00:00+08:00 或 2022-03-01）",
    required=False,
)


def exception_handler(exc, context):
    """DRF's answers, with the messages we do not write ourselves in Chinese."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(context["request"].method, detail="此 API 只能讀取：請用 GET")
    elif isinstance(exc, exceptions.NotAcceptable):
        exc = exceptions.NotAcceptable(detail="此 API 只回應 JSON（Accept: application/json）")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("找不到資料，或您沒有權限查看")
    return drf_exception_handler(exc, context)


class Allowed(BasePermission):
    """A signed-in user (token or session) whom the view's `may_read` lets in."""

    message = "您的帳號不能讀取這項資料"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return view.may_read(user)


class ApiListView(generics.ListAPIView):
    pagination_class = KeyCursorPagination
    permission_classes = [Allowed]
    cursor_key = ""
    """For computed lists: the unique text key a page ends on (querysets use the primary key)."""

    def may_read(self, user) -> bool:
        return True

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated("需要 API 權杖：請在標頭加上「Authorization: Bearer <權杖>」")
        raise exceptions.PermissionDenied(message or Allowed.message)

    def throttled(self, request, wait):
        seconds = int(wait or 1) + (0 if wait is None or float(wait).is_integer() else 1)
        raise exceptions.Throttled(wait=seconds, detail=f"請求過於頻繁，請於 {seconds} 秒後再試")

    # --- The common filters -------------------------------------------------------------

    def plan_year(self) -> PlanYear:
        raw = self.request.query_params.get("year")
        years = PlanYear.objects.order_by("-year")
        if raw in (None, ""):
            plan_year = years.first()
        elif raw.isdigit() and len(raw) <= 4:
            plan_year = years.filter(year=int(raw)).first()
        else:
            raise exceptions.ValidationError({"year": "year 須為民國年，如 111"})
        if plan_year is None:
            raise exceptions.NotFound(f"沒有 {raw} 年度的計畫" if raw else "尚未設定計畫年度")
        return plan_year

    def county(self) -> County | None:
        code = self.request.query_params.get("county")
        if code in (None, ""):
            return None
        if not (code.isdigit() and len(code) == 2) or not County.objects.filter(code=code).exists():
            raise exceptions.ValidationError({"county": "county 須為 2 碼縣市代碼，如 15（花蓮縣）"})
        try:
            return access.get_for_user(County, self.request.user, code=code)
        except Http404:
            raise exceptions.NotFound("找不到這個縣市的資料，或您沒有權限查看") from None

    def updated_since(self) -> datetime.datetime | None:
        raw = self.request.query_params.get("updated_since")
        if raw in (None, ""):
            return None
        if len(raw) > 40:
            raise exceptions.ValidationError({"updated_since": "updated_since 須為 ISO 8601 日期或時間"})
        refusal = exceptions.ValidationError(
            {"updated_since": "updated_since 須為 ISO 8601 日期或時間，如 2022-03-01T00:00:00+08:00"}
        )
        try:
            # A "+" in an unencoded query string arrives as a space.
            value = parse_datetime(raw.replace(" ", "+"))
            if value is None:
                day = parse_date(raw)
                if day is None:
                    raise refusal
                value = datetime.datetime.combine(day, datetime.time.min)
        except ValueError:  # well formed but no such date: 2022-13-01
            raise refusal from None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    # --- ETag / If-None-Match -----------------------------------------------------------

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Authorization, Cookie"
        wanted = request.headers.get("If-None-Match", "")
        if etag in (tag.strip().removeprefix("W/") for tag in wanted.split(",")) or wanted.strip() == "*":
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            not_modified["Cache-Control"] = "private, no-cache"
            return not_modified
        return response
