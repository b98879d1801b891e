from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# How long a worker started next to the server gets to finish its task when it stops.
WORKER_STOP_SECONDS = 10


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (default %(default)s)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per process (default %(default)s)"
    )
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="also run a background worker (imports, weekly reviews, emails) until the "
        "server stops: everything on one machine with one command",
    )


def prepare_database(command: BaseCommand) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    command.stdout.write("Database is up to date.")


def run_server(command: BaseCommand, options: dict[str, Any]) -> None:
    from walkrx.web.server.gunicorn_app import WalkrxServer
    from walkrx.web.wsgi import application

    host, port = options["host"], options["port"]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    worker = start_worker() if options.get("with_worker") else None
    command.stdout.write(f"walkrx is running at http://{shown_host}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
    try:
        WalkrxServer(
            application,
            {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                "graceful_timeout": 20,
                "proc_name": "walkrx",
            },
        ).run()
    finally:
        if worker is not None:
            stop_worker(worker)


def start_worker() -> subprocess.Popen[bytes]:
    """``walkrx worker`` in a process of its own, with this process's settings.

    It gets a process group of its own, so Ctrl+C in the terminal reaches the server
    only, and the worker is stopped once, by :func:`stop_worker`.
    """
    return subprocess.Popen([sys.executable, "-m", "walkrx", "worker"], process_group=0)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker as Ctrl+C would: it finishes the task in hand, then exits."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
