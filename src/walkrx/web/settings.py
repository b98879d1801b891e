"""walkrx's one settings module: every value comes from the environment (see README)."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from walkrx.web import config

env = config.Env(os.environ)

WALKRX_HOME = config.data_directory(env)
DEBUG = env.boolean("WALKRX_DEBUG", False)
SECRET_KEY = config.secret_key(env, WALKRX_HOME)
ALLOWED_HOSTS = config.allowed_hosts(env, DEBUG)
# Without an explicit host list walkrx runs in embedded mode, answering only on loopback;
# once it is reachable by name it must be reached over HTTPS.
HTTPS = env.boolean("WALKRX_HTTPS", "WALKRX_ALLOWED_HOSTS" in os.environ)
BEHIND_PROXY = env.boolean("WALKRX_BEHIND_PROXY", False)
SITE_URL = env.text("WALKRX_SITE_URL", "")
# A licensed clinic's instrument pack (item wording for Oswestry, STarT Back, ...);
# without one, the sample pack with placeholder wording is used.
INSTRUMENT_PACK_PATH = env.text("WALKRX_INSTRUMENT_PACK", "")
UPLOAD_MAX_BYTES = env.integer("WALKRX_UPLOAD_MAX_BYTES", 4 * 1024**3, minimum=1024)

BASE_DIR = Path(__file__).resolve().parent
ROOT_URLCONF = "walkrx.web.urls"
WSGI_APPLICATION = "walkrx.web.wsgi.application"

TASKS_BACKPORT = find_spec("django.tasks") is None

INSTALLED_APPS = [
    "walkrx.web.accounts",
    "walkrx.web.clinics",
    "walkrx.web.patients",
    "walkrx.web.audit",
    "walkrx.web.programmes",
    "walkrx.web.activity",
    "walkrx.web.alerts",
    "walkrx.web.api",
    "walkrx.web.imports",
    "walkrx.web.server",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    *(["django_tasks"] if TASKS_BACKPORT else []),
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "walkrx.web.headers.SecurityHeadersMiddleware",
]

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
            ],
        },
    },
]

DATABASES = {"default": config.database_settings(env, WALKRX_HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ASVS 6.2.1 / 6.2.4: length over composition, and no password from the common list.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# HIPAA 164.312(a)(2)(iii) automatic logoff: a sliding idle timeout, renewed on each request.
SESSION_COOKIE_AGE = 60 * env.integer("WALKRX_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.boolean("WALKRX_HSTS_PRELOAD", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CSRF_TRUSTED_ORIGINS = [
    f"{'https' if HTTPS else 'http'}://{host}" for host in ALLOWED_HOSTS if host != "*"
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Joining the browsers' HSTS preload list is the domain owner's decision, taken with
# WALKRX_HSTS_PRELOAD; walkrx does not make it for them.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(config.upload_directory(WALKRX_HOME))
# Uploaded files wait here for the worker; with workers on other machines, a shared volume.
WALKRX_UPLOAD_DIR = env.text("WALKRX_UPLOAD_DIR", str(WALKRX_HOME / "uploads" / "jobs"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.text("WALKRX_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = WALKRX_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

globals().update(config.email_settings(env))
SERVER_EMAIL = globals()["DEFAULT_FROM_EMAIL"]
ADMINS = [("walkrx admin", address) for address in env.word_list("WALKRX_ADMIN_EMAILS", [])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("WALKRX_LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
