"""Playwright driving Debian's Chromium against the live server. Never downloads a browser.

Every page a browser test opens is checked with axe-core (the copy that axe-playwright-python
ships; never a CDN) against the WCAG 2.0/2.1 A and AA rules, as 無障礙 AA asks (and a few
best-practice rules: AXE_EXTRA_RULES): after each
page load, before the test touches the page again, and once more when the test ends. Any
violation fails the test with its rule, the page and the element's selector."""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules issue 14 asks for too: no empty table header, one main landmark and all
# content inside landmarks, a working skip link, a heading on each page.
AXE_EXTRA_RULES = ["empty-table-header", "landmark-one-main", "region", "skip-link", "page-has-heading-one"]


def _axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


class AxeChecker:
    """Runs axe-core on each page load of the pages it watches, and keeps the violations."""

    def __init__(self):
        self.violations: list[str] = []
        self.checked: list[str] = []
        self.pages: list = []
        self._script = None

    def run(self, page) -> list[str]:
        """axe-core on the page as it is now; its violations as readable lines."""
        if self._script is None:
            self._script = _axe_source()
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self._script)
        options = {
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "rules": {rule: {"enabled": True} for rule in AXE_EXTRA_RULES},
            "resultTypes": ["violations"],
        }
        result = page.evaluate("options => axe.run(document, options)", options)
        lines = []
        for violation in result["violations"]:
            for node in violation["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"{page.url}: [{violation['id']}] {violation['help']} — {target} — {node['html'][:160]}")
        return lines

    def check(self, page) -> None:
        from playwright.sync_api import Error

        for _attempt in range(3):
            try:
                page.wait_for_load_state()
                url = page.url
                if url.startswith(("about:", "data:", "blob:")) or "/api/" in url:
                    return
                found = self.run(page)
            except Error as error:  # the page navigated away while axe ran: check the new one
                if "destroyed" in str(error) or "navigat" in str(error):
                    continue
                raise
            self.checked.append(url)
            for line in found:
                if line not in self.violations:
                    self.violations.append(line)
            return

    def watch(self, page):
        """Make `page` check itself after each load. Its class becomes a subclass of Page whose
        public attributes first run the pending check, so a check runs between the load and the
        test's next step, never while the test is typing or clicking."""
        checker = self
        self.pages.append(page)
        base = type(page)

        class CheckedPage(base):
            def __getattribute__(self, name):
                if not name.startswith("_"):
                    checker.drain(self, base)
                return base.__getattribute__(self, name)

        CheckedPage.__name__ = base.__name__
        CheckedPage.__qualname__ = base.__qualname__
        page.__dict__["_axe_pending"] = False
        page.__dict__["_axe_busy"] = False
        page.__class__ = CheckedPage

        def loaded(*_args):
            page.__dict__["_axe_pending"] = True

        page.on("load", loaded)
        return page

    def drain(self, page, base=None) -> None:
        d = page.__dict__
        if not d.get("_axe_pending") or d.get("_axe_busy"):
            return
        base = base or type(page).__mro__[1]
        if base.is_closed(page):
            return
        d["_axe_pending"] = False
        d["_axe_busy"] = True
        try:
            self.check(page)
        finally:
            d["_axe_busy"] = False

    def watch_context(self, context):
        """Every page of `context` is watched; closing the context checks its pages first."""
        new_page, close = context.new_page, context.close

        def checked_new_page(*args, **kwargs):
            return self.watch(new_page(*args, **kwargs))

        def checked_close(*args, **kwargs):
            for page in context.pages:
                self.drain(page)
            return close(*args, **kwargs)

        context.new_page = checked_new_page
        context.close = checked_close
        return context

    def finish(self) -> None:
        for page in self.pages:
            self.drain(page)
        if self.violations:
            pytest.fail(
                f"axe-core found {len(self.violations)} WCAG 2.1 A/AA violation(s):\n" + "\n".join(self.violations),
                pytrace=False,
            )


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
        checker = AxeChecker()
        new_context = browser.new_context

        def checked_new_context(*args, **kwargs):
            return checker.watch_context(new_context(*args, **kwargs))

        browser.new_context = checked_new_context
        browser.axe = checker
        yield browser
        try:
            checker.finish()
        finally:
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
    browser.axe.drain(page)
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
