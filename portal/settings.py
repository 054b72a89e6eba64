"""Django settings of the portal, from the environment (and chitieu's own Settings for the
inbox, the published warehouse and the receipts export, so the portal and the night agree).

| variable | default | what |
|---|---|---|
| PORTAL_DATA_DIR | ./.portal | the embedded database, the secret key, checked uploads |
| PORTAL_DATABASE_URL | none: SQLite in PORTAL_DATA_DIR | postgresql://user[:pw]@host:port/name |
| PORTAL_SECRET_KEY | generated once into PORTAL_DATA_DIR/secret_key (0600) | Django's key |
| PORTAL_ALLOWED_HOSTS | 127.0.0.1,localhost | host names served |
| PORTAL_SESSION_MINUTES | 30 | idle time after which a session ends |
| PORTAL_SECURE_COOKIES | 0 | 1 behind HTTPS: cookies only over TLS |
| PORTAL_KEEP_UNSENT_DAYS | 7 | days a checked upload never sent is kept (more than 0, at most 3650) |
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR") or PROJECT_DIR / ".portal").resolve()


def _secret_key() -> str:
    """The key from the environment, or one generated once and kept beside the embedded
    database, readable by its owner only; never a key in the repository."""
    if key := os.environ.get("PORTAL_SECRET_KEY"):
        return key
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database() -> dict:
    url = os.environ.get("PORTAL_DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "portal.sqlite3",
                "OPTIONS": {"timeout": 20}}
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"PORTAL_DATABASE_URL: only postgresql:// is supported, not {parts.scheme}://")
    return {"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
            "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "", "PORT": str(parts.port or ""), "CONN_MAX_AGE": 60}


def keep_unsent_days(env: Mapping[str, str]) -> float:
    """PORTAL_KEEP_UNSENT_DAYS: a finite number of days, more than 0 (0 would remove an upload
    while its clerk reads the messages) and at most 3650; else refused naming it, and the
    portal does not start."""
    name = "PORTAL_KEEP_UNSENT_DAYS"
    text = (env.get(name) or "").strip()
    if not text:
        return 7.0
    from base.settings import SettingsError

    try:
        days = float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number of days") from None
    if not math.isfinite(days) or not 0 < days <= 3650:
        raise SettingsError(f"{name}={text!r} is out of range: it must be more than 0 and at most 3650 days")
    return days


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("PORTAL_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",
    "portal.office",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.office.middleware.FirstPasswordMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_URL = "office:login"
LOGIN_REDIRECT_URL = "office:home"

# Sessions end after PORTAL_SESSION_MINUTES idle, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("PORTAL_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("PORTAL_SECURE_COOKIES") == "1"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Repeated failed logins slow down: 5 failures for one name from one address lock it for 15 min.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "office/locked.html"

# Uploads: the reader's limit on a file's size (ingest/sources.py); Django keeps anything
# above 2.5 MB in a temporary file, never in memory.
from ingest.sources import MAX_FILE_BYTES  # noqa: E402

UPLOAD_MAX_BYTES = MAX_FILE_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # form fields other than the file
STAGED_DIR = DATA_DIR / "staged"
KEEP_UNSENT_DAYS = keep_unsent_days(os.environ)  # portal/office/staged.py
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
