"""Settings for the training site, read from the environment.

Every value has a safe default for a local demo; production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
The helpers below fail loudly on values they cannot parse.
"""

import os
import secrets
import sys
import urllib.parse
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Management commands that only read the models never sign anything, so they
# run (in CI and in hooks) without a key; a throwaway one keeps Django content.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and sys.argv[1:2] and sys.argv[1] in KEYLESS_COMMANDS:
        SECRET_KEY = secrets.token_urlsafe(50)
    elif not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For a local demo run `make run`, which turns debug on."
        )
    # A fixed key is acceptable only for the local demo (debug on).
    SECRET_KEY = "django-insecure-local-demo-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "trainingsite",
    "lessons",
    "quizzes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_include_bootstrap",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: no non-UTF-8 form or control character (NUL) gets further.
    "trainingsite.middleware.RequestHygieneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trainingsite.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trainingsite.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout noticed during the view into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trainingsite.urls"
WSGI_APPLICATION = "trainingsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own templates win over any app's (django-include-bootstrap
        # ships a base.html of its own).
        "DIRS": [BASE_DIR / "trainingsite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trainingsite.context_processors.roles",
            ],
        },
    },
]

# Databases: SQLite in var/ by default, anything dj-database-url parses otherwise.
DEFAULT_SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DEFAULT_SQLITE_PATH,
            # Opening a connection runs the PRAGMAs below: keep it for the worker's next requests.
            "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the
    # write lock up front so concurrent writers wait (busy timeout) instead of
    # failing with "database is locked" when a read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                f"PRAGMA busy_timeout={env_int('DJANGO_SQLITE_TIMEOUT', 20) * 1000};"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AxesBackend first: it refuses locked-out credentials before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# English (British formats) only: without translations, Django skips the
# translation machinery on every string and number it renders.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
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
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# CPD evidence files (quizzes/cpd/evidence.py): private, outside MEDIA_ROOT, never given a
# public URL; the CPD pages serve them to the people who may see the entry.
CPD_EVIDENCE_ROOT = Path(os.environ.get("DJANGO_CPD_EVIDENCE_ROOT", VAR_DIR / "cpd-evidence"))
# On: training recorded elsewhere waits for a manager in the trainee's cohorts to approve it
# before it counts. Off (the default): it counts as soon as it is recorded.
CPD_APPROVAL_REQUIRED = env_bool("DJANGO_CPD_APPROVAL_REQUIRED", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "training@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Caches: every rate limit (trainingsite/ratelimit.py), the content cache and
# the report snapshots live in the default cache. Unset, DJANGO_CACHE_URL keeps
# it in each process's memory (zero set-up, fine for one process); with several
# gunicorn workers or app servers point it at Redis, or each process counts
# limits on its own (README, "Shared cache"). Only DJANGO_CACHE_URL's scheme is
# ever echoed in an error: the URL may hold a password.
LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
REDIS_SCHEMES = {"redis", "rediss", "unix"}
# A Redis that stops answering fails the request within this many seconds
# instead of holding the worker.
REDIS_SOCKET_TIMEOUT_SECONDS = 5


def cache_from_url(raw: str, *, key_prefix: str) -> dict:
    """The default cache for DJANGO_CACHE_URL: redis://, rediss://, unix:// or locmem://."""
    url = urllib.parse.urlsplit(raw.strip())
    scheme = url.scheme.lower()
    if scheme == "locmem":
        return {
            "BACKEND": LOCMEM_CACHE,
            "LOCATION": url.netloc,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    if scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            "DJANGO_CACHE_URL must be a redis://, rediss://, unix:// or locmem:// URL "
            f"(for example redis://127.0.0.1:6379/0); got the scheme {scheme!r}."
        )
    if scheme != "unix":
        try:
            host, _port = url.hostname, url.port
        except ValueError as exc:
            raise ImproperlyConfigured("DJANGO_CACHE_URL has a port that is not a number.") from exc
        database = url.path.strip("/")
        if not host:
            raise ImproperlyConfigured(
                "DJANGO_CACHE_URL needs a host, for example redis://127.0.0.1:6379/0."
            )
        if database and not (database.isascii() and database.isdigit()):
            raise ImproperlyConfigured(
                "DJANGO_CACHE_URL's path must be a Redis database number, "
                f"for example redis://127.0.0.1:6379/0; got {database!r}."
            )
    return {
        "BACKEND": REDIS_CACHE,
        "LOCATION": raw.strip(),
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
        },
    }


