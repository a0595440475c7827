"""Settings, all from the environment. Nothing secret lives in the repository."""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
# Importing settings creates and writes nothing: each command makes the directories it uses.
DATA_DIR = Path(os.environ.get("QUALITYLOOP_DATA_DIR", BASE_DIR.parent / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# Every web process and worker, on every machine, must sign with the same key, so none may
# invent its own. (`qualityloop run` keeps one in DATA_DIR for a single-machine installation.)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the environment variable SECRET_KEY to one long random "
            "value, the same on every machine that serves this database, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
            "(`qualityloop run` generates one into QUALITYLOOP_DATA_DIR/secret_key for a "
            "single-machine installation.)"
        )
    SECRET_KEY = "insecure-key-for-debug-only"  # noqa: S105 (DEBUG is never production)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "qualityloop.core",
    "qualityloop.accounts",
    "qualityloop.catalog",
    "qualityloop.complaints",
    "qualityloop.sla",
    "qualityloop.notifications",
    "qualityloop.correspondence",
    "qualityloop.investigation",
    "qualityloop.capa",
    "qualityloop.reports",
    "qualityloop.feedback",
    "qualityloop.knowledge",
    "qualityloop.demo",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qualityloop.core.middleware.HtmxLoginRedirectMiddleware",
]

ROOT_URLCONF = "qualityloop.urls"
WSGI_APPLICATION = "qualityloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qualityloop.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and worker share one file: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-work"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Attachments live outside the web root and are only served through an access check.
ATTACHMENT_ROOT = Path(os.environ.get("ATTACHMENT_ROOT", DATA_DIR / "attachments"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qualityloop@localhost")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

QUALITYLOOP = {
    # Complaint numbers read PREFIX-YEAR-NNNNNN.
    "NUMBER_PREFIX": os.environ.get("COMPLAINT_NUMBER_PREFIX", "QC"),
    "SITE_NAME": _("QualityLoop"),
    # Links in e-mail and robot messages point here.
    "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:8000"),
}
# The apps that react to a complaint's life, in the order they react (complaints/hooks.py).
COMPLAINT_HOOKS = [
    "qualityloop.investigation.hooks",
    "qualityloop.capa.hooks",
    "qualityloop.sla.hooks",
    "qualityloop.correspondence.hooks",
    "qualityloop.feedback.hooks",
    "qualityloop.knowledge.hooks",
    "qualityloop.reports.hooks",
]
# A failed notification is retried after these many seconds, then given up.
NOTIFY_RETRY_BACKOFF = [60, 300, 1800, 7200, 21600]
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "5"))
# Satisfaction survey: a score at or below this, or "not satisfied", reopens the complaint
# ("reopen") or escalates it to management ("escalate"); links last this many days.
SURVEY_LOW_SCORE = int(os.environ.get("SURVEY_LOW_SCORE", "2"))
SURVEY_LOW_SCORE_ACTION = os.environ.get("SURVEY_LOW_SCORE_ACTION", "reopen")
SURVEY_VALID_DAYS = int(os.environ.get("SURVEY_VALID_DAYS", "30"))
# Remedies above this amount (CNY) need approval by one of these roles.
REMEDY_APPROVAL_THRESHOLD = Decimal(os.environ.get("REMEDY_APPROVAL_THRESHOLD", "5000"))
REMEDY_APPROVER_ROLES = ("executive",)
# A "partly effective" check reopens the action, like "not effective".
CAPA_REOPEN_ON_PARTLY_EFFECTIVE = True
# A complaint still open this many days after receipt becomes a major quality case.
MAJOR_CASE_AFTER_DAYS = int(os.environ.get("MAJOR_CASE_AFTER_DAYS", "7"))
