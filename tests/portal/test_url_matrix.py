"""Every URL of the project, for every persona: the status each must get.

Personas: anonymous, county A officer, county B officer, a school in A, an MOE reviewer, an
admin. Objects belong to county A (and one school of A that is not the school user's), so
county B's officer sees 404 for them, never their data.

Each app whose tests have a `url_matrix.py` (tests/<app>/url_matrix.py) adds its own URLs:
`MATRIX` (the same shape as below), `extend_world(world)` (creates that app's objects of
county A in the shared world) and `url_kwargs(world) -> {name: kwargs}`.
"""

import importlib
import importlib.util
import pkgutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from budget.services import plan_for, plan_submit
from portal.models import PendingUpload, Role
from reporting.models import ExportJob
from reporting.services import export_job_request
from reporting.tasks import render_export
from schools.models import RosterRow
from tests.accounts.test_headers import inline_content
from tests.conftest import client_for, fill_narrative, load_roster, make_user, record, roster_bytes

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "officer_a", "officer_b", "school_a", "reviewer", "admin")
LOGIN = "login"  # a redirect to the login page

# name: (method, {persona: status}); 302 means "redirected" (to login for the anonymous).
MATRIX = {
    "login": (
        "GET",
        {"anonymous": 200, "officer_a": 302, "officer_b": 302, "school_a": 302, "reviewer": 302, "admin": 302},
    ),
    "logout": ("POST", dict.fromkeys(PERSONAS, 302)),
    # No login, no data: here the worker has never reported, so it answers 503 to everyone.
    "healthz": ("GET", dict.fromkeys(PERSONAS, 503)),
    "system_status": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 403, "school_a": 403, "reviewer": 403, "admin": 200},
    ),
    "home": ("GET", {"anonymous": LOGIN} | dict.fromkeys(PERSONAS[1:], 200)),
    "roster_list": ("GET", {"anonymous": LOGIN} | dict.fromkeys(PERSONAS[1:], 200)),
    "roster_export": ("GET", {"anonymous": LOGIN} | dict.fromkeys(PERSONAS[1:], 200)),
    "roster_import": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 403, "reviewer": 403, "admin": 200},
    ),
    "roster_import_preview": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 404},
    ),
    "roster_import_confirm": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 404},
    ),
    "roster_import_discard": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 404},
    ),
    "roster_row_edit": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 403, "admin": 200},
    ),
    "roster_row_entitlement": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 403, "admin": 200},
    ),
    "school_detail": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 200, "admin": 200},
    ),
    "my_plan": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 302, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "review_queue": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 403, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    "plan_detail": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    "plan_edit": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 200},
    ),
    "plan_moe_figures": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 404, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    "plan_submit": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 403, "admin": 200},
    ),
    "plan_return": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 404, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "plan_approve": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 404, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "line_approve": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 403, "officer_b": 404, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "plan_narrative": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    "export_list": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 200, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
    # An empty request is not understood: back to the home page with a message.
    "export_request": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 302, "school_a": 403, "reviewer": 302, "admin": 302},
    ),
    "export_detail": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 200, "admin": 200},
    ),
    "export_status": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 200, "admin": 200},
    ),
    "export_download": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 404, "reviewer": 200, "admin": 200},
    ),
    # Only the requester cancels (the job here is done already: back to its page with a message).
    "export_cancel": (
        "POST",
        {"anonymous": LOGIN, "officer_a": 302, "officer_b": 404, "school_a": 404, "reviewer": 404, "admin": 404},
    ),
    "submission_detail": (
        "GET",
        {"anonymous": LOGIN, "officer_a": 200, "officer_b": 404, "school_a": 403, "reviewer": 200, "admin": 200},
    ),
}


def _app_parts() -> list:
    import tests

    parts = []
    for info in sorted(pkgutil.iter_modules(tests.__path__), key=lambda info: info.name):
        name = f"tests.{info.name}.url_matrix"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            parts.append(importlib.import_module(name))
    return parts


APP_PARTS = _app_parts()
for _part in APP_PARTS:
    assert not set(_part.MATRIX) & set(MATRIX), f"{_part.__name__} repeats a URL name"
    MATRIX |= _part.MATRIX


def project_url_names() -> set[str]:
    """Every named URL of the project, leaving out Django's admin (it has its own tests)."""
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, pattern.namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_matrix_covers_every_url():
    assert project_url_names() == set(MATRIX)


