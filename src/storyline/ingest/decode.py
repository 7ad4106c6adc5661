"""Bytes to text: the encoding is detected, never guessed silently wrong."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# The encodings news in our languages actually comes in, besides UTF-8. Restricting the detector to them
# keeps it from choosing an exotic code page that happens to decode.
CANDIDATES = ["cp1252", "latin_1", "cp1251", "koi8_r", "iso8859_5", "mac_cyrillic"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can trust."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters, mean this is not a text document."""
    head = data[:8192]
    if b"\x00" in head and not (head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.05


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a meta tag, if Python knows it."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``. Raises :class:`DecodeError` for binary or undecodable input."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "encoding", f"starts with a {name} byte-order mark but does not decode: {exc}"
                ) from exc
    if looks_binary(data):
        raise DecodeError("binary", "binary content (NUL or control bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    best = from_bytes(data, cp_isolation=CANDIDATES).best()
    if best is None:
        raise DecodeError(
            "encoding", "not valid UTF-8 and no known encoding (CP1252, Latin-1, CP1251, KOI8-R) fits"
        )
    return str(best), codecs.lookup(best.encoding).name
