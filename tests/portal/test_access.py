"""portal.access: one queryset per persona, and 404 for what is not theirs."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from portal import access
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from schools.importing import ROSTER_IMPORT
from schools.models import County, RosterRow, School
from tests.conftest import record, roster_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(plan_year, school_a):
    for records, label in (
        ([record()], "花蓮縣"),
        ([record(code="144601", county="臺東縣", name="臺東縣立某國小")], "臺東縣"),
    ):
        parsed = pipeline.read_file(
            ROSTER_IMPORT, roster_bytes(records, county_label=label), target=ImportTarget(plan_year=plan_year)
        )
        pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)


def codes(queryset):
    return sorted(queryset.values_list("school__code", flat=True))


def test_each_persona_sees_its_rows(two_counties, officer_a, officer_b, school_user_a, reviewer, admin_user):
    rows = RosterRow.objects.all()
    assert codes(access.for_user(rows, officer_a)) == ["154601"]
    assert codes(access.for_user(rows, officer_b)) == ["144601"]
    assert codes(access.for_user(rows, school_user_a)) == ["154601"]
    assert codes(access.for_user(rows, reviewer)) == ["144601", "154601"]
    assert codes(access.for_user(rows, admin_user)) == ["144601", "154601"]
    assert codes(access.for_user(rows, AnonymousUser())) == []


def test_inactive_users_see_nothing(two_counties, officer_a):
    officer_a.is_active = False
    assert codes(access.for_user(RosterRow.objects.all(), officer_a)) == []


def test_schools_and_counties_are_scoped_too(two_counties, officer_a, school_user_a):
    assert list(access.for_user(School.objects.all(), officer_a).values_list("code", flat=True)) == ["154601"]
    assert list(access.for_user(County.objects.all(), officer_a).values_list("name", flat=True)) == ["花蓮縣"]
    assert list(access.for_user(School.objects.all(), school_user_a).values_list("code", flat=True)) == ["154601"]


def test_another_countys_object_is_not_found(two_counties, officer_a):
    other = RosterRow.objects.get(school__code="144601")
    with pytest.raises(Http404):
        access.get_for_user(RosterRow, officer_a, pk=other.pk)
    own = RosterRow.objects.get(school__code="154601")
    assert access.get_for_user(RosterRow, officer_a, pk=own.pk) == own


def test_a_model_without_scope_fields_is_refused(officer_a):
    from portal.models import User

    with pytest.raises(TypeError, match="does not declare scope_county_field"):
        access.for_user(User.objects.all(), officer_a)


def test_role_without_its_county_is_refused_by_the_database(county_a):
    from django.db import IntegrityError, transaction

    from portal.models import Role, User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=Role.COUNTY)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody2", role=Role.SCHOOL, county=county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody3", role="")


def test_school_staff_reach_only_their_own_pending_uploads(plan_year, county_a, school_user_a, officer_a):
    from django.core.files.base import ContentFile
    from django.http import Http404

    from portal.imports.uploads import upload_for_user
    from portal.models import PendingUpload

    def upload(user):
        return PendingUpload.objects.create(
            kind="usage",
            plan_year=plan_year,
            county=county_a,
            uploaded_by=user,
            file=ContentFile(b"x", name="u.csv"),
            original_name="u.csv",
            size=1,
            sha256="0" * 64,
        )

    own, officers = upload(school_user_a), upload(officer_a)
    assert upload_for_user(user=school_user_a, kind="usage", pk=own.pk) == own
    with pytest.raises(Http404):
        upload_for_user(user=school_user_a, kind="usage", pk=officers.pk)
