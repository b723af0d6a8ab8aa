"""Writes to the roster. The pages and the commands call these, nothing else writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import access
from portal.audit import CHANGED, CREATED, DELETED, record_history
from portal.cache import invalidate
from portal.db import bulk_delete_rows, bulk_update_rows, refresh_statistics
from portal.models import PendingUpload, User
from portal.roc import roc_date
from portal.uploads import upload_confirmed, upload_read
from schools.guards import roster_state, roster_states
from schools.importing import RosterRowResource, dataset_row, fingerprint, roster_dataset
from schools.models import County, PlanYear, RosterRow, School
from schools.roster_format import ParsedRow, Problem, RosterParse, consistency_problems, parse_roster
from schools.selectors import ROSTER

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
STATUS_LABELS = {NEW: "新增", UPDATED: "更新", UNCHANGED: "不變"}


class RosterImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(str(p) for p in problems[:5]))
        self.problems = problems


class RosterEditRefused(Exception):
    """The row may not change now; the message says why (plan submitted, period closed ...)."""


class StaleRosterRow(RosterEditRefused):
    """Someone saved the row after this person loaded it."""


@dataclass
class RosterPreview:
    """What confirming would do. Computed without writing anything."""

    parse: RosterParse
    errors: list[Problem]
    statuses: dict[tuple[str, str], str] = field(default_factory=dict)
    existing: dict[tuple[str, str], RosterRow] = field(default_factory=dict)
    removed: list[RosterRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def summary(self) -> dict:
        return {
            "rows": len(self.parse.rows),
            NEW: self.count(NEW),
            UPDATED: self.count(UPDATED),
            UNCHANGED: self.count(UNCHANGED),
            "removed": len(self.removed),
            "counties": self.parse.counties,
        }


def roster_parse_file(*, content: bytes, plan_year: PlanYear) -> RosterParse:
    return parse_roster(content, plan_year.rule_set, max_bytes=settings.UPLOAD_MAX_BYTES)


def _existing_rows(plan_year: PlanYear, county_names: list[str]) -> dict[tuple[str, str], RosterRow]:
    rows = RosterRow.objects.filter(plan_year=plan_year, school__county__name__in=county_names).select_related("school")
    return {(row.school.code, row.level): row for row in rows}


def _database_problems(parse: RosterParse, user: User | None, plan_year: PlanYear) -> list[Problem]:
    """What the file cannot know: whose county it is, and what the portal already holds."""
    problems: list[Problem] = []
    own_county = None
    if user is not None and not access.may_import_for_any_county(user):
        own_county = user.county.name if user.county_id else None
    counties = dict(County.objects.filter(name__in=parse.counties).values_list("name", "pk"))
    for name, state in zip(counties, roster_states(list(counties.values()), plan_year).values(), strict=True):
        if not state.editable:
            problems.append(Problem(None, "", f"{name}：{state.reason}"))
    codes = {row.code for row in parse.rows if row.code}
    known = dict(School.objects.filter(code__in=codes).values_list("code", "county__name"))
    for row in parse.rows:
        if own_county is not None and row.county and row.county != own_county:
            problems.append(Problem(row.excel_row, "縣市別", f"本帳號只能匯入{own_county}的學校，本列為{row.county}"))
        elif row.code in known and row.county and known[row.code] != row.county:
            problems.append(
                Problem(
                    row.excel_row,
                    "學校代碼",
                    f"學校代碼 {row.code} 在本系統屬於{known[row.code]}，與本列的縣市別{row.county}不同",
                )
            )
    return problems


def roster_preview(*, plan_year: PlanYear, parse: RosterParse, user: User | None) -> RosterPreview:
    if not parse.ok:
        return RosterPreview(parse=parse, errors=list(parse.errors))
    errors = _database_problems(parse, user, plan_year)
    existing = _existing_rows(plan_year, parse.counties)
    preview = RosterPreview(parse=parse, errors=errors, existing=existing)
    for row in parse.rows:
        current = existing.get(row.key)
        if current is None:
            preview.statuses[row.key] = NEW
        elif fingerprint(current) == dataset_row(row)[2:]:
            preview.statuses[row.key] = UNCHANGED
        else:
            preview.statuses[row.key] = UPDATED
    # The file is the county's whole roster: rows it no longer lists go.
    preview.removed = sorted(
        (row for key, row in existing.items() if key not in preview.statuses),
        key=lambda r: (r.school.code, r.level),
    )
    return preview


def _upsert_schools(rows: list[ParsedRow], *, user: User | None = None, reason: str = "") -> dict[str, School]:
    counties = {c.name: c for c in County.objects.filter(name__in={r.county for r in rows})}
    missing = {r.county for r in rows} - set(counties)
    if missing:
        # The 22 counties are seeded by a migration; a missing one is a broken database.
        raise RuntimeError(f"counties missing from the database: {sorted(missing)}")
    wanted: dict[str, ParsedRow] = {}
    for row in rows:
        wanted.setdefault(row.code, row)
    schools = {s.code: s for s in School.objects.filter(code__in=wanted)}
    created, changed = [], []
    for code, row in wanted.items():
        values = {
            "name": row.name,
            "county_id": counties[row.county].pk,
            "ownership": row.ownership,
            "affiliation": row.affiliation,
        }
        school = schools.get(code)
        if school is None:
            school = School(code=code, **values)
            created.append(school)
            schools[code] = school
        elif any(getattr(school, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(school, key, value)
            changed.append(school)
    if created:
        School.objects.bulk_create(created)
        # Not every backend returns primary keys from bulk_create: read them back once.
        if any(s.pk is None for s in created):
            ids = dict(School.objects.filter(code__in=[s.code for s in created]).values_list("code", "pk"))
            for school in created:
                school.pk = ids[school.code]
    if changed:
        bulk_update_rows(School, changed, ["name", "county", "ownership", "affiliation"])
    record_history(created, kind=CREATED, user=user, reason=reason)
    record_history(changed, kind=CHANGED, user=user, reason=reason)
    return schools


@transaction.atomic
def roster_import(*, plan_year: PlanYear, parse: RosterParse, user: User | None, source: str = "") -> dict:
    """All or nothing: the file's counties get exactly the file's rows for the year."""
    preview = roster_preview(plan_year=plan_year, parse=parse, user=user)
    if not preview.ok:
        raise RosterImportRefused(preview.errors)

    reason = f"名單匯入（{source}）" if source else "名單匯入"
    schools = _upsert_schools(parse.rows, user=user, reason=reason)
    existing = preview.existing
    if preview.removed:
        record_history(preview.removed, kind=DELETED, user=user, reason=reason)
        bulk_delete_rows(RosterRow.objects.filter(pk__in=[row.pk for row in preview.removed]))
    resource = RosterRowResource(plan_year=plan_year, schools_by_code=schools, existing=existing)
    resource.import_data(
        roster_dataset(parse.rows),
        dry_run=False,
        raise_errors=True,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    # The bulk writes bypass save(): write their audit trail in bulk too (one INSERT each).
    written = {key for key, status in preview.statuses.items() if status != UNCHANGED}
    if written:
        rows = RosterRow.objects.filter(plan_year=plan_year, school__code__in={code for code, _ in written})
        rows = [row for row in rows.select_related("school") if (row.school.code, row.level) in written]
        for kind in (CREATED, CHANGED):
            wanted = NEW if kind == CREATED else UPDATED
            batch = [row for row in rows if preview.statuses[(row.school.code, row.level)] == wanted]
            record_history(batch, kind=kind, user=user, reason=reason)
    refresh_statistics(School, RosterRow)
    invalidate(ROSTER)
    return preview.summary


def roster_upload_confirm(*, upload: PendingUpload, user: User) -> dict:
    if upload.status != PendingUpload.Status.PENDING:
        raise RosterImportRefused([Problem(None, "", "這個檔案已處理過，請重新上傳")])
    parse = roster_parse_file(content=upload_read(upload), plan_year=upload.plan_year)
    with transaction.atomic():
        summary = roster_import(plan_year=upload.plan_year, parse=parse, user=user, source=upload.original_name)
        upload_confirmed(upload=upload, summary=summary)
    return summary


EDITABLE_ROW_FIELDS = (
    "area",
    "classes",
    "max_class_size",
    "teachers",
    "students",
    "req_carts",
    "req_teacher_devices",
    "req_student_devices",
    "reason",
)


def roster_row_edit_refusal(row: RosterRow) -> str:
    """Why this row cannot change now, or "" when it can."""
    state = roster_state(row.school.county_id, row.plan_year)
    return "" if state.editable else state.reason


@transaction.atomic
def roster_row_update(*, row: RosterRow, user: User, values: dict, expected_version: int) -> RosterRow:
    """Save one row's new figures, unless the plan locks it or someone saved it meanwhile."""
    refusal = roster_row_edit_refusal(row)
    if refusal:
        raise RosterEditRefused(refusal)
    problems = consistency_problems(values["classes"], values["max_class_size"], values["students"])
    if problems:
        raise RosterEditRefused("；".join(message for _, message in problems))
    for name in EDITABLE_ROW_FIELDS:
        setattr(row, name, values[name])
    row.apply_rules(row.plan_year.rule_set)
    if row.complies is not False:
        row.reason = ""
    # Compare-and-set on the version: a concurrent save made in between makes this match nothing.
    updated = RosterRow.objects.filter(pk=row.pk, version=expected_version).update(
        **{
            name: getattr(row, name)
            for name in (
                *EDITABLE_ROW_FIELDS,
                "entitled_carts",
                "entitled_teacher_devices",
                "entitled_student_devices",
                "complies",
            )
        },
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = RosterRow.objects.get(pk=row.pk)
        last = current.history.order_by("-history_date", "-history_id").select_related("history_user").first()
        who = (
            f"{last.history_user.get_full_name() or last.history_user.username}"
            if last and last.history_user
            else "他人"
        )
        raise StaleRosterRow(
            f"儲存失敗：這一列在您開啟後已由{who}於 {roc_date(current.updated_at)} 修改過，"
            "為免覆蓋對方的修改，請重新載入頁面後再改。"
        )
    row.refresh_from_db()
    record_history([row], kind=CHANGED, user=user, reason="逐列修改")
    invalidate(ROSTER)
    return row
