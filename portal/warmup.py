"""A new web process gets ready before its first request (gunicorn.conf.py's post_worker_init).

Django imports the views when the first URL is resolved and compiles a template the first time
it is rendered, so each new gunicorn worker answered its first requests ~300 ms late (issue 11's
cold-cache run: the login page at 310 ms p95, from the second worker's first request). After a
deploy or a worker's restart that was the users' wait; now the worker pays it before it is
given a request.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver

log = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the project's own templates (templates/), not those of installed packages."""
    names = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        root = Path(directory)
        names += sorted(str(path.relative_to(root)) for path in root.rglob("*.html"))
    return names


def warm_process() -> int:
    """Imports every view (by resolving the URLconf) and compiles the project's templates into
    the cached loader; returns how many templates were compiled."""
    get_resolver().url_patterns  # noqa: B018 - the property imports every app's urls and views
    compiled = 0
    for name in project_templates():
        try:
            get_template(name)
            compiled += 1
        except (TemplateDoesNotExist, TemplateSyntaxError):
            log.exception("template %s could not be compiled at start-up", name)
    return compiled
