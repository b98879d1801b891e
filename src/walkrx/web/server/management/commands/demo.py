from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.web.server.demo import build_demo_clinic, demo_logins
from walkrx.web.server.serving import add_server_arguments, prepare_database, run_server


class Command(BaseCommand):
    help = (
        "Create the demo clinic (once; running it again changes nothing), print its logins, "
        "then serve walkrx like 'walkrx serve --with-worker'. Not for production "
        "installations.\n\n"
        "Example: walkrx demo --port 8001"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument("--no-serve", action="store_true", help="create the demo data and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.HTTPS:
            raise CommandError(
                "The demo clinic has published passwords, so it is not created on an "
                "installation in production mode (WALKRX_ALLOWED_HOSTS or WALKRX_HTTPS set). "
                "Use a separate WALKRX_HOME for the demo."
            )
        prepare_database(self)
        clinic = build_demo_clinic()
        self.stdout.write(f"Demo clinic: {clinic.name}")
        for login in demo_logins():
            note = f"  ({login.note})" if login.note else ""
            self.stdout.write(f"login  {login.role:<12}  {login.email:<36}  {login.password}{note}")
        if not options["no_serve"]:
            run_server(self, {**options, "with_worker": True})