# Several sites (or a test run beside a server) can share one Redis database
# under different prefixes; cache.clear() on Redis still empties the whole
# database, so give the site a database of its own.
CACHE_KEY_PREFIX = os.environ.get("DJANGO_CACHE_KEY_PREFIX", "trainingsite")
CACHES = {
    "default": cache_from_url(
        os.environ.get("DJANGO_CACHE_URL", "").strip() or "locmem://",
        key_prefix=CACHE_KEY_PREFIX,
    )
}
# How long published content (lessons, quizzes, their structure) stays cached
# for trainee pages; a change clears it at once (trainingsite/content_cache.py).
# 0 turns the cache off.
CONTENT_CACHE_SECONDS = env_int("DJANGO_CONTENT_CACHE_SECONDS", 60)

# Sessions end after an idle period (seconds); use extends them. The session is
# saved again only when its last refresh is older than SESSION_REFRESH_SECONDS
# (trainingsite/sessions.py), so most pages write nothing.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_SECONDS", 60 * 60 * 8)
SESSION_REFRESH_SECONDS = env_int("DJANGO_SESSION_REFRESH_SECONDS", 5 * 60)
SESSION_SAVE_EVERY_REQUEST = False

# Login throttling (django-axes). Failures are counted per username *and*
# address together: one person mistyping cannot lock out everyone behind a
# clinic's shared address, and guessing one account's password from one
# address stops after the limit. A successful login clears the count.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "trainingsite.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "trainingsite.security.client_ip"
AXES_USERNAME_CALLABLE = "trainingsite.security.client_username"
# Number of reverse proxies in front of the site that append to X-Forwarded-For;
# 0 means the client address is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("DJANGO_LOGIN_FAILURE_LIMIT must be at least 1.")


def env_count(name: str, default: int) -> int:
    """A whole number of at least 1 (a limit or a window of minutes)."""
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1; got {value}.")
    return value


# Limits beyond django-axes (trainingsite/auth_views.py), counted in the default
# cache. Failed log-ins from one address across every username (password
# spraying): well above what a clinic's staff behind one shared address mistype.
# Password-reset e-mails: per address typed, whether or not it has an account
# (so the refusal says nothing about who has one), and per client address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_count("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_ADDRESS_WINDOW_SECONDS = 60 * env_count("DJANGO_LOGIN_ADDRESS_WINDOW_MINUTES", 15)
PASSWORD_RESET_ACCOUNT_LIMIT = env_count("DJANGO_PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_count("DJANGO_PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_WINDOW_SECONDS = 60 * env_count("DJANGO_PASSWORD_RESET_WINDOW_MINUTES", 60)

# Content-Security-Policy (django-csp): only this site's own files, no inline
# scripts or styles, no third-party origin. The Django admin works under it
# unchanged (its scripts are static files; its data comes in JSON script tags).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Security headers. Cookie and TLS settings follow DEBUG so that the demo runs
# over plain http while production (debug off) is locked down.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks from the load balancer come over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Lockouts and repeated failures are warnings; each successful login is not news.
        "axes": {"level": "WARNING"},
    },
}

# The demo password is printed by `make run`; it exists only in the demo set-up.
DEMO_PASSWORD = "practice-2026"

