"""The import: all or nothing, the county's whole roster, constant queries."""

import pytest
from django.db import connection

from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget
from schools.importing import ROSTER_IMPORT
from schools.models import RosterRow, School
from tests.conftest import load_roster, record, roster_bytes

pytestmark = pytest.mark.django_db


def parse(plan_year, records, **kwargs):
    return pipeline.read_file(ROSTER_IMPORT, roster_bytes(records, **kwargs), target=ImportTarget(plan_year=plan_year))


def test_imports_a_real_county_roster(plan_year, county_a_records):
    parsed = parse(plan_year, county_a_records)
    assert parsed.ok, parsed.errors[:3]
    summary = pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    assert summary["new"] == len(county_a_records) == RosterRow.objects.count()
    row = RosterRow.objects.select_related("school").get(
        school__code=county_a_records[0]["code"], level=county_a_records[0]["level"]
    )
    assert row.entitled_student_devices == county_a_records[0]["req_student_devices"]
    assert row.complies is True
    assert School.objects.filter(county__name="花蓮縣").count() == len({r["code"] for r in county_a_records})


def test_the_stored_entitlement_matches_the_engine(plan_year):
    pipeline.import_rows(
        ROSTER_IMPORT, parse(plan_year, [record()]), target=ImportTarget(plan_year=plan_year), user=None
    )
    row = RosterRow.objects.get()
    entitlement = row.apply_rules(plan_year.rule_set)
    assert (row.entitled_carts, row.entitled_teacher_devices, row.entitled_student_devices) == (4, 8, 112)
    assert entitlement.device_classes == 4


def test_a_bad_row_saves_nothing(plan_year):
    records = [record(), record(code="154602", students=-1)]
    parsed = parse(plan_year, records)
    assert not parsed.ok
    with pytest.raises(ImportRefused):
        pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    assert RosterRow.objects.count() == 0 and School.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(plan_year, monkeypatch):
    pipeline.import_rows(
        ROSTER_IMPORT, parse(plan_year, [record()]), target=ImportTarget(plan_year=plan_year), user=None
    )
    before = list(RosterRow.objects.values_list("students", flat=True))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RosterRow.objects, "bulk_create", explode)
    with pytest.raises(Exception, match="disk full"):
        pipeline.import_rows(
            ROSTER_IMPORT,
            parse(plan_year, [record(students=500), record(code="154602")]),
            target=ImportTarget(plan_year=plan_year),
            user=None,
        )
    assert list(RosterRow.objects.values_list("students", flat=True)) == before
    assert not School.objects.filter(code="154602").exists()


def test_reimport_updates_changed_rows_removes_missing_ones_and_skips_the_rest(plan_year):
    first = [record(), record(code="154602"), record(code="154603")]
    pipeline.import_rows(ROSTER_IMPORT, parse(plan_year, first), target=ImportTarget(plan_year=plan_year), user=None)
    unchanged = RosterRow.objects.get(school__code="154601")
    changed_before = RosterRow.objects.get(school__code="154602")

    second = [record(), record(code="154602", students=500), record(code="154604")]
    preview = pipeline.preview(
        ROSTER_IMPORT, parse(plan_year, second), target=ImportTarget(plan_year=plan_year), user=None
    )
    assert preview.summary | {"counties": None} == {
        "rows": 3,
        "new": 1,
        "updated": 1,
        "unchanged": 1,
        "removed": 1,
        "counties": None,
    }
    assert [r.school.code for r in preview.found["removed"]] == ["154603"]
    assert RosterRow.objects.count() == 3  # a preview writes nothing

    pipeline.import_rows(ROSTER_IMPORT, parse(plan_year, second), target=ImportTarget(plan_year=plan_year), user=None)
    assert sorted(RosterRow.objects.values_list("school__code", flat=True)) == ["154601", "154602", "154604"]
    changed = RosterRow.objects.get(school__code="154602")
    assert changed.students == 500 and changed.version == changed_before.version + 1
    assert RosterRow.objects.get(school__code="154601").updated_at == unchanged.updated_at


def test_another_countys_rows_are_left_alone(plan_year, county_a_records, county_b_records):
    pipeline.import_rows(
        ROSTER_IMPORT,
        parse(plan_year, county_b_records, county_label="臺東縣"),
        target=ImportTarget(plan_year=plan_year),
        user=None,
    )
    pipeline.import_rows(
        ROSTER_IMPORT, parse(plan_year, county_a_records), target=ImportTarget(plan_year=plan_year), user=None
    )
    pipeline.import_rows(
        ROSTER_IMPORT, parse(plan_year, county_a_records[:5]), target=ImportTarget(plan_year=plan_year), user=None
    )
    assert RosterRow.objects.filter(school__county__name="臺東縣").count() == len(county_b_records)
    assert RosterRow.objects.filter(school__county__name="花蓮縣").count() == 5


def test_county_staff_import_only_their_county(plan_year, officer_a):
    parsed = parse(plan_year, [record(), record(code="144601", county="臺東縣", name="臺東縣立某國小")])
    preview = pipeline.preview(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=officer_a)
    assert [(p.row, p.message) for p in preview.errors] == [(6, "本帳號只能匯入花蓮縣的學校，本列為臺東縣")]
    with pytest.raises(ImportRefused):
        pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=officer_a)
    assert RosterRow.objects.count() == 0


def test_a_known_school_cannot_move_county(plan_year, school_a, admin_user):
    parsed = parse(plan_year, [record(county="臺東縣")], county_label="臺東縣")
    preview = pipeline.preview(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=admin_user)
    assert preview.errors[0].message == "學校代碼 154601 在本系統屬於花蓮縣，與本列的縣市別臺東縣不同"


def _import_queries(plan_year, records, django_assert_max_num_queries) -> int:
    parsed = parse(plan_year, records)
    assert parsed.ok
    with django_assert_max_num_queries(50) as captured:
        pipeline.import_rows(ROSTER_IMPORT, parsed, target=ImportTarget(plan_year=plan_year), user=None)
    return len(captured.captured_queries)


def test_import_queries_do_not_grow_with_rows(plan_year, django_assert_max_num_queries):
    def roster(n, students):
        return [record(code=f"{154000 + i:06d}", students=students) for i in range(n)]

    new_10 = _import_queries(plan_year, roster(10, 516), django_assert_max_num_queries)
    RosterRow.objects.all().delete()
    School.objects.all().delete()
    new_500 = _import_queries(plan_year, roster(500, 516), django_assert_max_num_queries)
    assert new_500 == new_10, connection.vendor

    # Now all 500 exist: updating them all costs what updating 10 costs.
    updated_500 = _import_queries(plan_year, roster(500, 515), django_assert_max_num_queries)
    RosterRow.objects.all().delete()
    School.objects.all().delete()
    _import_queries(plan_year, roster(10, 516), django_assert_max_num_queries)
    updated_10 = _import_queries(plan_year, roster(10, 515), django_assert_max_num_queries)
    assert updated_500 == updated_10


def test_removing_rows_costs_the_same_queries_for_few_and_many(plan_year, django_assert_max_num_queries):
    def roster(n):
        return [record(code=f"{154000 + i:06d}") for i in range(n)]

    def shrink(n):
        RosterRow.objects.all().delete()
        School.objects.all().delete()
        load_roster(plan_year, roster(n))
        return _import_queries(plan_year, roster(n // 2), django_assert_max_num_queries)

    assert shrink(10) == shrink(500)
    assert RosterRow.objects.count() == 250
    assert RosterRow.history.filter(history_type="-", history_change_reason="名單匯入").count() == 5 + 250
