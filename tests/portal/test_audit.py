import pytest

from portal.audit import recent
from schools.models import RosterRow
from schools.services import roster_row_update
from tests.conftest import load_roster, record

pytestmark = pytest.mark.django_db


def test_recent_changes_show_old_and_new_even_when_cut(plan_year, officer_a):
    load_roster(plan_year, [record()], user=officer_a)
    for students in (510, 505, 500):
        row = RosterRow.objects.select_related("school", "plan_year").get()
        values = {
            name: getattr(row, name)
            for name in (
                "area",
                "classes",
                "max_class_size",
                "teachers",
                "req_carts",
                "req_teacher_devices",
                "req_student_devices",
                "reason",
            )
        }
        roster_row_update(row=row, user=officer_a, values=values | {"students": students}, expected_version=row.version)
    entries = recent(RosterRow.history.all(), limit=2)
    assert [[(f["field"], f["old"], f["new"]) for f in e["fields"]] for e in entries] == [
        [("學生數", 505, 500)],
        [("學生數", 510, 505)],
    ]
    everything = recent(RosterRow.history.all(), limit=10)
    assert [e["kind"] for e in everything] == ["修改", "修改", "修改", "新增"]
    assert everything[0]["user"] == officer_a
