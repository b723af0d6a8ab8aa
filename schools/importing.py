"""The 附錄 roster as an import kind of the pipeline (portal.imports).

The file is a county's whole roster for the year: confirming writes exactly its rows (new
ones created, changed ones updated, rows it no longer lists removed) and the schools it
names. The schools and the year's existing rows are read once per file; new rows go out
with one bulk INSERT, changed rows with one `UPDATE ... FROM unnest(...)`
(portal.db.bulk_update_rows), unchanged rows are skipped, and the audit trail is written
in bulk too: the number of queries does not grow with the rows.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.html import format_html

from portal import access
from portal.audit import CHANGED, CREATED, DELETED, record_history
from portal.cache import invalidate
from portal.db import bulk_delete_rows, bulk_update_rows, refresh_statistics
from portal.imports.kinds import (
    NOTHING_BEFORE_CONFIRM,
    Card,
    ImportKind,
    ImportTarget,
    Notice,
    Preview,
    Urls,
    register,
    strong,
)
from portal.imports.table import Problem
from portal.models import User
from schools import roster_format
from schools.guards import roster_states
from schools.models import County, PlanYear, RosterRow, School
from schools.official import official_warnings
from schools.roster_format import ROW_FIGURES, ParsedRow, RosterParse
from schools.selectors import ROSTER

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
STATUS_LABELS = {NEW: "新增", UPDATED: "更新", UNCHANGED: "不變"}
# What the file sets on a roster row.
WRITTEN_FIELDS = ROW_FIGURES
SCHOOL_FIELDS = ("name", "county", "ownership", "affiliation")


def row_values(row: ParsedRow) -> dict:
    """A parsed row as RosterRow field values (the entitlement is the engine's)."""
    ent, req = row.entitlement, row.requested
    return {
        "name": row.name,
        "area": row.area,
        "classes": row.classes,
        "max_class_size": row.max_class_size,
        "teachers": row.teachers,
        "students": row.students,
        "req_carts": req.carts if req else None,
        "req_teacher_devices": req.teacher_devices if req else None,
        "req_student_devices": req.student_devices if req else None,
        "reason": row.reason,
        "entitled_carts": ent.carts,
        "entitled_teacher_devices": ent.teacher_devices,
        "entitled_student_devices": ent.student_devices,
        "complies": row.complies,
    }


def fingerprint(row: RosterRow) -> tuple:
    return tuple(getattr(row, name) for name in WRITTEN_FIELDS)


def fingerprint_of(values: dict) -> tuple:
    return tuple(values[name] for name in WRITTEN_FIELDS)


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
    # Inside the import's transaction the plans stay locked until it commits (see roster_states).
    locking = connection.in_atomic_block
    states = roster_states(list(counties.values()), plan_year, for_update=locking)
    for name, state in zip(counties, states.values(), strict=True):
        if not state.editable:
            problems.append(Problem(None, "", f"{name}：{state.reason}"))
    codes = {row.code for row in parse.rows if row.code}
    known = dict(School.objects.filter(code__in=codes).values_list("code", "county__name"))
    for row in parse.rows:
        if own_county is not None and row.county and row.county != own_county:
            problems.append(
                Problem(row.excel_row, parse.where("county"), f"本帳號只能匯入{own_county}的學校，本列為{row.county}")
            )
        elif row.code in known and row.county and known[row.code] != row.county:
            problems.append(
                Problem(
                    row.excel_row,
                    parse.where("code"),
                    f"學校代碼 {row.code} 在本系統屬於{known[row.code]}，與本列的縣市別{row.county}不同",
                )
            )
    return problems


def _upsert_schools(rows: list[ParsedRow], *, user: User | None, reason: str) -> dict[str, School]:
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
    if changed:
        bulk_update_rows(School, changed, SCHOOL_FIELDS)
    record_history(created, kind=CREATED, user=user, reason=reason)
    record_history(changed, kind=CHANGED, user=user, reason=reason)
    return schools


class RosterKind(ImportKind):
    name = "roster"
    title = "附錄名單"
    unit = "列"
    file_label = "附錄名單檔案"
    columns = roster_format.COLUMNS
    anchors = roster_format.ANCHORS
    prefer_sheet = "附錄"
    no_header = roster_format.NO_HEADER
    no_rows = roster_format.NO_ROWS
    max_rows = roster_format.MAX_ROWS
    urls = Urls(
        upload="roster_import",
        preview="roster_import_preview",
        confirm="roster_import_confirm",
        discard="roster_import_discard",
        done="roster_list",
        template="roster_export",
    )
    refusal = "只有縣市承辦可以匯入名單"
    asks_plan_year = True
    status_labels = STATUS_LABELS

    def may_use(self, user) -> bool:
        return access.may_edit_roster(user)

    def instructions(self, *, user, plan_year) -> list[str]:
        return [
            format_html(
                "請上傳教育部「推動中小學數位學習精進方案」附錄格式的學校名單（可直接使用教育部範本填寫，"
                "標題列、範例列與合計列會自動略過）。上傳後會先顯示每一列的計算補助數與所有錯誤，"
                "{}。",
                strong(NOTHING_BEFORE_CONFIRM),
            ),
            "檔案即為貴縣市的完整名單：確認匯入後，名單中沒有的學校列會被移除（預覽時會列出）。",
        ]

    def new_parse(self) -> RosterParse:
        return RosterParse()

    def parse(self, sheets, *, target: ImportTarget) -> RosterParse:
        return roster_format.parse_sheets(sheets, target.plan_year.rule_set, survey_year=target.plan_year.survey_year)

    def check(self, parse: RosterParse, *, target: ImportTarget, user) -> Preview:
        if not parse.ok:
            return Preview(parse=parse)
        plan_year = target.plan_year
        errors = _database_problems(parse, user, plan_year)
        existing = _existing_rows(plan_year, parse.counties)
        statuses = {}
        for row in parse.rows:
            current = existing.get(row.key)
            if current is None:
                statuses[row.key] = NEW
            elif fingerprint(current) == fingerprint_of(row_values(row)):
                statuses[row.key] = UNCHANGED
            else:
                statuses[row.key] = UPDATED
        # The file is the county's whole roster: rows it no longer lists go.
        removed = sorted(
            (row for key, row in existing.items() if key not in statuses), key=lambda r: (r.school.code, r.level)
        )
        counts = {status: sum(1 for s in statuses.values() if s == status) for status in STATUS_LABELS}
        # Differences from the MOE's own statistics: warnings a county may answer, never errors.
        warnings = official_warnings(parse, plan_year)
        summary = {
            "rows": len(parse.rows),
            **counts,
            "removed": len(removed),
            "counties": parse.counties,
            **({"official_findings": len(warnings)} if warnings else {}),
        }
        return Preview(
            parse=parse,
            errors=errors,
            warnings=warnings,
            statuses=statuses,
            summary=summary,
            changes=counts[NEW] + counts[UPDATED] + len(removed),
            found={"existing": existing, "removed": removed},
        )

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        plan_year = target.plan_year
        reason = f"名單匯入（{source}）" if source else "名單匯入"
        parse, existing, removed = preview.parse, preview.found["existing"], preview.found["removed"]
        schools = _upsert_schools(parse.rows, user=user, reason=reason)
        if removed:
            record_history(removed, kind=DELETED, user=user, reason=reason)
            bulk_delete_rows(RosterRow.objects.filter(pk__in=[row.pk for row in removed]))
        now = timezone.now()
        created, changed = [], []
        for row in parse.rows:
            status = preview.statuses[row.key]
            if status == NEW:
                created.append(
                    RosterRow(
                        plan_year=plan_year,
                        school=schools[row.code],
                        level=row.level,
                        updated_at=now,
                        **row_values(row),
                    )
                )
            elif status == UPDATED:
                current = existing[row.key]
                for name, value in row_values(row).items():
                    setattr(current, name, value)
                # Anyone editing this row in a form now holds a stale version and is refused.
                current.version += 1
                current.updated_at = now
                changed.append(current)
        if created:
            RosterRow.objects.bulk_create(created)
        if changed:
            bulk_update_rows(RosterRow, changed, (*WRITTEN_FIELDS, "version", "updated_at"))
        # The bulk writes bypass save(): their audit trail is written in bulk too.
        record_history(created, kind=CREATED, user=user, reason=reason)
        record_history(changed, kind=CHANGED, user=user, reason=reason)
        refresh_statistics(School, RosterRow)
        invalidate(ROSTER)
        return preview.summary

    def cards(self, summary: dict) -> list[Card]:
        return [
            Card("名單列數", summary["rows"], "、".join(summary["counties"])),
            Card("新增", summary[NEW]),
            Card("更新", summary[UPDATED]),
            Card("不變", summary[UNCHANGED]),
            Card("將移除", summary["removed"], warn=bool(summary["removed"])),
            *(
                [Card("與教育部統計不同", summary["official_findings"], "見下方提醒，匯入後可逐項說明", warn=True)]
                if summary.get("official_findings")
                else []
            ),
        ]

    def sample(self):
        def entitled(key):
            return lambda row: getattr(row.entitlement, key) if row.entitlement else None

        def requested(key):
            return lambda row: getattr(row.requested, key) if row.requested else None

        def complies(row):
            if row.complies is None:
                return "—"
            return "是" if row.complies else ("否：" + row.reason if row.reason else "否")

        return [
            ("學校代碼", lambda row: row.code),
            ("學校全銜", lambda row: row.name),
            ("學制", lambda row: row.level),
            ("地區屬性", lambda row: row.area),
            ("班級數", lambda row: row.classes),
            ("最大班級人數", lambda row: row.max_class_size),
            ("教師數", lambda row: row.teachers),
            ("學生數", lambda row: row.students),
            ("計算補助充電車", entitled("carts")),
            ("計算補助教師載具", entitled("teacher_devices")),
            ("計算補助學生載具", entitled("student_devices")),
            ("申請充電車", requested("carts")),
            ("申請教師載具", requested("teacher_devices")),
            ("申請學生載具", requested("student_devices")),
            ("是／否", complies),
        ]

    def notices(self, preview: Preview) -> list[Notice]:
        removed = preview.found.get("removed", [])
        if not removed:
            return []
        shown = removed[:200]
        return [
            Notice(
                "檔案中沒有、確認後將從名單移除的列",
                ("學校代碼", "學校全銜", "學制"),
                [(row.school.code, row.name, row.level) for row in shown],
                more=len(removed) - len(shown),
            )
        ]

    def done_message(self, summary: dict) -> str:
        return (
            f"已匯入 {summary['rows']:,} 列：新增 {summary[NEW]:,}、更新 {summary[UPDATED]:,}、"
            f"不變 {summary[UNCHANGED]:,}、刪除 {summary['removed']:,}。"
        )

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return (
            f"{target.plan_year.year} 年度名單已匯入 {summary['rows']} 列（{'、'.join(summary['counties'])}）："
            f"新增 {summary[NEW]}、更新 {summary[UPDATED]}、不變 {summary[UNCHANGED]}、刪除 {summary['removed']}"
        )


ROSTER_IMPORT = register(RosterKind())
