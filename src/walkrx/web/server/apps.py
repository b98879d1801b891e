from __future__ import annotations

from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "walkrx.web.server"
    label = "server"
    verbose_name = "Serving and background work"
