"""A new gunicorn worker imports the views and compiles the templates before its first request."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from django.template import engines

from portal.warmup import project_templates, warm_process

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_template_is_compiled_and_the_views_imported():
    names = project_templates()
    assert "base.html" in names and "404.html" in names and len(names) > 100
    assert warm_process() == len(names)
    assert "budget.views" in sys.modules and "reporting.views_reports" in sys.modules
    cached_loader = engines["django"].engine.template_loaders[0]
    assert hasattr(cached_loader, "get_template_cache") or hasattr(cached_loader, "template_cache")


def test_gunicorn_runs_it_in_each_new_worker():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    logged = []

    class Worker:
        class log:  # gunicorn's worker.log
            @staticmethod
            def info(message, *args):
                logged.append(message % args)

    hooks["post_worker_init"](Worker())
    assert logged and logged[0].startswith("warmed up: ") and int(logged[0].split()[2]) > 100
