"""Apple Health ``export.xml`` (bare, in an unzipped folder, or inside ``export.zip``).

The export is mostly heart-rate and energy samples that walkrx does not need. The fast
reader therefore never runs an XML parser over the whole file: it searches the raw bytes
for the type names of the few things it wants (step-count and body-mass ``Record``
elements, ``Workout`` elements by their ``HKWorkoutActivityType…`` value, and
``Correlation`` elements by their ``HKCorrelationTypeIdentifier…`` type, skipped whole
because their nested records duplicate top-level ones), cuts each wanted element out by
its tag boundaries, and parses just that element with a safe lxml parser. Everything
between wanted elements is skipped at ``bytes.find`` speed; long needles make that search
fastest. Step and weight records without children and without entities but those of the
device description are read with regular expressions instead of the parser, which takes
most of the time per record otherwise: one for the Health app's own attribute order, and
attribute by attribute for any other order. The tests check that both ways read the same.

Why this is sound for this format:

- ``<`` cannot occur unescaped inside an attribute value, so the ``<`` before a matched
  type name starts the tag that holds it; the tag is then checked to be of the expected
  element whose type attribute really holds that name, in any attribute order. A
  ``Workout`` without ``workoutActivityType`` is no walk, so it is never missed; a
  ``Correlation`` is recognised by its type, which every HealthKit correlation has.
- Start tags are delimited with a quote-aware pattern (``>`` may legally appear inside a
  quoted value), and non-empty elements end at their closing tag, so records with
  ``MetadataEntry`` children and records spread over several lines are cut whole.
- The internal DTD is never given to a parser: it is only inspected (entity
  declarations and external identifiers are refused) and then dropped, which also
  neutralises the unterminated ``VisionPrescription`` ATTLIST of iOS 16 exports.

:func:`read_export_reference` reads the same stream with a conventional safe pull
parser; the tests compare the two on generated files.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Final

from lxml import etree

from .errors import IngestError, RecordProblem
from .limits import Limits
from .records import (
    Activity,
    ReadSummary,
    Record,
    Source,
    SourceKind,
    StepSampleRecord,
    WeightRecord,
    WorkoutRecord,
)
from .timeutil import (
    finite_float,
    haversine_m,
    parse_apple_date,
    parse_apple_date_bytes,
    to_kcal,
    to_kg,
    to_metres,
    to_minutes,
    utc_stamp,
)
from .xmlsafe import CONTROL_BYTES, lxml_parser

RouteResolver = Callable[[str], "float | None"]
Progress = Callable[[int, int], None]

STEP_TYPE: Final = "HKQuantityTypeIdentifierStepCount"
MASS_TYPE: Final = "HKQuantityTypeIdentifierBodyMass"
DISTANCE_TYPES: Final = (
    "HKQuantityTypeIdentifierDistanceWalkingRunning",
    "HKQuantityTypeIdentifierDistanceWalking",
)
ENERGY_TYPE: Final = "HKQuantityTypeIdentifierActiveEnergyBurned"
WORKOUT_ACTIVITIES: Final[dict[str, Activity]] = {
    "HKWorkoutActivityTypeWalking": "walking",
    "HKWorkoutActivityTypeHiking": "hiking",
}

# The file is read this much at a time. Small enough that the memory of one block is
# reused for the next; each block of several megabytes was new memory from the system,
# whose pages then had to be mapped one by one (about 40% of the system time of an import).
BLOCK_SIZE: Final = 512 << 10
PROLOG_LIMIT: Final = 4 << 20

_REMEDY = "export the data again from the Health app and upload the new export.zip"

_ROOT_RE = re.compile(rb"<HealthData[\s>/]")
_EXTERNAL_DTD_RE = re.compile(rb"<!DOCTYPE\s+[^\s\[>]+\s+(?:SYSTEM|PUBLIC)\b")
# Rest of a start tag after ``<``: name, then quoted values or other characters, up to
# ``>``. Possessive quantifiers keep a missing ``>`` from backtracking exponentially.
_TAG_REST_RE = re.compile(rb"""(?:[^"'>]++|"[^"]*+"|'[^']*+')*+>""")
_RECORD_CLOSE_RE = re.compile(rb"</Record\s*>")
_WORKOUT_CLOSE_RE = re.compile(rb"</Workout\s*>")
_ROOT_CLOSE_RE = re.compile(rb"</HealthData\s*>\s*\Z")
_TYPE_ATTR_RE = re.compile(rb"""\stype\s*=\s*(["'])([^"']*)\1""")
# iOS 8/9 wrote metadata keys such as ``Health Mate App Version`` as attribute names.
_SPACED_ATTR_RE = re.compile(rb"""(?<=\s)([A-Za-z_][\w.-]*(?: [\w.-]+)+)(?=\s*=\s*["'])""")
_MODEL_RE = re.compile(r"model:([^,>]*)")

_K_STEPS, _K_MASS, _K_WORKOUT, _K_CORR = range(4)
_NEEDLES: Final = (
    (STEP_TYPE.encode(), _K_STEPS),
    (MASS_TYPE.encode(), _K_MASS),
    (b"HKWorkoutActivityType", _K_WORKOUT),
    (b"HKCorrelationTypeIdentifier", _K_CORR),
)
# A step-count or body-mass record exactly as the Health app writes it: attributes in its
# order, double quotes, no children, no tabs, line breaks or other control characters in
# values (the parser would change them), no entities except in the device description.
# Such a record is read without an XML parser; anything else goes through lxml.
_TEXT = rb'[^"<&\x00-\x1f]*'
# The device description holds escaped ``<`` and ``>``; its entities are checked apart
# (an alternation per character makes the match several times slower).
_ESCAPED_TEXT = rb'[^"<\x00-\x1f]*'
_OTHER_ENTITY_RE = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)")
_PLAIN_RECORD_RE = re.compile(
    rb'<Record type="(HKQuantityTypeIdentifier(?:StepCount|BodyMass))"'
    rb' sourceName="(' + _TEXT + rb')"'
    rb'(?: sourceVersion="' + _TEXT + rb'")?'
    rb' (?:device="(' + _ESCAPED_TEXT + rb')" )?'
    rb'unit="(' + _TEXT + rb')"'
    rb'(?: creationDate="' + _TEXT + rb'")?'
    rb' startDate="(' + _TEXT + rb')"'
    rb' endDate="(' + _TEXT + rb')"'
    rb' value="(' + _TEXT + rb')"/>'
)
# A record without children whose attributes come in another order (as some export tools
# write them): the rest of its start tag after ``<Record``, then its attributes one by one.
# Such a record is read without the parser when its values hold no control characters and
# no entities but those of the device description, and no attribute name repeats.
_BARE_TAG_REST_RE = re.compile(
    rb'(?:[ \t\r\n]++[A-Za-z_][\w.-]*+="[^"<\x00-\x1f]*+")*+[ \t\r\n]*+/>'
)
_BARE_ATTRIBUTE_RE = re.compile(rb'([A-Za-z_][\w.-]*)="([^"]*)"')
_STEP_BYTES: Final = STEP_TYPE.encode()
_WANTED_TYPES: Final = frozenset({_STEP_BYTES, MASS_TYPE.encode()})
_ACTIVITY_ATTR_RE = re.compile(rb"""\sworkoutActivityType\s*=\s*(["'])([^"']*)\1""")
_CORRELATION_CLOSE_RE = re.compile(rb"</Correlation\s*>")
_WS: Final = frozenset(b" \t\r\n")
_QUOTES: Final = frozenset(b"\"'")


# --------------------------------------------------------------------------- prolog


def read_prolog(stream: IO[bytes], *, file: str) -> tuple[bytes, int, int]:
    """Read up to the root element and vet the DTD.

    Returns the buffered bytes starting at ``<HealthData``, the number of bytes consumed
    before it, and the number of newlines before it (for line numbers).
    """
    buf = b""
    while True:
        block = stream.read(1 << 16)
        buf += block
        match = _ROOT_RE.search(buf)
        if match is not None:
            break
        if not block or len(buf) > PROLOG_LIMIT:
            raise IngestError(
                file,
                None,
                "this is not an Apple Health export (no HealthData element at the start)",
                _REMEDY,
            )
    prolog = buf[: match.start()]
    if b"<!ENTITY" in prolog:
        raise IngestError(
            file,
            "document type declaration",
            "the file declares XML entities, which Apple Health exports never "
            "do and which are refused for safety reasons",
            _REMEDY,
        )
    if _EXTERNAL_DTD_RE.search(prolog):
        raise IngestError(
            file,
            "document type declaration",
            "the file refers to an outside document type definition, which is "
            "refused for safety reasons",
            _REMEDY,
        )
    return buf[match.start() :], match.start(), prolog.count(b"\n")


def sniff_is_export(head: bytes) -> bool:
    """True when the first bytes of a file are an Apple Health export's prolog or root."""
    return bool(_ROOT_RE.search(head)) or b"<!DOCTYPE HealthData" in head


# --------------------------------------------------------------------------- fast path


@dataclass
class ScanState:
    """Where the scan of one part of an export starts, and where it ended.

    A part is read as if the scanner were in ``in_correlation`` with every byte before
    ``resume_at`` (an absolute offset) already consumed. When the part is finished these
    fields hold the state at its end, and ``end_line`` the line number (in the part's own
    numbering) of its stop offset; the next part's assumed start state is then checked
    against them.
    """

    in_correlation: bool = False
    resume_at: int = 0
    end_line: int = 0


def read_export(
    stream: IO[bytes],
    *,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    total_bytes: int = 0,
    progress: Progress | None = None,
    routes: RouteResolver | None = None,
    stop: int | None = None,
    state: ScanState | None = None,
) -> Iterator[Record]:
    """Stream records from an export, parsing only the elements walkrx imports.

    With ``stop``, only elements starting before that offset are read (the first part
    of a parallel read; see :func:`read_export_part`).
    """
    buf, base, line_base = read_prolog(stream, file=file)
    yield from _scan(
        stream,
        buf,
        offset=base,
        line_base=line_base,
        file=file,
        summary=summary,
        limits=limits,
        total_bytes=total_bytes,
        progress=progress,
        routes=routes,
        stop=stop,
        state=state or ScanState(),
    )


def read_export_part(
    stream: IO[bytes],
    *,
    offset: int,
    stop: int | None,
    state: ScanState,
    line_base: int = 0,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    total_bytes: int = 0,
    progress: Progress | None = None,
    routes: RouteResolver | None = None,
) -> Iterator[Record]:
    """Records of the elements starting in ``[offset, stop)``; ``stream`` is at ``offset``.

    ``offset`` must be the ``<`` of a tag (see :func:`split_points`); ``stop`` None reads
    to the end of the document. Line numbers count from ``line_base + 1`` at ``offset``.
    """
    yield from _scan(
        stream,
        b"",
        offset=offset,
        line_base=line_base,
        file=file,
        summary=summary,
        limits=limits,
        total_bytes=total_bytes,
        progress=progress,
        routes=routes,
        stop=stop,
        state=state,
    )


_SPLIT_RES: Final = (
    re.compile(rb"\n <Record[ \t\r\n]"),
    re.compile(rb"\n[ \t]*<(?:Record|Workout)[ \t\r\n]"),
)
_SPLIT_WINDOW: Final = 1 << 20


def split_points(stream: IO[bytes], *, start: int, size: int, shares: Sequence[float]) -> list[int]:
    """Offsets that cut ``[start, size)`` into parts of about the relative ``shares``.

    Each offset is the ``<`` of a line that starts with a ``Record`` (preferably at the
    indentation of top-level records) near the end of its part's share of the file. Parts
    too small to hold such a line are merged with the next. The cut is only a guess at a
    clean boundary: readers of the parts check that each part ended in the state the next
    one assumed, and read a part again when not.
    """
    whole = sum(shares)
    guesses = [
        start + int((size - start) * upto / whole) for upto in itertools.accumulate(shares[:-1])
    ]
    return _record_lines_at(stream, guesses, start)


# Reading one wanted record (cutting, parsing, converting, staging it) takes about as long
# as scanning this many bytes past unwanted ones (15 µs against 1.5 ns a byte).
RECORD_WORK_BYTES: Final = 10_000
WORK_SAMPLES: Final = 256
WORK_SAMPLE_BYTES: Final = 64 * 1024


def balanced_points(stream: IO[bytes], *, start: int, size: int, parts: int) -> list[int]:
    """Like :func:`split_points`, for ``parts`` parts of about equal work.

    Real exports keep each type of record together, so the few records walkrx reads lie in
    a small stretch of the file. The density of wanted records is estimated from evenly
    spaced samples, and the cuts are placed so each part holds the same share of scanning
    plus reading, which splits that stretch between parts.
    """
    span = size - start
    count = max(1, min(WORK_SAMPLES, span // WORK_SAMPLE_BYTES))
    stride = span / count
    work: list[float] = []
    for index in range(count):
        stream.seek(start + int(index * stride))
        window = stream.read(WORK_SAMPLE_BYTES)
        wanted = window.count(STEP_TYPE.encode()) + window.count(MASS_TYPE.encode())
        work.append(stride * (1 + wanted * RECORD_WORK_BYTES / max(1, len(window))))
    total = sum(work)
    guesses: list[int] = []
    done = 0.0
    for index, amount in enumerate(work):
        while len(guesses) < parts - 1 and done + amount >= total * (len(guesses) + 1) / parts:
            inside = (total * (len(guesses) + 1) / parts - done) / amount
            guesses.append(start + int((index + inside) * stride))
        done += amount
    return _record_lines_at(stream, guesses, start)


def _record_lines_at(stream: IO[bytes], guesses: list[int], start: int) -> list[int]:
    """For each guess, the ``<`` of the first ``Record`` line after it (in order, unique)."""
    points: list[int] = []
    for guess in guesses:
        if points and guess <= points[-1]:
            continue
        stream.seek(guess)
        window = stream.read(_SPLIT_WINDOW)
        for pattern in _SPLIT_RES:
            match = pattern.search(window)
            if match is not None:
                point = guess + window.index(b"<", match.start())
                if point > start and (not points or point > points[-1]):
                    points.append(point)
                break
    return points


def shift_line(locator: str | None, lines: int) -> str | None:
    """A ``line N`` locator of a part read with its own line numbering, made absolute."""
    if locator is None or not lines:
        return locator
    match = _LINE_LOCATOR_RE.fullmatch(locator)
    if match is None:
        return locator
    return f"line {int(match.group(1)) + lines}"


_LINE_LOCATOR_RE: Final = re.compile(r"line (\d+)")


def _scan(
    stream: IO[bytes],
    buf: bytes,
    *,
    offset: int,
    line_base: int,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    total_bytes: int,
    progress: Progress | None,
    routes: RouteResolver | None,
    stop: int | None,
    state: ScanState,
) -> Iterator[Record]:
    interpreter = _Interpreter(summary=summary, routes=routes)
    parser = lxml_parser()
    # ``offset`` is the absolute position of ``buf[0]``; positions below are in ``buf``.
    done = offset + len(buf)
    eof = False
    in_correlation = state.in_correlation
    resume_at = state.resume_at
    # Lines are counted lazily up to ``counted_to`` so each byte is counted once.
    counted_to = 0
    line_at = line_base + 1

    while True:
        # Always read at least one block per round, so an element that spans the whole
        # buffer still makes progress (until it hits the element size limit).
        fresh = True
        while not eof and (fresh or len(buf) < BLOCK_SIZE):
            block = stream.read(BLOCK_SIZE)
            fresh = False
            if not block:
                eof = True
                break
            buf += block
            done += len(block)
            if progress is not None:
                progress(done, max(total_bytes, done))

        # Only elements that start before ``stop`` belong to this part.
        limit = len(buf) if stop is None else min(len(buf), stop - offset)
        hits: list[tuple[int, int]] = []
        for needle, kind in _NEEDLES:
            i = buf.find(needle, 0, limit + len(needle) - 1)
            while i != -1:
                hits.append((i, kind))
                i = buf.find(needle, i + len(needle), limit + len(needle) - 1)
        hits.sort()

        pos = max(0, resume_at - offset)
        pending = -1
        if in_correlation:
            pos, in_correlation = _correlation_end(buf, pos, limit)
        for p, kind in hits if not in_correlation else ():
            if p < pos:
                continue
            if kind in (_K_STEPS, _K_MASS):
                after = p + (33 if kind == _K_STEPS else 32)
                if after >= len(buf):
                    if eof:
                        continue
                    pending = buf.rfind(b"<", pos, p)
                    pending = pending if pending != -1 else p
                    break
                if buf[after] not in _QUOTES:
                    continue  # e.g. BodyMassIndex
                lt = buf.rfind(b"<", 0, p)
                if lt < pos:
                    continue
                fields: tuple[bytes | None, ...] | None = None
                plain = _PLAIN_RECORD_RE.match(buf, lt)
                if plain is not None and plain.start(1) == p:
                    fields, end = (*plain.groups(), None), plain.end()
                elif buf.startswith(b"<Record", lt):
                    bare = _BARE_TAG_REST_RE.match(buf, lt + 7)
                    if bare is not None and bare.end() > p:
                        end = bare.end()
                        fields = _bare_fields(_BARE_ATTRIBUTE_RE.findall(buf, lt + 7, end))
                        if fields is not None and fields[0] not in _WANTED_TYPES:
                            continue  # the name was in another attribute, not the type
                if fields is not None and _utf8(buf, lt, end):
                    try:
                        record = interpreter.bare_record(*fields)
                    except (RecordProblem, ValueError) as problem:
                        if lt > counted_to:
                            line_at += buf.count(b"\n", counted_to, lt)
                            counted_to = lt
                        interpreter.skip(line_at, problem)
                        pos = end
                        continue
                    if record is not None:
                        pos = end
                        yield record
                        continue
                if not buf.startswith(b"<Record", lt) or buf[lt + 7] not in _WS:
                    continue
                tag_end, end = _element_end(buf, lt, _RECORD_CLOSE_RE)
                if end < 0:
                    pending = lt
                    break
                tag = _TYPE_ATTR_RE.search(buf, lt, tag_end)
                if tag is None or tag.start(2) != p or tag.end(2) != after:
                    continue  # the name was in another attribute, not the type
                chunk = buf[lt:end]
                if lt > counted_to:
                    line_at += buf.count(b"\n", counted_to, lt)
                    counted_to = lt
                record = interpreter.record_bytes(chunk, line_at, parser)
                pos = end
                if record is not None:
                    yield record
            elif kind == _K_WORKOUT:
                lt = buf.rfind(b"<", 0, p)
                if lt < pos or not buf.startswith(b"<Workout", lt) or buf[lt + 8] not in _WS:
                    continue  # WorkoutActivity, or the name in another element
                tag_end, end = _element_end(buf, lt, _WORKOUT_CLOSE_RE)
                if end < 0:
                    pending = lt
                    break
                tag = _ACTIVITY_ATTR_RE.search(buf, lt, tag_end)
                if tag is None or tag.start(2) != p:
                    continue  # the name was in another attribute
                if lt > counted_to:
                    line_at += buf.count(b"\n", counted_to, lt)
                    counted_to = lt
                record = interpreter.workout_bytes(buf[lt:end], line_at, parser)
                pos = end
                if record is not None:
                    yield record
            else:
                lt = buf.rfind(b"<", 0, p)
                if lt < pos or not buf.startswith(b"<Correlation", lt) or buf[lt + 12] not in _WS:
                    continue
                m = _TAG_REST_RE.match(buf, lt + 1)
                if m is None:
                    if eof:
                        continue
                    pending = lt
                    break
                tag = _TYPE_ATTR_RE.search(buf, lt, m.end())
                if tag is None or tag.start(2) != p:
                    continue
                pos = m.end()
                if buf[pos - 2] != 0x2F:  # not self-closing: skip to its end tag
                    pos, in_correlation = _correlation_end(buf, pos, limit)
                    if in_correlation:
                        break

        if stop is not None and pending < 0 and offset + len(buf) >= stop:
            # Every element starting before ``stop`` has been read: the part is done.
            stop_at = stop - offset
            if stop_at > counted_to:
                line_at += buf.count(b"\n", counted_to, stop_at)
            state.in_correlation = in_correlation
            state.resume_at = max(resume_at, offset + pos)
            state.end_line = line_at
            return

        if eof:
            if pending >= 0:
                raise _truncated(file, line_at + buf.count(b"\n", counted_to, pending))
            if stop is None and not _ROOT_CLOSE_RE.search(buf[-4096:]):
                raise _truncated(file, None)
            return

        if pending >= 0:
            keep = pending
            if len(buf) - keep > limits.max_element_bytes:
                line = line_at + buf.count(b"\n", counted_to, keep)
                raise IngestError(
                    file,
                    f"line {line}",
                    f"one record is larger than {limits.max_element_bytes:,} "
                    "bytes, far more than any real record",
                    _REMEDY,
                )
        else:
            pos = min(pos, len(buf))
            last_lt = buf.rfind(b"<", pos)
            keep = last_lt if last_lt != -1 else max(pos, len(buf) - 64)
            if len(buf) - keep > limits.max_element_bytes:
                line = line_at + buf.count(b"\n", counted_to, keep)
                raise IngestError(
                    file,
                    f"line {line}",
                    f"one element or attribute is larger than {limits.max_element_bytes:,} bytes",
                    _REMEDY,
                )
        if keep > counted_to:
            line_at += buf.count(b"\n", counted_to, keep)
            counted_to = 0
        else:
            counted_to -= keep
        buf = buf[keep:]
        offset += keep


def _utf8(buf: bytes, start: int, end: int) -> bool:
    """Whether ``buf[start:end]`` is valid UTF-8 (the XML parser refuses it otherwise)."""
    chunk = buf[start:end]
    if chunk.isascii():
        return True
    try:
        chunk.decode()
    except UnicodeDecodeError:
        return False
    return True


def _correlation_end(buf: bytes, pos: int, limit: int) -> tuple[int, bool]:
    """Where scanning resumes inside a ``Correlation`` that is open at ``pos``.

    Returns the end of its end tag and False when that tag starts before ``limit``.
    Otherwise the correlation is still open at the end of the part or of ``buf``: returns
    True and a position before its end tag (``limit``, or the last ``<`` in ``buf``, which
    may start the end tag, cut off).
    """
    close = _CORRELATION_CLOSE_RE.search(buf, pos)
    if close is not None and close.start() < limit:
        return close.end(), False
    last_lt = buf.rfind(b"<", pos)
    return max(pos, min(limit, last_lt if last_lt != -1 else len(buf))), True


def _element_end(buf: bytes, lt: int, close_re: re.Pattern[bytes]) -> tuple[int, int]:
    """Ends of the start tag and of the element at ``lt``; -1 if not all in ``buf``."""
    m = _TAG_REST_RE.match(buf, lt + 1)
    if m is None:
        return -1, -1
    tag_end = m.end()
    if buf[tag_end - 2] == 0x2F:
        return tag_end, tag_end
    close = close_re.search(buf, tag_end)
    return tag_end, (-1 if close is None else close.end())


def _truncated(file: str, line: int | None) -> IngestError:
    return IngestError(
        file,
        f"line {line}" if line else None,
        "the file ends in the middle of the data (it is incomplete)",
        "export the data again from the Health app, wait until the export "
        "has finished, and upload the new file",
    )


# --------------------------------------------------------------------------- reference


def read_export_reference(
    stream: IO[bytes],
    *,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    total_bytes: int = 0,
    progress: Progress | None = None,
    routes: RouteResolver | None = None,
) -> Iterator[Record]:
    """The plain way: a safe lxml pull parser over the whole document.

    Slower (every element is built), kept as the yardstick for the fast reader.
    """
    interpreter = _Interpreter(summary=summary, routes=routes)
    buf, base, line_base = read_prolog(stream, file=file)
    pull = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    done = base + len(buf)
    data = buf
    while True:
        try:
            pull.feed(data.translate(None, CONTROL_BYTES))
        except etree.XMLSyntaxError as exc:
            raise IngestError(
                file,
                f"line {exc.lineno + line_base}",
                f"the file is not well-formed XML ({exc.msg})",
                _REMEDY,
            ) from None
        for event, elem in pull.read_events():
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 1:
                line = (elem.sourceline or 0) + line_base
                record: Record | None = None
                if elem.tag == "Record" and elem.get("type") in (STEP_TYPE, MASS_TYPE):
                    record = interpreter.record(elem, line)
                elif elem.tag == "Workout":
                    record = interpreter.workout(elem, line)
                elem.clear()
                while elem.getprevious() is not None:
                    parent = elem.getparent()
                    if parent is None:
                        break
                    del parent[0]
                if record is not None:
                    yield record
        data = stream.read(BLOCK_SIZE)
        if not data:
            break
        done += len(data)
        if progress is not None:
            progress(done, max(total_bytes, done))
    try:
        pull.close()
    except etree.XMLSyntaxError:
        raise _truncated(file, None) from None


# --------------------------------------------------------------------------- meaning


def normalise_name(text: str) -> str:
    """Case-, quote- and space-insensitive form of a source or model name."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split())


def device_model(device: str | None) -> str:
    """Model from an escaped HKDevice description; the ``0x…`` address is never kept."""
    if not device:
        return ""
    m = _MODEL_RE.search(device)
    return m.group(1).strip() if m else ""


def _kind_for(name: str, model: str, manual: bool) -> SourceKind:
    if manual:
        return "manual"
    probe = f"{model} {name}".casefold()
    if "watch" in probe:
        return "watch"
    if "iphone" in probe or "phone" in probe or "ipod" in probe:
        return "phone"
    return "other_app"


class _Interpreter:
    """Turns one ``Record`` or ``Workout`` element into a walkrx record, or a skip."""

    def __init__(self, *, summary: ReadSummary, routes: RouteResolver | None) -> None:
        self.summary = summary
        self.routes = routes
        self._sources: dict[tuple[str, str, bool], Source] = {}
        self._recover = lxml_parser(recover=True)
        # Sources of plain records by their raw source name and device model.
        self._plain_sources: dict[tuple[bytes | None, ...], Source] = {}

    # -- bytes to element

    def _parse(self, chunk: bytes, parser: etree.XMLParser) -> etree._Element:
        try:
            return etree.fromstring(chunk, parser)
        except etree.XMLSyntaxError:
            pass
        repaired = chunk.translate(None, CONTROL_BYTES)
        head_end = repaired.find(b">")
        repaired = (
            _SPACED_ATTR_RE.sub(lambda m: m.group(1).replace(b" ", b"_"), repaired[:head_end])
            + repaired[head_end:]
        )
        try:
            return etree.fromstring(repaired, parser)
        except etree.XMLSyntaxError as exc:
            raise RecordProblem(f"the record is not well-formed XML ({exc.msg})") from None

    def record_bytes(self, chunk: bytes, line: int, parser: etree.XMLParser) -> Record | None:
        try:
            elem = self._parse(chunk, parser)
        except RecordProblem as problem:
            self.summary.skip(f"line {line}", problem.reason)
            return None
        return self.record(elem, line)

    def workout_bytes(self, chunk: bytes, line: int, parser: etree.XMLParser) -> Record | None:
        try:
            elem = self._parse(chunk, parser)
        except RecordProblem as problem:
            self.summary.skip(f"line {line}", problem.reason)
            return None
        return self.workout(elem, line)

    # -- element to record

    def source(self, elem: etree._Element, manual: bool) -> Source:
        name = elem.get("sourceName") or elem.get("source") or "Unknown source"
        return self.source_named(name, device_model(elem.get("device")), manual)

    def source_named(self, name: str, model: str, manual: bool) -> Source:
        cache_key = (name, model, manual)
        src = self._sources.get(cache_key)
        if src is None:
            key = f"apple_health:{normalise_name(name)}|{normalise_name(model)}"
            if manual:
                key += "|manual"
            src = Source(key=key, name=name, kind=_kind_for(name, model, manual))
            self._sources[cache_key] = src
        return src

    def record(self, elem: etree._Element, line: int) -> Record | None:
        try:
            return self._record(elem)
        except (RecordProblem, ValueError) as exc:
            self.skip(line, exc)
            return None

    def skip(self, line: int, problem: RecordProblem | ValueError) -> None:
        reason = problem.reason if isinstance(problem, RecordProblem) else str(problem)
        self.summary.skip(f"line {line}", reason)

    def _record(self, elem: etree._Element) -> Record:
        get = elem.get
        manual = get("HKWasUserEntered") == "1"
        if not manual and len(elem):
            for child in elem:
                if child.tag == "MetadataEntry" and child.get("key") == "HKWasUserEntered":
                    manual = child.get("value") in ("1", "true", "YES")
        return self.quantity(
            get("type") == STEP_TYPE,
            _encoded(get("startDate")),
            _encoded(get("endDate")),
            _encoded(get("value")),
            _encoded(get("unit")),
            self.source(elem, manual),
        )

    def bare_record(
        self,
        kind: bytes | None,
        name: bytes | None,
        device: bytes | None,
        unit: bytes | None,
        start: bytes | None,
        end: bytes | None,
        value: bytes | None,
        manual: bytes | None,
    ) -> Record | None:
        """The record of a childless step-count or body-mass ``Record`` from its raw
        attribute values (see :data:`_PLAIN_RECORD_RE` and :func:`_bare_fields`), without
        an XML parser; ``manual`` is the value of an ``HKWasUserEntered`` attribute.

        None when a value needs the parser after all (a character reference in the device
        description, or an entity in its model). Raises like :meth:`quantity`.
        """
        cache_key = (name, device, manual)
        if device is not None:
            # The description starts with the device object's address, different in every
            # record: sources are looked up by the rest, once the start holds no surprise.
            comma = device.find(b",")
            if comma > 0 and b"model:" not in device[:comma]:
                if _OTHER_ENTITY_RE.search(device, 0, comma) is not None:
                    return None
                cache_key = (name, device[comma:], manual)
        src = self._plain_sources.get(cache_key)
        if src is None:
            model: bytes | None = b""
            if device is not None:
                if _OTHER_ENTITY_RE.search(device) is not None:
                    return None
                model = _plain_model(device)
            if model is None:
                return None
            text = name.decode() if name else "Unknown source"
            src = self.source_named(text, model.decode().strip(), manual == b"1")
            self._plain_sources[cache_key] = src
        return self.quantity(kind == _STEP_BYTES, start, end, value, unit, src)

    def quantity(
        self,
        steps: bool,
        start_text: bytes | None,
        end_text: bytes | None,
        value_text: bytes | None,
        unit: bytes | None,
        src: Source,
    ) -> Record:
        """A step sample (``steps``) or a body weight, from its raw attribute values."""
        start = parse_apple_date_bytes(_present(start_text, "startDate"))
        end = parse_apple_date_bytes(_present(end_text, "endDate"))
        if end < start:
            raise RecordProblem("the record ends before it starts")
        text = _present(value_text, "value")
        if steps:
            count = int(text) if text.isdigit() and len(text) < 10 else _finite(text)
            if count is None:
                raise RecordProblem("the record has no value")
            if count < 0 or count > 200_000:
                raise RecordProblem(f"{count:g} steps in one record is not possible")
            return StepSampleRecord(start, end, round(count), src)
        value = _finite(text)
        if value is None:
            raise RecordProblem("the record has no value")
        kg = to_kg(value, _decoded(unit))
        if not 2 <= kg <= 650:
            raise RecordProblem(f"a body weight of {kg:.1f} kg is not possible")
        return WeightRecord(at=start, kg=round(kg, 3), source=src)

    def workout(self, elem: etree._Element, line: int) -> Record | None:
        try:
            return self._workout(elem, line)
        except (RecordProblem, ValueError) as exc:
            reason = exc.reason if isinstance(exc, RecordProblem) else str(exc)
            self.summary.skip(f"line {line}", reason)
            return None

    def _workout(self, elem: etree._Element, line: int) -> Record | None:
        activity_type = elem.get("workoutActivityType", "")
        activity = WORKOUT_ACTIVITIES.get(activity_type)
        if activity is None:
            nice = activity_type.removeprefix("HKWorkoutActivityType") or "unknown"
            self.summary.skip(f"line {line}", f"not a walking or hiking workout ({nice})")
            return None
        start = parse_apple_date(_required(elem, "startDate"))
        end = parse_apple_date(_required(elem, "endDate"))
        if end < start:
            raise RecordProblem("the workout ends before it starts")
        manual = False
        distance = _quantity(elem.get("totalDistance"), elem.get("totalDistanceUnit"), to_metres)
        energy = _quantity(
            elem.get("totalEnergyBurned"), elem.get("totalEnergyBurnedUnit"), to_kcal
        )
        steps: int | None = None
        paused = 0.0
        pause_at = None
        route_m: float | None = None
        for child in elem:
            tag = child.tag
            if tag == "MetadataEntry":
                if child.get("key") == "HKWasUserEntered" and child.get("value") == "1":
                    manual = True
            elif tag == "WorkoutStatistics":
                stat_type = child.get("type")
                if stat_type in DISTANCE_TYPES and distance is None:
                    distance = _quantity(child.get("sum"), child.get("unit"), to_metres)
                elif stat_type == ENERGY_TYPE and energy is None:
                    energy = _quantity(child.get("sum"), child.get("unit"), to_kcal)
                elif stat_type == STEP_TYPE and steps is None:
                    value = finite_float(child.get("sum"))
                    steps = round(value) if value is not None else None
            elif tag == "WorkoutEvent":
                event = child.get("type", "")
                when = child.get("date")
                if when is None:
                    continue
                at = parse_apple_date(when)
                if event.endswith("Pause") and pause_at is None:
                    pause_at = at
                elif event.endswith("Resume") and pause_at is not None:
                    paused += (at - pause_at).total_seconds()
                    pause_at = None
            elif tag == "WorkoutRoute":
                route_m = self._route(child, route_m)
        duration = finite_float(elem.get("duration"))
        if duration is not None:
            minutes = to_minutes(duration, elem.get("durationUnit"))
        else:
            minutes = ((end - start).total_seconds() - paused) / 60
        if minutes <= 0:
            raise RecordProblem("the workout has no duration")
        src = self.source(elem, manual)
        external_id = (
            "apple_health:"
            + hashlib.sha256(
                f"{src.key}|{activity_type}|{utc_stamp(start)}|{utc_stamp(end)}".encode()
            ).hexdigest()[:32]
        )
        return WorkoutRecord(
            external_id=external_id,
            activity=activity,
            start=start,
            end=end,
            minutes=round(minutes, 4),
            distance_m=_round(distance),
            steps=steps,
            energy_kcal=_round(energy),
            route_distance_m=_round(route_m),
            source=src,
        )

    def _route(self, route: etree._Element, current: float | None) -> float | None:
        ref = route.find("FileReference")
        if ref is not None and ref.get("path") and self.routes is not None:
            length = self.routes(ref.get("path", ""))
            if length is not None:
                return (current or 0.0) + length
            return current
        points = [
            (float(loc.get("latitude", "nan")), float(loc.get("longitude", "nan")))
            for loc in route.iter("Location")
        ]
        if len(points) >= 2:
            total = sum(haversine_m(*a, *b) for a, b in itertools.pairwise(points))
            return (current or 0.0) + total
        return current


def _present(value: bytes | None, name: str) -> bytes:
    if value is None:
        raise RecordProblem(f"the record has no {name}")
    return value


def _bare_fields(pairs: list[tuple[bytes, bytes]]) -> tuple[bytes | None, ...] | None:
    """The values :meth:`_Interpreter.bare_record` takes, from a childless ``Record``'s
    attributes; None when one needs the parser (an entity outside the device description,
    or an attribute given twice)."""
    attributes = dict(pairs)
    if len(attributes) != len(pairs):
        return None
    for attribute, value in pairs:
        if b"&" in value and attribute != b"device":
            return None
    get = attributes.get
    return (
        get(b"type"),
        get(b"sourceName") or get(b"source"),
        get(b"device"),
        get(b"unit"),
        get(b"startDate"),
        get(b"endDate"),
        get(b"value"),
        get(b"HKWasUserEntered"),
    )


def _encoded(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


def _decoded(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


def _finite(text: bytes) -> float | None:
    """:func:`finite_float` of a raw value (with its messages)."""
    try:
        value = float(text)
    except ValueError:
        return finite_float(text.decode())
    return value if math.isfinite(value) else finite_float(text.decode())


def _plain_model(device: bytes) -> bytes | None:
    """:func:`device_model` of a still escaped ``device`` value, before stripping.

    The model ends at a comma or at the description's closing ``>`` (``&gt;``); None
    when another entity comes first, which only the XML parser decodes.
    """
    at = device.find(b"model:")
    if at < 0:
        return b""
    model = device[at + 6 :]
    comma = model.find(b",")
    if comma >= 0:
        model = model[:comma]
    amp = model.find(b"&")
    if amp >= 0:
        if not model.startswith(b"&gt;", amp):
            return None
        model = model[:amp]
    return model


def _required(elem: etree._Element, name: str) -> str:
    value = elem.get(name)
    if value is None:
        raise RecordProblem(f"the {elem.tag} has no {name}")
    return str(value)


def _quantity(
    value: str | None, unit: str | None, convert: Callable[[float, str | None], float]
) -> float | None:
    number = finite_float(value)
    if number is None:
        return None
    return convert(number, unit)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
