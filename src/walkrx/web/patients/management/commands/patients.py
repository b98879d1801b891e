from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.web.clinics.actions import create_clinic
from walkrx.web.clinics.models import Clinic
from walkrx.web.patients.actions import PatientError, add_patient
from walkrx.web.patients.models import Patient

PERSONAL_CLINIC = "Personal"


class Command(BaseCommand):
    help = (
        "Manage patients from the command line.\n\n"
        "  walkrx patients add --email E --name N [--clinic C]\n"
        "      create a patient without sending an invitation (for scripts, and for one "
        "person analysing their own data; without --clinic, the only clinic is used, or "
        "a clinic called 'Personal' is created when there is none)\n"
        "  walkrx patients list [--clinic C]\n\n"
        "Example: walkrx patients add --email ann@example.org --name 'Ann Smith' --clinic riverside"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        add = actions.add_parser("add", help="create a patient", called_from_command_line=False)
        add.add_argument("--email", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--clinic", help="the clinic's short name (slug) or name")
        listing = actions.add_parser("list", help="list patients", called_from_command_line=False)
        listing.add_argument("--clinic", help="the clinic's short name (slug) or name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self.add(options)
        else:
            self.list(options)

    def add(self, options: dict[str, Any]) -> None:
        clinic = find_clinic(options["clinic"], create_personal=True)
        try:
            patient = add_patient(clinic, email=options["email"], full_name=options["name"])
        except PatientError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Added {patient.name} <{patient.user.email}> to {clinic.name}.")

    def list(self, options: dict[str, Any]) -> None:
        patients = Patient.objects.select_related("user", "clinic").order_by("clinic__name")
        if options["clinic"]:
            patients = patients.filter(clinic=find_clinic(options["clinic"]))
        for patient in patients:
            self.stdout.write(f"{patient.user.email}\t{patient.name}\t{patient.clinic.slug}")


def find_clinic(name: str | None, *, create_personal: bool = False) -> Clinic:
    if name:
        clinic = (
            Clinic.objects.filter(slug=name).first()
            or Clinic.objects.filter(name__iexact=name).first()
        )
        if clinic is None:
            known = ", ".join(Clinic.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No clinic called {name!r}; known clinics: {known}.")
        return clinic
    clinics = list(Clinic.objects.all()[:2])
    if len(clinics) == 1:
        return clinics[0]
    if not clinics and create_personal:
        return create_clinic(PERSONAL_CLINIC, slug="personal")
    raise CommandError("Several clinics exist; name one with --clinic.")
