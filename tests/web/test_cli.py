from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class

from walkrx.web.accounts.models import User
from walkrx.web.clinics.models import Clinic
from walkrx.web.patients.models import Patient
from walkrx.web.server.demo import DEMO_PATIENTS

WALKRX_COMMANDS = [
    "serve",
    "demo",
    "worker",
    "review",
    "simulate",
    "patients",
    "import",
    "activity",
    "apitoken",
]


@pytest.mark.parametrize("name", WALKRX_COMMANDS)
def test_each_walkrx_command_has_help_with_an_example(name: str) -> None:
    command = load_command_class(get_commands()[name], name)
    assert "Example: walkrx " + name in command.help


def test_it_lists_djangos_commands_too() -> None:
    assert {"migrate", "createsuperuser", "check", *WALKRX_COMMANDS} <= set(get_commands())


@pytest.mark.django_db(transaction=True)
def test_demo_twice_gives_the_same_data(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Patient.objects.count(), Clinic.objects.count())
    call_command("demo", "--no-serve")
    second = capsys.readouterr().out
    assert counts == (User.objects.count(), Patient.objects.count(), Clinic.objects.count())
    assert counts[1] == len(DEMO_PATIENTS) == 12
    login_lines = [line for line in first.splitlines() if line.startswith("login")]
    assert login_lines == [line for line in second.splitlines() if line.startswith("login")]
    roles = {line.split()[1] for line in login_lines}
    assert roles == {"clinician", "clinic", "patient"}
    clinician_line = next(line for line in login_lines if line.split()[1] == "clinician")
    _, _, email, password = clinician_line.split()[:4]
    assert User.objects.get(email=email).check_password(password)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``walkrx serve`` of an installation of its own, once it answers; stopped after."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WALKRX_")}
    environment.update(WALKRX_HOME=str(tmp_path), DATABASE_URL="")
    server = subprocess.Popen(
        [sys.executable, "-m", "walkrx", "serve", "--port", str(port), *options],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
                    assert page.status == 200
                    assert b"Sign in" in page.read()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield server, port
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def test_serve_answers_http_with_static_files(tmp_path: Path) -> None:
    with serving(tmp_path, "--workers", "1") as (server, port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/walkrx/app.css") as css:
            assert css.status == 200
            assert b"walkrx" in css.read()
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert f"walkrx is running at http://127.0.0.1:{port}/" in output
    assert "gunicorn" in output.lower()


def descendants(pid: int) -> dict[int, str]:
    """Command lines of the processes below ``pid`` (Linux /proc)."""
    found: dict[int, str] = {}
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                line = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            found[child] = line.decode()
            pending.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_serve_with_worker_runs_a_worker_until_the_server_stops(tmp_path: Path) -> None:
    with serving(tmp_path, "--with-worker") as (server, _):
        workers = [
            pid for pid, line in descendants(server.pid).items() if line.endswith("walkrx worker ")
        ]
        assert len(workers) == 1
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
    status = Path(f"/proc/{workers[0]}/status")
    assert not status.exists() or "zombie" in status.read_text()
