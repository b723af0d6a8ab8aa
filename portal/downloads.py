"""A generated file handed to the browser as a download, its Chinese file name intact,
and what every generated spreadsheet does to the cells it writes."""

import csv
import io
from urllib.parse import quote

from django.http import HttpResponse

from portal.imports.cells import FORMULA_START

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def safe_text(value):
    """A text cell that starts like a formula would run in the reader's spreadsheet: it gets
    an apostrophe (which our imports take off again). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(headers, rows) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese text as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([safe_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def attachment_response(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 6266 filename*: browsers keep 111年花蓮縣….xlsx as it is.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
