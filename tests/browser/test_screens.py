"""Every role's main pages, on a desktop (1366x900) and on a phone (390x844): a screenshot of
each in tests/artifacts/screens-<role>-<page>-<width>.png, no page wider than the phone's
screen (the page scrolls only up and down; wide tables scroll inside their own box), and
axe-core on each (the browser fixture checks every page load, at both sizes)."""

import pytest

from budget.services import plan_for, plan_submit
from tests.browser.conftest import log_in, screenshot
from tests.conftest import COUNTY_B, PASSWORD, fill_narrative, load_roster

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def visit_all(browser, live_server, user, pages: dict[str, str], role: str) -> list[str]:
    """Each page at both sizes; the pages wider than the phone's screen."""
    context = browser.new_context(base_url=live_server.url, locale="zh-TW", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, user.username, PASSWORD)
    too_wide = []
    for name, url in pages.items():
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{role} {name} {url}: {response and response.status}"
        screenshot(page, f"screens-{role}-{name}-1366")
        page.set_viewport_size(PHONE)
        page.reload()
        screenshot(page, f"screens-{role}-{name}-390")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            too_wide.append(f"{role} {name} {url}: {widths[0]} px > {widths[1]} px")
    # The phone's menu: behind the 選單 button, which opens it.
    toggle = page.get_by_role("button", name="選單")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("navigation", name="主選單").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("navigation", name="主選單").get_by_role("link", name="首頁").is_visible()
    context.close()
    return too_wide


@pytest.fixture
def plans(plan_year, county_a, county_b, school_user_a, officer_a, officer_b, county_a_records, county_b_records):
    """County A has its roster and a draft plan; county B has submitted its plan."""
    load_roster(plan_year, county_a_records)
    load_roster(plan_year, county_b_records, county_label=COUNTY_B)
    draft = plan_for(county=county_a, plan_year=plan_year)
    submitted = plan_for(county=county_b, plan_year=plan_year)
    fill_narrative(submitted)
    plan_submit(plan=submitted, user=officer_b)
    return draft, submitted


def test_every_role_s_main_pages_fit_a_phone_and_pass_axe(
    browser, live_server, plans, officer_a, reviewer, school_user_a, county_a_records
):
    draft, submitted = plans
    a = f"/plans/111/{draft.county.code}/"
    b = f"/plans/111/{submitted.county.code}/"
    county_pages = {
        "home": "/",
        "roster": "/roster/?year=111",
        "plan": a,
        "plan-edit": a + "edit/",
        "narrative": a + "narrative/",
        "devices": "/devices/",
        "training": "/office/",
        "usage": "/usage/",
        "usage-upload": "/usage/import/",
        "monthly": "/monthly/",
        "dashboard": "/dashboard/",
        "exports": "/exports/",
        "accounts": "/accounts/",
        "my-account": "/account/",
    }
    moe_pages = {
        "home": "/",
        "national-roster": "/roster/?year=111",
        "review-queue": "/plans/review/",
        "plan-review": b,
        "devices": "/devices/",
        "training": "/office/",
        "monthly": "/monthly/",
        "completeness": "/completeness/",
        "dashboard": "/dashboard/",
        "equity": "/equity/",
        "plan-years": "/plan-years/",
        "scenarios": "/scenarios/",
    }
    school_code = school_user_a.school.code
    school_pages = {
        "home": "/",
        "roster": "/roster/?year=111",
        "school": f"/schools/{school_code}/?year=111",
        "devices": "/devices/",
        "training": "/training/progress/",
        "usage": "/usage/",
        "usage-upload": "/usage/import/",
        "my-account": "/account/",
    }
    too_wide = [
        *visit_all(browser, live_server, officer_a, county_pages, "county"),
        *visit_all(browser, live_server, reviewer, moe_pages, "moe"),
        *visit_all(browser, live_server, school_user_a, school_pages, "school"),
    ]
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)
    assert len(browser.axe.checked) >= 2 * (len(county_pages) + len(moe_pages) + len(school_pages))


def test_an_upload_button_says_it_is_busy_and_is_not_sent_twice(page, officer_a, plan_year, tmp_path):
    """The upload is stopped on its way (as if the server were still working): the button says
    「處理中…」, is aria-busy and aria-disabled, and a second click sends nothing more."""
    upload = tmp_path / "使用時數.csv"
    upload.write_text("學校代碼,月份,平臺,時數\n", encoding="utf-8")
    log_in(page, officer_a.username, PASSWORD)
    page.goto("/usage/import/")
    sent = []

    def stop(route):
        if route.request.method == "POST":
            sent.append(route.request.url)
            route.abort("aborted")  # no error page: the page stays as it was
        else:
            route.continue_()

    page.route("**/usage/import/", stop)
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="上傳並檢查").click(no_wait_after=True)
    page.wait_for_function("document.querySelector('button[aria-busy=true]') !== null")
    busy = page.locator("button[aria-busy=true]")
    assert busy.inner_text() == "處理中…"
    assert busy.get_attribute("aria-disabled") == "true"
    assert busy.is_disabled()  # Playwright reads aria-disabled as a person would
    busy.evaluate("button => button.click()")  # clicked all the same
    page.wait_for_timeout(500)
    assert len(sent) == 1
