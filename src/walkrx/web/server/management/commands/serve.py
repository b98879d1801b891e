from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from walkrx.web.server.serving import add_server_arguments, prepare_database, run_server


class Command(BaseCommand):
    help = (
        "Serve walkrx with a production WSGI server (gunicorn), static files included, "
        "after applying pending database migrations.\n\n"
        "Example: walkrx serve --host 0.0.0.0 --port 8080"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        prepare_database(self)
        run_server(self, options)
