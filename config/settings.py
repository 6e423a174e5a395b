"""Settings for the township Party-building management product.

Everything lives here; only environment variables change a deployment:
DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS (and a few optional
ones documented in the README). With nothing set the product runs embedded:
SQLite under var/, Celery tasks run eagerly, a local-memory cache.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _env_bool(name, default):
    """Read a boolean strictly: a typo must not silently mean False."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _env_int(name, default):
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


DEBUG = _env_bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-embedded-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "townships",
    "villages",
    "cadres",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "townships.middleware.AbsoluteSessionTimeoutMiddleware",
    "townships.middleware.CacheControlMiddleware",
    # After authentication: a village login reaches only the pages its apps opened to it.
    "townships.middleware.VillageAllowlistMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "townships.context_processors.navigation",
            ],
            "string_if_invalid": "",
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    try:
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # environ raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
    if not DATABASES["default"].get("ENGINE"):
        raise ImproperlyConfigured("DATABASE_URL names an unknown database scheme.")
    DATABASES["default"]["CONN_MAX_AGE"] = _env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "townships.User"

# --- Cache, broker, Celery --------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")

if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to a miss when Redis is unavailable (townships/cache.py); the short
            # timeouts keep a paused Redis from hanging a request.
            "BACKEND": "townships.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dj",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks are chunked to finish in seconds; the hard limit stops a runaway one,
# and the visibility timeout sits well above it so Redis never redelivers a
# task that is still running (at-least-once, never twice at the same time).
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Short socket timeouts: a request publishing a task (townships.queue.publish: one connection
# attempt, one send) gives up after one timeout when Redis is down or paused, never hangs, and
# opens the Redis breaker for the rest of the request; the run row stays the intent. 1 s, as the
# cache's, keeps a request that meets a paused Redis under 2 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# All periodic schedules live here, each with its crontab spelled out.
CELERY_BEAT_SCHEDULE = {
    # Every night at 02:30 Shanghai time: refresh the registry totals that
    # list pages and dashboards read instead of recounting on every view.
    "refresh-registry-totals": {
        "task": "townships.tasks.refresh_all_township_totals",
        "schedule": crontab(hour=2, minute=30),
    },
    # On the 8th of every month at 03:00: score last month (reports are due on the 5th [setting]).
    "score-last-month": {
        "task": "assessments.tasks.score_last_month",
        "schedule": crontab(day_of_month=8, hour=3, minute=0),
    },
    # Every day at 08:00: remind townships of villages not yet reported when the deadline is 3 days
    # away or nearer (once per township and month: the message has a key).
    "remind-report-deadlines": {
        "task": "assessments.tasks.remind_deadlines",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every day at 08:10: tell each township of commitment milestones and 整改 deadlines that became
    # overdue (from the day after they fall due; once per item: the message has a key).
    "remind-commitments": {
        "task": "cadres.tasks.remind_commitments",
        "schedule": crontab(hour=8, minute=10),
    },
    # Every day at 08:20: 约谈 follow-ups that fell due and 整改台账 items past their deadline, to
    # those who act on them (once per item: the message has a key).
    "remind-talks": {
        "task": "assessments.tasks.remind_talks_and_rectifications",
        "schedule": crontab(hour=8, minute=20),
    },
    # Every 15 minutes: recompute the derived alerts the landing pages and the alert list read.
    "refresh-alerts": {
        "task": "cadres.tasks.refresh_alerts",
        "schedule": timedelta(minutes=15),
    },
    # Every 30 seconds: publish again the scoring work a killed worker, a database restart
    # or a broker outage left behind (the run rows are the durable intent).
    "sweep-scoring-runs": {
        "task": "assessments.tasks.sweep_scoring_runs",
        "schedule": timedelta(seconds=30),
    },
}
# In-app messages (/messages/) may also be forwarded: a dotted path to a function taking the list of
# new townships.models.Message rows, called after commit (an SMS or WeChat gateway where a county has
# one; county intranets usually do not). Empty: messages stay in the product.
MESSAGE_GATEWAY = env.str("MESSAGE_GATEWAY", default="")
# Stored alerts older than this are recomputed when a page reads them (beat refreshes every 15 minutes).
ALERTS_MAX_AGE_MINUTES = _env_int("ALERTS_MAX_AGE_MINUTES", 30)
# Failure drills only (tests/integration): a pause inside each scoring chunk, so a
# worker can be killed mid-run. Always 0 in production.
try:
    SCORING_CHUNK_PAUSE = float(env.str("SCORING_CHUNK_PAUSE", default="0") or 0)
except ValueError:
    raise ImproperlyConfigured("SCORING_CHUNK_PAUSE must be a number of seconds.") from None
# How long a claimed scoring chunk, or a quarterly or annual run, may go without a heartbeat before the
# sweeper hands it to another worker; a working step stamps one every quarter of it, however slow it is.
# 40 s plus the sweeper's 30 s puts an interrupted run back to work within two minutes of the
# worker's or the database's return.
SCORING_CHUNK_LEASE_SECONDS = _env_int("SCORING_CHUNK_LEASE_SECONDS", 40)
# A monthly run's Celery tasks score this many townships each, reading their inputs once: fewer
# queries per village, and still several tasks per county for the workers to share.
SCORING_TOWNSHIPS_PER_TASK = _env_int("SCORING_TOWNSHIPS_PER_TASK", 4)
# How often a chunk, or a quarterly or annual run, is handed out before its run is marked failed with the reason.
SCORING_CHUNK_MAX_ATTEMPTS = _env_int("SCORING_CHUNK_MAX_ATTEMPTS", 5)

# --- Authentication, sessions, lockout -------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 30 minutes idle: the cookie age is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
# 12 hours absolute, enforced by townships.middleware.
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lock the account, not the address: a township office sits behind one NAT
# address, and locking by IP would lock the whole office out (axes.W006).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- REST API ---------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "townships.api.auth.CachedTokenAuthentication",
        "townships.api.session.ChineseCsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["townships.permissions.IsScopedUser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "townships.api.pagination.BoundedPageNumberPagination",
    "EXCEPTION_HANDLER": "townships.api.exceptions.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only, as the README says: ?format=api is a JSON 404, never an HTML page.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # One counter per user and window (townships/api/throttling.py), not DRF's list of request times.
    "DEFAULT_THROTTLE_CLASSES": ["townships.api.throttling.FixedWindowUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_LIMIT", default="1200/hour"),
        "scorecards": env.str("SCORECARD_RATE_LIMIT", default="600/hour"),
    },
}