# Signed credentials (quizzes/credentials/): every certificate is also an Open Badges 3.0
# credential, signed as a VC-JWT with Ed25519. The key set is JSON of private JWKs, the
# signing key first: DJANGO_CREDENTIAL_KEYS holds the JSON itself (for app servers without
# a disk of their own; it wins), else DJANGO_CREDENTIAL_KEYS_FILE names the file (default
# var/credential-keys.json, git-ignored). `manage.py credential_keys --generate` writes
# one, `--rotate` adds a new signing key and keeps the old ones published, so credentials
# signed before still verify. Nothing is read here: signing without a key fails then, saying
# what to do. The issuer's name and public address go into every credential; the issuer
# profile, the public keys (JWKS) and the status list are published under that address, so
# set it to the site's public https address in production (default: the first allowed host).
CREDENTIAL_KEYS = os.environ.get("DJANGO_CREDENTIAL_KEYS", "")
CREDENTIAL_KEYS_FILE = Path(
    os.environ.get("DJANGO_CREDENTIAL_KEYS_FILE", "") or VAR_DIR / "credential-keys.json"
)
CREDENTIAL_ISSUER_NAME = os.environ.get(
    "DJANGO_CREDENTIAL_ISSUER_NAME", "Bleeding management training"
)
CREDENTIAL_ISSUER_URL = os.environ.get("DJANGO_CREDENTIAL_ISSUER_URL", "").strip() or (
    "http://127.0.0.1:8000/"
    if DEBUG or not ALLOWED_HOSTS or ALLOWED_HOSTS[0].startswith((".", "*"))
    else f"https://{ALLOWED_HOSTS[0]}/"
)
if urllib.parse.urlsplit(CREDENTIAL_ISSUER_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        "DJANGO_CREDENTIAL_ISSUER_URL must be an http(s) address, for example "
        f"https://training.example.org/; got {CREDENTIAL_ISSUER_URL!r}."
    )

# Background jobs (Django's Tasks API, the django-tasks backport): webhooks, reminder e-mails and
# learning records never make a page wait. "database" (the default) needs no set-up and runs
# with `manage.py db_worker`; "rq" puts them on Redis for several workers on several machines;
# "immediate" runs each job as it is enqueued (the test suite).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND_NAME = os.environ.get("DJANGO_TASKS_BACKEND", "database").strip() or "database"
if TASKS_BACKEND_NAME not in TASKS_BACKENDS:
    raise ImproperlyConfigured(
        "DJANGO_TASKS_BACKEND must be one of " + ", ".join(sorted(TASKS_BACKENDS)) + "."
    )
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS[TASKS_BACKEND_NAME],
        "QUEUES": ["default"],
    }
}
# RQ (DJANGO_TASKS_BACKEND=rq): the jobs live in DJANGO_TASKS_REDIS_URL's Redis (by default
# DJANGO_CACHE_URL's), run by `manage.py rqworker default` on any number of machines.
if TASKS_BACKEND_NAME == "rq":
    TASKS_REDIS_URL = (
        os.environ.get("DJANGO_TASKS_REDIS_URL", "").strip()
        or os.environ.get("DJANGO_CACHE_URL", "").strip()
    )
    if urllib.parse.urlsplit(TASKS_REDIS_URL).scheme.lower() not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            "DJANGO_TASKS_BACKEND=rq needs a Redis: set DJANGO_TASKS_REDIS_URL (or "
            "DJANGO_CACHE_URL) to a redis:// URL, for example redis://127.0.0.1:6379/1."
        )
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {
            "URL": TASKS_REDIS_URL,
            "DEFAULT_TIMEOUT": 300,  # seconds a job may run before RQ stops it
        }
    }

# The JSON API (quizzes/api/): requests a minute per token, counted in the shared cache.
API_RATE_LIMIT_PER_MINUTE = env_count("DJANGO_API_RATE_LIMIT_PER_MINUTE", 600)

