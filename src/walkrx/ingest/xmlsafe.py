"""XML parsing with entity expansion, DTD loading and network access switched off."""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from lxml import etree

from .errors import IngestError

# XML 1.0 forbids C0 controls other than tab, LF and CR; Apple exports contain stray
# ones (\x0b) that make every strict parser stop.
CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(14, 32))
_CONTROL_RE = re.compile(b"[" + re.escape(CONTROL_BYTES) + b"]")


def strip_controls(data: bytes) -> bytes:
    return data.translate(None, CONTROL_BYTES)


def has_controls(data: bytes) -> bool:
    return _CONTROL_RE.search(data) is not None


def lxml_parser(*, recover: bool = False) -> etree.XMLParser:
    """lxml parser that never expands entities, loads a DTD, or touches the network.

    ``huge_tree=False`` keeps libxml2's own limits on text node size and depth.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def defused_fromstring(data: bytes, *, file: str, what: str, remedy: str) -> Element:
    """Parse a whole small document with defusedxml, refusing any DTD or entity."""
    try:
        root: Element = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise IngestError(
            file,
            None,
            f"the {what} declares a document type or entities, which is not allowed for "
            "safety reasons",
            remedy,
        ) from None
    except StdET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise IngestError(
            file,
            f"line {line}, column {column}" if line else None,
            f"the {what} is not well-formed XML ({_short(str(exc))})",
            remedy,
        ) from None
    return root


def _short(text: str) -> str:
    return text.split(":", 1)[0] if ": line" in text else text[:120]


def local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
