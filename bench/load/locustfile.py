"""Deadline day (issue 11): county officers, schools and MOE reviewers on the portal at once.

Run through bench/load.py (it sets up the data and the stack and passes LOAD_WORLD, the accounts
file). Every user logs in through the real login page (and the MOE reviewers through the code
page, with the TOTP code of their authenticator's known key), then works:

- county officers (22): home, roster list and a row's edit form saved back, the plan page and
  its budget form saved back, the monthly report (月報) saved back, device list and
  reconciliation, an export (the county's roster workbook) now and then;
- schools (300): home, their school page, one usage file uploaded (upload, preview, confirm)
  then the usage overview;
- MOE reviewers (3): review queue, national dashboard, completeness grid, reconciliation, the
  device list, a national roster export now and then.

Pages are named by their route (ids replaced) so the per-page table groups them.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, task

WORLD = json.loads(Path(os.environ["LOAD_WORLD"]).read_text(encoding="utf-8"))
ACCOUNTS = WORLD["accounts"]
PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-password-2022")
KEY_HEX = os.environ.get("LOAD_KEY_HEX", "3132333435363738393031323334353637383930")
PLATFORMS = ("因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English")
_next = {kind: itertools.count() for kind in ("county", "school", "moe")}
# The mix (22 county officers : 300 schools : 3 MOE reviewers); a smoke run at a few users
# passes LOAD_WEIGHTS so that every kind of user takes part.
WEIGHTS = dict(
    zip(("county", "school", "moe"), map(int, os.environ.get("LOAD_WEIGHTS", "22,300,3").split(",")), strict=False)
)


def totp(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class _Forms(HTMLParser):
    """Every <form>: its action, method and the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "data": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["data"].append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "value": None, "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["value"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            value = self._select["value"] if self._select["value"] is not None else self._select["first"]
            self._form["data"].append((self._select["name"], value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["data"].append(tuple(self._textarea))
            self._textarea = None


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self):
        accounts = ACCOUNTS[self.kind]
        self.account = accounts[next(_next[self.kind]) % len(accounts)]
        self.username = self.account[0] if isinstance(self.account, list) else self.account
        self.log_in()

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else self.client.cookies.get("csrftoken", "")

    def log_in(self):
        page = self.client.get("/login/", name="/login/")
        with self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page.text)},
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
                return
        if self.kind == "moe":
            self.second_factor()

    def second_factor(self):
        # A code is accepted once per account and 30 s window: an account that logged in during
        # this window (an earlier run's user) waits for the next code, as a person would.
        for attempt in range(2):
            page = self.client.get("/login/code/", name="/login/code/")
            with self.client.post(
                "/login/code/",
                {"code": totp(KEY_HEX, time.time()), "csrfmiddlewaretoken": self.csrf(page.text)},
                headers={"Referer": f"{self.host}/login/code/"},
                name="/login/code/ (POST)",
                catch_response=True,
            ) as response:
                if response.status_code == 200 and "/login/" not in response.url:
                    return
                if attempt == 0:
                    response.success()  # the same code twice: not an error of the portal
                else:
                    response.failure(f"code refused ({response.status_code} {response.url})")
                    return
            time.sleep(30.5 - time.time() % 30)

    def page(self, path: str, name: str | None = None, **kwargs):
        with self.client.get(path, name=name or path, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/login/" in response.url and "/login/" not in path:
                response.failure("sent to the login page")
            return response

    def save_form_back(self, path: str, name: str, *, tweak=None):
        """GET a form page and POST its first matching form back as a person would save it."""
        response = self.page(path, name)
        if response.status_code != 200:
            return
        # The page's own form (posted to itself), not the header's log-out or another action.
        forms = [f for f in post_forms(response.text) if f["action"] in ("", path, ".")]
        if not forms:
            return
        form = max(forms, key=lambda f: len(f["data"]))
        data = list(form["data"])
        if tweak:
            data = tweak(data)
        target = form["action"] or path
        with self.client.post(
            target, data, name=f"{name} (POST)", headers={"Referer": f"{self.host}{path}"}, catch_response=True
        ) as answer:
            # A save answers with a redirect (followed) or the page again with the form's message.
            if answer.status_code >= 400:
                answer.failure(f"HTTP {answer.status_code}")

    def links(self, html: str, pattern: str) -> list[str]:
        return sorted(set(re.findall(pattern, html)))

    def export(self, kind: str, county: str = ""):
        page = self.page("/exports/", "/exports/")
        data = {"kind": kind, "year": "111", "county": county, "csrfmiddlewaretoken": self.csrf(page.text)}
        with self.client.post(
            "/exports/request/",
            data,
            name="/exports/request/ (POST)",
            headers={"Referer": f"{self.host}/exports/"},
            catch_response=True,
        ) as answer:
            if answer.status_code != 200 or "/exports/" not in answer.url:
                answer.failure(f"HTTP {answer.status_code} {answer.url}")
                return
        job = re.search(r"/exports/(\d+)/", answer.url)
        if job:
            self.page(f"/exports/{job.group(1)}/status/", "/exports/[id]/status/")


class CountyOfficer(PortalUser):
    weight = WEIGHTS["county"]
    kind = "county"

    def on_start(self):
        super().on_start()
        self.code = self.username.removeprefix("load_county_")
        home = self.page("/", "/ (county home)")
        self.plan_path = f"/plans/111/{self.code}/"
        plans = self.links(home.text, r'href="(/plans/111/[^/"]+/)"')
        if plans:
            self.plan_path = plans[0]

    @task(4)
    def home(self):
        self.page("/", "/ (county home)")

    @task(4)
    def roster(self):
        response = self.page(f"/roster/?page={random.randint(1, 4)}", "/roster/?page=[n]")
        schools = self.links(response.text, r'href="(/schools/[^/"]+/)"')
        if schools and random.random() < 0.5:
            school = self.page(random.choice(schools), "/schools/[code]/ (county)")
            rows = self.links(school.text, r'href="(/roster/rows/\d+/edit/)"')
            if rows:
                self.save_form_back(random.choice(rows), "/roster/rows/[id]/edit/")

    @task(3)
    def plan(self):
        response = self.page(self.plan_path, "/plans/111/[county]/")
        if response.status_code == 200 and random.random() < 0.5 and f"{self.plan_path}edit/" in response.text:
            self.save_form_back(f"{self.plan_path}edit/", "/plans/111/[county]/edit/")

    @task(2)
    def monthly(self):
        response = self.page("/monthly/", "/monthly/")
        reports = self.links(response.text, rf'href="(/monthly/111/{re.escape(self.code)}/[^"/]+/)"')
        if reports:
            self.save_form_back(random.choice(reports), "/monthly/111/[county]/[month]/")

    @task(2)
    def devices(self):
        self.page(f"/devices/?page={random.randint(1, 20)}", "/devices/?page=[n]")
        self.page("/devices/reconciliation/", "/devices/reconciliation/ (county)")

    @task(1)
    def usage(self):
        self.page("/usage/", "/usage/ (county)")

    @task(1)
    def export_roster(self):
        self.export("roster_xlsx", self.code)


class SchoolUser(PortalUser):
    weight = WEIGHTS["school"]
    kind = "school"

    def on_start(self):
        super().on_start()
        self.code = self.account[1]
        self.uploaded = False

    @task(3)
    def home(self):
        self.page("/", "/ (school home)")

    @task(2)
    def school(self):
        self.page(f"/schools/{self.code}/", "/schools/[code]/")

    @task(2)
    def usage(self):
        if not self.uploaded:
            self.upload_usage()
        self.page("/usage/", "/usage/ (school)")

    def upload_usage(self):
        rows = ["學校代碼,月份,平臺,使用時數,活躍學生數,活躍載具數"]
        for month in range(1, 13):
            for platform in PLATFORMS:
                devices = random.randint(10, 200)
                rows.append(
                    f"{self.code},111年{month}月,{platform},{random.randint(0, devices * 30)},{devices},{devices}"
                )
        content = ("\n".join(rows) + "\n").encode("utf-8")
        form = self.page("/usage/import/", "/usage/import/")
        data = {"csrfmiddlewaretoken": self.csrf(form.text)}
        plan_year = re.search(
            r'name="plan_year"[^>]*>\s*(?:<option[^>]*>[^<]*</option>\s*)*?<option value="(\d+)" selected', form.text
        )
        if plan_year:
            data["plan_year"] = plan_year.group(1)
        with self.client.post(
            "/usage/import/",
            data,
            files={"file": (f"usage-{self.code}.csv", io.BytesIO(content), "text/csv")},
            name="/usage/import/ (POST)",
            headers={"Referer": f"{self.host}/usage/import/"},
            catch_response=True,
        ) as answer:
            preview = re.search(r"/usage/import/(\d+)/", answer.url)
            if answer.status_code != 200 or not preview:
                answer.failure(f"upload not taken: HTTP {answer.status_code} {answer.url}")
                return
        upload = preview.group(1)
        with self.client.post(
            f"/usage/import/{upload}/confirm/",
            {"csrfmiddlewaretoken": self.csrf(answer.text)},
            name="/usage/import/[id]/confirm/ (POST)",
            headers={"Referer": f"{self.host}/usage/import/{upload}/"},
            catch_response=True,
        ) as done:
            if done.status_code != 200:
                done.failure(f"HTTP {done.status_code}")
                return
        self.uploaded = True


class MoeReviewer(PortalUser):
    weight = WEIGHTS["moe"]
    kind = "moe"

    @task(2)
    def home(self):
        self.page("/", "/ (MOE home)")

    @task(3)
    def queue(self):
        self.page("/plans/review/", "/plans/review/")

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "/dashboard/")

    @task(3)
    def completeness(self):
        self.page("/completeness/", "/completeness/")

    @task(2)
    def devices(self):
        self.page("/devices/reconciliation/", "/devices/reconciliation/ (national)")
        self.page(f"/devices/?status=spare&page={random.randint(1, 50)}", "/devices/?status=spare&page=[n]")

    @task(1)
    def export_national(self):
        self.export("roster_xlsx")
