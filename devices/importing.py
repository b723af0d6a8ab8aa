"""A serial list as counties and vendors hand it over, as an import kind of the pipeline.

One row a device: 產品序號 and 採購案號 required; 學校代碼 blank keeps it in the county's
stock. The check adds what only the database knows (the county's batches, the schools,
serials already registered, blocked brands, how many each batch bought), once per file;
the write is one bulk INSERT (PostgreSQL's COPY above a few thousand rows would be no
faster here: the rows carry no per-row Python work worth saving).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils.html import format_html

from devices.brands import blocked_match, normalize_brand, refusal_message
from devices.models import Device, DeviceStatus, DeviceUse, ProcurementBatch
from devices.selectors import DEVICES, blocked_brand_pairs
from portal import access
from portal.cache import invalidate
from portal.db import refresh_statistics
from portal.imports import cells
from portal.imports.cells import CellError
from portal.imports.kinds import (
    NOTHING_BEFORE_CONFIRM,
    Card,
    ImportKind,
    ImportTarget,
    Parse,
    Preview,
    Urls,
    register,
    strong,
)
from portal.imports.table import Column, Problem
from schools.models import School

INSERT_BATCH = 5_000
MAX_SERIAL = 60
_USES = {"教師": DeviceUse.TEACHER, "教師用": DeviceUse.TEACHER, "學生": DeviceUse.STUDENT, "學生用": DeviceUse.STUDENT}
_STATUSES = {label: value for value, label in DeviceStatus.choices}
STATUS_LABELS = dict(DeviceStatus.choices)

COLUMNS: tuple[Column, ...] = (
    Column(
        "serial",
        "產品序號",
        read=cells.key_text,
        aliases=("序號", "機身序號", "s/n", "sn", "serial", "serialnumber"),
        example="SN0000001",
    ),
    Column("tender", "採購案號", read=cells.text, aliases=("案號", "標案案號"), example="111-A-001"),
    Column(
        "school",
        "學校代碼",
        read=lambda value: cells.school_code(value, allow_blank=True),
        required=False,
        example="154601",
    ),
    Column(
        "use",
        "用途",
        read=lambda value: cells.choice(value, _USES, "教師或學生", allow_blank=True) or DeviceUse.STUDENT,
        required=False,
        aliases=("使用對象", "教師/學生"),
        header="用途（教師／學生）",
        example="學生",
    ),
    Column(
        "asset_tag",
        "財產編號",
        read=lambda value: cells.text(value)[:60],
        required=False,
        aliases=("財產號",),
        example="3140101-03-0001",
    ),
    Column(
        "status",
        "狀態",
        read=lambda value: cells.choice(value, _STATUSES, "、".join(_STATUSES), allow_blank=True),
        required=False,
        aliases=("載具狀態",),
        example="已配發",
    ),
    Column(
        "delivered_on",
        "到校日期",
        read=cells.roc_date,
        required=False,
        aliases=("交貨日期", "配發日期"),
        example="111/09/20",
    ),
    Column(
        "mdm_enrolled_on",
        "MDM註冊日期",
        read=cells.roc_date,
        required=False,
        aliases=("mdm日期", "mdm納管日期"),
        example="111/09/25",
    ),
    Column("brand", "廠牌", read=cells.text, required=False, aliases=("品牌",)),
)
HEADER_TEXTS = {column.key: column.template_header for column in COLUMNS}


@dataclass
class ParsedDevice:
    excel_row: int
    serial: str = ""
    tender: str = ""
    school: str = ""
    use: str = DeviceUse.STUDENT
    asset_tag: str = ""
    status: str = ""
    delivered_on: object = None
    mdm_enrolled_on: object = None
    brand: str = ""
    valid: bool = True

    @property
    def key(self) -> str:
        return self.serial


def _registered_serials(serials: list[str]) -> set[str]:
    """Serials already in the portal: one query (PostgreSQL: an array parameter)."""
    if not serials:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT serial FROM {Device._meta.db_table} WHERE serial = ANY(%s)", [serials])  # noqa: S608
            return {row[0] for row in cursor.fetchall()}
    found: set[str] = set()
    step = max(1, (connection.features.max_query_params or 999) - 10)
    for start in range(0, len(serials), step):
        found.update(Device.objects.filter(serial__in=serials[start : start + step]).values_list("serial", flat=True))
    return found


class DeviceKind(ImportKind):
    name = "devices"
    title = "載具序號清單"
    unit = "臺"
    file_label = "載具序號清單"
    columns = COLUMNS
    anchors = ("serial",)
    no_header = "找不到標題列（需有「產品序號」與「採購案號」欄位），請使用本系統的範本"
    no_rows = "檔案中沒有任何載具資料列"
    # A county's delivery is ~60,000 devices (高雄市); a vendor's list for a whole contract fits.
    max_rows = 150_000
    urls = Urls(
        upload="device_import",
        preview="device_import_preview",
        confirm="device_import_confirm",
        discard="device_import_discard",
        done="device_list",
        template="device_import_template",
    )
    refusal = "只有縣市承辦可以管理採購案與匯入序號"
    needs_county = True
    nav_template = "devices/_tabs.html"
    template_sheet = "載具序號"

    def may_use(self, user) -> bool:
        return access.may_manage_procurement(user)

    def instructions(self, *, user, plan_year) -> list[str]:
        return [
            format_html(
                "上傳廠商交付的序號清單（.xlsx 或 .csv）。每列一臺載具，須填「產品序號」與「採購案號」"
                "（請先登錄採購案）；「學校代碼」留白表示存放於縣市庫存。上傳後會先列出所有錯誤，"
                "{}，且須整份檔案無誤才能匯入。",
                strong(NOTHING_BEFORE_CONFIRM),
            ),
            format_html("欄位：{}。日期可填 111/09/05、1110905 或 111年9月5日。", "、".join(HEADER_TEXTS.values())),
        ]

    def read_rows(self, parse: Parse, *, target: ImportTarget) -> None:
        first_seen: dict[str, int] = {}
        for number, row_cells in parse.layout.rows():
            problems_before = len(parse.errors)
            values, _ = self.read_cells(number, row_cells, parse)
            row = ParsedDevice(excel_row=number, **{k: v for k, v in values.items() if v is not None})

            def fail(key: str, message: str, number=number) -> None:
                parse.errors.append(Problem(number, parse.where(key), message))

            if values["serial"] is not None:
                if not row.serial:
                    fail("serial", "未填寫")
                elif len(row.serial) > MAX_SERIAL:
                    fail("serial", f"序號超過 {MAX_SERIAL} 個字元")
                else:
                    earlier = first_seen.setdefault(row.serial, number)
                    if earlier != number:
                        fail("serial", f"序號 {row.serial} 與第 {earlier} 列重複")
            if values["tender"] is not None and not row.tender:
                fail("tender", "未填寫")
            school_readable = values.get("school") is not None or "school" not in parse.layout.indexes
            if row.mdm_enrolled_on and row.delivered_on and row.mdm_enrolled_on < row.delivered_on:
                fail("mdm_enrolled_on", "MDM 註冊日期早於到校日期")
            if row.delivered_on and not row.school and school_readable:
                fail("school", "已填到校日期，但未填學校代碼")
            if row.status and not row.school and row.status not in (DeviceStatus.IN_STOCK, DeviceStatus.SPARE):
                fail("status", f"狀態為{STATUS_LABELS[row.status]}，但未填學校代碼")
            if not row.status:
                row.status = DeviceStatus.ASSIGNED if row.school else DeviceStatus.IN_STOCK
            row.valid = len(parse.errors) == problems_before
            parse.rows.append(row)

    def check(self, parse: Parse, *, target: ImportTarget, user) -> Preview:
        """Every database problem at once with the file's, so that the county fixes it in one round."""
        county = target.county
        if not parse.rows:
            return Preview(parse=parse)
        rows = [row for row in parse.rows if row.serial and row.tender]
        errors: list[Problem] = []
        blocked = blocked_brand_pairs()
        batches = {
            b.tender_number: b
            for b in ProcurementBatch.objects.filter(
                county=county, tender_number__in={r.tender for r in rows}
            ).select_related("plan_year")
        }
        codes = {row.school for row in rows if row.school}
        schools = {s["code"]: s for s in School.objects.filter(code__in=codes).values("pk", "code", "county_id")}
        registered = _registered_serials([row.serial for row in rows])
        blocked_batches = {t: blocked_match(f"{b.brand} {b.vendor}", blocked) for t, b in batches.items()}
        for row in rows:
            batch = batches.get(row.tender)
            if batch is None:
                errors.append(
                    Problem(row.excel_row, parse.where("tender"), f"採購案號 {row.tender} 不在{county.name}的採購案中")
                )
            elif blocked_batches[row.tender]:
                errors.append(
                    Problem(
                        row.excel_row,
                        parse.where("tender"),
                        f"採購案 {row.tender} 的{refusal_message(batch.brand, blocked_batches[row.tender])}",
                    )
                )
            if row.brand:
                name = blocked_match(row.brand, blocked)
                if name:
                    errors.append(Problem(row.excel_row, parse.where("brand"), refusal_message(row.brand, name)))
                elif batch is not None and normalize_brand(row.brand) != normalize_brand(batch.brand):
                    errors.append(
                        Problem(
                            row.excel_row,
                            parse.where("brand"),
                            f"廠牌「{row.brand}」與採購案的廠牌「{batch.brand}」不同",
                        )
                    )
            if row.school:
                school = schools.get(row.school)
                if school is None:
                    errors.append(
                        Problem(row.excel_row, parse.where("school"), f"學校代碼 {row.school} 不在本系統的學校中")
                    )
                elif school["county_id"] != county.pk:
                    errors.append(
                        Problem(row.excel_row, parse.where("school"), f"學校代碼 {row.school} 不是{county.name}的學校")
                    )
            if row.serial in registered:
                errors.append(Problem(row.excel_row, parse.where("serial"), f"序號 {row.serial} 已登錄在本系統"))
        in_file = Counter(row.tender for row in rows if row.tender in batches)
        registered_per_batch = Counter(
            dict(
                Device.objects.filter(batch__in=[b.pk for b in batches.values()])
                .values_list("batch__tender_number")
                .annotate(n=Count("pk"))
            )
        )
        for tender, count in sorted(in_file.items()):
            batch = batches[tender]
            already = registered_per_batch.get(tender, 0)
            if already + count > batch.quantity:
                errors.append(
                    Problem(
                        None,
                        parse.where("tender"),
                        f"採購案 {tender} 採購 {batch.quantity:,} 臺，已登錄 {already:,} 臺，"
                        f"本檔 {count:,} 臺，超過 {already + count - batch.quantity:,} 臺",
                    )
                )
        per_batch = Counter(row.tender for row in parse.rows)
        per_school = Counter(row.school for row in parse.rows if row.school)
        summary = {
            "rows": len(parse.rows),
            "batches": [{"tender": t, "count": n} for t, n in sorted(per_batch.items())],
            "schools": len(per_school),
            "stock": sum(1 for row in parse.rows if not row.school),
            "delivered": sum(1 for row in parse.rows if row.delivered_on),
            "mdm": sum(1 for row in parse.rows if row.mdm_enrolled_on),
        }
        return Preview(
            parse=parse,
            errors=errors,
            summary=summary,
            changes=len(parse.rows),
            found={"batches": batches, "schools": schools},
        )

    def write(self, preview: Preview, *, target: ImportTarget, user, source: str) -> dict:
        batches, schools = preview.found["batches"], preview.found["schools"]
        county_id = target.county.pk
        devices = []
        for row in preview.parse.rows:
            batch = batches[row.tender]
            devices.append(
                Device(
                    serial=row.serial,
                    asset_tag=row.asset_tag,
                    batch_id=batch.pk,
                    county_id=county_id,
                    school_id=schools[row.school]["pk"] if row.school else None,
                    use=row.use,
                    status=row.status,
                    delivered_on=row.delivered_on,
                    mdm_enrolled_on=row.mdm_enrolled_on,
                    licence_until=batch.licence_until,
                    warranty_until=batch.warranty_until,
                )
            )
        Device.objects.bulk_create(devices, batch_size=INSERT_BATCH)
        refresh_statistics(Device)
        invalidate(DEVICES)
        return preview.summary

    def cards(self, summary: dict) -> list[Card]:
        batches = "、".join(f"{b['tender']}：{b['count']:,} 臺" for b in summary["batches"])
        return [
            Card("載具數", summary["rows"], batches),
            Card("配發學校", summary["schools"], f"縣市庫存 {summary['stock']:,} 臺"),
            Card("已到校", summary["delivered"]),
            Card("已註冊 MDM", summary["mdm"]),
        ]

    def sample(self):
        return [
            ("產品序號", lambda row: row.serial),
            ("採購案號", lambda row: row.tender),
            ("學校代碼", lambda row: row.school or "（縣市庫存）"),
            ("用途", lambda row: DeviceUse(row.use).label if row.use else ""),
            ("狀態", lambda row: STATUS_LABELS.get(row.status, "")),
            ("到校日期", lambda row: row.delivered_on),
            ("MDM 註冊", lambda row: row.mdm_enrolled_on),
        ]

    def done_message(self, summary: dict) -> str:
        return f"已匯入 {summary['rows']:,} 臺載具（{summary['schools']} 校，縣市庫存 {summary['stock']:,} 臺）。"

    def command_message(self, summary: dict, target: ImportTarget) -> str:
        return (
            f"{target.county.name}已匯入 {summary['rows']:,} 臺載具：配發 {summary['schools']:,} 校、"
            f"縣市庫存 {summary['stock']:,} 臺、已到校 {summary['delivered']:,} 臺、已註冊 MDM {summary['mdm']:,} 臺"
        )


DEVICES_IMPORT = register(DeviceKind())


__all__ = ["DEVICES_IMPORT", "HEADER_TEXTS", "CellError", "ParsedDevice"]
