"""The four pages of every import, mounted per kind (`portal.imports.urls.import_urls`):
upload -> preview (also the progress of a background import) -> confirm, or discard."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access, scope
from portal.downloads import CSV, attachment_response
from portal.imports.exporting import problems_csv
from portal.imports.forms import ImportUploadForm
from portal.imports.kinds import ImportKind, ImportRefused, get_kind
from portal.imports.pipeline import failed_problems, upload_confirm, upload_preview
from portal.imports.uploads import Status, upload_create, upload_discard, upload_for_user, uploads_recent
from portal.models import PendingUpload

ROWS_PER_PAGE = 50
PROBLEMS_PER_PAGE = 100


def _kind(request: HttpRequest, kind_name: str) -> ImportKind:
    kind = get_kind(kind_name)
    access.require(kind.may_use(request.user), kind.refusal)
    return kind


def _upload(request: HttpRequest, kind: ImportKind, upload_id: int) -> PendingUpload:
    return upload_for_user(user=request.user, kind=kind.name, pk=upload_id)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, kind_name: str) -> HttpResponse:
    kind = _kind(request, kind_name)
    user = request.user
    plan_year = scope.plan_year_for(request)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, kind=kind, user=user, initial={"plan_year": plan_year}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if kind.needs_county:
            county = user.county if user.county_id else data["county"]
        else:
            # County staff bring in their own county only (checked again at the preview).
            county = None if access.may_import_for_any_county(user) else user.county
        upload = upload_create(
            user=user,
            kind=kind.name,
            uploaded_file=data["file"],
            plan_year=data.get("plan_year", plan_year),
            county=county,
        )
        return redirect(kind.urls.preview, upload_id=upload.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "kind": kind,
            "form": form,
            "plan_year": plan_year,
            "instructions": kind.instructions(user=user, plan_year=plan_year),
            "recent": uploads_recent(user=user, kind=kind.name),
        },
    )


@login_required
@require_GET
def import_preview(request: HttpRequest, kind_name: str, upload_id: int) -> HttpResponse:
    kind = _kind(request, kind_name)
    upload = _upload(request, kind, upload_id)
    if upload.status == Status.IMPORTING or (request.headers.get("HX-Request") and upload.is_finished):
        template = "imports/_status.html" if request.headers.get("HX-Request") else "imports/status.html"
        done = kind.done_message(upload.summary) if upload.status == Status.CONFIRMED else ""
        return render(request, template, {"kind": kind, "upload": upload, "done_message": done})
    if upload.status == Status.CONFIRMED:
        messages.info(request, f"「{upload.original_name}」{kind.done_message(upload.summary)}")
        return redirect(_done_url(kind, upload))
    if upload.status == Status.DISCARDED:
        messages.info(request, f"「{upload.original_name}」已經放棄，沒有寫入任何資料。")
        return redirect(kind.urls.upload)
    if upload.status == Status.FAILED:
        problems = failed_problems(upload)
        return render(
            request,
            "imports/status.html",
            {"kind": kind, "upload": upload, "errors": Paginator(problems, PROBLEMS_PER_PAGE).get_page(1)},
        )

    preview = upload_preview(upload=upload, user=request.user)
    if request.GET.get("download") == "problems":
        name = f"{upload.original_name.rsplit('.', 1)[0]}-檢查結果.csv"
        return attachment_response(problems_csv(preview), name, CSV)
    page = Paginator(preview.parse.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    errors = Paginator(preview.errors, PROBLEMS_PER_PAGE).get_page(request.GET.get("errors"))
    rows_query = _query_without(request, "page")
    sample = kind.sample()
    rows = [
        (row, [value(row) for _, value in sample], kind.row_status(preview, row), getattr(row, "valid", True))
        for row in page.object_list
    ]
    return render(
        request,
        "imports/preview.html",
        {
            "kind": kind,
            "upload": upload,
            "preview": preview,
            "cards": kind.cards(preview.summary) if preview.ok else [],
            "notices": kind.notices(preview) if preview.ok else [],
            "errors": errors,
            "error_items": problem_links(preview.parse, errors.object_list, rows_query),
            "warnings": Paginator(preview.warnings, PROBLEMS_PER_PAGE).get_page(request.GET.get("warnings")),
            "headers": [header for header, _ in sample],
            "rows": rows,
            "page": page,
            "rows_query": rows_query,
            "errors_query": _query_without(request, "errors"),
            "warnings_query": _query_without(request, "warnings"),
            "background": preview.ok and kind.background(len(preview.parse.rows)),
        },
    )


_LETTER = re.compile(r"（([A-Z]{1,3}) 欄）$")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def problem_links(parse, problems, rows_query: str) -> list[dict]:
    """Each problem of a page with the value the file had in that cell (read back from the
    sheet by the column letter the message names) and a link to its row in the preview table
    (its page and its #row-N anchor); a row the table does not list gets no link."""
    positions = {getattr(row, "excel_row", None): index for index, row in enumerate(parse.rows)}
    wanted = {problem.row for problem in problems if problem.row}
    cells = {}
    if parse.layout is not None and wanted:
        cells = {number: values for number, values in parse.layout.sheet.rows if number in wanted}
    items = []
    for problem in problems:
        value, href = None, ""
        match = _LETTER.search(problem.column or "")
        if match and problem.row in cells:
            index = _column_index(match.group(1))
            values = cells[problem.row]
            value = values[index] if index < len(values) else None
        if problem.row in positions:
            number = positions[problem.row] // ROWS_PER_PAGE + 1
            query = f"{rows_query}&" if rows_query else ""
            href = f"?{query}page={number}#row-{problem.row}"
        items.append(
            {
                "row": problem.row,
                "column": problem.column,
                "message": problem.message,
                "value": value,
                "href": href,
            }
        )
    return items


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _done_url(kind: ImportKind, upload: PendingUpload) -> str:
    url = reverse(kind.urls.done)
    return f"{url}?year={upload.plan_year.year}" if upload.plan_year_id else url


@login_required
@require_POST
def import_confirm(request: HttpRequest, kind_name: str, upload_id: int) -> HttpResponse:
    kind = _kind(request, kind_name)
    upload = _upload(request, kind, upload_id)
    try:
        outcome = upload_confirm(upload=upload, user=request.user)
    except ImportRefused as refused:
        messages.error(request, f"未匯入任何資料：{refused}")
        return redirect(kind.urls.preview, upload_id=upload.pk)
    if outcome.queued:
        messages.info(
            request,
            f"「{upload.original_name}」共 {upload.row_count:,} {kind.unit}，已排入背景匯入；"
            "本頁會顯示進度，您也可以先離開，之後在上傳頁的「最近的上傳」查看結果。",
        )
        return redirect(kind.urls.preview, upload_id=upload.pk)
    messages.success(request, kind.done_message(outcome.summary))
    return redirect(_done_url(kind, upload))


@login_required
@require_POST
def import_discard(request: HttpRequest, kind_name: str, upload_id: int) -> HttpResponse:
    kind = _kind(request, kind_name)
    upload = _upload(request, kind, upload_id)
    if upload.status in (Status.PENDING, Status.FAILED):
        upload_discard(upload=upload)
        messages.info(request, "已放棄這次上傳，沒有寫入任何資料。")
    return redirect(kind.urls.upload)


@login_required
@require_GET
def import_template(request: HttpRequest, kind_name: str) -> HttpResponse:
    """An empty file with the kind's headers and one example row."""
    kind = _kind(request, kind_name)
    return attachment_response(kind.template_workbook(), f"{kind.title}匯入範本.xlsx")