# Webhooks (quizzes/webhooks/): deliveries to private, loopback and link-local addresses are
# refused unless this is set (a demo or test listener on 127.0.0.1).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("DJANGO_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", DEBUG)

# Learning records (quizzes/xapi/): statements go to this Learning Record Store's xAPI
# endpoint (for example http://127.0.0.1:8100/xAPI/) with HTTP Basic credentials; unset, none
# are sent.
XAPI_ENDPOINT = os.environ.get("DJANGO_XAPI_ENDPOINT", "").strip()
XAPI_USERNAME = os.environ.get("DJANGO_XAPI_USERNAME", "")
XAPI_PASSWORD = os.environ.get("DJANGO_XAPI_PASSWORD", "")
# The site's address in statements: the actor's account homePage and the base of every
# activity IRI. Keep it fixed once statements are sent (default: the credential issuer's).
XAPI_HOMEPAGE = os.environ.get("DJANGO_XAPI_HOMEPAGE", "").strip() or CREDENTIAL_ISSUER_URL
if not XAPI_HOMEPAGE.endswith("/"):
    XAPI_HOMEPAGE += "/"
if urllib.parse.urlsplit(XAPI_HOMEPAGE).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        "DJANGO_XAPI_HOMEPAGE must be an http(s) address, for example "
        f"https://training.example.org/; got {XAPI_HOMEPAGE!r}."
    )
if XAPI_ENDPOINT and urllib.parse.urlsplit(XAPI_ENDPOINT).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        "DJANGO_XAPI_ENDPOINT must be an http(s) address, for example "
        f"http://127.0.0.1:8100/xAPI/; got {XAPI_ENDPOINT!r}."
    )

# The attempt page's script saves a changed answer within this many seconds (Moodle's
# "autosave period" is a minute), at once when the trainee leaves or hides the page, and
# with the answers posted by Submit, Previous and Next (quizzes/static/quizzes/attempt.js).
QUIZ_AUTOSAVE_SECONDS = env_count("DJANGO_QUIZ_AUTOSAVE_SECONDS", 30)
if QUIZ_AUTOSAVE_SECONDS > 60:
    raise ImproperlyConfigured("DJANGO_QUIZ_AUTOSAVE_SECONDS must be at most 60.")

# Spaced review (quizzes/spaced_review/): the FSRS scheduler's longest interval, shorter for
# critical points so a safety point is never left unpractised for long; a session's items
# and time limit (at most 10 minutes: a review is a short break, not a quiz); the reminder
# nudge at most once in this many days.
REVIEW_MAX_INTERVAL_DAYS = env_count("DJANGO_REVIEW_MAX_INTERVAL_DAYS", 365)
REVIEW_CRITICAL_MAX_INTERVAL_DAYS = env_count("DJANGO_REVIEW_CRITICAL_MAX_INTERVAL_DAYS", 30)
REVIEW_SESSION_ITEMS = env_count("DJANGO_REVIEW_SESSION_ITEMS", 5)
REVIEW_SESSION_MINUTES = env_count("DJANGO_REVIEW_SESSION_MINUTES", 10)
if REVIEW_SESSION_MINUTES > 10:
    raise ImproperlyConfigured("DJANGO_REVIEW_SESSION_MINUTES must be at most 10.")
REVIEW_NUDGE_DAYS = env_count("DJANGO_REVIEW_NUDGE_DAYS", 7)
# Managers' reports flag a trainee whose predicted recall of critical points falls below
# this percentage (quizzes/spaced_review/retention.py).
RETENTION_THRESHOLD_PERCENT = env_count("DJANGO_RETENTION_THRESHOLD_PERCENT", 80)
if RETENTION_THRESHOLD_PERCENT > 100:
    raise ImproperlyConfigured(
        "DJANGO_RETENTION_THRESHOLD_PERCENT must be from 1 to 100; "
        f"got {RETENTION_THRESHOLD_PERCENT}."
    )
