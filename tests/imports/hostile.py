"""A hostile tester's files: each is bytes built here (nothing is downloaded), small enough
to keep in a test, and each has the reason the pipeline must give for refusing it."""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}'
    "<sheetData>{rows}</sheetData></worksheet>"
)


def workbook(sheet_xml: str, *, name: str = "Sheet1", extra: dict[str, str] | None = None, rels: str = "") -> bytes:
    """A minimal .xlsx written by hand, so that its XML says exactly what a test needs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=name))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(extra=rels))
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for member, text in (extra or {}).items():
            archive.writestr(member, text)
    return buffer.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows: list[tuple[int, str]], dimension: str = "") -> str:
    cells = "".join(f'<row r="{number}">{cells}</row>' for number, cells in rows)
    return _SHEET.format(dimension=f'<dimension ref="{dimension}"/>' if dimension else "", rows=cells)


def far_cell(ref: str) -> bytes:
    """One value in A1 and one far away: calamine would build the grid between them."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return workbook(sheet([(1, inline("A1", "學校代碼")), (row, inline(ref, "x"))]))


def lying_dimension() -> bytes:
    """A <dimension> that claims the whole sheet while the cells are two."""
    return workbook(sheet([(1, inline("A1", "學校代碼"))], dimension="A1:XFD1048576"))


def zip_bomb() -> bytes:
    """20 MB of one byte in a sheet, deflated to ~20 KB."""
    return workbook("<" + "a" * 20_000_000 + "/>")


def xxe() -> bytes:
    """An external entity that would read the server's files."""
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    return workbook(doctype + sheet([(1, inline("A1", "&e;"))])[len('<?xml version="1.0" encoding="UTF-8"?>') :])


def billion_laughs() -> bytes:
    """Nested entities in the shared strings: a few hundred bytes that expand to gigabytes."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    rel = (
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    return workbook(sheet([(1, '<c r="A1" t="s"><v>0</v></c>')]), extra={"xl/sharedStrings.xml": strings}, rels=rel)


def shared_string_flood(cells: int = 4000, length: int = 30_000) -> bytes:
    """Every cell points at one long shared string: small on disk, huge once each cell holds
    its own copy. Inside every limit the inspection knows; only the memory ceiling stops it."""
    strings = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>{'長' * length}</t></si></sst>"
    )
    rel = (
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    columns = "ABCDEFGHIJ"
    rows = [
        (r, "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in columns)) for r in range(1, cells // len(columns) + 1)
    ]
    return workbook(sheet(rows), extra={"xl/sharedStrings.xml": strings}, rels=rel)


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def big5_garbage() -> bytes:
    """Bytes that decode as Big5 (cp950) text but hold no table."""
    rng = random.Random(5)
    pairs = bytes(b for _ in range(2000) for b in (rng.randint(0xA4, 0xC6), rng.randint(0x40, 0x7E)))
    return pairs + b"\r\n" + pairs[:400]


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes
    reason: str
    """A part of the message the refusal must carry."""


def corpus() -> list[Hostile]:
    return [
        Hostile("far cell XFD199000", far_cell("XFD199000"), "XFD199000"),
        Hostile("far cell XFD20000", far_cell("XFD20000"), "XFD20000"),
        Hostile("dimension claims the sheet", lying_dimension(), "XFD1048576"),
        Hostile("zip bomb", zip_bomb(), "壓縮比例異常"),
        Hostile("XXE", xxe(), "DTD"),
        Hostile("billion laughs", billion_laughs(), "DTD"),
        Hostile("PDF renamed .xlsx", PDF, "不是 Excel 活頁簿或 CSV 檔"),
        Hostile("Big5 garbage", big5_garbage(), "找不到"),
        Hostile("empty file", b"", "檔案是空的"),
        Hostile("a workbook without a header row", workbook(sheet([(1, inline("A1", "你好"))])), "找不到"),
    ]
