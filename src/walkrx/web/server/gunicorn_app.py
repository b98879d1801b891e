"""Running walkrx under gunicorn, a production WSGI server, from inside the ``walkrx`` command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

WSGIApp = Callable[..., Any]


class WalkrxServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, application: WSGIApp, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self.application
