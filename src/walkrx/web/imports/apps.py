from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "walkrx.web.imports"
    label = "imports"
