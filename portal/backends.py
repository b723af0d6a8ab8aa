from django.contrib.auth.backends import ModelBackend

from portal.models import User


class PortalBackend(ModelBackend):
    """Django's model backend, loading the user's county and school with the user: every
    page's header shows them, and every access check reads them.

    A disabled account, or a temporary one past its end date, cannot log in and its open
    sessions end (get_user). When the password was right, the account is left on the request
    (`refused_account`) so that the login page can say why, which it says to no one else."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        self._request = request
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        if super().user_can_authenticate(user) and not user.is_expired:
            return True
        request = getattr(self, "_request", None)
        if request is not None:
            request.refused_account = user
        return False

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("county", "school").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
