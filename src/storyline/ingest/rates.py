"""Fetching official exchange rates: the ECB and the national banks of Russia, Kazakhstan, Uzbekistan,
Kyrgyzstan, Tajikistan and Turkmenistan. This is the side effect at the edge (``storyline rates update``);
the read step only reads the store (:mod:`storyline.rates`).

Each source knows its public feed (base URL overridable, for mirrors and tests), how to ask for a day, and
how to read the answer into :class:`~storyline.rates.Quote` s (units of the bank's own currency for one unit
of the quoted one). A source that fails is reported and skipped; the others go on.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from storyline.rates import Quote, log_update, write_quotes

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "storyline-rates/1 (+https://github.com/; exchange rates for news analysis)"
MAX_DAYS = 3700  # about ten years of days per run and source


def _number(text: str | None) -> float:
    if text is None:
        raise ValueError("missing number")
    return float(text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _day(text: str) -> date:
    text = text.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# Readers: bytes of one answer -> quotes -------------------------------------------------------------------


def read_ecb(content: bytes) -> list[Quote]:
    """eurofxref-daily.xml / eurofxref-hist(-90d).xml: ``<Cube time="…"><Cube currency="USD"
    rate="1.1668"/>`` (units of the currency for one euro)."""
    root = ET.fromstring(content)
    out = []
    for cube in root.iter():
        if _local(cube.tag) == "Cube" and "time" in cube.attrib:
            day = _day(cube.attrib["time"])
            for child in cube:
                rate = _number(child.attrib.get("rate"))
                if rate:
                    out.append(Quote(day, child.attrib["currency"], 1 / rate))
    return out


def _valcurs(content: bytes) -> list[Quote]:
    """The Bank of Russia's and the National Bank of Tajikistan's ``<ValCurs Date="…"><Valute>
    <CharCode>USD</CharCode><Nominal>1</Nominal><Value>78,2284</Value></Valute>``."""
    root = ET.fromstring(content)
    if _local(root.tag) != "ValCurs":
        raise ValueError(f"expected <ValCurs>, got <{_local(root.tag)}>")
    day = _day(root.attrib["Date"])
    out = []
    for valute in root:
        code = valute.findtext("CharCode")
        if not code:
            continue
        nominal = _number(valute.findtext("Nominal") or "1")
        out.append(Quote(day, code, _number(valute.findtext("Value")) / nominal))
    return out


read_cbr = _valcurs
read_nbt = _valcurs


def read_nbk(content: bytes) -> list[Quote]:
    """nationalbank.kz rss/get_rates.cfm: ``<rates><date>03.12.2025</date><item><title>USD</title>
    <description>519.21</description><quant>1</quant></item>``."""
    root = ET.fromstring(content)
    day = _day(root.findtext("date") or "")
    out = []
    for item in root.iter("item"):
        code = item.findtext("title")
        if code:
            quant = _number(item.findtext("quant") or "1")
            out.append(Quote(day, code, _number(item.findtext("description")) / quant))
    return out


def read_cbu(content: bytes) -> list[Quote]:
    """cbu.uz arkhiv-kursov-valyut/json: ``[{"Ccy": "USD", "Nominal": "1", "Rate": "12030.75",
    "Date": "03.12.2025", …}]``."""
    data = json.loads(content)
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of rates")
    return [
        Quote(_day(row["Date"]), row["Ccy"], _number(row["Rate"]) / _number(row.get("Nominal") or "1"))
        for row in data
    ]


def read_nbkr(content: bytes) -> list[Quote]:
    """nbkr.kg XML/daily.xml: ``<CurrencyRates Date="03.12.2025"><Currency ISOCode="USD"><Nominal>1
    </Nominal><Value>87,4500</Value></Currency>``."""
    root = ET.fromstring(content)
    day = _day(root.attrib["Date"])
    return [
        Quote(day, c.attrib["ISOCode"], _number(c.findtext("Value")) / _number(c.findtext("Nominal") or "1"))
        for c in root.iter("Currency")
    ]


ROW = re.compile(
    r"<tr[^>]*>\s*<td[^>]*>\s*(?P<code>[A-Z]{3})\s*</td>\s*<td[^>]*>\s*(?P<units>[\d\s]+)\s*</td>\s*"
    r"<td[^>]*>\s*(?P<rate>[\d.,]+)\s*</td>",
    re.I,
)
DATE_IN_PAGE = re.compile(r"(\d{2}\.\d{2}\.\d{4})")


def read_cbt(content: bytes) -> list[Quote]:
    """cbt.tm's rates page: an HTML table of code, units and manats, under a date (dd.mm.yyyy)."""
    html = content.decode("utf-8", errors="replace")
    found = DATE_IN_PAGE.search(html)
    if not found:
        raise ValueError("no date on the page")
    day = _day(found.group(1))
    quotes = [
        Quote(day, m.group("code").upper(), _number(m.group("rate")) / _number(m.group("units")))
        for m in ROW.finditer(html)
    ]
    if not quotes:
        raise ValueError("no rate table on the page")
    return quotes


# Sources --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    home: str
    base_url: str
    read: Callable[[bytes], list[Quote]]
    latest: str  # path (relative to the base URL) of the latest rates
    by_day: str | None  # path of one day's rates ({d} = date object), None when the feed has no archive
    history: Callable[[date], str] | None = None  # one path for everything since a day, when there is one

    def paths(self, since: date | None, until: date) -> list[str]:
        if since is None:
            return [self.latest]
        if self.history is not None:
            return [self.history(since)]
        if self.by_day is None:
            return [self.latest]
        days = min((until - since).days + 1, MAX_DAYS)
        return [self.by_day.format(d=since + timedelta(days=i)) for i in range(max(days, 0))]


