"""Shared fixtures: the plan year, personas of every role, and roster files built with the
same writer the export uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from portal.models import Role, User
from schools.exporting import write_roster_workbook
from schools.importing import ROSTER_IMPORT
from schools.models import County, PlanYear, School
from schools.realdata import roster_records

ROOT = Path(__file__).resolve().parent.parent
COUNTY_A = "花蓮縣"
COUNTY_B = "臺東縣"
# Meets the password rules (12+ characters, 3 of 4 classes, not the username).
PASSWORD = "persona-password-2022"
# The personas' authenticator key (hex, as django-otp stores it): tests compute codes from it.
TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests,
    the process's cache is not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def plan_year(db) -> PlanYear:
    return PlanYear.objects.get(year=111)


@pytest.fixture
def county_a(db) -> County:
    return County.objects.get(name=COUNTY_A)


@pytest.fixture
def county_b(db) -> County:
    return County.objects.get(name=COUNTY_B)


def make_user(username: str, role: str, *, county=None, school=None, mfa: bool | None = None) -> User:
    """A persona with a password that meets the rules; MOE reviewers and admins (the roles that
    must pass a second factor) get a confirmed authenticator unless `mfa=False`."""
    user = User(
        username=username,
        role=role,
        county=county,
        school=school,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(PASSWORD)
    user.save()
    if mfa or (mfa is None and user.mfa_required):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=user, name="persona", key=TOTP_KEY, confirmed=True)
    return user


def totp_code(user: User, *, step_offset: int = 0) -> str:
    """The code the user's authenticator shows now, or the next one when this one was used
    (django-otp accepts each time step once; its tolerance admits the next step)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).latest("pk")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    t = totp.t() + step_offset
    if t <= device.last_t:
        t = device.last_t + 1
    totp.time = device.t0 + t * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def school_a(county_a) -> School:
    return School.objects.create(code="154601", name="花蓮縣立示範國小", county=county_a, ownership="縣立")


@pytest.fixture
def officer_a(county_a) -> User:
    return make_user("officer_a", Role.COUNTY, county=county_a)


@pytest.fixture
def officer_b(county_b) -> User:
    return make_user("officer_b", Role.COUNTY, county=county_b)


@pytest.fixture
def school_user_a(county_a, school_a) -> User:
    return make_user("school_a", Role.SCHOOL, county=county_a, school=school_a)


@pytest.fixture
def reviewer(db) -> User:
    return make_user("reviewer", Role.MOE)


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", Role.ADMIN)


def client_for(user: User | None) -> Client:
    """A client logged in as `user`, past the second factor when the user has one (as after
    entering the code)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.pop("mfa_pending", None)
            session.save()
    return client


def load_roster(plan_year, records: list[dict], county_label: str = COUNTY_A, user=None) -> None:
    """Import records the way the pages do (parse, then the all-or-nothing import)."""

    parsed = pipeline.read_file(
        ROSTER_IMPORT, roster_bytes(records, county_label=county_label), target=ImportTarget(plan_year=plan_year)
    )
    assert parsed.ok, parsed.errors[:3]
    pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=user)


# The two-county world most tests need: two schools in county A, one in county B.
SCHOOL_A1 = "154601"  # school_a, the school user's school
SCHOOL_A2 = "154602"  # another school of county A
SCHOOL_B1 = "144601"  # a school of county B


def load_two_counties(plan_year, *, a1: dict | None = None, a2: dict | None = None, b1: dict | None = None) -> dict:
    """Imports county A's roster (SCHOOL_A1, SCHOOL_A2) and county B's (SCHOOL_B1) as the pages
    do; each school's record can be changed. Returns the schools by code."""
    load_roster(
        plan_year,
        [
            record(**{"code": SCHOOL_A1, **(a1 or {})}),
            record(**{"code": SCHOOL_A2, "name": "花蓮縣立另一國小", **(a2 or {})}),
        ],
    )
    load_roster(
        plan_year,
        [record(**{"code": SCHOOL_B1, "county": COUNTY_B, "name": "臺東縣立某國小", **(b1 or {})})],
        county_label=COUNTY_B,
    )
    return {school.code: school for school in School.objects.filter(code__in=(SCHOOL_A1, SCHOOL_A2, SCHOOL_B1))}


@pytest.fixture
def two_counties(plan_year, county_a, county_b, school_a) -> dict:
    """Two schools in county A (one of them school_a) and one in county B, each with the
    範例 row's figures; the schools by code."""
    return load_two_counties(plan_year)


def fill_narrative(plan) -> None:
    """附件1's placeholders filled in, as a county would before submitting."""
    from budget.models import PlanNarrative
    from budget.selectors import plan_narrative

    narrative = plan_narrative(plan)
    for name in PlanNarrative.REQUIRED:
        field = PlanNarrative._meta.get_field(name)
        setattr(
            narrative,
            name,
            30 if field.get_internal_type().startswith("Positive") else f"{field.verbose_name}：規劃內容",
        )
    narrative.save()


def roster_bytes(records: list[dict], *, county_label: str = COUNTY_A, plan_year: int = 111) -> bytes:
    return write_roster_workbook(records, plan_year=plan_year, county_label=county_label)


def record(**overrides) -> dict:
    """One valid 附錄 record (the MOE's 範例 row, as a real school), with changes."""
    values = {
        "level": "國小",
        "code": "154601",
        "county": COUNTY_A,
        "ownership": "縣立",
        "affiliation": "",
        "area": "一般",
        "name": "花蓮縣立示範國小",
        "classes": 20,
        "max_class_size": 28,
        "teachers": 37,
        "students": 516,
        "req_carts": 4,
        "req_teacher_devices": 8,
        "req_student_devices": 112,
        "compliance": "是",
    }
    values.update(overrides)
    return values


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> dict:
    """The environment of a manage.py process on a migrated SQLite database of its own."""
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'cli.sqlite3'}", "PORTAL_VAR_DIR": str(folder)}
    env.pop("SECRET_KEY", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture(scope="session")
def county_a_records() -> list[dict]:
    return roster_records(COUNTY_A)


@pytest.fixture(scope="session")
def county_b_records() -> list[dict]:
    return roster_records(COUNTY_B)
