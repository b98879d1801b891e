"""The ``walkrx`` command: every Django management command plus walkrx's own.

walkrx demo            # demo clinic on http://127.0.0.1:8000
walkrx serve --port 8080
walkrx migrate
walkrx help            # list every command
"""

from __future__ import annotations

import gc
import os
import sys

from walkrx.web.config import ConfigError


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "walkrx.web.settings")
    reading_ahead = args[:1] == ["import"]
    if reading_ahead:
        # A big export is read while Django loads (see walkrx.web.imports.ahead).
        from walkrx.web.imports.ahead import read_ahead

        read_ahead(args[1:])
    try:
        load_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["walkrx", *args])
    except ConfigError as error:
        sys.stderr.write(f"walkrx: configuration error: {error}\n")
        raise SystemExit(2) from None
    finally:
        if reading_ahead:
            from walkrx.web.imports.ahead import stop_read_ahead

            stop_read_ahead()
        # What is still alive is freed with the process; leaving it out of the collections
        # the interpreter runs while shutting down saves a noticeable pause after commands.
        gc.freeze()


def load_django() -> None:
    """Load Django and the project, with the garbage collector paused meanwhile.

    Loading creates tens of thousands of objects that live as long as the process, and
    collecting while they are created takes a good share of every command's start.
    They are then frozen (left out of later collections); the command loads Django
    again, which does nothing more once it is loaded.
    """
    import django

    gc.disable()
    try:
        django.setup()
    finally:
        gc.freeze()
        gc.enable()
