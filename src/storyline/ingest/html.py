"""Main text and metadata out of an HTML page, with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura


@dataclass
class Extracted:
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    site: str | None = None
    url: str | None = None


def extract(html: str, url: str | None = None) -> Extracted | None:
    """The page's main text (navigation, footers, newsletter boxes, cookie banners dropped) and metadata, or
    None when no main text can be found."""
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    if result is None:
        return None
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = (data.get("text") or "").strip()
    if not text:
        return None
    authors = [a.strip() for a in (data.get("author") or "").replace(" and ", ";").split(";") if a.strip()]
    return Extracted(
        text=text,
        title=data.get("title") or None,
        authors=authors,
        date=data.get("date") or None,
        site=data.get("sitename") or data.get("hostname") or None,
        url=data.get("url") or url,
    )
