import pytest

from portal.db import bulk_update_rows
from portal.imports import pipeline
from portal.imports.kinds import ImportTarget
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow
from tests.conftest import record, roster_bytes

pytestmark = pytest.mark.django_db


def test_bulk_update_rows_writes_every_kind_of_value_in_one_query(plan_year, django_assert_num_queries):
    records = [record(code=f"{154000 + i:06d}") for i in range(40)]
    pipeline.import_rows(
        ROSTER_IMPORT,
        pipeline.read_file(ROSTER_IMPORT, roster_bytes(records), target=ImportTarget(plan_year=plan_year)),
        target=ImportTarget(plan_year=plan_year),
        user=None,
    )
    rows = list(RosterRow.objects.order_by("pk"))
    for i, row in enumerate(rows):
        row.name = f"校名 '{i}\" ; --"
        row.students = 500 - i
        row.req_carts = row.req_teacher_devices = row.req_student_devices = None
        row.complies = None if i % 2 else False
        row.reason = "" if i % 3 else "原因"
    untouched = rows[-1]
    with django_assert_num_queries(1):
        assert (
            bulk_update_rows(
                RosterRow,
                rows[:-1],
                ["name", "students", "req_carts", "req_teacher_devices", "req_student_devices", "complies", "reason"],
            )
            == 39
        )
    stored = list(RosterRow.objects.order_by("pk"))
    for i, row in enumerate(stored[:-1]):
        assert (row.name, row.students, row.req_carts, row.complies, row.reason) == (
            f"校名 '{i}\" ; --",
            500 - i,
            None,
            None if i % 2 else False,
            "" if i % 3 else "原因",
        )
    assert stored[-1].students == 516 and stored[-1].name != untouched.name
    assert bulk_update_rows(RosterRow, [], ["name"]) == 0
