"""Writes to the roster. The pages and the commands call these, nothing else writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal import access
from portal.db import bulk_update_rows
from portal.models import User
from schools.importing import RosterRowResource, dataset_row, fingerprint, roster_dataset
from schools.models import County, PlanYear, RosterRow, RosterUpload, School
from schools.roster_format import ParsedRow, Problem, RosterParse, parse_roster

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
STATUS_LABELS = {NEW: "新增", UPDATED: "更新", UNCHANGED: "不變"}


class RosterImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(str(p) for p in problems[:5]))
        self.problems = problems


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
    return parse_roster(content, plan_year.rule_set, max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES)


def _existing_rows(plan_year: PlanYear, county_names: list[str]) -> dict[tuple[str, str], RosterRow]:
    rows = RosterRow.objects.filter(plan_year=plan_year, school__county__name__in=county_names).select_related("school")
    return {(row.school.code, row.level): row for row in rows}


def _database_problems(parse: RosterParse, user: User | None) -> list[Problem]:
    """What the file cannot know: whose county it is, and what the portal already holds."""
    problems: list[Problem] = []
    own_county = None
    if user is not None and not access.may_import_for_any_county(user):
        own_county = user.county.name if user.county_id else None
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
    errors = _database_problems(parse, user)
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


def _upsert_schools(rows: list[ParsedRow]) -> dict[str, School]:
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
    return schools


@transaction.atomic
def roster_import(*, plan_year: PlanYear, parse: RosterParse, user: User | None) -> dict:
    """All or nothing: the file's counties get exactly the file's rows for the year."""
    preview = roster_preview(plan_year=plan_year, parse=parse, user=user)
    if not preview.ok:
        raise RosterImportRefused(preview.errors)

    schools = _upsert_schools(parse.rows)
    existing = preview.existing
    if preview.removed:
        RosterRow.objects.filter(pk__in=[row.pk for row in preview.removed]).delete()
    resource = RosterRowResource(plan_year=plan_year, schools_by_code=schools, existing=existing)
    resource.import_data(
        roster_dataset(parse.rows),
        dry_run=False,
        raise_errors=True,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    return preview.summary


def roster_upload_create(*, user: User, plan_year: PlanYear, uploaded_file) -> RosterUpload:
    """Keep the upload until its owner confirms the preview; nothing enters the roster."""
    content = uploaded_file.read()
    county = None if access.may_import_for_any_county(user) else user.county
    upload = RosterUpload(
        plan_year=plan_year,
        county=county,
        uploaded_by=user,
        original_name=uploaded_file.name[:255],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    upload.file.save(f"{upload.sha256[:16]}.bin", ContentFile(content), save=False)
    upload.save()
    return upload


def roster_upload_read(upload: RosterUpload) -> bytes:
    with upload.file.open("rb") as handle:
        return handle.read()


def roster_upload_confirm(*, upload: RosterUpload, user: User) -> dict:
    if upload.status != RosterUpload.Status.PENDING:
        raise RosterImportRefused([Problem(None, "", "這個檔案已處理過，請重新上傳")])
    parse = roster_parse_file(content=roster_upload_read(upload), plan_year=upload.plan_year)
    with transaction.atomic():
        summary = roster_import(plan_year=upload.plan_year, parse=parse, user=user)
        upload.status = RosterUpload.Status.CONFIRMED
        upload.confirmed_at = timezone.now()
        upload.summary = summary
        upload.save(update_fields=["status", "confirmed_at", "summary"])
    # The rows are in the roster now; the workbook itself is not kept.
    upload.file.delete(save=False)
    upload.save(update_fields=["file"])
    return summary


def roster_upload_discard(*, upload: RosterUpload) -> None:
    upload.file.delete(save=False)
    upload.status = RosterUpload.Status.DISCARDED
    upload.save(update_fields=["status", "file"])


def roster_uploads_delete_abandoned(*, older_than_hours: int = 24) -> int:
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    count = 0
    for upload in RosterUpload.objects.filter(status=RosterUpload.Status.PENDING, created_at__lt=cutoff):
        roster_upload_discard(upload=upload)
        count += 1
    return count