def _ecb_history(since: date) -> str:
    recent = (date.today() - since).days <= 85
    return "eurofxref-hist-90d.xml" if recent else "eurofxref-hist.xml"


SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source(
            "ecb",
            "European Central Bank",
            "EUR",
            "https://www.ecb.europa.eu/stats/eurofxref/",
            read_ecb,
            "eurofxref-daily.xml",
            None,
            _ecb_history,
        ),
        Source(
            "cbr",
            "Bank of Russia",
            "RUB",
            "https://www.cbr.ru/scripts/",
            read_cbr,
            "XML_daily.asp",
            "XML_daily.asp?date_req={d:%d/%m/%Y}",
        ),
        Source(
            "nbk",
            "National Bank of Kazakhstan",
            "KZT",
            "https://nationalbank.kz/rss/",
            read_nbk,
            "get_rates.cfm?fdate={today:%d.%m.%Y}",
            "get_rates.cfm?fdate={d:%d.%m.%Y}",
        ),
        Source(
            "cbu",
            "Central Bank of the Republic of Uzbekistan",
            "UZS",
            "https://cbu.uz/en/arkhiv-kursov-valyut/json/",
            read_cbu,
            "",
            "all/{d:%Y-%m-%d}/",
        ),
        Source(
            "nbkr",
            "National Bank of the Kyrgyz Republic",
            "KGS",
            "https://www.nbkr.kg/XML/",
            read_nbkr,
            "daily.xml",
            None,
        ),
        Source(
            "nbt",
            "National Bank of Tajikistan",
            "TJS",
            "https://nbt.tj/en/kurs/",
            read_nbt,
            "export_xml.php?date={today:%Y-%m-%d}&export=xmlout",
            "export_xml.php?date={d:%Y-%m-%d}&export=xmlout",
        ),
        Source(
            "cbt",
            "Central Bank of Turkmenistan",
            "TMT",
            "https://www.cbt.tm/kurs/",
            read_cbt,
            "kurs_today_en.html",
            None,
        ),
    ]
}


@dataclass
class Outcome:
    source: str
    rows: int = 0
    days: set[date] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def failed(self) -> bool:
        return self.rows == 0 and bool(self.errors)

    def summary(self) -> str:
        title = SOURCES[self.source].title if self.source in SOURCES else self.source
        if self.failed:
            return f"{self.source} ({title}): FAILED — {self.errors[0]}" + (
                f" (and {len(self.errors) - 1} more error(s))" if len(self.errors) > 1 else ""
            )
        span = f"{min(self.days)}..{max(self.days)}" if self.days else "no day"
        text = f"{self.source} ({title}): {self.rows} rate(s) over {len(self.days)} day(s), {span}"
        if self.errors:
            text += f"; {len(self.errors)} request(s) failed, first: {self.errors[0]}"
        if self.note:
            text += f" ({self.note})"
        return text


def _get(client: httpx.Client, url: str) -> bytes:
    try:
        response = client.get(url)
    except httpx.TimeoutException:
        raise RuntimeError(f"timed out asking {url}") from None
    except httpx.HTTPError as e:
        raise RuntimeError(f"could not reach {url}: {e}") from None
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} from {url}")
    return response.content


def fetch(
    source: Source,
    client: httpx.Client,
    since: date | None = None,
    until: date | None = None,
    base_url: str | None = None,
) -> Iterator[Quote | str]:
    """The quotes of ``source`` (between ``since`` and ``until`` when it has an archive), with an error
    message in the stream for each request that failed."""
    until = until or date.today()
    base = (base_url or source.base_url).rstrip("/") + "/"
    for path in source.paths(since, until):
        url = base + path.format(today=until)
        try:
            quotes = source.read(_get(client, url))
        except RuntimeError as e:
            yield str(e)
            continue
        except (ValueError, KeyError, TypeError, ET.ParseError, json.JSONDecodeError) as e:
            yield f"unreadable answer from {url}: {type(e).__name__}: {e}"
            continue
        for q in quotes:
            if (since is None or q.day >= since) and q.day <= until:
                yield q


def update(
    db: Path,
    names: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    base_urls: dict[str, str] | None = None,
    client: httpx.Client | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Fetch every source named (all by default) into the store at ``db``; one outcome per source."""
    base_urls = base_urls or {}
    own = client is None
    client = client or httpx.Client(
        timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    outcomes = []
    try:
        for name in names or list(SOURCES):
            source = SOURCES[name]
            outcome = Outcome(name)
            if since is not None and source.by_day is None and source.history is None:
                outcome.note = "its feed has the latest rates only, not earlier days"
            started = datetime.now(UTC)
            quotes: list[Quote] = []
            for item in fetch(source, client, since, until, base_urls.get(name)):
                if isinstance(item, str):
                    outcome.errors.append(item)
                else:
                    quotes.append(item)
            try:
                outcome.rows = write_quotes(db, name, source.home, quotes)
            except Exception as e:  # a store that cannot be written stops nothing else
                outcome.errors.insert(0, f"could not write {db}: {e}")
            outcome.days = {q.day for q in quotes}
            try:
                log_update(db, name, started, outcome.rows, "; ".join(outcome.errors[:3]) or None)
            except Exception as e:
                outcome.errors.append(f"could not log the update in {db}: {e}")
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        if own:
            client.close()
    return outcomes
