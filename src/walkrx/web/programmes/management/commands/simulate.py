"""`walkrx simulate`: run a simulated patient through the weekly progression engine."""

from __future__ import annotations

import json
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.core import (
    DEFAULT_POLICY,
    Archetype,
    CoreError,
    ProgressionPolicy,
    policy_from_mapping,
    render_json,
    render_table,
    simulate,
)

EXAMPLE = """\
examples:
  walkrx simulate --archetype adherent --weeks 16
  walkrx simulate --archetype flare-prone --weeks 12 --format json
  walkrx simulate --archetype adherent --weeks 16 --policy clinic-policy.json

archetypes: {archetypes}
The policy file is a JSON object of ProgressionPolicy keys to override, e.g.
  {{"session_increase_fraction": 0.1, "two_week_cap_fraction": 0.2}}
"""


class Command(BaseCommand):
    help = (
        "Show how the weekly progression engine treats a simulated patient: the dose "
        "prescribed each week and the decision taken at its end.\n\n"
        "Example: walkrx simulate --archetype adherent --weeks 16 --format table"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(
            prog_name,
            subcommand,
            epilog=EXAMPLE.format(archetypes=", ".join(a.value for a in Archetype)),
            formatter_class=RawDescriptionHelpFormatter,
            **kwargs,
        )
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--archetype",
            required=True,
            choices=[a.value for a in Archetype],
            help="simulated patient",
        )
        parser.add_argument("--weeks", type=int, default=16, help="weeks to simulate (default 16)")
        parser.add_argument(
            "--policy", type=Path, help="JSON file of policy values to override the defaults"
        )
        parser.add_argument(
            "--format", choices=["table", "json"], default="table", help="output format"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = self._policy(options["policy"])
        try:
            weeks = simulate(options["archetype"], options["weeks"], policy)
        except CoreError as exc:
            raise CommandError(str(exc)) from exc
        render = render_json if options["format"] == "json" else render_table
        self.stdout.write(render(weeks))

    def _policy(self, path: Path | None) -> ProgressionPolicy:
        if path is None:
            return DEFAULT_POLICY
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read policy file {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"policy file {path} is not valid JSON: {exc}") from exc
        try:
            return policy_from_mapping(data)
        except CoreError as exc:
            raise CommandError(f"policy file {path}: {exc}") from exc
