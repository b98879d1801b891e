from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from walkrx.web import config


def env(**values: str) -> config.Env:
    return config.Env(values)


class TestEnvParsing:
    @pytest.mark.parametrize(
        ("raw", "expected"), [("true", True), ("0", False), ("YES", True), ("off", False)]
    )
    def test_it_reads_yes_no_words(self, raw: str, expected: bool) -> None:
        assert env(WALKRX_DEBUG=raw).boolean("WALKRX_DEBUG", not expected) is expected

    def test_it_refuses_a_vague_boolean_naming_the_variable(self) -> None:
        with pytest.raises(config.ConfigError, match=r"WALKRX_DEBUG='maybe' is not a yes/no value"):
            env(WALKRX_DEBUG="maybe").boolean("WALKRX_DEBUG", False)

    def test_it_refuses_a_non_number(self) -> None:
        with pytest.raises(
            config.ConfigError, match="WALKRX_EMAIL_PORT='smtp' is not a whole number"
        ):
            env(WALKRX_EMAIL_PORT="smtp").integer("WALKRX_EMAIL_PORT", 25)

    def test_it_refuses_a_number_below_the_minimum(self) -> None:
        with pytest.raises(config.ConfigError, match="minimum is 1"):
            env(P="0").integer("P", 25, minimum=1)

    def test_it_reads_a_secret_from_a_file(self, tmp_path: Path) -> None:
        secret_file = tmp_path / "key"
        secret_file.write_text("s3cret\n")
        assert env(X_FILE=str(secret_file)).secret("X") == "s3cret"

    def test_it_names_an_unreadable_secret_file(self, tmp_path: Path) -> None:
        with pytest.raises(config.ConfigError, match=r"X_FILE=.*cannot be read"):
            env(X_FILE=str(tmp_path / "missing")).secret("X")


class TestDatabaseUrl:
    def test_it_defaults_to_sqlite_in_the_data_directory(self, tmp_path: Path) -> None:
        database = config.database_settings(env(), tmp_path)
        assert database["ENGINE"] == "django.db.backends.sqlite3"
        assert database["NAME"] == str(tmp_path / "walkrx.sqlite3")
        options = database["OPTIONS"]
        assert isinstance(options, dict)
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]

    def test_it_reads_postgres(self, tmp_path: Path) -> None:
        database = config.database_settings(
            env(DATABASE_URL="postgres://clinic:pw@db.internal:5432/walkrx"), tmp_path
        )
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert (database["HOST"], database["NAME"], database["PORT"]) == (
            "db.internal",
            "walkrx",
            5432,
        )

    def test_it_refuses_an_unsupported_scheme(self, tmp_path: Path) -> None:
        with pytest.raises(config.ConfigError, match="unsupported scheme 'mysql'"):
            config.database_settings(env(DATABASE_URL="mysql://x@y/z"), tmp_path)

    def test_it_refuses_a_url_without_database_name(self, tmp_path: Path) -> None:
        with pytest.raises(config.ConfigError, match="names no database"):
            config.database_settings(env(DATABASE_URL="postgres://x@y:5432"), tmp_path)


class TestSecretKey:
    def test_it_generates_a_private_key_once(self, tmp_path: Path) -> None:
        first = config.secret_key(env(), tmp_path)
        second = config.secret_key(env(), tmp_path)
        assert first == second
        assert len(first) >= config.MIN_SECRET_KEY_LENGTH
        mode = (tmp_path / config.SECRET_KEY_FILE_NAME).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600

    def test_it_refuses_a_weak_configured_key(self, tmp_path: Path) -> None:
        with pytest.raises(config.ConfigError, match="WALKRX_SECRET_KEY is too weak"):
            config.secret_key(env(WALKRX_SECRET_KEY="changeme"), tmp_path)


class TestHostsAndEmail:
    def test_it_answers_only_on_loopback_without_hosts(self) -> None:
        assert config.allowed_hosts(env(), debug=False) == ["127.0.0.1", "localhost", "[::1]"]

    def test_it_refuses_a_url_as_a_host(self) -> None:
        with pytest.raises(config.ConfigError, match="must be a bare host name"):
            config.allowed_hosts(env(WALKRX_ALLOWED_HOSTS="https://clinic.example"), debug=False)

    def test_it_configures_smtp(self) -> None:
        email = config.email_settings(env(WALKRX_EMAIL_HOST="smtp.example", WALKRX_EMAIL_USER="u"))
        assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert email["EMAIL_PORT"] == 587

    def test_it_refuses_tls_and_ssl_together(self) -> None:
        with pytest.raises(config.ConfigError, match="cannot both be on"):
            config.email_settings(
                env(WALKRX_EMAIL_HOST="h", WALKRX_EMAIL_USE_TLS="1", WALKRX_EMAIL_USE_SSL="1")
            )


def run_walkrx(
    *args: str, extra_env: dict[str, str], home: Path
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WALKRX_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    environment.update(WALKRX_HOME=str(home), **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "walkrx", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestStartup:
    def test_it_stops_with_a_clear_message_on_a_bad_value(self, tmp_path: Path) -> None:
        result = run_walkrx("check", extra_env={"WALKRX_DEBUG": "maybe"}, home=tmp_path)
        assert result.returncode == 2
        assert "configuration error: WALKRX_DEBUG='maybe' is not a yes/no value" in result.stderr
        assert "Traceback" not in result.stderr

    def test_it_passes_the_deployment_checklist_in_production_mode(self, tmp_path: Path) -> None:
        production = {
            "WALKRX_SECRET_KEY": "k" * 20 + "Q7x!pL2#vN9@rT4$wY6%zB8^" + "m" * 20,
            "WALKRX_ALLOWED_HOSTS": "clinic.example.org",
        }
        result = run_walkrx(
            "check", "--deploy", "--fail-level", "WARNING", extra_env=production, home=tmp_path
        )
        assert result.returncode == 0, result.stderr + result.stdout
