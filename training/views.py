"""The office's pages. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget.services import PlanActionRefused
from portal import access, scope
from portal.audit import recent
from training import selectors, selectors_pages
from training.forms import AttendanceAddForm, MinutesForm
from training.models import Attendance, TrainingSession, WorkingMeeting
from training.records import RECORD_TYPES, RecordType
from training.services import (
    attendance_add,
    attendance_delete,
    office_figures_to_plan,
    office_record_delete,
    office_record_save,
)

PAGE_SIZE = 50


def _require_read(request: HttpRequest) -> None:
    access.require(access.may_read_office(request.user), "學校帳號只能查看本校的研習紀錄與培訓進度")


def _require_manage(request: HttpRequest) -> None:
    access.require(access.may_manage_office(request.user), "只有縣市承辦可以維護推動辦公室資料")


def _record_type(slug: str) -> RecordType:
    try:
        return RECORD_TYPES[slug]
    except KeyError:
        raise Http404("沒有這種資料") from None


def _query_string(request: HttpRequest, **drop) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


# --- The office's records: list, create, edit, delete --------------------------------------


@login_required
@require_GET
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    _require_read(request)
    record_type = _record_type(slug)
    plan_year = scope.plan_year_for(request)
    county = scope.county_for(request)
    q = (request.GET.get("q") or "").strip()
    records = selectors_pages.office_records(
        user=request.user,
        record_type=record_type,
        plan_year=plan_year,
        county=county,
        q=q,
        status=request.GET.get("status") or "",
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(obj, [column(obj) for _, column in record_type.columns]) for obj in page.object_list]
    context = {
        "record_type": record_type,
        "plan_year": plan_year,
        "county": county,
        "page": page,
        "rows": rows,
        "q": q,
        "query": _query_string(request),
        "may_manage": access.may_manage_office(request.user),
        "show_county": county is None,
    }
    context |= selectors_pages.record_panel(
        user=request.user, record_type=record_type, plan_year=plan_year, county=county
    )
    return render(request, "training/record_list.html", context)


def _save(request, record_type: RecordType, form, minutes_form=None):
    """Validate and save through the service; model errors land on the form."""
    if not form.is_valid() or (minutes_form is not None and not minutes_form.is_valid()):
        return None
    instance = form.save(commit=False)
    minutes = minutes_form.cleaned_data.get("minutes") if minutes_form is not None else None
    try:
        instance = office_record_save(instance=instance, user=request.user, minutes=minutes)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            if field == "school":
                target = "school_code" if "school_code" in form.fields else None
            for error in errors:
                form.add_error(target, error)
        return None
    return instance


def _list_url(record_type: RecordType, instance) -> str:
    return reverse(f"training_{record_type.slug}") + f"?year={instance.plan_year.year}"


def _record_form_page(request, record_type: RecordType, form, done: str, *, plan_year, instance=None) -> HttpResponse:
    """A record's form (meetings carry their minutes, an optional upload, beside it): a valid POST
    is saved and goes back to the list with "已{done}…"; otherwise the form again, and when
    editing, the record and its history."""
    minutes_form = (
        MinutesForm(request.POST or None, request.FILES or None, required=False)
        if record_type.slug == "meetings"
        else None
    )
    if request.method == "POST":
        saved = _save(request, record_type, form, minutes_form)
        if saved is not None:
            messages.success(request, f"已{done}{record_type.verbose_name}「{saved}」。")
            return redirect(_list_url(record_type, saved))
    context = {"record_type": record_type, "form": form, "minutes_form": minutes_form, "plan_year": plan_year}
    if instance is not None:
        context |= {"instance": instance, "history": recent(instance.history.all())}
    return render(request, "training/record_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, slug: str) -> HttpResponse:
    _require_manage(request)
    record_type = _record_type(slug)
    plan_year = scope.plan_year_for(request)
    form = record_type.form_class(
        request.POST or None, user=request.user, plan_year=plan_year, instance=record_type.model()
    )
    return _record_form_page(request, record_type, form, "新增", plan_year=plan_year)


def _own_record(request: HttpRequest, record_type: RecordType, pk: int):
    return access.get_for_user(
        record_type.model.objects.select_related(*record_type.related, "plan_year"), request.user, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _require_manage(request)
    record_type = _record_type(slug)
    instance = _own_record(request, record_type, pk)
    form = record_type.form_class(
        request.POST or None, user=request.user, plan_year=instance.plan_year, instance=instance
    )
    return _record_form_page(request, record_type, form, "儲存", plan_year=instance.plan_year, instance=instance)


@login_required
@require_POST
def record_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _require_manage(request)
    record_type = _record_type(slug)
    instance = _own_record(request, record_type, pk)
    url = _list_url(record_type, instance)
    label = str(instance)
    office_record_delete(instance=instance, user=request.user)
    messages.success(request, f"已刪除{record_type.verbose_name}「{label}」。")
    return redirect(url)


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    _require_read(request)
    meeting = access.get_for_user(WorkingMeeting.objects.all(), request.user, pk=pk)
    if not meeting.minutes:
        raise Http404("這次會議尚未上傳會議紀錄")
    return FileResponse(meeting.minutes.open("rb"), as_attachment=True, filename=meeting.minutes_name or "minutes")


# --- The office at a glance; its figures into the plan -------------------------------------


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    plan_year = scope.plan_year_for(request)
    county = scope.county_for(request)
    context = {"plan_year": plan_year, "county": county, "may_manage": access.may_manage_office(request.user)}
    if county is None:
        context["counties"] = selectors_pages.office_counties(user=request.user, plan_year=plan_year)
        return render(request, "training/office_national.html", context)
    context |= selectors_pages.office_figures(user=request.user, plan_year=plan_year, county=county)
    return render(request, "training/office.html", context)


@login_required
@require_POST
def plan_figures(request: HttpRequest) -> HttpResponse:
    """Write lines 7, 9 and 10's figures into the county plan (budget's own service)."""
    _require_manage(request)
    plan_year = scope.plan_year_for(request)
    county = scope.county_for(request)
    if county is None:
        messages.error(request, "請先選擇縣市。")
        return redirect("training_office")
    try:
        _plan, figures = office_figures_to_plan(county=county, plan_year=plan_year, user=request.user)
    except PlanActionRefused as refused:
        messages.error(request, f"未寫入經費表：{refused}")
    else:
        messages.success(
            request,
            f"已寫入{county.name} {plan_year.year} 年度經費表：研習 {figures['training_sessions']:,} 場、"
            f"代理代課 國小 {figures['substitute_periods_elementary']:,} 節／"
            f"國中 {figures['substitute_periods_junior']:,} 節、專任人力 輔導 {figures['requested_counselors']}／"
            f"資訊 {figures['requested_it_staff']}／行政 {figures['requested_admin_staff']} 人。",
        )
    url = reverse("training_office") + f"?year={plan_year.year}"
    if not request.user.county_id:
        url += f"&county={county.code}"
    return redirect(url)


# --- Sessions and attendance ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_read(request)
    session = access.get_for_user(TrainingSession.objects.select_related("county", "plan_year"), request.user, pk=pk)
    may_manage = access.may_manage_office(request.user)
    form = AttendanceAddForm(request.POST or None, session=session)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            attendance_add(
                session=session,
                school=form.cleaned_data["school_code"],
                teacher_code=form.cleaned_data["teacher_code"],
                name=form.cleaned_data["name"],
                user=request.user,
            )
            messages.success(request, f"已登錄 {form.cleaned_data['teacher_code']}。")
            return redirect("training_session_detail", pk=session.pk)
    attendances = session.attendances.select_related("school__county").order_by("school__code", "teacher_code")
    page = Paginator(attendances, PAGE_SIZE).get_page(request.GET.get("page"))
    rule_set = session.plan_year.rule_set
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "page": page,
            "query": "",
            "form": form,
            "may_manage": may_manage,
            "cost_ntd": session.cost_ntd(rule_set),
            "substitute_ntd": session.substitute_ntd(rule_set),
            "count": page.paginator.count,
        },
    )


@login_required
@require_GET
def attendance_list(request: HttpRequest) -> HttpResponse:
    """Who completed what: county staff their sessions', school staff their school's teachers'."""
    plan_year = scope.plan_year_for(request)
    q = (request.GET.get("q") or "").strip()
    page = selectors_pages.attendance_page(
        user=request.user, plan_year=plan_year, q=q, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "training/attendance_list.html",
        {
            "plan_year": plan_year,
            "page": page,
            "q": q,
            "query": _query_string(request),
            "may_manage": access.may_manage_office(request.user),
        },
    )


