"""The roster checked against the MOE's own statistics: the findings, sortable by their money
effect (the MOE's review), and the county's answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal import access, scope
from portal.pagination import query_without_page
from schools import official_check as check
from schools.models import County
from schools.official import AnswerRefused, finding_answer_save, roster_findings, sorted_lines

PAGE_SIZE = 50
SORT_LABELS = {"money": "金額影響（高→低）", "money_asc": "金額影響（低→高）", "school": "學校代碼"}


@login_required
@require_GET
def official_findings(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_read_budget(user), "學校帳號請在本校資料頁查看名單")
    plan_year = scope.plan_year_for(request)
    county = scope.county_for(request)
    report = roster_findings(user=user, plan_year=plan_year, county=county)
    sort = request.GET.get("sort") or ("money" if user.sees_every_county else "school")
    sort = sort if sort in SORT_LABELS else "school"
    kind = request.GET.get("kind", "")
    lines = report.lines
    if kind in check.KIND_LABELS:
        lines = [line for line in lines if line.finding.kind == kind]
    unanswered = request.GET.get("unanswered") == "1"
    if unanswered:
        lines = [line for line in lines if line.answer is None]
    page = Paginator(sorted_lines(lines, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/official_findings.html",
        {
            "plan_year": plan_year,
            "county": county,
            "counties": list(County.objects.all()) if user.sees_every_county else [],
            "report": report,
            "page": page,
            "query": query_without_page(request),
            "sort": sort,
            "sorts": SORT_LABELS,
            "kind": kind,
            "kinds": check.KIND_LABELS,
            "unanswered": unanswered,
            "may_answer": access.may_edit_plan(user),
        },
    )


@login_required
@require_POST
def official_finding_answer(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.may_edit_plan(user), "只有縣市承辦可以說明差異")
    plan_year = scope.plan_year_for(request)
    try:
        answer = finding_answer_save(
            user=user,
            plan_year=plan_year,
            code=request.POST.get("code", "")[:6],
            level=request.POST.get("level", "")[:2],
            kind=request.POST.get("kind", "")[:20],
            reason=request.POST.get("reason", ""),
        )
    except AnswerRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, f"已儲存 {answer.school.code}（{answer.level}）{check.KIND_LABELS[answer.kind]}的說明。"
        )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("official_findings")):
        back = f"{reverse('official_findings')}?year={plan_year.year}"
    return redirect(back)
