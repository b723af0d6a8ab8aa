from django.contrib.auth.backends import ModelBackend

from portal.models import User


class PortalBackend(ModelBackend):
    """Django's model backend, loading the user's county and school with the user: every
    page's header shows them, and every access check reads them."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("county", "school").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
