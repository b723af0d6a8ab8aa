"""Requests per token (per user for a browser session): settings.API_RATE_LIMIT, e.g. 60/min.
Over it the answer is 429 with Retry-After. The counts live in the shared cache (Redis); when
the cache cannot be reached the request is let through, logged: a rate limit that fails must
not take the API down with it."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

logger = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api-throttle:%(ident)s"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view) -> bool:
        # Read on each request: the limit is a setting an operator (or a test) may change.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.exception("API rate limit: the cache cannot be reached; request let through")
            return True

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"ident": ident}