# A token is checked against the database at most this often per client (revocation drops it at once).
API_TOKEN_CACHE_SECONDS = _env_int("API_TOKEN_CACHE_SECONDS", 60)
# A page of the scores API is cached per user and ETag this long (a run or an override changes the ETag).
API_SCORES_CACHE_SECONDS = _env_int("API_SCORES_CACHE_SECONDS", 60)

REST_KNOX = {
    # Client tokens are long-lived but never eternal; revoke earlier in the admin.
    "TOKEN_TTL": timedelta(days=_env_int("API_TOKEN_TTL_DAYS", 365)),
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "乡镇党建管理 API",
    "DESCRIPTION": "县委组织部乡镇党建管理系统的 REST 接口：组织机构、考核与记分卡。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every endpoint and filter: signed-in users and token clients only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A village entry's review status is one set of choices wherever it appears (meetings, surveys).
    "ENUM_NAME_OVERRIDES": {
        "EntryStatusEnum": "townships.choices.EntryStatus",
        # Ballot tallies (surveys and 述职 ballots) share their kinds and methods across components.
        "BallotKindEnum": "assessments.choices.BallotKind",
        "SurveyMethodEnum": "assessments.choices.SurveyMethod",
    },
}

# --- Internationalization ---------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
if DEBUG:
    # WhiteNoise warns about a missing STATIC_ROOT on every start in development.
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own
# origin only; no inline script or event handler anywhere (the pages' behaviour is in
# static/js). Inline style *attributes* stay allowed (progress bars' widths, ECharts'
# containers): they cannot run code. No plugins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
CSRF_COOKIE_HTTPONLY = False  # forms post the token from the page, not from JS
if not DEBUG:
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    # Off only for `make run`'s plain http on 127.0.0.1; behind TLS they stay on.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Product settings -------------------------------------------------------

# Party organization terms (任期) are five years by the 2019 rural work regulation.
ORGANIZATION_TERM_YEARS = 5
