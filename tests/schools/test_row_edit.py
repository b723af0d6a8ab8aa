"""Editing one roster row: live entitlement (htmx), a reason for 否, no lost update, history."""

import re

import pytest
from django.urls import reverse

from budget.services import plan_for, plan_submit
from schools.models import RosterRow
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(plan_year, officer_a):
    load_roster(plan_year, [record()], user=officer_a)
    return RosterRow.objects.select_related("school").get()


def form_data(row, **changes):
    data = {
        "version": row.version,
        "area": row.area,
        "classes": row.classes,
        "max_class_size": row.max_class_size,
        "teachers": row.teachers,
        "students": row.students,
        "req_carts": row.req_carts,
        "req_teacher_devices": row.req_teacher_devices,
        "req_student_devices": row.req_student_devices,
        "reason": row.reason,
    }
    return data | changes


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_entitlement_follows_the_numbers_as_typed(row, officer_a):
    client = client_for(officer_a)
    page = text(client.get(reverse("roster_row_edit", args=[row.pk])))
    assert 'data-testid="entitled-student-devices">112<' in page
    url = reverse("roster_row_entitlement", args=[row.pk])
    partial = text(client.post(url, form_data(row, classes=25, max_class_size=30, students=600)))
    # 25 classes -> 5 device classes: 5 carts, 10 teacher and 150 student devices; now 否.
    assert 'data-testid="entitled-carts">5<' in partial
    assert 'data-testid="entitled-student-devices">150<' in partial
    assert "須說明原因" in partial and "請說明原因" in partial
    remote = text(client.post(url, form_data(row, area="極偏", classes=6, max_class_size=9, students=41, teachers=12)))
    assert "偏遠（師生 1 人 1 機）" in remote and 'data-testid="entitled-student-devices">41<' in remote
    bad = text(client.post(url, form_data(row, max_class_size=600)))
    assert "最大班級人數 600 大於學生數 516" in bad
    row.refresh_from_db()
    assert row.classes == 20 and row.version == 1  # nothing was saved


def test_saving_recomputes_and_records_who_changed_what(row, officer_a):
    client = client_for(officer_a)
    response = client.post(
        reverse("roster_row_edit", args=[row.pk]),
        form_data(row, classes=25, req_carts=5, req_teacher_devices=10, req_student_devices=140, reason="一班人數較少"),
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.classes, row.entitled_carts, row.entitled_student_devices, row.complies) == (25, 5, 140, True)
    assert row.version == 2 and row.reason == ""  # a compliant row keeps no reason
    page = text(client.get(reverse("school_detail", args=[row.school.code])))
    assert "班級數：20 → 25" in page and "officer_a" in page and "逐列修改" in page


def test_a_no_needs_its_reason(row, officer_a):
    response = client_for(officer_a).post(
        reverse("roster_row_edit", args=[row.pk]), form_data(row, req_student_devices=100)
    )
    assert response.status_code == 200
    assert "申請數與補助原則不符（否），請說明原因" in text(response)
    row.refresh_from_db()
    assert row.req_student_devices == 112


def test_the_second_of_two_concurrent_saves_is_refused(row, officer_a, admin_user):
    first, second = client_for(officer_a), client_for(admin_user)
    stale = form_data(row)  # both opened the form at version 1
    assert first.post(reverse("roster_row_edit", args=[row.pk]), stale | {"students": 500}).status_code == 302
    response = second.post(reverse("roster_row_edit", args=[row.pk]), stale | {"students": 480}, follow=True)
    page = text(response)
    assert "儲存失敗：這一列在您開啟後已由officer_a於" in page and "請重新載入頁面後再改" in page
    row.refresh_from_db()
    assert row.students == 500 and row.version == 2


def test_a_school_edits_its_own_row_until_the_county_submits(school_user_a, row, officer_a, plan_year, county_a):
    client = client_for(school_user_a)
    assert client.post(reverse("roster_row_edit", args=[row.pk]), form_data(row, teachers=40)).status_code == 302
    row.refresh_from_db()
    assert row.teachers == 40
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    page = text(client.get(reverse("roster_row_edit", args=[row.pk])))
    assert "計畫已送審，教育部審查中，名單不能修改" in page and "<fieldset disabled>" in page
    response = client.post(reverse("roster_row_edit", args=[row.pk]), form_data(row, teachers=41), follow=True)
    assert "計畫已送審，教育部審查中，名單不能修改" in text(response)
    row.refresh_from_db()
    assert row.teachers == 40
    school_page = text(client.get(reverse("school_detail", args=[row.school.code])))
    assert "已送審" in school_page and reverse("roster_row_edit", args=[row.pk]) not in school_page


def test_imports_leave_an_audit_trail_in_bulk(plan_year, officer_a, django_assert_max_num_queries):
    load_roster(plan_year, [record(), record(code="154602")], user=officer_a)
    load_roster(plan_year, [record(students=500)], user=officer_a)
    history = RosterRow.history.order_by("history_date", "history_id")
    assert list(history.values_list("school__code", "history_type", "history_user__username")) == [
        ("154601", "+", "officer_a"),
        ("154602", "+", "officer_a"),
        ("154602", "-", "officer_a"),
        ("154601", "~", "officer_a"),
    ]
    assert history.last().history_change_reason == "名單匯入"


def test_the_panel_recomputes_on_load_only_while_the_row_may_be_edited(row, officer_a, plan_year, county_a):
    """Numbers typed before htmx arrived reach the panel by a recompute when it loads; once
    the plan is submitted the boxes are disabled and would post nothing, so the page keeps the
    entitlement it was rendered with."""
    client = client_for(officer_a)
    editable = client.get(reverse("roster_row_edit", args=[row.pk])).content.decode()
    assert 'hx-trigger="load, input changed delay:250ms, change"' in editable
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    refused = client.get(reverse("roster_row_edit", args=[row.pk])).content.decode()
    assert "<fieldset disabled>" in refused
    assert 'hx-trigger="input changed delay:250ms, change"' in refused
