from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.web.accounts.models import User, normalise_email
from walkrx.web.api.actions import issue_token, revoke_tokens


class Command(BaseCommand):
    help = (
        "Create a token for the JSON API (the patient app) for the person with this email, "
        "and print it once: walkrx keeps only a fingerprint of it, so it cannot be shown "
        "again. With --revoke, revoke every token that person has instead.\n\n"
        "Example: walkrx apitoken --email pat@example.org"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the account's email address")
        parser.add_argument(
            "--revoke", action="store_true", help="revoke all of this account's tokens"
        )
        parser.add_argument("--label", default="", help="a note such as the device's name")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["email"])
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No walkrx account has the email {email}.")
        if options["revoke"]:
            count = revoke_tokens(user)
            self.stdout.write(f"Revoked {count} token(s) of {email}.")
            return
        if not user.is_active:
            raise CommandError(f"The account {email} is deactivated.")
        _, plain = issue_token(user, label=options["label"])
        self.stdout.write(plain)
        self.stderr.write(
            f"API token for {email}; copy it now, it will not be shown again. "
            "Send it as 'Authorization: Bearer <token>'."
        )
