from portal.redis_cache import cache_unavailable


def system_status(request) -> dict:
    """What admins must know on every page: Redis (cache and job queue) being away."""
    user = getattr(request, "user", None)
    is_admin = bool(user is not None and user.is_authenticated and getattr(user, "is_admin", False))
    return {"redis_down": is_admin and cache_unavailable()}


# The section of the main menu each page belongs to, for the breadcrumbs 「現在位置：首頁 > …」.
# Keyed by URL name prefix or name; the first match wins. Pages add their own last crumb.
_SECTIONS = (
    (("roster_", "school_"), "學校名單", "roster_list"),
    (("review_queue", "plan_review", "plan_diff"), "計畫審查", "review_queue"),
    (("plan_year",), "計畫年度", "plan_years"),
    (("scenario_",), "規則試算", "scenario_list"),
    (
        (
            "device_",
            "batch_",
            "reconciliation",
            "loan_",
            "repair_",
            "inspection_",
            "expiry_",
            "wireless",
            "software_",
            "lending_",
        ),
        "載具與設備",
        "device_list",
    ),
    (("training_",), "教師培訓", None),
    (
        ("usage_", "monthly_report", "completeness", "outcomes", "dashboard", "equity"),
        "填報與績效",
        None,
    ),
    (("export_",), "我的文件", "export_list"),
    (("account_",), "帳號管理", "account_list"),
    (("security_log",), "資安紀錄", "security_log"),
    (("my_account", "api_token", "mfa_", "password_"), "我的帳號", "my_account"),
)


def breadcrumbs(request) -> dict:
    """The menu section of this page (label and URL) for the breadcrumbs in base.html."""
    from django.urls import NoReverseMatch, reverse

    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    name = (match.url_name or "") if match else ""
    if not name or name == "home":
        return {"crumb_section": None}
    if name.startswith(("my_plan", "plan_", "submission_", "line_", "final_report")) and not name.startswith(
        "plan_year"
    ):
        if user is not None and getattr(user, "role", None) in ("moe", "admin"):
            return {"crumb_section": ("計畫審查", _url(reverse, NoReverseMatch, "review_queue"))}
        return {"crumb_section": ("縣市計畫", _url(reverse, NoReverseMatch, "my_plan"))}
    for prefixes, label, url_name in _SECTIONS:
        if name.startswith(prefixes):
            if url_name is None:
                school = user is not None and getattr(user, "role", None) == "school"
                if label == "教師培訓":
                    url_name = "training_progress" if school else "training_office"
                else:
                    url_name = "usage_overview" if school else "dashboard"
            return {"crumb_section": (label, _url(reverse, NoReverseMatch, url_name))}
    return {"crumb_section": None}


def _url(reverse, error, name):
    try:
        return reverse(name)
    except error:
        return None
