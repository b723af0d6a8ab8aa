"""A 附錄 roster built from the MOE's real open data (schools/data/realdata), for the demo,
the tests and the benchmarks. See that folder's README for the sources and the licence."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from budget import rules as engine
from portal.counties import canonical_county

DATA_DIR = Path(__file__).resolve().parent / "data" / "realdata"
ELEMENTARY_FILE = DATA_DIR / "moe_110_basec_elementary.csv"
JUNIOR_HIGH_FILE = DATA_DIR / "moe_110_basej_junior_high.csv"
REMOTE_FILE = DATA_DIR / "moe_111_remote_schools.csv"

_GRADES = {engine.ELEMENTARY: range(1, 7), engine.JUNIOR_HIGH: range(7, 10)}


@cache
def remote_grades() -> dict[str, str]:
    """學校代碼 -> 偏遠 / 特偏 / 極偏, from the 偏遠地區學校名錄."""
    with REMOTE_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["學校代碼"]: row["地區屬性"] for row in csv.DictReader(handle)}


def _int(text: str) -> int:
    text = (text or "").strip().replace(",", "")
    return int(text) if text and text != "-" else 0


def _ownership(code: str, name: str, county: str) -> str:
    for prefix in ("國立", "私立", "市立", "縣立"):
        if name.startswith(prefix):
            return prefix
    kind = code[2]
    if kind == "0":
        return "國立"
    if kind == "1":
        return "私立"
    if kind in "34":
        return "市立" if county.endswith("市") else "縣立"
    return "公立"


def _affiliation(name: str, level: str, both_levels: bool) -> str:
    if "大學" in name and "附" in name:
        return "大學附屬"
    if "附設" in name or "附中" in name:
        return "高中附屬"
    if level == engine.JUNIOR_HIGH and name.endswith(("高中", "高級中學", "中學")) and "國中" not in name:
        return "完全中學"
    if both_levels or "國中小" in name or "國(中)小" in name or "國中(小)" in name:
        return "國中小"
    return ""


def _full_name(name: str, county: str) -> str:
    # 「市立插角國小」 in 新北市 is 「新北市立插角國小」.
    if name.startswith(("市立", "縣立")):
        return county + name[1:]
    return name


def _largest_class(row: dict, level: str) -> int:
    largest = 0
    for grade in _GRADES[level]:
        classes = _int(row.get(f"{grade}年級班級數", ""))
        students = _int(row.get(f"{grade}年級男學生數", "")) + _int(row.get(f"{grade}年級女學生數", ""))
        if classes:
            largest = max(largest, engine.ceil_div(students, classes))
    return largest


def school_counts(row: dict, level: str) -> tuple[int, int, int, int]:
    """(classes, students, teachers, largest class) of one 校別資料 row, as the roster takes them:
    teachers are 男 + 女專任教師; the largest class is the largest grade's students per class
    (at least the school's average, at most its students); a school with no classes has none."""
    classes = _int(row.get("班級數", ""))
    students = _int(row.get("學生數", ""))
    largest = _largest_class(row, level)
    if classes == 0:
        students = largest = 0
    largest = min(max(largest, engine.ceil_div(students, classes) if classes else 0), students)
    teachers = _int(row.get("男專任教師", "")) + _int(row.get("女專任教師", ""))
    return classes, students, teachers, largest


@cache
def _moe_rows() -> tuple[tuple[str, dict], ...]:
    rows = []
    for level, path in ((engine.ELEMENTARY, ELEMENTARY_FILE), (engine.JUNIOR_HIGH, JUNIOR_HIGH_FILE)):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend((level, row) for row in csv.DictReader(handle))
    return tuple(rows)


def roster_records(county: str | None = None, rule_set: engine.RuleSet = engine.RULES_111) -> list[dict]:
    """One 附錄 record per school level, keyed like schools.roster_format.COLUMNS.

    The requested counts equal the entitlement (是), as a county that follows the rules
    would fill them in. Schools whose 設立別 the rule set leaves out (國立) are not a county's.
    """
    moe_rows = _moe_rows()
    levels_by_code: dict[str, set[str]] = {}
    for level, row in moe_rows:
        levels_by_code.setdefault(row["學校代碼"], set()).add(level)
    grades = remote_grades()
    records = []
    for level, row in moe_rows:
        county_name = canonical_county(row["縣市名稱"])
        if county is not None and county_name != county:
            continue
        code = row["學校代碼"]
        ownership = _ownership(code, row["學校名稱"], county_name)
        if ownership not in rule_set.ownerships_in_scope:
            continue
        classes, students, teachers, largest = school_counts(row, level)
        area = grades.get(code, engine.AREA_GENERAL)
        facts = engine.RowFacts(level, area, classes, largest, teachers, students)
        entitlement = engine.entitle_row(facts, rule_set)
        records.append(
            {
                "level": level,
                "code": code,
                "county": county_name,
                "ownership": ownership,
                "affiliation": _affiliation(row["學校名稱"], level, len(levels_by_code[code]) > 1),
                "area": area,
                "name": _full_name(row["學校名稱"], county_name),
                "classes": classes,
                "max_class_size": largest,
                "teachers": teachers,
                "students": students,
                "req_carts": entitlement.carts,
                "req_teacher_devices": entitlement.teacher_devices,
                "req_student_devices": entitlement.student_devices,
                "complies": True,
                "reason": "",
            }
        )
    return records
