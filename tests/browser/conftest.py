"""Playwright driving Debian's Chromium against the live server. Never downloads a browser."""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def browser(transactional_db):
    """A Chromium per test, started after the test database is ready.

    Playwright's sync API runs an event loop in this thread. Under a running loop Django
    hands out another connection object, one without the serialized migration data that a
    transactional test restores; so the database is set up first, the browser second, and
    the browser is gone before the database is flushed. While it runs, the test's own ORM
    calls need DJANGO_ALLOW_ASYNC_UNSAFE."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        # The test's ORM calls ran under Playwright's event loop, on a connection of that
        # context; closed here, while the loop still runs, or it outlives the test run and
        # PostgreSQL refuses to drop the test database.
        connections.close_all()
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-TW", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, username: str, password: str) -> None:
    """The login a person does: the password, then, for a user with an authenticator (MOE
    reviewers and admins must have one), the code it shows now."""
    page.goto("/login/")
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    page.wait_for_load_state()
    if "/login/code/" in page.url:
        from portal.models import User
        from tests.conftest import totp_code

        page.get_by_label("驗證碼").fill(totp_code(User.objects.get(username=username)))
        page.get_by_role("button", name="驗證").click()
    page.wait_for_url("**/")
