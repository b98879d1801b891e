from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


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


def prepare_database(command: BaseCommand) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    command.stdout.write("Database is up to date.")


def run_server(command: BaseCommand, options: dict[str, Any]) -> None:
    from walkrx.web.server.gunicorn_app import WalkrxServer
    from walkrx.web.wsgi import application

    host, port = options["host"], options["port"]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    command.stdout.write(f"walkrx is running at http://{shown_host}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
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
