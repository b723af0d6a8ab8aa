"""Issue 11: a submission must not be undone by a save that read the plan before it.

Every writer of a CountyPlan or its BudgetLines reads the plan under its row lock, refuses a
stale version or a state it may not act in, writes only its own fields and moves the version
on; every state change moves the version on."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from budget import services
from budget.models import CountyPlan, PlanStatus
from budget.services import (
    PlanActionRefused,
    narrative_update,
    plan_for,
    plan_set_county_figures,
    plan_submit,
    plan_update,
    review_comment_reply,
)
from budget.services_review import budget_line_approve, plan_approve, plan_return, plan_update_moe_figures
from tests.conftest import fill_narrative, load_roster, record

COUNTY_VALUES = {
    "existing_devices_without_mdm": 5,
    "training_sessions": 2,
    "substitute_periods_elementary": 0,
    "substitute_periods_junior": 0,
    "requested_counselors": None,
    "requested_it_staff": None,
    "requested_admin_staff": None,
    "part_time_counselors": 0,
    "part_time_it_staff": 0,
    "part_time_share_percent": None,
}
MOE_VALUES = {
    "prev_teacher_devices": 1,
    "prev_student_devices": 2,
    "prev_carts": 0,
    "moe_estimate_teacher_devices": None,
    "moe_estimate_student_devices": None,
    "moe_estimate_carts": None,
    "ap_count": 3,
    "ap_amount_ntd": 30_000,
    "software_amount_ntd": 0,
}


def ready_plan(plan_year, county, officer):
    load_roster(plan_year, [record(), record(code="154602", name="花蓮縣立另一國小")], user=officer)
    plan = plan_for(county=county, plan_year=plan_year)
    fill_narrative(plan)
    return plan


def explained(plan) -> dict:
    """Line values that keep the plan submittable (line 4 differs from its estimate of 0)."""
    return {
        4: {"requested": None, "recurrent_ntd": None, "capital_ntd": None, "explanation": "", "procurement_note": ""}
    }


# --- Sequential: a form opened before the submit -----------------------------------------------------


@pytest.mark.django_db
def test_a_county_save_from_a_page_opened_before_the_submit_is_refused(plan_year, county_a, officer_a):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened = CountyPlan.objects.get(pk=plan.pk)  # the budget form, loaded before the submit
    submission = plan_submit(plan=plan, user=officer_a)
    with pytest.raises(PlanActionRefused, match="送審"):
        plan_update(
            plan=opened, user=officer_a, plan_values=COUNTY_VALUES, line_values={}, expected_version=opened.version
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and submission.number == 1
    assert plan.existing_devices_without_mdm == 0


@pytest.mark.django_db
def test_the_moe_saving_its_figures_on_a_page_opened_before_the_submit_keeps_the_submission(
    plan_year, county_a, officer_a, reviewer
):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened = CountyPlan.objects.get(pk=plan.pk)
    plan_submit(plan=plan, user=officer_a)
    plan_update_moe_figures(plan=opened, user=reviewer, values=MOE_VALUES)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert (plan.prev_student_devices, plan.ap_count) == (2, 3)


@pytest.mark.django_db
def test_the_moe_form_opened_before_another_moe_save_is_refused_as_stale(plan_year, county_a, officer_a, reviewer):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened_version = plan.version
    plan_update_moe_figures(plan=plan, user=reviewer, values=MOE_VALUES, expected_version=opened_version)
    with pytest.raises(PlanActionRefused, match="已被他人修改"):
        plan_update_moe_figures(
            plan=plan, user=reviewer, values=MOE_VALUES | {"ap_count": 9}, expected_version=opened_version
        )
    plan.refresh_from_db()
    assert plan.ap_count == 3


@pytest.mark.django_db
def test_every_state_change_moves_the_version_on(plan_year, county_a, officer_a, reviewer):
    plan = ready_plan(plan_year, county_a, officer_a)

    def version():
        return CountyPlan.objects.get(pk=plan.pk).version

    seen = [version()]
    plan_submit(plan=plan, user=officer_a)
    seen.append(version())
    plan_return(plan=plan, user=reviewer, reason="請補充", line_notes={1: "請說明"})
    seen.append(version())
    plan_set_county_figures(plan=plan, user=officer_a, values={"training_sessions": 1}, source="推動辦公室")
    seen.append(version())
    for comment in plan.review_comments.all():  # issue 14: each line comment answered before resubmitting
        review_comment_reply(comment=comment, user=officer_a, kind="fixed", text="")
    plan_submit(plan=plan, user=officer_a)
    seen.append(version())
    plan_update_moe_figures(plan=plan, user=reviewer, values=MOE_VALUES)
    seen.append(version())
    for line in plan.lines.all():
        total = plan.submissions.get(number=2).budget[line.number - 1]["total_ntd"]
        budget_line_approve(line=line, user=reviewer, approved_ntd=total, note="")
        seen.append(version())
    plan_approve(plan=plan, user=reviewer)
    seen.append(version())
    assert seen == sorted(set(seen)), seen  # strictly increasing: each change moved it on


@pytest.mark.django_db
def test_a_narrative_save_after_the_submit_is_refused(plan_year, county_a, officer_a):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened = CountyPlan.objects.select_related("narrative").get(pk=plan.pk)
    narrative = opened.narrative
    plan_submit(plan=plan, user=officer_a)
    with pytest.raises(PlanActionRefused, match="送審"):
        narrative_update(
            narrative=narrative, user=officer_a, values={"other_work": "改了"}, expected_version=narrative.version
        )


# --- At the same moment, against PostgreSQL -------------------------------------------------------


def race(first, second, monkeypatch) -> dict:
    """`first` (a submit) holds the plan's lock for a while; `second` starts while it does."""
    holding = threading.Event()
    real_snapshot = services.plan_snapshot

    def slow_snapshot(plan):
        snapshot = real_snapshot(plan)
        holding.set()
        time.sleep(0.4)
        return snapshot

    monkeypatch.setattr(services, "plan_snapshot", slow_snapshot)
    results: dict = {}

    def run(name, work, wait):
        try:
            if wait:
                holding.wait(10)
            results[name] = work()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", first, False)),
        threading.Thread(target=run, args=("second", second, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_save_budget_table_and_submit_at_the_same_moment(plan_year, county_a, officer_a, monkeypatch):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened = CountyPlan.objects.get(pk=plan.pk)
    results = race(
        lambda: plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a),
        lambda: plan_update(
            plan=opened, user=officer_a, plan_values=COUNTY_VALUES, line_values={}, expected_version=opened.version
        ),
        monkeypatch,
    )
    assert results["first"].number == 1, results
    assert isinstance(results["second"], PlanActionRefused), results
    final = CountyPlan.objects.get(pk=plan.pk)
    # The county was told 「已送出第 1 次送審」: the MOE's queue must see it.
    assert final.status == PlanStatus.SUBMITTED
    assert final.submissions.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_the_moe_saving_its_figures_during_a_submit(plan_year, county_a, officer_a, reviewer, monkeypatch):
    plan = ready_plan(plan_year, county_a, officer_a)
    opened = CountyPlan.objects.get(pk=plan.pk)
    results = race(
        lambda: plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a),
        lambda: plan_update_moe_figures(plan=opened, user=reviewer, values=MOE_VALUES),
        monkeypatch,
    )
    assert results["first"].number == 1, results
    assert not isinstance(results["second"], Exception), results
    final = CountyPlan.objects.get(pk=plan.pk)
    assert final.status == PlanStatus.SUBMITTED
    assert (final.prev_student_devices, final.ap_count) == (2, 3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_the_office_writing_its_figures_during_a_submit(plan_year, county_a, officer_a, monkeypatch):
    plan = ready_plan(plan_year, county_a, officer_a)
    results = race(
        lambda: plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a),
        lambda: plan_set_county_figures(
            plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a, values={"training_sessions": 4}, source="x"
        ),
        monkeypatch,
    )
    assert isinstance(results["second"], PlanActionRefused), results
    final = CountyPlan.objects.get(pk=plan.pk)
    assert final.status == PlanStatus.SUBMITTED and final.training_sessions == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_a_roster_row_saved_during_a_submit_is_refused_or_in_the_submission(
    plan_year, county_a, officer_a, monkeypatch
):
    from schools.models import RosterRow
    from schools.services import RosterEditRefused, roster_row_update

    plan = ready_plan(plan_year, county_a, officer_a)
    row = RosterRow.objects.select_related("school", "plan_year").get(school__code="154602")
    values = {
        name: getattr(row, name)
        for name in ("area", "classes", "max_class_size", "teachers", "students", "req_carts", "req_teacher_devices")
    } | {"req_student_devices": 100, "reason": "已有自購載具"}
    results = race(
        lambda: plan_submit(plan=CountyPlan.objects.get(pk=plan.pk), user=officer_a),
        lambda: roster_row_update(row=row, user=officer_a, values=values, expected_version=row.version),
        monkeypatch,
    )
    submission = results["first"]
    assert submission.number == 1, results
    saved = RosterRow.objects.get(pk=row.pk).req_student_devices
    frozen = next(r for r in submission.roster if r["code"] == "154602")["req_student_devices"]
    # The submitted roster is the roster: the save either came first or was refused.
    assert isinstance(results["second"], RosterEditRefused) or saved == frozen, (results, saved, frozen)
    assert saved == frozen
