"""A raw input becomes a :class:`~storyline.records.Document`: decoded, extracted, cleaned."""

from __future__ import annotations

import contextlib
from datetime import date

from storyline.ingest import clean, html
from storyline.ingest.decode import DecodeError, declared_charset, decode
from storyline.ingest.sources import RawInput
from storyline.records import Check, Document, Published


class IngestError(ValueError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def to_document(raw: RawInput) -> Document:
    """Raises :class:`IngestError` with a kind (binary, encoding, empty, no_text) when there is nothing to read."""
    checks: list[Check] = []
    if raw.text is not None:
        content = raw.text
    else:
        data = raw.data or b""
        if not data.strip():
            raise IngestError("empty", "the document is empty")
        try:
            content, encoding = decode(data, declared_charset(data) if raw.kind == "html" else None)
        except DecodeError as exc:
            raise IngestError(exc.kind, str(exc)) from exc
        if encoding not in ("utf-8", "utf-8-sig"):
            checks.append(
                Check(
                    kind="encoding",
                    severity="info",
                    message=f"The file is not UTF-8; it was decoded as {encoding}.",
                )
            )
    if not content.strip():
        raise IngestError("empty", "the document is empty")
    if "\x00" in content:
        raise IngestError("binary", "the text holds NUL characters: binary content, not a document")
    title, authors, site, url = raw.title, [], None, raw.url
    published = Published(date=date.fromisoformat(raw.published), source="input") if raw.published else None
    if raw.kind == "html":
        extracted = html.extract(content, raw.url)
        if extracted is None:
            raise IngestError("no_text", "no main text could be extracted from the HTML")
        content = extracted.text
        title = title or extracted.title
        if title and not content.lstrip().startswith(title.strip()):
            content = f"{title.strip()}\n\n{content}"  # the headline states facts too
        authors, site, url = extracted.authors, extracted.site, extracted.url
        if published is None and extracted.date:
            with contextlib.suppress(ValueError):
                published = Published(
                    date=date.fromisoformat(extracted.date[:10]), source="metadata", confidence=0.9
                )
    elif raw.kind == "markdown":
        content = clean.markdown_to_text(content)
    cleaned = clean.clean_text(content, title)
    if not cleaned.text:
        raise IngestError("empty", "nothing is left once the site's boilerplate is dropped")
    if cleaned.dropped:
        checks.append(
            Check(
                kind="boilerplate_dropped",
                severity="info",
                message=f"{len(cleaned.dropped)} line(s) of site boilerplate were dropped: "
                + "; ".join(repr(d[:60]) for d in cleaned.dropped),
            )
        )
    return Document(
        id=raw.id,
        text=cleaned.text,
        url=url,
        path=raw.path,
        title=cleaned.title,
        site=site,
        authors=authors,
        language=raw.language,
        published=published,
        boilerplate=cleaned.dropped,
        checks=checks,
        provenance=raw.provenance,
    )
