"""Zip archives read member by member under real-size caps; nothing is ever extracted."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any, BinaryIO

from .errors import IngestError
from .limits import Limits

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# Archive-in-archive is refused: it would multiply the size caps and hide content from
# the allow-list. Checked by name and by the member's first bytes.
_NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".kmz")
_NESTED_MAGIC = (
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\x28\xb5\x2f\xfd",
)
# Finder and Windows leave these behind; they are never read, so they are simply ignored.
_IGNORED_PARTS = ("__MACOSX",)
_IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")

_RETRY = "export the data again from the app and upload the new file"


class CountingReader(io.RawIOBase):
    """A read-only stream that counts the bytes really produced and stops at a cap."""

    def __init__(
        self,
        raw: IO[bytes],
        *,
        cap: int,
        file: str,
        member: str | None,
        on_bytes: SafeZip | None = None,
    ) -> None:
        self._raw = raw
        self._cap = cap
        self._file = file
        self._member = member
        self._owner = on_bytes
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read_some(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_some(self, size: int) -> bytes:
        try:
            data = self._raw.read(max(1, min(size, self._cap + 1 - self.count)))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise IngestError(
                self._file,
                self._member,
                f"the archive is damaged ({exc})",
                _RETRY,
            ) from None
        self.count += len(data)
        if self.count > self._cap:
            raise IngestError(
                self._file,
                self._member,
                f"this part unpacks to more than {self._cap:,} bytes, above the safety limit",
                "split the export or ask the clinic to raise the import limit",
            )
        if self._owner is not None:
            self._owner.add_bytes(len(data), self._member)
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _bad_name(name: str) -> str | None:
    if "\x00" in name:
        return "a name with a NUL byte"
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return "an absolute path"
    if any(part == ".." for part in normal.split("/")):
        return "a path that points outside the archive"
    return None


def is_ignored(name: str) -> bool:
    path = PurePosixPath(name)
    return path.name in _IGNORED_NAMES or any(p in _IGNORED_PARTS for p in path.parts)


class SafeZip:
    """Validated view of a zip file.

    Opening refuses archives with too many entries, absolute or ``..`` paths, symlinks,
    and nested archives. Members are then read one at a time through
    :class:`CountingReader`, so the real decompressed size is capped per member and in
    total, whatever the headers claim.
    """

    def __init__(self, path: Path, *, limits: Limits, display_name: str) -> None:
        self.display_name = display_name
        self.limits = limits
        self.total = 0
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise IngestError(
                display_name, None, f"the zip file is damaged ({exc})", _RETRY
            ) from None
        if len(infos) > limits.max_entries:
            self._zip.close()
            raise IngestError(
                display_name,
                None,
                f"the archive holds {len(infos):,} entries, more than the limit of "
                f"{limits.max_entries:,}",
                "upload only the export itself",
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            problem = _bad_name(info.filename)
            if problem is None and _is_symlink(info):
                problem = "a symbolic link"
            if (
                problem is None
                and not info.is_dir()
                and not is_ignored(info.filename)
                and info.filename.lower().endswith(_NESTED_SUFFIXES)
            ):
                problem = "an archive inside the archive"
            if problem is not None:
                self._zip.close()
                raise IngestError(
                    display_name,
                    f"entry “{info.filename[:200]}”",
                    f"the archive contains {problem}, which an export never does",
                    "upload the export file exactly as the app produced it",
                )
            if info.flag_bits & 0x1:
                self._zip.close()
                raise IngestError(
                    display_name,
                    f"entry “{info.filename[:200]}”",
                    "the archive is password-protected",
                    "export again without a password",
                )
            if not info.is_dir() and not is_ignored(info.filename):
                self.members[info.filename] = info

    def names(self) -> list[str]:
        return list(self.members)

    def add_bytes(self, n: int, member: str | None) -> None:
        self.total += n
        if self.total > self.limits.max_total_bytes:
            raise IngestError(
                self.display_name,
                member,
                f"the archive unpacks to more than {self.limits.max_total_bytes:,} bytes, "
                "above the safety limit",
                "split the export or ask the clinic to raise the import limit",
            )

    def open(self, name: str, *, cap: int | None = None) -> io.BufferedReader:
        info = self.members[name]
        limit = min(
            cap if cap is not None else self.limits.max_member_bytes, self.limits.max_member_bytes
        )
        try:
            raw = self._zip.open(info)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise IngestError(
                self.display_name, name, f"this part cannot be opened ({exc})", _RETRY
            ) from None
        reader: io.BufferedReader = io.BufferedReader(
            CountingReader(raw, cap=limit, file=self.display_name, member=name, on_bytes=self),
            1 << 16,
        )
        if reader.peek(8)[:8].startswith(_NESTED_MAGIC):
            reader.close()
            raise IngestError(
                self.display_name,
                name,
                "this part is itself an archive, which an export never contains",
                "upload the export file exactly as the app produced it",
            )
        return reader

    def read(self, name: str, *, cap: int) -> bytes:
        with self.open(name, cap=cap) as reader:
            chunks = []
            while True:
                block = reader.read(1 << 20)
                if not block:
                    break
                chunks.append(block)
            return b"".join(chunks)

    def head(self, name: str, size: int = 4096) -> bytes:
        with self.open(name) as reader:
            return reader.read(size)

    def iter_members(self) -> Iterator[str]:
        yield from self.members

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_file(path: Path, *, limits: Limits, display_name: str) -> BinaryIO:
    """Open a plain file after checking its size against the upload cap."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(
            display_name,
            None,
            f"the file cannot be opened ({exc.strerror})",
            "check that the file exists and upload it again",
        ) from None
    if size > limits.max_file_bytes:
        raise IngestError(
            display_name,
            None,
            f"the file is {size:,} bytes, above the limit of {limits.max_file_bytes:,}",
            "split the export or ask the clinic to raise the import limit",
        )
    return path.open("rb")
