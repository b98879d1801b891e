"""CSV reading with a cap on line length, so a single giant field is refused, not buffered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from .errors import IngestError


def text_lines(stream: IO[bytes], *, file: str, max_line: int) -> Iterator[str]:
    """Decoded lines (UTF-8, BOM removed) of at most ``max_line`` bytes each."""
    first = True
    while True:
        raw = stream.readline(max_line + 1)
        if not raw:
            return
        if len(raw) > max_line and not raw.endswith(b"\n"):
            raise IngestError(
                file,
                None,
                f"a line is longer than {max_line:,} bytes",
                "check that this is the CSV file exported by the app",
            )
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("latin-1")


def sniff_dialect(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def rows(
    stream: IO[bytes], *, file: str, max_line: int
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and an iterator of (line number, fields) for a CSV stream."""
    lines = text_lines(stream, file=file, max_line=max_line)
    header_line = next(lines, "")
    delimiter = sniff_dialect(header_line)
    header = [
        h.strip() for h in next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    ]

    def body() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(lines, delimiter=delimiter)
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            yield reader.line_num + 1, fields

    return header, body()
