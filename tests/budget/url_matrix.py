"""The plan years, the MOE's figures upload, the plan's life after 核定 and the what-if rule
scenarios in the project's URL matrix (tests/portal/test_url_matrix.py).

The shared world's plan of county A is submitted, not approved: 撥款 and 結報 answer with a
redirect and a message for those who may ask (tests/budget/test_plan_life.py covers an
approved plan for every role). Scenarios are the MOE's and admins' only; a fresh scenario and
a fresh upload for each persona (delete, confirm and discard use them up)."""

from __future__ import annotations

from budget.scenarios import scenario_create
from portal.imports.uploads import upload_create
from tests.budget.moe_sheet import figures_bytes, figures_row

LOGIN = "login"


def _statuses(a, b, school, reviewer, admin):
    return {
        "anonymous": LOGIN,
        "officer_a": a,
        "officer_b": b,
        "school_a": school,
        "reviewer": reviewer,
        "admin": admin,
    }


MOE_ONLY = _statuses(403, 403, 403, 200, 200)
OWN_UPLOAD_GET = _statuses(403, 403, 403, 200, 404)
OWN_UPLOAD_POST = _statuses(403, 403, 403, 302, 404)

MATRIX = {
    "plan_years": ("GET", _statuses(200, 200, 403, 200, 200)),
    "plan_year_open": ("GET", MOE_ONLY),
    "plan_year_rules": ("GET", _statuses(200, 200, 403, 200, 200)),
    "moe_figures_import": ("GET", MOE_ONLY),
    "moe_figures_template": ("GET", MOE_ONLY),
    "moe_figures_import_preview": ("GET", OWN_UPLOAD_GET),
    "moe_figures_import_confirm": ("POST", OWN_UPLOAD_POST),
    "moe_figures_import_discard": ("POST", OWN_UPLOAD_POST),
    # Not approved yet: refused with a message, back to the plan.
    "plan_disbursement_add": ("POST", _statuses(302, 404, 403, 403, 302)),
    "final_report": ("GET", _statuses(302, 404, 403, 302, 302)),
    "final_report_submit": ("POST", _statuses(302, 404, 403, 403, 302)),
    "final_report_return": ("POST", _statuses(403, 404, 403, 302, 302)),
    "final_report_close": ("POST", _statuses(403, 404, 403, 302, 302)),
    # The live totals of the budget form: the plan's county (and admins) only.
    "plan_edit_totals": ("POST", _statuses(200, 404, 403, 403, 200)),
    # The one-form review (issue 14): an empty form comes back with its errors.
    "plan_review": ("POST", _statuses(403, 404, 403, 200, 200)),
    # The plan is under review: the county's answer is refused with a message, back to the plan.
    "plan_comment_reply": ("POST", _statuses(302, 404, 403, 403, 302)),
    "scenario_list": ("GET", MOE_ONLY),
    "scenario_detail": ("GET", MOE_ONLY),
    "scenario_export": ("GET", MOE_ONLY),
    "scenario_delete": ("POST", MOE_ONLY | {"reviewer": 302, "admin": 302}),
}


def extend_world(world) -> None:
    from budget.models import ReviewComment

    world["scenarios"] = 0
    plan = world["plan"]
    world["comment"] = ReviewComment.objects.create(
        plan=plan,
        submission=plan.submissions.get(number=1),
        line_number=3,
        text="充電車數請再確認",
        created_by=world["users"]["reviewer"],
    )


def url_kwargs(world) -> dict:
    plan = world["plan"]
    world["scenarios"] += 1
    scenario = scenario_create(
        user=world["users"]["reviewer"], plan_year=plan.plan_year, name=f"矩陣 {world['scenarios']}"
    )
    # A fresh upload of the reviewer each time: confirm and discard use it up.
    upload = upload_create(
        user=world["users"]["reviewer"],
        kind="moe_figures",
        uploaded_file=_File(figures_bytes([figures_row("花蓮縣")])),
        plan_year=plan.plan_year,
    )
    kwargs = {"year": plan.plan_year.year, "county_code": plan.county.code}
    return {
        "plan_year_rules": {"year": plan.plan_year.year},
        "moe_figures_import_preview": {"upload_id": upload.pk},
        "moe_figures_import_confirm": {"upload_id": upload.pk},
        "moe_figures_import_discard": {"upload_id": upload.pk},
        "plan_review": kwargs,
        "plan_comment_reply": kwargs | {"pk": world["comment"].pk},
        "plan_disbursement_add": kwargs,
        "plan_edit_totals": kwargs,
        "final_report": kwargs,
        "final_report_submit": kwargs,
        "final_report_return": kwargs,
        "final_report_close": kwargs,
    } | {name: {"pk": scenario.pk} for name in ("scenario_detail", "scenario_export", "scenario_delete")}


class _File:
    name = "教育部提供數.xlsx"

    def __init__(self, content: bytes):
        self._content = content

    def read(self) -> bytes:
        return self._content
