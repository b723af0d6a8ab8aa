"""API tokens in the security event log (portal.security): made, revoked, refused."""

from django.dispatch import receiver

from api.signals import token_created, token_refused, token_revoked
from portal.models import SecurityEvent
from portal.security import security_event

Kind, Outcome = SecurityEvent.Kind, SecurityEvent.Outcome


@receiver(token_created)
def _created(sender, token, user, by, **kwargs):
    security_event(Kind.API_TOKEN_CREATED, user=by, target=f"{user.get_username()}：{token.name}（{token.prefix}…）")


@receiver(token_revoked)
def _revoked(sender, token, user, by, **kwargs):
    security_event(Kind.API_TOKEN_REVOKED, user=by, target=f"{user.get_username()}：{token.name}（{token.prefix}…）")


@receiver(token_refused)
def _refused(sender, token, reason, request, **kwargs):
    owner = token.user if token is not None else None
    security_event(
        Kind.API_TOKEN_REFUSED,
        # Django's request under DRF's: DRF's .user would authenticate the token all over again.
        request=getattr(request, "_request", request),
        user=owner,
        outcome=Outcome.DENIED,
        target=f"{token.prefix}…" if token is not None else "",
        detail=reason,
    )
