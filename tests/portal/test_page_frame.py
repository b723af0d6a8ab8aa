"""The frame of every page (templates/base.html, issue 14): the language, the skip link, the
「:::」 導盲磚 with their accesskeys, the 選單 button for phones, the breadcrumbs and the labels
screen readers need on the 附件1, budget and approval forms."""

import re

import pytest

from budget.services import plan_for, plan_submit
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


def crumbs(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs" aria-label="現在位置">(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S)]


def test_every_page_has_the_frame_a_government_site_has(officer_a):
    html = client_for(officer_a).get("/").content.decode()
    assert '<html lang="zh-Hant">' in html
    assert re.search(r'<a href="#main-content" class="skip-link">跳到主要內容</a>', html)
    assert '<main id="main-content"' in html
    for key, area in (("U", "上方功能區"), ("C", "中央內容區"), ("Z", "下方資訊區")):
        assert re.search(rf'<a href="#{key}" id="{key}" accesskey="{key}" title="{area}"[^>]*>:::', html), key
    toggle = '<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="main-nav">選單</button>'
    assert toggle in html
    assert '<nav class="main-nav" id="main-nav" aria-label="主選單">' in html
    assert "網站導覽" in html
    assert "現在位置：" in html and crumbs(html) == ["首頁"]


def test_the_login_page_has_no_menu_and_no_breadcrumbs(client):
    html = client.get("/login/").content.decode()
    assert "skip-link" in html and 'accesskey="U"' in html
    assert "nav-toggle" not in html and "breadcrumbs" not in html


def test_breadcrumbs_name_the_section_and_the_page(plan_year, county_a, officer_a, reviewer, school_user_a):
    load_roster(plan_year, [record()])
    plan = plan_for(county=county_a, plan_year=plan_year)
    base = f"/plans/111/{county_a.code}/"
    county = client_for(officer_a)
    assert crumbs(county.get(base + "edit/").content.decode()) == ["首頁", "縣市計畫", "111年花蓮縣計畫", "經費表"]
    assert crumbs(county.get(base + "narrative/").content.decode())[-1] == "計畫內容（附件1）"
    assert crumbs(county.get("/roster/?year=111").content.decode()) == ["首頁", "學校名單"]
    assert crumbs(county.get("/devices/").content.decode()) == ["首頁", "載具與設備"]
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    assert crumbs(client_for(reviewer).get(base).content.decode()) == ["首頁", "計畫審查", "111年花蓮縣計畫"]
    assert crumbs(client_for(school_user_a).get("/usage/").content.decode()) == ["首頁", "填報與績效"]


def labelled(html: str) -> list[str]:
    """The visible inputs (not hidden, not buttons) that have neither a <label for> nor aria-label."""
    targets = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    missing = []
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit|button)"', tag):
            continue
        id_ = re.search(r'id="([^"]+)"', tag)
        if "aria-label=" in tag or (id_ and id_.group(1) in targets):
            continue
        missing.append(tag[:80])
    return missing


def test_every_input_of_the_annex_budget_and_approval_forms_has_a_name(plan_year, county_a, officer_a, reviewer):
    load_roster(plan_year, [record()])
    plan = plan_for(county=county_a, plan_year=plan_year)
    base = f"/plans/111/{county_a.code}/"
    county = client_for(officer_a)
    assert labelled(county.get(base + "narrative/").content.decode()) == []
    assert labelled(county.get(base + "edit/").content.decode()) == []
    fill_narrative(plan)
    plan_submit(plan=plan, user=officer_a)
    review = client_for(reviewer).get(base).content.decode()
    # The one-form review labels each box visibly, its line number for screen readers.
    assert '<span class="sr">第1項 </span>核定金額（元）</label>' in review
    assert labelled(review) == []
