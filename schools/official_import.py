"""The MOE's own school statistics loaded through the import pipeline: one kind, three
layouts (國民小學校別資料 basec, 國民中學校別資料 basej, 偏遠地區學校名錄), each load recorded
with its source, licence and SHA-256. Read back by schools/official.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from budget import rules as engine
from portal import access
from portal.cache import invalidate
from portal.counties import canonical_county
from portal.imports import cells
from portal.imports.cells import CellError
from portal.imports.kinds import ImportKind, ImportTarget, Parse, Preview, Urls, register
from portal.imports.table import Column, Problem
from schools.models import OfficialRemoteSchool, OfficialSchoolFigures, OfficialSource
from schools.official import OFFICIAL
from schools.realdata import school_counts

DEFAULT_SOURCE = "教育部統計處 stats.moe.gov.tw（政府資料開放平臺 data.gov.tw）"
DEFAULT_LICENCE = "政府資料開放授權條款－第1版"
GRADES = {engine.ELEMENTARY: range(1, 7), engine.JUNIOR_HIGH: range(7, 10)}
REMOTE_GRADES = {
    "偏遠": engine.AREA_REMOTE,
    "特偏": engine.AREA_SPECIAL_REMOTE,
    "特殊偏遠": engine.AREA_SPECIAL_REMOTE,
    "極偏": engine.AREA_EXTREME_REMOTE,
    "極度偏遠": engine.AREA_EXTREME_REMOTE,
}


def _grade_columns() -> tuple[Column, ...]:
    columns = []
    for grade in range(1, 10):
        columns += [
            Column(f"g{grade}_classes", f"{grade}年級班級數", required=False, aliases=(f"{grade}年級",)),
            Column(f"g{grade}_boys", f"{grade}年級男學生數", required=False, aliases=(f"{grade}年級男",)),
            Column(f"g{grade}_girls", f"{grade}年級女學生數", required=False, aliases=(f"{grade}年級女",)),
        ]
    return tuple(columns)


COLUMNS: tuple[Column, ...] = (
    Column("code", "學校代碼"),
    Column("name", "學校名稱"),
    Column("county", "縣市名稱", required=False, aliases=("縣市",)),
    Column("school_year", "學年度", required=False),
    Column("classes", "班級數", required=False),
    Column("students", "學生數", required=False, aliases=("學生數總計",)),
    Column("male_teachers", "男專任教師", required=False),
    Column("female_teachers", "女專任教師", required=False),
    Column("area", "地區屬性", required=False),
    *_grade_columns(),
)


@dataclass(frozen=True)
class OfficialTarget(ImportTarget):
    """The year the file is for (when it has no 學年度 column), its source and licence."""

    year: int | None = None
    source: str = DEFAULT_SOURCE
    licence: str = DEFAULT_LICENCE
    sha256: str = ""


@dataclass
class OfficialParse(Parse):
    kind: str = ""
    """OfficialSource.Kind of the file, from its columns."""
    year: int | None = None


def _count(value) -> int:
    """A count as the MOE's files write it: 1,143; " -" for none; a number cell."""
    if cells.blank(value):
        return 0
    if isinstance(value, bool):
        raise CellError("不是數字")
    if isinstance(value, int | float):
        if value < 0 or value != int(value):
            raise CellError("不是 0 或正整數")
        return int(value)
    text = cells.nfkc(str(value)).strip().replace(",", "")
    if text in ("-", "－", "—"):
        return 0
    if not text.isdigit():
        raise CellError(f"「{str(value)[:20]}」不是數字")
    return int(text)


