"""Reading a big export while ``walkrx import`` starts.

Loading Django and the project takes the command about half a second, while a second
processor has nothing to do. When the first file to import is a big bare Apple Health
``export.xml`` (one read in parallel parts, see
:meth:`walkrx.ingest.ImportReader.start_parts`), :func:`read_ahead` forks its readers
before Django loads: they read and stage parts meanwhile, and
:func:`walkrx.web.imports.actions.import_file` carries the reading on (through
:func:`take_read_ahead`) once the patient is known, writing the parts already staged.

Only a reading exactly like the one the command would start is carried on: of the same
file, unchanged since, with the same limits, staging sample times in the database's
form. Otherwise, or when anything goes wrong while starting, the readers are stopped and
the command reads the file itself, as it would without a read-ahead. Nothing here loads
Django.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from walkrx.ingest import ImportReader, IngestError, open_import
from walkrx.ingest.limits import Limits
from walkrx.ingest.reader import PartedReading
from walkrx.web import config
from walkrx.web.imports.staging import StagedParts


@dataclass
class ReadAhead:
    """A reading of a file started before the command that imports it was ready."""

    path: Path  # resolved
    size: int
    modified_ns: int
    reader: ImportReader
    staged: StagedParts
    reading: PartedReading[None]

    def is_of(self, path: Path, *, limits: Limits, as_text: bool) -> bool:
        """Whether this is the reading the command would start for ``path`` now."""
        try:
            now = path.stat()
            same_file = path.resolve() == self.path
        except OSError:
            return False
        return (
            same_file
            and (now.st_size, now.st_mtime_ns) == (self.size, self.modified_ns)
            and limits == self.reader.limits
            and as_text == self.staged.as_text
        )

    def stop(self) -> None:
        self.reading.stop()
        self.staged.close()


_started: ReadAhead | None = None


def read_ahead(arguments: list[str]) -> None:
    """Start reading the first file that ``walkrx import arguments`` will import, when
    it is read in parallel parts; otherwise do nothing."""
    global _started
    if _started is not None:
        return
    path = _first_file(arguments)
    if path is None:
        return
    try:
        env = config.Env(os.environ)
        home = config.data_directory(env)
        as_text = config.database_is_sqlite(env, home)
        reader = open_import(path)
        if reader.readers() < 2:
            return
        status = path.stat()
        staged = StagedParts(reader.max_parts(), config.upload_directory(home), as_text=as_text)
    except (config.ConfigError, IngestError, OSError):
        return  # the command reports it, or reads the file itself
    try:
        reading = reader.start_parts(staged.stage_part, from_the_first=True)
    except (IngestError, OSError):
        reading = None
    if reading is None:
        staged.close()
        return
    _started = ReadAhead(
        path.resolve(), status.st_size, status.st_mtime_ns, reader, staged, reading
    )


def take_read_ahead(path: Path, *, limits: Limits, as_text: bool) -> ReadAhead | None:
    """The reading :func:`read_ahead` started, if it is of ``path`` read with ``limits``
    and sample times staged as text (``as_text``) or not. A reading not taken here is
    stopped: it is never carried on later."""
    global _started
    ahead, _started = _started, None
    if ahead is None:
        return None
    if ahead.is_of(path, limits=limits, as_text=as_text):
        return ahead
    ahead.stop()
    return None


def stop_read_ahead() -> None:
    """Stop a reading started and not taken (the command ended before importing)."""
    global _started
    ahead, _started = _started, None
    if ahead is not None:
        ahead.stop()


def _first_file(arguments: list[str]) -> Path | None:
    """The first existing file among the files named by ``walkrx import`` arguments."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("files", nargs="*")
    # The command's options that take a value, so that the value is not taken for a file.
    for option in ("--patient", "--settings", "--pythonpath", "-v", "--verbosity"):
        parser.add_argument(option)
    known, _ = parser.parse_known_args(arguments)
    for name in known.files:
        if Path(name).is_file():
            return Path(name)
    return None
