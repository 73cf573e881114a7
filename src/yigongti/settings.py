"""One env-driven settings module.

Environment:
  DATABASE_URL           default sqlite:///<project>/var/yigongti.sqlite3 (PostgreSQL in production)
  YIGONGTI_SECRET_KEY    required unless var/secret_key exists (`yigongti init-local` writes one)
  YIGONGTI_DEBUG         0/1, default 0
  YIGONGTI_ALLOWED_HOSTS comma-separated, default 127.0.0.1,localhost
  YIGONGTI_HTTPS         1 (default): secure cookies and HSTS; the demo sets 0 for http://127.0.0.1
  YIGONGTI_SQLITE_TIMEOUT seconds a SQLite writer waits for the lock before failing, default 20
  YIGONGTI_KEY_DIR       where the field-encryption keys live (default var/keys), see people.crypto
"""
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parent.parent
PROJECT_DIR = _checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()
VAR_DIR = Path(os.environ.get("YIGONGTI_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = env_bool("YIGONGTI_DEBUG", False)
HTTPS = env_bool("YIGONGTI_HTTPS", True)


def _secret_key() -> str:
    key = os.environ.get("YIGONGTI_SECRET_KEY", "")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    import sys

    if "init-local" in sys.argv[1:2]:
        return "bootstrap-only-" + "x" * 40  # init-local writes the real key and uses no secret itself
    raise ImproperlyConfigured(
        "Set YIGONGTI_SECRET_KEY or run `yigongti init-local` to create var/secret_key."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("YIGONGTI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("YIGONGTI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # layer 2: structure, access, audit, inbox, jobs
    "yigongti.org",
    "yigongti.audit",
    "yigongti.tasks",
    "yigongti.jobs",
    # layer 3: the shared resident record
    "yigongti.people",
    # layer 4: services
    "yigongti.chronic",
    "yigongti.familydoctor",
    "yigongti.referrals",
    "yigongti.pharmacy",
    "yigongti.experts",
    "yigongti.diagnostics",
    # layer 5: indicators and money
    "yigongti.kpi",
    "yigongti.finance",
    # layer 6: thin entry points
    "yigongti.api",
    "yigongti.fhir",
    "yigongti.web",
    "yigongti.demo",
    "yigongti.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yigongti.web.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "yigongti.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yigongti.urls"
WSGI_APPLICATION = "yigongti.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yigongti.web.context.navigation",
            ],
        },
    }
]

# Databases: SQLite (WAL, IMMEDIATE transactions) by default, PostgreSQL when DATABASE_URL points to one.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'yigongti.sqlite3'}",
        conn_max_age=int(os.environ.get("YIGONGTI_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # Writers queue for the lock instead of failing: on a busy two-core server a dispense or import waits its
        # turn (WAL lets readers carry on). YIGONGTI_SQLITE_TIMEOUT seconds, default 20.
        "timeout": float(os.environ.get("YIGONGTI_SQLITE_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yigongti.web.passwords.ComplexityValidator"},
    {"NAME": "yigongti.web.passwords.HistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): 5 failures lock the username from that address for 30 minutes, then longer.
AXES_FAILURE_LIMIT = int(os.environ.get("YIGONGTI_LOCKOUT_FAILURES", "5"))
YIGONGTI_LOCKOUT_MINUTES = int(os.environ.get("YIGONGTI_LOCKOUT_MINUTES", "30"))
# Back-off: the cool-off doubles for each earlier lockout of the username within 24 h (web.accounts.cool_off).
AXES_COOLOFF_TIME = "yigongti.web.accounts.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

# Two-factor login (django-otp): required for the roles in org.access (administrators, oversight).
OTP_TOTP_ISSUER = os.environ.get("YIGONGTI_OTP_ISSUER", "医共体信息平台")
OTP_TOTP_THROTTLE_FACTOR = 1
YIGONGTI_2FA_REQUIRED = env_bool("YIGONGTI_2FA_REQUIRED", True)
YIGONGTI_RECOVERY_CODES = 10
# Passwords: no reuse of the last N; login history kept at least this many days (≥ 6 months, 等保 8.1.4.3).
YIGONGTI_PASSWORD_HISTORY = int(os.environ.get("YIGONGTI_PASSWORD_HISTORY", "5"))
YIGONGTI_LOGIN_HISTORY_DAYS = max(183, int(os.environ.get("YIGONGTI_LOGIN_HISTORY_DAYS", "365")))
# The demo (`make demo`, YIGONGTI_DEMO=1) lets flagged demo accounts skip the forced first-login change.
YIGONGTI_DEMO = env_bool("YIGONGTI_DEMO", False)

# Sessions expire after 30 minutes idle (refreshed on each request) and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("YIGONGTI_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("YIGONGTI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("YIGONGTI_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy with nonces and no inline scripts (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its own locale/ (see tools/i18n.sh)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "yigongti.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "yigongti.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "yigongti API",
    "DESCRIPTION": "医共体信息平台 REST API (v1). Token auth: `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["yigongti.api.schema.only_api_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "yigongti.api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YIGONGTI_LOG_LEVEL", "WARNING")},
    "loggers": {"yigongti": {"level": os.environ.get("YIGONGTI_LOG_LEVEL", "INFO")}},
}

# Jobs: a claimed job whose worker vanished is released after this lease.
JOBS_LEASE_SECONDS = int(os.environ.get("YIGONGTI_JOBS_LEASE_SECONDS", "600"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("YIGONGTI_JOBS_MAX_ATTEMPTS", "5"))

# Notifications to staff and residents: console/log backend by default (design: pluggable).
NOTIFICATION_BACKEND = os.environ.get("YIGONGTI_NOTIFICATION_BACKEND", "yigongti.tasks.notify.LogBackend")

# Break-glass access lasts this long (Foundation 3).
BREAK_GLASS_MINUTES = int(os.environ.get("YIGONGTI_BREAK_GLASS_MINUTES", "60"))

# Field encryption keys (people.crypto): a key provider outside the database.
KEY_PROVIDER = os.environ.get("YIGONGTI_KEY_PROVIDER", "yigongti.people.crypto.FileKeyProvider")
KEY_DIR = Path(os.environ.get("YIGONGTI_KEY_DIR", VAR_DIR / "keys"))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SILENCED_SYSTEM_CHECKS: list[str] = []
