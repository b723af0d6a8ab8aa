"""The page where people make, name, list and revoke their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenForm
from api.tokens import MAX_ACTIVE_TOKENS, TokenRefused, may_hold_tokens, token_create, token_revoke, tokens_for
from portal import access

NEW_TOKEN = "api_new_token"  # noqa: S105 - the session key, not a secret


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    access.require(may_hold_tokens(request.user), "此帳號不能使用 API 權杖")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(user=request.user, name=form.cleaned_data["name"])
        except TokenRefused as refused:
            messages.error(request, str(refused))
        else:
            # Shown on the next page and dropped from the session there: a reload of that page
            # neither shows it again nor makes a second token.
            request.session[NEW_TOKEN] = raw
            messages.success(request, f"已建立權杖「{token.name}」。請立即複製，離開此頁後就無法再看到完整權杖。")
            return redirect("api_tokens")
    new_token = request.session.pop(NEW_TOKEN, None) if request.method == "GET" else None
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens_for(user=request.user),
            "new_token": new_token,
            "max_active": MAX_ACTIVE_TOKENS,
        },
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(may_hold_tokens(request.user), "此帳號不能使用 API 權杖")
    token = tokens_for(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("找不到這把權杖")
    if token_revoke(token=token, by=request.user):
        messages.success(request, f"已撤銷權杖「{token.name}」（{token.prefix}…），使用它的系統將無法再讀取資料。")
    else:
        messages.info(request, f"權杖「{token.name}」先前已撤銷。")
    return redirect("api_tokens")
