"""The API's URLs in the project-wide matrix (tests/portal/test_url_matrix.py). The matrix
signs in with a session, which the API also takes (read-only) for its docs' "Try it out";
tests/api/test_scope.py asks the same of every persona's token."""

from api.tokens import token_create

LOGIN = "login"
EVERYONE = {"anonymous": 200, "officer_a": 200, "officer_b": 200, "school_a": 200, "reviewer": 200, "admin": 200}
SIGNED_IN = {"anonymous": 401, "officer_a": 200, "officer_b": 200, "school_a": 200, "reviewer": 200, "admin": 200}
NOT_SCHOOLS = SIGNED_IN | {"school_a": 403}

MATRIX = {
    "api_schema": ("GET", EVERYONE),
    "api_docs": ("GET", EVERYONE),
    "api_counties": ("GET", SIGNED_IN),
    "api_schools": ("GET", SIGNED_IN),
    "api_roster_rows": ("GET", SIGNED_IN),
    "api_plans": ("GET", NOT_SCHOOLS),
    "api_devices": ("GET", SIGNED_IN),
    "api_usage": ("GET", SIGNED_IN),
    "api_monthly_reports": ("GET", NOT_SCHOOLS),
    "api_training_progress": ("GET", SIGNED_IN),
    "api_indicators": ("GET", NOT_SCHOOLS),
    "api_tokens": ("GET", SIGNED_IN | {"anonymous": LOGIN}),
    # county A's officer's token: only its owner revokes it; for everyone else it does not exist.
    "api_token_revoke": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 404, "reviewer": 404, "admin": 404},
    ),
}


def extend_world(world) -> None:
    pass


def url_kwargs(world) -> dict:
    token, _raw = token_create(user=world["users"]["officer_a"], name="矩陣")
    return {"api_token_revoke": {"pk": token.pk}}
