"""How a page runs a service's write: the service refuses with a reason (a `Refused`), the page
shows that reason, or its own success message. Every app's views use this one helper."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest


class Refused(Exception):
    """A service will not do this now; the message says why, in Chinese, for the page."""


def action_done(
    request: HttpRequest,
    action: Callable[[], object],
    success: str | Callable[[object], str],
    *,
    refusals: tuple[type[Exception], ...] = (Refused,),
) -> bool:
    """Run `action`: its refusal or `success` (a text, or made from what the action returned)
    becomes the page's message. Whether it was done."""
    try:
        result = action()
    except refusals as refused:
        messages.error(request, str(refused))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
