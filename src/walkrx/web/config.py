"""Reading walkrx's configuration from the environment.

Every value is validated when the process starts; a bad value stops it with a message
that names the variable, what was given and what is accepted.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
SECRET_KEY_FILE_NAME = "secret_key"  # noqa: S105 (a file name)
MIN_SECRET_KEY_LENGTH = 50
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


class ConfigError(Exception):
    """A configuration value in the environment is missing or malformed."""


@dataclass(frozen=True)
class Env:
    """A read-only view of the environment with strict typed getters."""

    values: Mapping[str, str]

    def text(self, name: str, default: str = "") -> str:
        return self.values.get(name, default).strip()

    def secret(self, name: str) -> str:
        """A secret given directly, or via a file named in ``NAME_FILE`` (container secrets)."""
        file_name = self.text(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ConfigError(
                    f"{name}_FILE={file_name!r} cannot be read ({error.strerror})."
                ) from None
        return self.text(name)

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.values.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConfigError(
            f"{name}={raw!r} is not a yes/no value; use one of: true, false, 1, 0, yes, no."
        )

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        raw = self.values.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
        if value < minimum:
            raise ConfigError(f"{name}={value} is too small; the minimum is {minimum}.")
        return value

    def word_list(self, name: str, default: list[str]) -> list[str]:
        raw = self.values.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]


def data_directory(env: Env) -> Path:
    """Where walkrx keeps its SQLite database, secret key and uploads."""
    configured = env.text("WALKRX_HOME")
    home = (
        Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("walkrx"))
    )
    if home.exists() and not home.is_dir():
        raise ConfigError(f"WALKRX_HOME={str(home)!r} exists but is not a directory.")
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise ConfigError(
            f"WALKRX_HOME={str(home)!r} cannot be created ({error.strerror}); "
            "choose a writable directory."
        ) from None
    return home


def upload_directory(home: Path) -> Path:
    """Where uploads and files being imported wait (private to walkrx's user)."""
    uploads = home / "uploads"
    uploads.mkdir(mode=0o700, exist_ok=True)
    return uploads


def database_is_sqlite(env: Env, home: Path) -> bool:
    return "sqlite" in str(database_settings(env, home)["ENGINE"])


def secret_key(env: Env, home: Path) -> str:
    """The configured key, or (embedded mode) one generated once and kept in the data directory.

    The file is created with mode 0600 so that other local users cannot forge sessions.
    """
    configured = env.secret("WALKRX_SECRET_KEY")
    if configured:
        if len(configured) < MIN_SECRET_KEY_LENGTH or len(set(configured)) < 5:
            raise ConfigError(
                f"WALKRX_SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random "
                "characters, e.g. the output of: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"
            )
        return configured
    key_file = home / SECRET_KEY_FILE_NAME
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(64))
    if key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        key_file.chmod(0o600)
    key = key_file.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"The secret key in {key_file} is damaged; delete the file to renew it.")
    return key


def database_settings(env: Env, home: Path) -> dict[str, object]:
    """Django ``DATABASES['default']`` from ``DATABASE_URL``, SQLite in the data dir by default."""
    import dj_database_url

    url = env.text("DATABASE_URL")
    if not url:
        return sqlite_settings(home / "walkrx.sqlite3")
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL has the unsupported scheme {scheme!r}; use "
            "postgres://user:password@host:5432/name or sqlite:////absolute/path.sqlite3."
        )
    try:
        parsed = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ConfigError(f"DATABASE_URL cannot be read: {error}") from None
    if parsed["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_settings(Path(str(parsed["NAME"])))
    if not parsed.get("NAME"):
        raise ConfigError("DATABASE_URL names no database; add it after the host, e.g. /walkrx.")
    return parsed


def sqlite_settings(path: Path) -> dict[str, object]:
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the write
    # lock up front so concurrent writers wait (up to the timeout) instead of failing with
    # "database is locked"; synchronous=FULL makes every commit durable (clinical records).
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA busy_timeout=20000"
            ),
        },
        "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
    }


def email_settings(env: Env) -> dict[str, object]:
    """SMTP settings; without ``WALKRX_EMAIL_HOST`` mail is written to the console log."""
    host = env.text("WALKRX_EMAIL_HOST")
    settings: dict[str, object] = {
        "DEFAULT_FROM_EMAIL": env.text("WALKRX_EMAIL_FROM", "walkrx <walkrx@localhost>"),
    }
    if not host:
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
        return settings
    use_tls = env.boolean("WALKRX_EMAIL_USE_TLS", True)
    use_ssl = env.boolean("WALKRX_EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ConfigError("WALKRX_EMAIL_USE_TLS and WALKRX_EMAIL_USE_SSL cannot both be on.")
    settings.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=host,
        EMAIL_PORT=env.integer("WALKRX_EMAIL_PORT", 465 if use_ssl else 587, minimum=1),
        EMAIL_HOST_USER=env.text("WALKRX_EMAIL_USER"),
        EMAIL_HOST_PASSWORD=env.secret("WALKRX_EMAIL_PASSWORD"),
        EMAIL_USE_TLS=use_tls,
        EMAIL_USE_SSL=use_ssl,
        EMAIL_TIMEOUT=env.integer("WALKRX_EMAIL_TIMEOUT", 20, minimum=1),
    )
    return settings


def allowed_hosts(env: Env, debug: bool) -> list[str]:
    hosts = env.word_list("WALKRX_ALLOWED_HOSTS", [])
    if not hosts:
        # Embedded mode on one machine: only the loopback names answer.
        return ["127.0.0.1", "localhost", "[::1]"]
    for host in hosts:
        if "/" in host or " " in host or host.startswith("http"):
            raise ConfigError(
                f"WALKRX_ALLOWED_HOSTS entry {host!r} must be a bare host name such as "
                "clinic.example.org (no scheme or path)."
            )
    return hosts
