"""Learning outcomes and learning-support classes, entered by the county: indicators 5 and 8
of 附件1 五(一) (reporting.indicators)."""

from __future__ import annotations

from django.db import transaction

from portal.cache import invalidate
from reporting.cache import OUTCOMES
from reporting.models import LearningOutcome, SupportClassFigures
from schools.models import County, PlanYear


@transaction.atomic
def outcome_save(*, plan_year: PlanYear, county: County, subject: str, sampled: int, improved: int, method: str = ""):
    """One subject's sampled evaluation; the same subject again replaces its figures."""
    if improved > sampled:
        raise ValueError("成效提升人數不可多於抽樣人數")
    outcome, _ = LearningOutcome.objects.update_or_create(
        plan_year=plan_year,
        county=county,
        subject=subject.strip(),
        defaults={"sampled_students": sampled, "improved_students": improved, "method": method},
    )
    invalidate(OUTCOMES)
    return outcome


@transaction.atomic
def support_figures_save(*, plan_year: PlanYear, county: County, support_classes: int, digital_classes: int):
    if digital_classes > support_classes:
        raise ValueError("融入數位教學的班級數不可多於學習扶助班級數")
    figures, _ = SupportClassFigures.objects.update_or_create(
        plan_year=plan_year,
        county=county,
        defaults={"support_classes": support_classes, "digital_classes": digital_classes},
    )
    invalidate(OUTCOMES)
    return figures
