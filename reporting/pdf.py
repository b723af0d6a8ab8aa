"""PDF assembly: render a long document in parts on every core, then stamp the pages.

WeasyPrint lays out about 0.65 ms a table cell whatever we do to the CSS (a county's 附錄
of 353 rows is 5,600 cells, ~3.8 s) and it is single-threaded Python. So the document is
rendered in parts, all but the first in forked children, which inherit the warm fonts
and WeasyPrint's caches (a fresh interpreter would spend half a second importing). The
parts carry only content; the running header, page numbers (第 N 頁，共 M 頁) and the 草稿
watermark come from one small overlay document laid over the concatenated pages, so the
numbering runs across parts.

A child that fails or hangs is not trusted: its part is rendered again in this process.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import select
import signal
import time
from dataclasses import dataclass

from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter

logger = logging.getLogger(__name__)

CHILD_TIMEOUT_SECONDS = 120
A4_PORTRAIT = (595, 842)


def _refuse_fetching(url: str, *args, **kwargs):
    # Our templates load nothing; a URL in county-typed text must not reach the network.
    raise ValueError(f"外部資源不予載入：{url[:100]}")


def render_html(html: str) -> bytes:
    from weasyprint import HTML  # loading pango is not free; only PDF work needs it

    # WeasyPrint builds hundreds of thousands of short-lived objects; the cyclic garbage
    # collector walking the worker's whole heap over and over cost a third of the time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, url_fetcher=_refuse_fetching).write_pdf()
    finally:
        if was_enabled:
            gc.enable()


def _fork_render(html: str) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
        # Without this the child's garbage collector walks the inherited heap and the
        # kernel copies every page it touches: a child rendered 30% slower than its parent.
        gc.freeze()
        pid = os.fork()
    except (AttributeError, OSError):
        return None
    finally:
        gc.unfreeze()
    if pid == 0:  # the child: render, hand the bytes over, and leave without any cleanup
        status = 1
        try:
            gc.disable()  # short-lived: its garbage goes with it
            os.close(read_end)
            data = render_html(html)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int, deadline: float) -> bytes | None:
    chunks = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pipe], [], [], remaining)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                logger.warning("PDF part renderer %s timed out", pid)
                return None
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not chunks:
        logger.warning("PDF part renderer %s failed (status %s)", pid, status)
        return None
    return b"".join(chunks)


def render_parts(htmls: list[str]) -> list[bytes]:
    """Each HTML as a PDF, the first here and the others in forked children at once."""
    children = [_fork_render(html) for html in htmls[1:]]
    results = [render_html(htmls[0])]
    deadline = time.monotonic() + CHILD_TIMEOUT_SECONDS
    for html, child in zip(htmls[1:], children, strict=True):
        data = _collect(*child, deadline) if child else None
        results.append(data if data is not None else render_html(html))
    return results


@dataclass(frozen=True)
class Stamp:
    header_left: str
    header_right: str
    watermark: str = ""
    title: str = ""


def _css_text(text: str) -> str:
    # It goes into a CSS string in a <style> (margin box content): keep it inert there.
    return "".join(ch for ch in text if ch not in '"\\<>&\n\r')


def assemble(parts: list[bytes], stamp: Stamp) -> bytes:
    """Concatenate the parts and lay the header, page numbers and watermark over every page."""
    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    orientations = [
        "landscape" if float(page.mediabox.width) > float(page.mediabox.height) else "portrait" for page in writer.pages
    ]
    context = {
        "stamp": stamp,
        "pages": orientations,
        "header_left": _css_text(stamp.header_left),
        "header_right": _css_text(stamp.header_right),
    }
    overlay = PdfReader(io.BytesIO(render_html(render_to_string("reporting/pdf_overlay.html", context))))
    for page, over in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(over)
        page.compress_content_streams()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    if stamp.title:
        writer.add_metadata({"/Title": stamp.title, "/Creator": "數位學習精進方案縣市管理平臺"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