@pytest.fixture
def world(plan_year, county_a, county_b, officer_a, officer_b, school_user_a, reviewer, admin_user):
    load_roster(plan_year, [record(code="154602", name="花蓮縣立另一國小"), record(code="154601")])
    load_roster(plan_year, [record(code="144601", county="臺東縣", name="臺東縣立某國小")], county_label="臺東縣")
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    # The school user's own school is 154601; 154602 is another school of county A.
    other_row = RosterRow.objects.get(school__code="154602")
    job = export_job_request(
        user=officer_a, kind=ExportJob.Kind.PLAN_XLSX, plan_year=plan_year, county=county_a, plan=plan
    )
    render_export(job.pk)  # the worker's part (on_commit does not run inside a test's transaction)
    users = {
        "anonymous": None,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "school_a": school_user_a,
        "reviewer": reviewer,
        "admin": admin_user,
    }
    world = {"plan": plan, "other_row": other_row, "users": users, "job": job}
    for part in APP_PARTS:
        part.extend_world(world)
    return world


def url_for(name: str, world, upload_id: int) -> str:
    plan = world["plan"]
    plan_kwargs = {"year": plan.plan_year.year, "county_code": plan.county.code}
    kwargs = {
        "roster_import_preview": {"upload_id": upload_id},
        "roster_import_confirm": {"upload_id": upload_id},
        "roster_import_discard": {"upload_id": upload_id},
        "roster_row_edit": {"pk": world["other_row"].pk},
        "roster_row_entitlement": {"pk": world["other_row"].pk},
        "school_detail": {"code": "154602"},
        "plan_detail": plan_kwargs,
        "plan_edit": plan_kwargs,
        "plan_moe_figures": plan_kwargs,
        "plan_submit": plan_kwargs,
        "plan_return": plan_kwargs,
        "plan_approve": plan_kwargs,
        "line_approve": plan_kwargs | {"number": 1},
        "submission_detail": plan_kwargs | {"number": 1},
        "plan_narrative": plan_kwargs,
        "export_detail": {"pk": world["job"].pk},
        "export_status": {"pk": world["job"].pk},
        "export_download": {"pk": world["job"].pk},
        "export_cancel": {"pk": world["job"].pk},
    }
    for part in APP_PARTS:
        kwargs |= part.url_kwargs(world)
    return reverse(name, kwargs=kwargs.get(name, {}))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_persona_gets_the_expected_status(name, world):
    method, expected = MATRIX[name]
    for persona in PERSONAS:
        client = client_for(world["users"][persona])
        # A fresh upload of county A's officer for each persona: confirm/discard use it up.
        upload_client = client_for(world["users"]["officer_a"])
        upload_client.post(
            reverse("roster_import"),
            {"plan_year": 111, "file": SimpleUploadedFile("a.xlsx", roster_bytes([record(code="154603")]))},
        )
        upload_id = PendingUpload.objects.latest("pk").pk
        url = url_for(name, world, upload_id)
        response = client.get(url) if method == "GET" else client.post(url)
        want = expected[persona]
        if want == LOGIN:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (persona, url)
        else:
            assert response.status_code == want, (persona, name, url, response.status_code)
        if want in (403, 404):
            # Never another county's data in a refusal.
            assert b"154602" not in response.content and "花蓮縣立另一國小".encode() not in response.content
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            # Every page under the Content-Security-Policy, with nothing inline it would block.
            assert "script-src 'self'" in response["Content-Security-Policy"], (persona, name)
            assert not inline_content(response.content.decode()), (
                persona,
                name,
                inline_content(response.content.decode()),
            )


def test_a_school_user_sees_their_own_school_and_row(world, school_user_a):
    client = client_for(school_user_a)
    assert client.get(reverse("school_detail", args=["154601"])).status_code == 200
    own = RosterRow.objects.get(school__code="154601")
    assert client.get(reverse("roster_row_edit", args=[own.pk])).status_code == 200


def test_an_officer_of_another_county_cannot_touch_a_row(world, officer_b):
    client = client_for(officer_b)
    row = world["other_row"]
    response = client.post(reverse("roster_row_edit", args=[row.pk]), {"version": row.version, "classes": 1})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.classes == 20


def test_a_county_user_without_a_county_is_refused_by_the_database(county_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_user("broken", Role.COUNTY)