@login_required
@require_POST
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    attendance = access.get_for_user(Attendance.objects.select_related("session"), request.user, pk=pk)
    session = attendance.session
    attendance_delete(attendance=attendance, user=request.user)
    messages.success(request, f"已刪除 {attendance.teacher_code} 的完成紀錄。")
    return redirect("training_session_detail", pk=session.pk)


# --- Progress against the targets -----------------------------------------------------------


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """Per school and county (county staff, MOE with ?county=), per county (MOE), own school (school staff)."""
    user = request.user
    plan_year = scope.plan_year_for(request)
    county = None if user.is_school_staff else scope.county_for(request)
    q = (request.GET.get("q") or "").strip()
    page_number = request.GET.get("page") or "1"

    def body() -> str:
        report = selectors_pages.progress_for_user(user=user, plan_year=plan_year, county=county)
        page = Paginator(selectors_pages.progress_rows(report, q=q), PAGE_SIZE).get_page(page_number)
        context = {
            "plan_year": plan_year,
            "report": report,
            "county": county,
            "page": page,
            "q": q,
            "query": _query_string(request),
            "chart": selectors.progress_chart(report=report),
        }
        return render_to_string("training/_progress_body.html", context, request=request)

    # The whole content, not only the figures: at 20 requests at once on two cores, the
    # template's hundreds of cells were most of the page's time (bench/training.py).
    parts = ("progress-page", plan_year.pk, county.pk if county else None, q, page_number)
    return render(
        request,
        "training/progress.html",
        {"plan_year": plan_year, "body": selectors.cached_read(parts, body, user=user)},
    )
