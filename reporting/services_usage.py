"""Usage hours typed in one at a time: the same checks and write as a file (reporting.importing,
the import pipeline's usage kind)."""

from __future__ import annotations

from portal.imports.kinds import ImportTarget, Parse
from portal.imports.pipeline import import_rows, preview
from portal.models import User
from reporting.importing import USAGE_IMPORT, UsageRow
from schools.models import PlanYear


def usage_record_save(*, plan_year: PlanYear, user: User, row: UsageRow) -> str:
    """One month of one platform typed in the form; the same checks and write as a file.
    Returns the row's status (new, replaced, unchanged); raises ImportRefused."""
    target = ImportTarget(plan_year=plan_year)
    parse = Parse(rows=[row])
    status = preview(USAGE_IMPORT, parse, target=target, user=user).statuses.get(row.key)
    import_rows(USAGE_IMPORT, parse, target=target, user=user, source="逐筆填報")
    return status
