"""The only settings module. Everything that differs between machines comes from the environment.

| variable | default | meaning |
| --- | --- | --- |
| DATABASE_URL | sqlite:///db.sqlite3 | any URL dj-database-url understands (postgres://...) |
| SECRET_KEY | (required when DEBUG is off) | Django's signing key |
| DEBUG | 0 | 1 turns on debug pages and relaxes the production hardening below |
| ALLOWED_HOSTS | 127.0.0.1,localhost | comma-separated host names |
| CSRF_TRUSTED_ORIGINS | (empty) | comma-separated origins, e.g. https://labels.example.org |
| SECURE_SSL_REDIRECT | 1 when DEBUG is off | 0 when TLS ends at a proxy that already redirects |
| MAX_UPLOAD_MB | 50 | largest accepted web upload, in megabytes |
| PSEUDONYM_KEY | SECRET_KEY | keys the annotator pseudonyms of `export_gold --anonymize` |
| DATABASE_REPLICA_URL | (unset) | read replica used by exports and dashboards |
| STATIC_ROOT | staticfiles/ | where `collectstatic` writes and WhiteNoise serves from |
| LOG_LEVEL | INFO | level of the log lines written to stdout |
| AXES_FAILURE_LIMIT | 5 | failed logins (per username and address) before a 15-minute lockout |
| EMAIL_HOST | (unset) | SMTP server; setting it (or EMAIL_BACKEND) turns mail and password reset on |
| EMAIL_BACKEND | smtp with EMAIL_HOST | `smtp`, `console` (mails printed to stdout) or a dotted backend path |
| EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD | 587, (empty), (empty) | SMTP login |
| EMAIL_USE_TLS / EMAIL_USE_SSL | 1 / 0 | STARTTLS or implicit TLS |
| DEFAULT_FROM_EMAIL | webmaster@localhost | sender of password reset mails |
| TRUSTED_PROXY_COUNT | 0 | reverse proxies in front of the app that append to X-Forwarded-For |
| TRUSTED_PROXIES | (empty) | comma-separated addresses/networks of those proxies (optional) |
| BACKGROUND_UPLOAD_MB | 2 | web uploads larger than this run as a background job |
| EXPORT_DIR | var/exports/ | where background exports are written (shared by web servers and workers) |
| WEBHOOK_ALLOW_PRIVATE | 0 | 1 lets webhooks target loopback, private and link-local addresses |

The ``DJANGO_`` prefixed spellings (DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS) work too.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, os.environ.get(f"DJANGO_{name}", default))


def env_flag(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-deploy"

# Keys the annotator pseudonyms of anonymized exports. Defaults to SECRET_KEY; set it on its
# own so rotating SECRET_KEY does not change the pseudonyms of published datasets.
PSEUDONYM_KEY = env("PSEUDONYM_KEY") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "labels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "annotator.middleware.HtmxLoginRedirectMiddleware",
    "annotator.middleware.PrivatePagesMiddleware",
    "annotator.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "annotator.auth.UserBackend",
]
# Login throttling: 5 failed attempts for one username from one address lock that pair out for
# 15 minutes. The answer is the same whether or not the username exists (no enumeration).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
# The address is the client's, not the load balancer's: read from X-Forwarded-For only as far
# as the configured proxies vouch for it (annotator/client_address.py, docs/operations.md).
AXES_CLIENT_IP_CALLABLE = "annotator.client_address.client_address"
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Mail, and with it password reset, is off unless configured (docs/operations.md): without a
# mail server the reset pages answer 404 rather than promise a mail nobody sends.
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
EMAIL_HOST = env("EMAIL_HOST")
_email_backend = env("EMAIL_BACKEND") or ("smtp" if EMAIL_HOST else "")
EMAIL_BACKEND = EMAIL_BACKENDS.get(_email_backend, _email_backend) or EMAIL_BACKENDS["smtp"]
PASSWORD_RESET_ENABLED = bool(_email_backend)
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "webmaster@localhost")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"

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
                "annotator.password_reset.password_reset_context",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
# A request first checks that its persistent connection still works, so after a PostgreSQL
# restart or failover every worker reconnects by itself instead of failing once per worker.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Optional read replica for exports and dashboards (see annotator/db_router.py).
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(env("DATABASE_REPLICA_URL"), conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["annotator.db_router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: BEGIN IMMEDIATE makes every transaction take the write lock up
    # front, so the demo's concurrent claims and saves run one after another instead of
    # failing with "database is locked" or double-booking an article.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Database sessions (Django's own table and rules); annotator/sessions.py only makes the
# per-request read cheaper. Not cached or signed-cookie sessions: those keep a session alive
# after logout (in another worker's memory, or in a copied cookie).
SESSION_ENGINE = "annotator.sessions"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "labels:project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# With DEBUG off, pages link the hashed names of collectstatic's manifest (cached for ever by
# browsers); before the first collectstatic, as in the tests, they link the plain names.
_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "annotator.static_storage.CollectedStaticStorage"
    },
}
# Tests and `runserver` serve static files from the finders, no collectstatic needed. A deploy
# serves only what collectstatic wrote.
WHITENOISE_USE_FINDERS = DEBUG or not _COLLECTED
WHITENOISE_MANIFEST_STRICT = False

MAX_UPLOAD_MB = int(env("MAX_UPLOAD_MB", "50"))
# Uploads above this size are stored and imported by the background worker (labels.jobs).
BACKGROUND_UPLOAD_MB = float(env("BACKGROUND_UPLOAD_MB", "2"))

# Background jobs: django-tasks with its database backend, so the queue lives in the same
# database as everything else (PostgreSQL, or SQLite for `make run`) and no broker is needed.
# `make worker` (manage.py run_worker) runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker whose heartbeat is older than this is taken for dead: the UI says so, and the jobs
# it was running are marked failed (and can be retried).
WORKER_HEARTBEAT_SECONDS = 5
WORKER_DEAD_AFTER_SECONDS = 30
# Background exports are written here (a directory the web servers and workers share).
EXPORT_DIR = Path(env("EXPORT_DIR") or BASE_DIR / "var" / "exports")
# Webhooks refuse loopback, private and link-local targets unless this is on (SSRF guard).
WEBHOOK_ALLOW_PRIVATE = env_flag("WEBHOOK_ALLOW_PRIVATE", default=False)
# django-ninja serves its bundled Swagger UI files from our static files (no CDN).
NINJA_PAGINATION_PER_PAGE = 100
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Production hardening: on unless DEBUG is on. `manage.py check --deploy` is clean with DEBUG=0.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# One stream, stdout, for the platform (systemd, a container runtime) to collect; gunicorn's
# access log goes there too. Errors of requests (django.request) reach it through the root.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
}
