"""Django settings of the IOC, read from the environment (see docs/settings.md)."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("IOC_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The key comes from SECRET_KEY, or is generated once into var/ (never into git)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("IOC_DEBUG")
ALLOWED_HOSTS = env_list("IOC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("IOC_CSRF_TRUSTED_ORIGINS", "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("IOC_BEHIND_HTTPS_PROXY") else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("IOC_BEHIND_HTTPS_PROXY")
SESSION_COOKIE_AGE = int(os.environ.get("IOC_SESSION_AGE_SECONDS", 8 * 3600))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files (offline), not from a CDN
    "django_tasks_db",
    "ioc.core",
    "ioc.accounts",
    "ioc.geo",
    "ioc.reports",
    "ioc.indicators",
    "ioc.inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ioc.core.middleware.LanguageMiddleware",
    "ioc.core.middleware.NulCharacterMiddleware",
    "ioc.core.middleware.SmallFormMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ioc.core.middleware.HtmxVaryMiddleware",
    "ioc.core.middleware.ClientGoneMiddleware",
]

ROOT_URLCONF = "ioc.urls"
ASGI_APPLICATION = "ioc.asgi.application"
WSGI_APPLICATION = "ioc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ioc.context_processors.shell",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ioc.sqlite3'}"
# No persistent connections: under ASGI (`ioc serve`) Django runs each request on a thread
# of its own, and a connection kept open by a thread that ends is never reused nor closed
# (Django's docs: disable them under ASGI). SQLite reuses its connections another way.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's back end, with the connections a request closes kept for the next one
    # (src/ioc/core/sqlite_pool/base.py says why).
    DATABASES["default"]["ENGINE"] = "ioc.core.sqlite_pool"
    # Tests use an in-memory database, as with Django's engine (pytest-django recognises
    # SQLite by the engine's name, and would otherwise name a test file per xdist worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between concurrent writers. The WAL is
        # copied back into the database every 10,000 pages (40 MB) instead of SQLite's
        # 1,000: a page written by many commits is copied once, and a report's write no
        # longer pays a checkpoint every twenty commits (docs/performance.md, session 8).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
            "PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"

# Lock-out after repeated failed logins, counted in the database so that every
# server process sees the same count.
IOC_LOGIN_MAX_FAILURES = int(os.environ.get("IOC_LOGIN_MAX_FAILURES", 5))
IOC_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("IOC_LOGIN_LOCKOUT_MINUTES", 15))
IOC_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("IOC_LOGIN_MAX_FAILURES_PER_IP", 30))
# How long a process trusts an API key it has read (accounts/services.py, _key_by_hash).
IOC_API_KEY_CACHE_SECONDS = float(os.environ.get("IOC_API_KEY_CACHE_SECONDS", 5))
# Reports without an account or API key that one address, or one device, may send an hour
# (reports/services/submission.py). Behind a carrier's shared address (CGNAT) many phones
# share one.
IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP = int(
    os.environ.get("IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP", 20)
)
IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_DEVICE = int(
    os.environ.get("IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_DEVICE", 10)
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# Numbers people read follow the language (1.234,5 / 1,234.5); ioc.core.formats says how.
FORMAT_MODULE_PATH = ["ioc.core.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package.json + lock) and are served from
# node_modules under /static/vendor/; nothing of them is copied into git.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("IOC_MEDIA_ROOT", VAR_DIR / "media"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("IOC_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "IOC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("IOC_EMAIL_FROM", "ioc@localhost")

# Working time for deadlines (docs/periods-and-calendar.md); holidays are data in the admin.
IOC_WORKING_HOURS = os.environ.get("IOC_WORKING_HOURS", "07:30-11:30,13:30-17:00")
IOC_WORKING_WEEKDAYS = os.environ.get("IOC_WORKING_WEEKDAYS", "0,1,2,3,4")
# Indicator imports with more rows than this run in the worker (docs/indicators.md).
IOC_INDICATORS_IMPORT_BACKGROUND_ROWS = int(
    os.environ.get("IOC_INDICATORS_IMPORT_BACKGROUND_ROWS", "5000")
)
# The indicator whose values weight population-weighted averages (docs/indicators.md).
IOC_INDICATORS_POPULATION_INDICATOR = os.environ.get(
    "IOC_INDICATORS_POPULATION_INDICATOR", "SE_POPULATION"
)
IOC_CALENDAR_CHECK_SECONDS = int(os.environ.get("IOC_CALENDAR_CHECK_SECONDS", 60))

# The deployment's area: a folder with a manifest.json and its boundary files.
# Another province points this at its own folder (docs/geography.md).
IOC_GEO_DIR = Path(os.environ.get("IOC_GEO_DIR", PACKAGE_DIR / "geo" / "data" / "binh_thuan"))
# Optional background map tiles; empty means the offline map of the shipped boundaries.
IOC_MAP_TILE_URL = os.environ.get("IOC_MAP_TILE_URL", "")
IOC_MAP_TILE_ATTRIBUTION = os.environ.get("IOC_MAP_TILE_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("IOC_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
