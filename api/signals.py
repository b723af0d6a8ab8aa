"""What happens to API tokens, for whoever keeps the security event log (issue 12) to connect.

    token_created(sender=ApiToken, token, user, by)        a token was made (page or command)
    token_revoked(sender=ApiToken, token, user, by)        a token was revoked
    token_refused(sender=ApiToken, token, reason, request) a request's token was refused:
                                                           token None when it matched none

Sent after the fact; a receiver's failure is logged by Django, never shown to the client."""

from django.dispatch import Signal

token_created = Signal()
token_revoked = Signal()
token_refused = Signal()
