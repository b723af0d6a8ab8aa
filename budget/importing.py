"""The MOE's per-county figures (教育部提供數) for all 22 counties in one sheet, as an import kind
of the pipeline (portal.imports): upload -> preview (every county's old -> new) -> confirm.

Columns: 縣市, then for lines 1-3 the previously subsidised counts and the MOE's 預估補助數
(blank: not provided yet, the plan shows 暫估), the AP count and amount and the software
amount. A county the sheet does not list keeps its figures; an approved plan is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html

from budget.models import CountyPlan, PlanStatus
from budget.services import MOE_PLAN_FIELDS, PlanActionRefused
from budget.services_review import plans_set_moe_figures
from portal import access
from portal.counties import COUNTIES, canonical_county
from portal.imports import cells
from portal.imports.kinds import (
    NOTHING_BEFORE_CONFIRM,
    Card,
    ImportKind,
    ImportRefused,
    ImportTarget,
    Notice,
    Parse,
    Preview,
    Urls,
    register,
    strong,
)
from portal.imports.table import Column, Problem
from schools.models import County


def _count(value):
    return cells.count(value)


def _optional(value):
    return cells.count(value, allow_blank=True)


# (field, header, reader, example)
FIGURES = (
    ("prev_teacher_devices", "已受補助教師載具數", _count, 120),
    ("prev_student_devices", "已受補助學生載具數", _count, 3_400),
    ("prev_carts", "已受補助充電車數", _count, 80),
    ("moe_estimate_teacher_devices", "教師載具預估補助數", _optional, 1_400),
    ("moe_estimate_student_devices", "學生載具預估補助數", _optional, 5_400),
    ("moe_estimate_carts", "充電車預估補助數", _optional, 600),
    ("ap_count", "AP預估補助數", _count, 900),
    ("ap_amount_ntd", "AP預估補助經費", _count, 13_500_000),
    ("software_amount_ntd", "教學軟體及數位內容預估補助經費", _count, 4_800_000),
)
OPTIONAL = {"moe_estimate_teacher_devices", "moe_estimate_student_devices", "moe_estimate_carts"}
COLUMNS = (
    Column("county", "縣市", aliases=("縣市別", "縣市名稱"), example="花蓮縣"),
    *(
        Column(
            key,
            label,
            read=read,
            required=key not in OPTIONAL,
            aliases=(f"{label}(元)", f"{label}（元）") if key.endswith("_ntd") else (),
            header=f"{label}（元）" if key.endswith("_ntd") else label,
            example=example,
        )
        for key, label, read, example in FIGURES
    ),
)
LABELS = {key: label for key, label, _, _ in FIGURES}
COUNTY_ORDER = {name: index for index, (_, name) in enumerate(COUNTIES)}
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


@dataclass
class FiguresRow:
    excel_row: int
    county: str
    values: dict

    @property
    def key(self) -> str:
        return self.county


class MoeFiguresKind(ImportKind):
    name = "moe_figures"
    title = "教育部提供數"
    unit = "縣市"
    file_label = "教育部提供數檔案"
    columns = COLUMNS
    anchors = ("county", "prev_teacher_devices")
    no_header = "找不到標題列：第一列須有「縣市」「已受補助教師載具數」等欄位（可下載範本填寫）"
    no_rows = "檔案中沒有任何縣市"
    max_rows = 100  # 22 counties, with room for notes under the table
    urls = Urls(
        upload="moe_figures_import",
        preview="moe_figures_import_preview",
        confirm="moe_figures_import_confirm",
        discard="moe_figures_import_discard",
        done="review_queue",
        template="moe_figures_template",
    )
    refusal = "只有教育部審查人員可以匯入教育部提供數"
    asks_plan_year = True
    template_sheet = "教育部提供數"
    status_labels = {NEW: "新增計畫", UPDATED: "更新", UNCHANGED: "不變"}

    def may_use(self, user) -> bool:
        return access.may_review(user)

    def instructions(self, *, user, plan_year) -> list[str]:
        return [
            format_html(
                "一列一個縣市，欄位：<strong>{}</strong>。已受補助數、AP 與教學軟體經費必填（可填 0）；"
                "預估補助數可留白，留白時計畫書以「計算補助數－已受補助數」暫估。",
                "、".join(c.label for c in COLUMNS),
            ),
            format_html(
                "預覽會列出每個縣市的原數值與新數值，{}；檔案沒有列出的縣市不變，已核定的計畫不能修改。",
                strong(NOTHING_BEFORE_CONFIRM),
            ),
        ]

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        first_seen: dict[str, int] = {}
        for number, row_cells in parse.layout.rows():
            typed = cells.text(row_cells.get("county"))
            if not typed and all(cells.blank(row_cells.get(key)) for key, *_ in FIGURES):
                continue
            if typed.startswith(("合計", "總計", "全國")):
                continue
            values, valid = self.read_cells(number, row_cells, parse)
            county = canonical_county(typed) if typed else None
            if not typed:
                parse.errors.append(Problem(number, parse.where("county"), "未填寫"))
                valid = False
            elif county is None:
                parse.errors.append(Problem(number, parse.where("county"), f"「{typed}」不是 22 個縣市之一"))
                valid = False
            elif county in first_seen:
                parse.errors.append(Problem(number, parse.where("county"), f"{county}與第 {first_seen[county]} 列重複"))
                valid = False
            if not valid:
                continue
            first_seen[county] = number
            values.pop("county", None)
            parse.rows.append(FiguresRow(number, county, {key: values.get(key) for key, *_ in FIGURES}))

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        """Two queries whatever the rows: the counties and their plans of the year."""
        if not parse.rows:
            return Preview(parse=parse)
        counties = {c.name: c for c in County.objects.filter(name__in=[row.county for row in parse.rows])}
        plans = {
            plan.county_id: plan
            for plan in CountyPlan.objects.filter(plan_year=target.plan_year, county__in=counties.values())
        }
        errors, statuses, changes = [], {}, []
        for row in parse.rows:
            plan = plans.get(counties[row.county].pk)
            if plan is not None and plan.status == PlanStatus.APPROVED:
                errors.append(
                    Problem(row.excel_row, parse.where("county"), f"{row.county}的計畫已核定，教育部提供數不能再修改")
                )
                continue
            if plan is None:
                # A plan not created yet holds the model's defaults: 0, and 暫估 for the estimates.
                statuses[row.key] = NEW
                old = {name: None if name in OPTIONAL else 0 for name in MOE_PLAN_FIELDS}
            else:
                old = {name: getattr(plan, name) for name in MOE_PLAN_FIELDS}
                statuses[row.key] = UPDATED if any(old[k] != v for k, v in row.values.items()) else UNCHANGED
            for key, value in row.values.items():
                if old[key] != value:
                    changes.append((row.county, LABELS[key], _shown(old[key]), _shown(value)))
        counts = {status: sum(1 for s in statuses.values() if s == status) for status in (NEW, UPDATED, UNCHANGED)}
        return Preview(
            parse=parse,
            errors=errors,
            statuses=statuses,
            summary={"rows": len(parse.rows), **counts},
            changes=counts[NEW] + counts[UPDATED],
            found={"counties": counties, "changes": changes},
        )

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        counties = preview.found["counties"]
        values = {counties[row.county].pk: row.values for row in preview.parse.rows}
        try:
            plans_set_moe_figures(
                plan_year=target.plan_year, values=values, user=user, source=f"教育部提供數匯入（{source}）"
            )
        except PlanActionRefused as refused:
            raise ImportRefused(str(refused)) from None
        return preview.summary

    def cards(self, summary: dict) -> list[Card]:
        return [
            Card("縣市數", summary["rows"]),
            Card("更新", summary[UPDATED]),
            Card("新增計畫", summary[NEW]),
            Card("不變", summary[UNCHANGED]),
        ]

    def sample(self):
        return [("縣市", lambda row: row.county)] + [
            (label, lambda row, key=key: _shown(row.values[key])) for key, label, _, _ in FIGURES
        ]

    def notices(self, preview: Preview) -> list[Notice]:
        changes = sorted(preview.found.get("changes", []), key=lambda item: COUNTY_ORDER.get(item[0], 99))
        if not changes:
            return []
        return [Notice("確認後將更新的數值（原數值 → 新數值）", ("縣市", "欄位", "原數值", "新數值"), changes[:300])]

    def done_message(self, summary: dict) -> str:
        return (
            f"已匯入 {summary['rows']} 個縣市的教育部提供數：更新 {summary[UPDATED]}、"
            f"新增計畫 {summary[NEW]}、不變 {summary[UNCHANGED]}。"
        )

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return f"{target.plan_year.year} 年度{self.done_message(summary)}"


def _shown(value) -> str:
    return "暫估（留白）" if value is None else f"{value:,}"


MOE_FIGURES_IMPORT = register(MoeFiguresKind())
