"""The office/training app's URLs in the project's URL matrix (tests/portal/test_url_matrix.py).

County A's objects sit at 154602, a school of A that is not the school user's."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.imports.uploads import upload_create
from portal.models import PendingUpload
from schools.models import School
from tests.training.factories import attend, make_record, make_session
from training.records import RECORD_TYPES

LOGIN = "login"
PERSONAS = ("anonymous", "officer_a", "officer_b", "school_a", "reviewer", "admin")


def _statuses(a, b, school, reviewer, admin):
    return {
        "anonymous": LOGIN,
        "officer_a": a,
        "officer_b": b,
        "school_a": school,
        "reviewer": reviewer,
        "admin": admin,
    }


READ_LIST = _statuses(200, 200, 403, 200, 200)
READ_OBJECT = _statuses(200, 404, 403, 200, 200)
EVERYONE = _statuses(200, 200, 200, 200, 200)
MANAGE_PAGE = _statuses(200, 200, 403, 403, 200)
EDIT_OBJECT = _statuses(200, 404, 403, 403, 200)
CHANGE_OBJECT = _statuses(302, 404, 403, 403, 302)
OWN_UPLOAD_GET = _statuses(200, 404, 403, 403, 404)
OWN_UPLOAD_POST = _statuses(302, 404, 403, 403, 404)

MATRIX = {
    "training_office": ("GET", READ_LIST),
    "training_plan_figures": ("POST", _statuses(302, 302, 403, 403, 302)),
    "training_meeting_minutes": ("GET", READ_OBJECT),
    "training_session_detail": ("GET", READ_OBJECT),
    "training_attendance": ("GET", EVERYONE),
    "training_attendance_delete": ("POST", CHANGE_OBJECT),
    "training_attendance_import": ("GET", MANAGE_PAGE),
    "training_attendance_template": ("GET", MANAGE_PAGE),
    "training_attendance_preview": ("GET", OWN_UPLOAD_GET),
    "training_attendance_confirm": ("POST", OWN_UPLOAD_POST),
    "training_attendance_discard": ("POST", OWN_UPLOAD_POST),
    "training_progress": ("GET", EVERYONE),
}
for _slug in RECORD_TYPES:
    MATRIX |= {
        f"training_{_slug}": ("GET", READ_LIST),
        f"training_{_slug}_create": ("GET", MANAGE_PAGE),
        f"training_{_slug}_edit": ("GET", EDIT_OBJECT),
        f"training_{_slug}_delete": ("POST", CHANGE_OBJECT),
    }


def extend_world(world) -> None:
    plan = world["plan"]
    school = School.objects.get(code="154602")
    session = make_session(plan.plan_year, plan.county, code="W-001")
    world["training"] = {"school": school, "session": session}
    for slug in RECORD_TYPES:
        world["training"][f"record:{slug}"] = make_record(
            slug, plan_year=plan.plan_year, county=plan.county, school=school
        )
    world["training"]["meeting"] = make_record("meetings", plan_year=plan.plan_year, county=plan.county, school=school)


def _fresh(world, key, make):
    """The object under `key`, made again when a request of the matrix used it up."""
    obj = world["training"].get(key)
    if obj is None or not type(obj).objects.filter(pk=obj.pk).exists():
        obj = world["training"][key] = make()
    return obj


def _upload(world):
    plan, officer = world["plan"], world["users"]["officer_a"]
    upload = world["training"].get("upload")
    if upload is None or PendingUpload.objects.get(pk=upload.pk).status != PendingUpload.Status.PENDING:
        content = "研習代碼,學校代碼,教師識別碼\nW-001,154602,T900\n".encode()
        upload = world["training"]["upload"] = upload_create(
            user=officer,
            kind="attendance",
            uploaded_file=SimpleUploadedFile("a.csv", content),
            plan_year=plan.plan_year,
            county=plan.county,
        )
    return upload


def url_kwargs(world) -> dict:
    training = world["training"]
    plan = world["plan"]
    session = training["session"]
    attendance = _fresh(world, "attendance", lambda: attend(session, training["school"], "T001")[0])
    upload = _upload(world)
    kwargs = {
        "training_meeting_minutes": {"pk": training["meeting"].pk},
        "training_session_detail": {"pk": session.pk},
        "training_attendance_delete": {"pk": attendance.pk},
        "training_attendance_preview": {"upload_id": upload.pk},
        "training_attendance_confirm": {"upload_id": upload.pk},
        "training_attendance_discard": {"upload_id": upload.pk},
    }
    for slug in RECORD_TYPES:
        record = _fresh(
            world,
            f"record:{slug}",
            lambda slug=slug: make_record(
                slug, plan_year=plan.plan_year, county=plan.county, school=training["school"]
            ),
        )
        kwargs[f"training_{slug}_edit"] = {"pk": record.pk}
        kwargs[f"training_{slug}_delete"] = {"pk": record.pk}
    return kwargs
