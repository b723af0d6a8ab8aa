"""Learning outcomes and learning-support classes read back for the outcomes page."""

from __future__ import annotations

from budget import rules as engine
from portal import access
from portal.models import User
from reporting.models import LearningOutcome, SupportClassFigures
from schools.models import County, PlanYear


def outcomes_summary(*, user: User, plan_year: PlanYear, county: County | None) -> dict:
    """The subjects' evaluations the user may see (each with its share and whether it meets the
    rule set's target), their sums and share, and the learning-support figures."""
    rows = access.for_user(LearningOutcome.objects.filter(plan_year=plan_year), user).select_related("county")
    support = access.for_user(SupportClassFigures.objects.filter(plan_year=plan_year), user).select_related("county")
    if county is not None:
        rows, support = rows.filter(county=county), support.filter(county=county)
    rows = list(rows)
    sampled = sum(r.sampled_students for r in rows)
    improved = sum(r.improved_students for r in rows)
    target = plan_year.rule_set.improved_students_target_percent
    share = engine.divide_half_up(improved * 100, sampled) if sampled else None
    for row in rows:
        # Judged on the exact fraction: 29.5% is shown as 30% but does not reach a 30% target.
        sampled_here = row.sampled_students
        row.share = engine.divide_half_up(row.improved_students * 100, sampled_here) if sampled_here else None
        row.met = bool(sampled_here) and row.improved_students * 100 >= target * sampled_here
    return {
        "rows": rows,
        "support": list(support),
        "sampled": sampled,
        "improved": improved,
        "share": share,
        "target": target,
        "met": share is not None and improved * 100 >= target * sampled,
    }
