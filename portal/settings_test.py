"""Settings for the test suite: the real settings, with what a test run must not depend on."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-0123456789")

from portal.settings import *  # noqa: F403
from portal.settings import REDIS_URL

# Tests talk plain HTTP to the test client and the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in-process unless a test starts a real worker against REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders; nobody ran collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test process keeps its own cache, whatever REDIS_URL says.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
READ_CACHE = True  # exercised by the tests; tests/conftest.py clears the cache before each test
STORED_FIGURES = False  # every call computes; tests/portal/test_figures.py turns it on
