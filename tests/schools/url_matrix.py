"""The roster's check against the MOE's statistics in the project-wide matrix
(tests/portal/test_url_matrix.py). The answer's refusals (nothing to answer) redirect back
with a message; tests/schools/test_official.py checks what each persona sees and may do."""

LOGIN = "login"

MATRIX = {
    "official_findings": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    "official_finding_answer": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 302, "school_a": 403, "reviewer": 403, "admin": 302},
    ),
}


def extend_world(world) -> None:
    pass


def url_kwargs(world) -> dict:
    return {}