class OfficialStatisticsKind(ImportKind):
    """An operator's command (`load_official_statistics`), not an upload page: no URLs."""

    name = "official_statistics"
    title = "教育部學校統計資料"
    unit = "校"
    columns = COLUMNS
    anchors = ("code", "name")
    no_header = "找不到標題列（需有「學校代碼」與「學校名稱」），請使用教育部校別資料或偏遠地區學校名錄的原始欄位"
    max_rows = 5_000  # 2,668 國小 and 965 國中 nationally
    urls = Urls(upload="", preview="", confirm="", discard="", done="")
    refusal = "只有系統管理者可以載入教育部統計資料"

    def may_use(self, user) -> bool:
        return access.may_import_for_any_county(user)

    def new_parse(self) -> OfficialParse:
        return OfficialParse()

    def read_rows(self, parse: OfficialParse, *, target: OfficialTarget) -> None:
        indexes = parse.layout.indexes
        if "area" in indexes:
            parse.kind = OfficialSource.Kind.REMOTE
        elif any(f"g{g}_classes" in indexes for g in GRADES[engine.JUNIOR_HIGH]):
            parse.kind = OfficialSource.Kind.JUNIOR_HIGH
        elif any(f"g{g}_classes" in indexes for g in GRADES[engine.ELEMENTARY]):
            parse.kind = OfficialSource.Kind.ELEMENTARY
        else:
            parse.errors.append(
                Problem(
                    parse.layout.header_row,
                    "",
                    "看不出是國小校別資料、國中校別資料或偏遠地區學校名錄（缺少各年級班級數或地區屬性欄）",
                )
            )
            return
        if parse.kind != OfficialSource.Kind.REMOTE:
            missing = [
                c.label for c in COLUMNS if c.key in ("classes", "students", "male_teachers") and c.key not in indexes
            ]
            if missing:
                parse.errors.append(Problem(parse.layout.header_row, "", f"缺少欄位：{'、'.join(missing)}"))
                return
        years, seen = set(), set()
        level = engine.JUNIOR_HIGH if parse.kind == OfficialSource.Kind.JUNIOR_HIGH else engine.ELEMENTARY
        for number, raw in parse.layout.rows():
            if all(cells.blank(value) for value in raw.values()):
                continue
            try:
                code = cells.school_code(raw.get("code"))
            except CellError as exc:
                parse.errors.append(Problem(number, parse.where("code"), str(exc)))
                continue
            if code in seen:
                parse.errors.append(Problem(number, parse.where("code"), f"學校代碼 {code} 重複"))
                continue
            seen.add(code)
            name = cells.text(raw.get("name"))[:100]
            if parse.kind == OfficialSource.Kind.REMOTE:
                grade = REMOTE_GRADES.get(cells.nfkc(cells.text(raw.get("area"))).strip())
                if grade is None:
                    parse.errors.append(Problem(number, parse.where("area"), "地區屬性須為偏遠、特偏或極偏"))
                    continue
                parse.rows.append({"code": code, "name": name, "grade": grade})
                continue
            try:
                counts = {
                    key: str(_count(raw.get(key))) for key in raw if key not in ("code", "name", "county", "area")
                }
            except CellError as exc:
                parse.errors.append(Problem(number, "", f"{code}：{exc}"))
                continue
            if "school_year" in raw and counts.get("school_year", "0") != "0":
                years.add(int(counts["school_year"]))
            row = {
                "班級數": counts.get("classes", "0"),
                "學生數": counts.get("students", "0"),
                "男專任教師": counts.get("male_teachers", "0"),
                "女專任教師": counts.get("female_teachers", "0"),
            }
            for grade in GRADES[level]:
                row[f"{grade}年級班級數"] = counts.get(f"g{grade}_classes", "0")
                row[f"{grade}年級男學生數"] = counts.get(f"g{grade}_boys", "0")
                row[f"{grade}年級女學生數"] = counts.get(f"g{grade}_girls", "0")
            classes, students, teachers, largest = school_counts(row, level)
            county = canonical_county(cells.text(raw.get("county"))) or ""
            parse.rows.append(
                {
                    "code": code,
                    "level": level,
                    "name": name,
                    "county": county,
                    "classes": classes,
                    "students": students,
                    "teachers": teachers,
                    "max_class_size": largest,
                }
            )
        if len(years) > 1:
            parse.errors.append(Problem(None, parse.where("school_year"), f"檔案含多個學年度：{sorted(years)}"))
        parse.year = years.pop() if len(years) == 1 else target.year
        if target.year is not None and parse.year != target.year:
            parse.errors.append(Problem(None, "", f"檔案為 {parse.year} 學年度，與指定的 {target.year} 不同"))
        if parse.year is None:
            parse.errors.append(Problem(None, "", "檔案沒有學年度欄，請以 --year 指定年度（如 110）"))

    def check(self, parse: OfficialParse, *, target, user) -> Preview:
        return Preview(parse=parse, summary={"rows": len(parse.rows), "kind": parse.kind, "year": parse.year})

    def write(self, preview: Preview, *, target: OfficialTarget, user, source: str) -> dict:
        parse: OfficialParse = preview.parse
        record = OfficialSource.objects.create(
            kind=parse.kind,
            year=parse.year,
            source=target.source,
            licence=target.licence,
            file_name=source[:255],
            sha256=target.sha256,
            rows=len(parse.rows),
            loaded_by=user,
        )
        if parse.kind == OfficialSource.Kind.REMOTE:
            OfficialRemoteSchool.objects.filter(year=parse.year).delete()
            OfficialRemoteSchool.objects.bulk_create(
                [OfficialRemoteSchool(source=record, year=parse.year, **row) for row in parse.rows], batch_size=2000
            )
        else:
            level = parse.rows[0]["level"]
            OfficialSchoolFigures.objects.filter(school_year=parse.year, level=level).delete()
            OfficialSchoolFigures.objects.bulk_create(
                [OfficialSchoolFigures(source=record, school_year=parse.year, **row) for row in parse.rows],
                batch_size=2000,
            )
        invalidate(OFFICIAL)
        return {**preview.summary, "source": record.pk}

    def command_message(self, summary: dict, target) -> str:
        label = OfficialSource.Kind(summary["kind"]).label
        return f"已載入{label} {summary['year']} 年 {summary['rows']:,} 校（來源與授權已記錄）"


OFFICIAL_STATISTICS = register(OfficialStatisticsKind())


def official_target(content: bytes, *, year: int | None, source: str = "", licence: str = "") -> OfficialTarget:
    return OfficialTarget(
        plan_year=None,
        year=year,
        source=source or DEFAULT_SOURCE,
        licence=licence or DEFAULT_LICENCE,
        sha256=hashlib.sha256(content).hexdigest(),
    )
