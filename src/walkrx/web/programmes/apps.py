from __future__ import annotations

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "walkrx.web.programmes"
    label = "programmes"
