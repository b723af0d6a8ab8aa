"""Settings, read from the environment. A bad value stops the process with a clear message.

DATABASE_URL  default: a SQLite file in var/ (the embedded default of `make run`)
REDIS_URL     unset: Celery runs tasks eagerly, in-process
SECRET_KEY    required when DEBUG is off
DEBUG         1/0, true/false, yes/no, on/off (default off)
ALLOWED_HOSTS comma-separated (default: localhost, 127.0.0.1)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing")
    return items


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # Django's own deploy check (security.W009) asks for this much: a key it would warn about
    # is refused here, so `check --deploy` stays clean on every server that starts.
    raise ImproperlyConfigured("SECRET_KEY is too short or too simple: use at least 50 random characters")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# The health check of a container asks http://127.0.0.1:8000/healthz from inside it.
ALLOWED_HOSTS += [host for host in ("127.0.0.1", "localhost") if host not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Database ---------------------------------------------------------------------------
_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={_database_url!r} cannot be used: {exc}") from exc
if _database["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    raise ImproperlyConfigured(f"DATABASE_URL must be postgres:// or sqlite:// (got engine {_database['ENGINE']})")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {"init_command": "PRAGMA foreign_keys=ON;", "timeout": 20}
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    # A persistent connection is checked before a request reuses it: after PostgreSQL restarts
    # (or a connection is cut), the next request reconnects instead of answering 503 (issue 11's
    # drill: without it every gunicorn worker failed its next request).
    _database["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery -----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Sessions are read on every request: from the cache first (Redis when there is one), the
# database only on a miss.
# Redis being away is a cache miss (portal.redis_cache), not an error: short socket timeouts.
CACHES = {
    "default": (
        {
            "BACKEND": "portal.redis_cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# portal.cache's read cache is only correct when every process shares the cache: with Redis,
# or in the single-process development server.
READ_CACHE = env_bool("READ_CACHE", bool(REDIS_URL) or DEBUG)
CELERY_RESULT_BACKEND = None  # a job's state lives on its own row, not in Celery
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# A message whose worker was SIGKILLed comes back after the visibility timeout: twice the
# longest job, so that a live job is never handed out twice (the reaper in reporting.tasks
# fails or re-queues a job row stuck past its time limit sooner).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
# Asking for a job while the broker is away must answer the page at once: one short retry,
# then the job row records that it waits (and a beat task sends it when the broker is back).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 5)
CELERY_TIMEZONE = "Asia/Taipei"
CELERY_BEAT_SCHEDULE = {
    "delete-old-export-files": {
        "task": "reporting.tasks.delete_old_export_files",
        "schedule": 6 * 3600.0,
    },
    "delete-abandoned-uploads": {
        "task": "portal.tasks.delete_abandoned_uploads",
        "schedule": 3600.0,
    },
    "requeue-stuck-imports": {
        "task": "portal.tasks.requeue_stuck_imports",
        "schedule": 300.0,
    },
    "requeue-export-jobs": {
        "task": "reporting.tasks.requeue_export_jobs",
        "schedule": 120.0,
    },
    # 落實備份及檢核: a backup every night, its verification every week (portal/backup.py).
    "backup-nightly": {
        "task": "portal.tasks.backup_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "verify-backup-weekly": {
        "task": "portal.tasks.verify_backup_weekly",
        "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    },
    "heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": 60.0,
    },
    # National figures kept in the database (portal/figures.py): recomputed soon after a write.
    "refresh-stale-figures": {
        "task": "portal.tasks.refresh_stale_figures",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
}
# accounts and the security log (issue 12): the hash chain is sealed every minute; idle and
# expired accounts are disabled and old security events purged once a day (03:00 Taipei).
CELERY_BEAT_SCHEDULE["seal-security-log"] = {"task": "portal.tasks.seal_security_log", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["disable-idle-accounts"] = {
    "task": "accounts.tasks.disable_idle_and_expired_accounts",
    "schedule": crontab(hour=3, minute=0),
}
CELERY_BEAT_SCHEDULE["purge-security-log"] = {
    "task": "portal.tasks.purge_security_log",
    "schedule": crontab(hour=3, minute=30),
}
# reporting: reminder e-mails before a monthly report's deadline (once a day, 08:00 Taipei)
CELERY_BEAT_SCHEDULE["monthly-report-reminders"] = {
    "task": "reporting.tasks.send_report_reminders",
    "schedule": crontab(hour=8, minute=0),
}

# --- Application ------------------------------------------------------------------------
INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin, for admins only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "portal",
    "schools",
    "budget",
    "devices",
    "training",
    "reporting",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A restarting database is waited for (a few seconds) before anything uses it (issue 11).
    "portal.middleware.DatabaseWaitMiddleware",
    "portal.cache.RequestTokensMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 12 (accounts and logs): the second factor of the session, then the security log's
    # per-request writer, idle sessions, what an unverified or must-change-password session
    # may open, and the headers of every page.
    "django_otp.middleware.OTPMiddleware",
    "portal.security.SecurityLogMiddleware",
    "portal.middleware.IdleSessionMiddleware",
    "portal.middleware.AccountGateMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A read whose database connection died is run once more (issue 11).
    "portal.middleware.ReadRetryMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a login attempt while its username/address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.PortalBackend",
]
# Login throttling: 5 failures for a username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# PROXY_COUNT: how many reverse proxies of ours stand in front of gunicorn (docker-compose: 1,
# Caddy). Only then are X-Forwarded-For / -Proto believed: the client address axes locks out is
# the one the nearest proxy saw, and HTTPS is what the proxy says. With 0 (gunicorn reached
# directly) both headers are ignored, since any client could send them.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.system_status",
                "portal.context_processors.breadcrumbs",
            ],
            "builtins": ["portal.templatetags.portal_tags"],
        },
    },
]

# --- Accounts, passwords, sessions, second factor (資通系統防護基準 中級; docs/security.md) ---
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)  # of upper, lower, digit, symbol
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 3)  # a new password is none of the last 3
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)  # then it must be changed
PASSWORD_MIN_AGE_DAYS = env_int("PASSWORD_MIN_AGE_DAYS", 1)  # not changed twice within a day
PASSWORD_HASHERS = [
    "portal.passwords.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "portal.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES}},
    {"NAME": "portal.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": PASSWORD_HISTORY}},
]
# PASSWORD_MIN_AGE_DAYS is checked by portal.passwords.MinimumAgeValidator on the pages where
# users change their own password (an admin resetting a leaked one is not held to it).
# The e-mailed reset link is Django's token: it works once (it hashes the password and the
# last login) and expires after this many seconds.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 60) * 60
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Accounts nobody logged into for this many days are disabled by a daily task.
ACCOUNT_IDLE_DAYS = env_int("ACCOUNT_IDLE_DAYS", 90)
# A session with no request for this long ends; the page warns this many seconds before.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_IDLE_WARNING_SECONDS = env_int("SESSION_IDLE_WARNING_SECONDS", 60)
# A session also ends at the latest this long after login, whatever the activity.
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
# Roles that must pass a second factor (TOTP) before any page; anyone may enrol.
MFA_REQUIRED_ROLES = ["moe", "admin"] + (["county"] if env_bool("MFA_REQUIRED_FOR_COUNTY", False) else [])
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "數位學習精進方案")
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: after each wrong code, wait 1, 2, 4 ... seconds
MFA_RECOVERY_CODES = 10
# Automated guessing from one address, whatever the usernames: at most this many failed
# logins or second-factor codes, and this many password-reset requests, per window.
THROTTLE_WINDOW_MINUTES = env_int("THROTTLE_WINDOW_MINUTES", 15)
THROTTLE_LOGIN_FAILURES_PER_ADDRESS = env_int("THROTTLE_LOGIN_FAILURES_PER_ADDRESS", 30)
THROTTLE_RESET_REQUESTS_PER_ADDRESS = env_int("THROTTLE_RESET_REQUESTS_PER_ADDRESS", 5)
# The security event log (portal.security): kept this long, then purged by a daily task.
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 365)

# --- Language and formats ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文")]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True
# Django's zh_Hant formats group digits by 4 with no separator; money here reads 1,234,567.
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: downloads go through access-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Rendered documents are kept this long for download, then deleted (the job rows stay).
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# Uploaded files: refused above this size before anything parses them.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# The import pipeline (portal.imports): an operator's command may take a national file; a
# confirm of more rows than IMPORT_BACKGROUND_ROWS runs as a background job; calamine reads a
# workbook in a child process under IMPORT_READ_MEMORY_BYTES and IMPORT_READ_SECONDS.
IMPORT_COMMAND_MAX_BYTES = env_int("IMPORT_COMMAND_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 5_000)
IMPORT_READ_MEMORY_BYTES = env_int("IMPORT_READ_MEMORY_BYTES", 1024 * 1024 * 1024)
IMPORT_READ_SECONDS = env_int("IMPORT_READ_SECONDS", 120)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 3)
IMPORT_STUCK_MINUTES = env_int("IMPORT_STUCK_MINUTES", 30)
# portal/figures.py: national figures kept between writes; a stale one is served at most this
# long while beat recomputes it (every 10 s), then readers compute it themselves.
STORED_FIGURES = env_bool("STORED_FIGURES", True)
# How long a request waits for a database that is away (a PostgreSQL restart takes ~1 s) before
# the 503 page: the pauses between tries, in seconds.
DATABASE_WAIT_SECONDS = (0.25, 0.5, 1.0, 2.0)
STORED_FIGURES_MAX_STALE_SECONDS = env_int("STORED_FIGURES_MAX_STALE_SECONDS", 120)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Backups (portal/backup.py) --------------------------------------------------------
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 14)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 8)
# The status page and /healthz warn when the newest backup or verification is older than this.
BACKUP_MAX_AGE_HOURS = env_int("BACKUP_MAX_AGE_HOURS", 26)
BACKUP_VERIFY_MAX_AGE_DAYS = env_int("BACKUP_VERIFY_MAX_AGE_DAYS", 8)
# The worker must have done its heartbeat (portal.tasks.heartbeat, every minute) this recently.
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 300)
HEALTH_MIN_FREE_BYTES = env_int("HEALTH_MIN_FREE_BYTES", 1024 * 1024 * 1024)

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): our pages load scripts, styles and images from
# ourselves only and have no inline script or style (tests/portal/test_headers.py checks
# every page of the URL matrix).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The containers' health checks ask over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"one_line_denials": {"()": "portal.logfilters.OneLineDenials"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # A refused request (403) is one line, not a traceback.
        "django.request": {"filters": ["one_line_denials"]},
    },
}

# --- The read-only API (api/, issue 15) -------------------------------------------------
# Not "rest_framework" itself: the API renders JSON only, and DRF's translation catalogue would
# override Django's own zh-Hant messages (「送出的檔案是空的」 became 「沒有任何檔案被提交。」).
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar", "api"]
# Requests a token (or a signed-in user) may make, e.g. 60/min, 1000/hour; over it: 429 + Retry-After.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        # The browsable docs' "Try it out" for whoever is signed in; the API only reads (GET).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "數位學習精進方案 縣市管理平臺 API",
    "DESCRIPTION": (
        "唯讀 API，供教育部與縣市政府的系統介接。以個人 API 權杖驗證（Authorization: Bearer <權杖>），"
        "權杖看得到的資料與其帳號在網頁上看到的相同。清單以 cursor 分頁（回應的 next 為下一頁網址），"
        "支援 ETag／If-None-Match；金額為新臺幣元（整數），日期為 ISO 8601，計畫年度另以民國年（roc_year）表示。"
    ),
    "VERSION": "1",
    "SERVE_PUBLIC": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

# Issue 14: the 公文 drafted on a return gives the county this many days to resubmit.
PLAN_RESUBMIT_DAYS = int(os.environ.get("PLAN_RESUBMIT_DAYS", "14"))
