"""What the production image does, without Docker: collect the static files the way the
Dockerfile does (docker/collectstatic.sh), then serve a page with DEBUG off. Collected with
DEBUG on (as the image once did), no manifest is written and every page answers 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECRET = "image-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
SERVE = r"""
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
page = client.get("/login/", secure=True)
text = page.content.decode()
start = text.find("/static/css/portal.")
css = text[start:text.find('"', start)] if start >= 0 else ""
asset = client.get(css, secure=True) if css else None
print(json.dumps({"page": page.status_code, "css": css, "asset": asset.status_code if asset else None}))
"""


def production_env(var_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        PORTAL_VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def serve(var_dir) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env=production_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("image")
    env = production_env(var_dir)
    env.pop("DEBUG")  # the script sets it, as in the image
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # its `python` is the image's
    subprocess.run(["sh", "docker/collectstatic.sh"], cwd=ROOT, env=env, check=True, timeout=300)
    return var_dir


def test_the_image_build_writes_the_manifest_and_a_page_is_served_with_debug_off(collected):
    manifest = json.loads((collected / "staticfiles" / "staticfiles.json").read_text())
    assert "css/portal.css" in manifest["paths"]
    served = serve(collected)
    assert served["page"] == 200 and served["asset"] == 200
    assert served["css"] == "/static/" + manifest["paths"]["css/portal.css"]


def test_collected_with_debug_on_every_page_would_answer_500(tmp_path):
    env = production_env(tmp_path) | {"DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    assert not (tmp_path / "staticfiles" / "staticfiles.json").exists()
    assert serve(tmp_path)["page"] == 500


def test_the_dockerfile_collects_with_the_script():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "sh docker/collectstatic.sh" in dockerfile and "DEBUG=1" not in dockerfile


def test_the_image_copies_every_package_and_the_gunicorn_settings():
    """The image is built from the COPY lines: a package left out (accounts and api once were)
    is an image whose every page fails, which no test of the checkout would notice."""
    import re
    import tomllib

    copied = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            copied.update(part.rstrip("/") for part in line.split()[1:-1])
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {re.sub(r"\*$", "", name) for name in include}
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
    assert {"manage.py", "gunicorn.conf.py", "templates", "static"} <= copied
