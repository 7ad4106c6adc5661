"""``storyline rates update`` against recorded (hand-made) answers served by a real HTTP server on
127.0.0.1, the rate store behind it, and the providers the read step uses."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.ingest.rates import SOURCES, read_cbr, update
from storyline.rates import ChainedRates, ECBRates, StoreRates, provider_for, store_path

DATA = Path(__file__).with_name("data") / "rates"
DAY = date(2025, 12, 3)

# path (with query) on the test server -> recorded answer; "500" and "slow" answer badly on purpose
ROUTES = {
    "/ecb/eurofxref-daily.xml": "ecb-daily.xml",
    "/ecb/eurofxref-hist.xml": "ecb-hist.xml",
    "/ecb/eurofxref-hist-90d.xml": "ecb-hist.xml",
    "/cbr/XML_daily.asp?date_req=03/12/2025": "cbr-2025-12-03.xml",
    "/cbr/XML_daily.asp": "cbr-2025-12-03.xml",
    "/nbk/get_rates.cfm?fdate=03.12.2025": "nbk-2025-12-03.xml",
    "/cbu/all/2025-12-03/": "cbu-2025-12-03.json",
    "/cbu/": "cbu-2025-12-03.json",
    "/nbkr/daily.xml": "nbkr-daily.xml",
    "/nbt/export_xml.php?date=2025-12-03&export=xmlout": "nbt-2025-12-03.xml",
    "/cbt/kurs_today_en.html": "cbt-today.html",
    "/broken/kurs_today_en.html": "500",
    "/garbage/daily.xml": "ecb-daily.xml",  # an ECB answer where the NBKR's is expected
    "/slow/daily.xml": "slow",
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        target = ROUTES.get(self.path)
        if target == "slow":
            time.sleep(1.5)
            target = "nbkr-daily.xml"
        if target is None or target == "500":
            self.send_response(404 if target is None else 500)
            self.end_headers()
            return
        body = (DATA / target).read_bytes()
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _urls(base: str) -> dict[str, str]:
    return {name: f"{base}/{name}/" for name in SOURCES}


def test_update_command_fills_the_store_from_every_bank(server: str, tmp_path: Path) -> None:
    db = tmp_path / "rates.sqlite3"
    args = ["rates", "update", "--db", str(db), "--since", "2025-12-03", "--until", "2025-12-03"]
    for name, url in _urls(server).items():
        args += ["--base-url", f"{name}={url}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as con:
        counts = dict(con.execute("SELECT source, COUNT(*) FROM rates GROUP BY source").fetchall())
        days = {d for (d,) in con.execute("SELECT DISTINCT day FROM rates")}
    assert set(counts) == set(SOURCES), counts
    assert counts["cbr"] == 9 and counts["nbk"] == 7 and counts["ecb"] == 3
    assert days == {"2025-12-03"}
    assert "ecb (European Central Bank): 3 rate(s)" in result.output
    assert (
        "nbkr (National Bank of the Kyrgyz Republic): 4 rate(s) over 1 day(s), 2025-12-03..2025-12-03 (its feed"
        in (result.output)
    )

    store = StoreRates(db)
    kzt = store.rate("KZT", "EUR", DAY)
    assert kzt is not None and kzt.rate == pytest.approx(1 / 597.38) and "Kazakhstan" in kzt.source
    assert store.rate("USD", "KZT", DAY).rate == pytest.approx(513.27)  # type: ignore[union-attr]
    assert store.rate("UZS", "USD", DAY).rate == pytest.approx(1 / 11990.45)  # type: ignore[union-attr]
    assert store.rate("KGS", "USD", DAY).rate == pytest.approx(1 / 87.45)  # type: ignore[union-attr]
    assert store.rate("TJS", "EUR", DAY).rate == pytest.approx(1 / 10.7907)  # type: ignore[union-attr]
    assert store.rate("TMT", "USD", DAY).rate == pytest.approx(1 / 3.5)  # type: ignore[union-attr]
    assert store.rate("RUB", "USD", DAY).rate == pytest.approx(1 / 78.2284)  # type: ignore[union-attr]
    assert store.rate("USD", "EUR", DAY).rate == pytest.approx(1 / 1.1668)  # type: ignore[union-attr]
    # a week-end day takes the last rate before it, within a week; later than that, none
    assert store.rate("KZT", "EUR", date(2025, 12, 6)).on == DAY  # type: ignore[union-attr]
    assert store.rate("KZT", "EUR", date(2025, 12, 20)) is None
    mean = store.mean_rate("USD", "EUR", date(2025, 11, 1), date(2025, 11, 30))
    assert mean is None  # the store has nothing for November: no rate is invented

    shown = CliRunner().invoke(app, ["rates", "show", "KZT", "USD", "--on", "2025-12-03", "--db", str(db)])
    assert shown.exit_code == 0 and "National Bank of Kazakhstan" in shown.output, shown.output


def test_a_failing_source_is_reported_and_the_run_goes_on(server: str, tmp_path: Path) -> None:
    db = tmp_path / "rates.sqlite3"
    urls = _urls(server) | {"cbt": f"{server}/broken/", "nbkr": f"{server}/garbage/"}
    outcomes = {o.source: o for o in update(db, ["cbt", "nbkr", "nbk"], DAY, DAY, urls)}
    assert outcomes["cbt"].failed and "HTTP 500" in outcomes["cbt"].errors[0]
    assert outcomes["nbkr"].failed and "unreadable answer" in outcomes["nbkr"].errors[0]
    assert not outcomes["nbk"].failed and outcomes["nbk"].rows == 7
    assert "FAILED" in outcomes["cbt"].summary()
    with sqlite3.connect(db) as con:
        logged = con.execute("SELECT source, rows, error FROM rate_updates ORDER BY source").fetchall()
    assert [(s, r) for s, r, _ in logged] == [("cbt", 0), ("nbk", 7), ("nbkr", 0)]


def test_a_timeout_is_a_clear_error(server: str, tmp_path: Path) -> None:
    client = httpx.Client(timeout=0.3)
    try:
        (outcome,) = update(tmp_path / "r.sqlite3", ["nbkr"], None, None, {"nbkr": f"{server}/slow/"}, client)
    finally:
        client.close()
    assert outcome.failed and outcome.errors[0].startswith("timed out asking http://127.0.0.1:")


def test_every_source_failing_exits_1(tmp_path: Path) -> None:
    args = ["rates", "update", "--db", str(tmp_path / "r.sqlite3"), "--source", "cbt"]
    args += ["--base-url", "cbt=http://127.0.0.1:9/"]  # nothing listens on the discard port
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "could not reach http://127.0.0.1:9/kurs_today_en.html" in result.output


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rates", "update", "--db", str(tmp_path / "r"), "--source", "fed"])
    assert result.exit_code == 2


def test_cbr_answer_in_windows_1251_with_nominals() -> None:
    quotes = {q.currency: q for q in read_cbr((DATA / "cbr-2025-12-03.xml").read_bytes())}
    assert quotes["KZT"].value == pytest.approx(0.152417) and quotes["KZT"].day == DAY
    assert quotes["UZS"].value == pytest.approx(0.00653902)


def test_store_path_option_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_DB", str(tmp_path / "env.sqlite3"))
    assert store_path("x.sqlite3") == Path("x.sqlite3")
    assert store_path() == tmp_path / "env.sqlite3"
    monkeypatch.delenv("STORYLINE_DB")
    assert store_path() == Path.home() / ".local" / "share" / "storyline" / "rates.sqlite3"


def test_provider_is_ecb_alone_without_a_store_and_chained_with_one(server: str, tmp_path: Path) -> None:
    assert isinstance(provider_for(tmp_path / "none.sqlite3"), ECBRates)
    db = tmp_path / "rates.sqlite3"
    update(db, ["nbk"], DAY, DAY, _urls(server))
    provider = provider_for(db)
    assert isinstance(provider, ChainedRates)
    # USD->EUR: the store has no direct quote (only the NBK's cross), so the bundled ECB rate answers
    usd = provider.rate("USD", "EUR", DAY)
    assert usd is not None and usd.source == "ECB reference rate"
    assert provider.rate("KZT", "USD", DAY).rate == pytest.approx(1 / 513.27)  # type: ignore[union-attr]
    assert provider.rate("TJS", "USD", DAY) is None
