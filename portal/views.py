"""Pages of the portal itself: the answer when something fails."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader

from portal.db import database_problem

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that cannot be reached is a 503 with a page that needs no
    database (no user, no session); anything else the plain 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and database_problem(exc):
        logger.error("database unavailable: %s", exc)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
