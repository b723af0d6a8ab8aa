from portal.redis_cache import cache_unavailable


def system_status(request) -> dict:
    """What admins must know on every page: Redis (cache and job queue) being away."""
    user = getattr(request, "user", None)
    is_admin = bool(user is not None and user.is_authenticated and getattr(user, "is_admin", False))
    return {"redis_down": is_admin and cache_unavailable()}
