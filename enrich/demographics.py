"""The `demographics` enricher: what authors say about themselves — age, pronouns, where they live, occupation.

Only self-statements count (the bio, the profile's location field, "I'm 34" in a post), each with the span it
came from and a confidence. Nothing is inferred from names, photos or writing style, and nothing is extracted
about race, religion, health or sexuality. Precision first: a wrong age or place is worse than none.
"""

import re
from functools import lru_cache

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.places import Place, flag_country, gazetteer

AGE_BANDS = ((13, 17, "13-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"),
             (55, 64, "55-64"), (65, 120, "65+"))
_AGE = [
    re.compile(r"(?<![\d/.:#-])(\d{2})\s?(?:y/?o\b|yo\b|yrs?\b(?: old)?|years?[ -]old|-year-old|åring\b|år(?! sedan| sen)\b|"
               r"tahun\b|thn\b|th\b)", re.IGNORECASE),
    re.compile(r"\b(?:age|ålder|umur|usia|age:)\s?:?\s?(\d{2})\b", re.IGNORECASE),
    re.compile(r"\b(?:i'?m|i am|jag är|aku|saya|gw|gue|umurku)\s(\d{2})(?=\s*(?:[,.!|·•)]|$|\s(?:and|och|dan|from|y/?o|yo)\b))",
               re.IGNORECASE),
]
_PRONOUNS = re.compile(r"\b(she|he|they|hen|ze|xe)\s?/\s?(her|him|them|hen|hir|xem|she|he|they|hens)\b", re.IGNORECASE)
_LIVES_IN = re.compile(
    r"(?:based in|living in|lives in|i live in|live in|from|📍|bor i|boende i|tinggal di|domisili|asal|here in)\s*:?\s*"
    r"([^\n|·•,.!?()]+(?:,\s*[^\n|·•.!?()]+)?)", re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s*(?:\||·|•|\n|/ | - |;)\s*")
_NOT_A_JOB_BEFORE = re.compile(r"(?:ex-?|former|retired|f\.d\.|fd|mantan|aspiring|future|wannabe)\s*$", re.IGNORECASE)

OCCUPATIONS = {
    # canonical: variants (en, sv, id), matched as whole words
    "nurse": ["nurse", "rn", "sjuksköterska", "perawat"],
    "teacher": ["teacher", "lärare", "guru", "lärarinna"],
    "student": ["student", "phd student", "grad student", "studerande", "mahasiswa", "mahasiswi", "pelajar"],
    "software engineer": ["software engineer", "software developer", "mjukvaruutvecklare", "swe"],
    "developer": ["developer", "dev", "web developer", "utvecklare", "programmerare", "programmer"],
    "engineer": ["engineer", "ingenjör", "insinyur"],
    "designer": ["designer", "ux designer", "graphic designer", "desainer"],
    "doctor": ["doctor", "physician", "läkare", "dokter"],
    "journalist": ["journalist", "reporter", "tech reporter", "wartawan"],
    "editor": ["editor", "redaktör"],
    "photographer": ["photographer", "fotograf", "fotografer"],
    "lawyer": ["lawyer", "attorney", "advokat", "jurist", "pengacara"],
    "accountant": ["accountant", "revisor", "akuntan"],
    "barista": ["barista"],
    "chef": ["chef", "cook", "kock", "koki"],
    "electrician": ["electrician", "elektriker"],
    "carpenter": ["carpenter", "snickare", "tukang kayu"],
    "researcher": ["researcher", "scientist", "forskare", "peneliti"],
    "lecturer": ["lecturer", "professor", "dosen"],
    "writer": ["writer", "author", "författare", "penulis"],
    "musician": ["musician", "musiker", "musisi"],
    "entrepreneur": ["entrepreneur", "founder", "företagare", "pengusaha", "wiraswasta"],
    "marketer": ["marketer", "marketing manager", "marknadsförare"],
    "product manager": ["product manager"],
    "data scientist": ["data scientist"],
    "driver": ["driver", "chaufför", "driver ojol", "ojol"],
    "mechanic": ["mechanic", "mekaniker", "montir"],
    "pharmacist": ["pharmacist", "apotekare", "apoteker"],
    "consultant": ["consultant", "konsult", "konsultan"],
    "salesperson": ["salesperson", "sales rep", "säljare"],
    "content creator": ["content creator", "youtuber", "streamer", "podcaster"],
}
_OCCUPATION_WORDS = {variant: canonical for canonical, variants in OCCUPATIONS.items() for variant in variants}
_OCCUPATION = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _OCCUPATION_WORDS), key=len, reverse=True)) + r")s?\b", re.IGNORECASE
)
_JOB_CUE = re.compile(r"\b(?:i'?m|i am|i work|as|jag är|jobbar|arbetar|aku|saya|kerja|bekerja)\b", re.IGNORECASE)
_SAYS_JOB = re.compile(r"(?:i'?m an?|i am an?|i work as an?|as an?|jag är|jobbar som|arbetar som|aku seorang|saya seorang|"
                       r"kerja sebagai|bekerja sebagai|aku|saya)\s+(?:\d{2}[- ]year[- ]old\s+)?$", re.IGNORECASE)
_BARE_AGE = re.compile(r"^(\d{2})$")


def _pronouns(first: str, second: str) -> str:
    first, second = first.lower(), second.lower()
    return "hen" if first == "hen" else f"{first}/{second}"  # Swedish "hen/hen", "hen/hens": one pronoun


def canonical_occupation(text: str | None) -> str | None:
    """"UX designer" -> "designer", "sjuksköterska" -> "nurse": the job a stated occupation names."""
    match = _OCCUPATION.search(text or "")
    return _OCCUPATION_WORDS[match.group(1).lower()] if match else (text or None)


def age_band(age: int) -> str:
    return next(band for low, high, band in AGE_BANDS if low <= age <= high)


@enrichers.register
class DemographicsEnricher(Enricher):
    name = "demographics"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        gazetteer()  # built now, once, rather than on the first post (in each worker process of the stage)

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            found = extract(bio=item.post.author_bio or "", location=item.post.author_location or "",
                            text=item.post.full_text)
            age = found.get("age")
            place: Place | None = found.get("place", {}).get("value")
            item.result.update(
                age=age["value"] if age else None,
                age_band=age_band(age["value"]) if age else None,
                pronouns=found["pronouns"]["value"] if "pronouns" in found else None,
                city=place.city if place else None,
                region=place.region if place else None,
                country=place.country if place else None,
                occupation=found["occupation"]["value"] if "occupation" in found else None,
            )
            if found:
                item.details["demographics"] = {
                    key: {**fact, "value": _plain(fact["value"])} for key, fact in found.items()
                }


def extract(*, bio: str, location: str, text: str) -> dict[str, dict]:
    """Each stated fact as {"value", "source", "span", "confidence"}; only facts that were found.
    The profile (bio, location field) speaks first; the post fills in what the profile does not say."""
    found = dict(_profile_facts(bio, location))
    if "age" not in found and (fact := _age(text, "text")):
        found["age"] = fact
    if "occupation" not in found and (fact := _occupation(text, "text")):
        found["occupation"] = fact
    if "place" not in found and (fact := _lives_in(text, "text")):
        found["place"] = fact
    return found


@lru_cache(maxsize=50_000)
def _profile_facts(bio: str, location: str) -> tuple[tuple[str, dict], ...]:
    """What an author's profile states; the same author posts often, so this is worked out once per profile."""
    found: dict[str, dict] = {}
    if fact := _age(bio, "bio"):
        found["age"] = fact
    if fact := _occupation(bio, "bio"):
        found["occupation"] = fact
    for source, content in (("location", location), ("bio", bio)):
        if "pronouns" not in found and (match := _PRONOUNS.search(content)):
            found["pronouns"] = {"value": _pronouns(match.group(1), match.group(2)), "source": source,
                                 "span": match.group(0), "confidence": 0.95}
    if place := profile_place(location=location, bio=bio):
        found["place"] = place
    return tuple(found.items())


_FIRST_PERSON = re.compile(r"\b(?:i'?m|i am|as an?|jag är|som|aku|saya|gw|gue|umurku|usiaku)\b[^.!?\n]{0,12}$", re.I)


def _age(content: str, source: str) -> dict | None:
    for confidence, pattern in zip((0.95, 0.95, 0.8), _AGE):
        for match in pattern.finditer(content):
            value = int(match.group(1))
            if source == "text" and not _FIRST_PERSON.search(content[: match.start()]):
                continue  # in a post, "my grandpa, 91 years old" is not the author's age
            if 13 <= value <= 99:
                return {"value": value, "source": source, "span": match.group(0).strip(), "confidence": confidence}
    if source == "bio":  # "she/her · 29 · Uppsala": a bio segment that is just a two-digit number
        for segment in _SEGMENTS.split(content):
            if (match := _BARE_AGE.match(segment.strip())) and 13 <= int(match.group(1)) <= 99:
                return {"value": int(match.group(1)), "source": source, "span": segment.strip(), "confidence": 0.75}
    return None


def _occupation(content: str, source: str) -> dict | None:
    if source == "text" and not _JOB_CUE.search(content):
        return None  # in a post, a job counts only after "I'm a", "jag är", "saya"...: skip the long pattern
    for match in _OCCUPATION.finditer(content):
        before = content[: match.start()]
        if _NOT_A_JOB_BEFORE.search(before):
            continue
        in_own_segment = source == "bio" and _is_bio_segment_start(before)
        if in_own_segment or _SAYS_JOB.search(before):
            canonical = _OCCUPATION_WORDS[match.group(1).lower()]
            return {"value": canonical, "source": source, "span": match.group(0), "confidence": 0.85}
    return None


def _is_bio_segment_start(before: str) -> bool:
    """The job opens a bio segment: "Nurse | mom", "29 · software engineer", "Tech reporter at The Ledger"."""
    tail = _SEGMENTS.split(before)[-1]
    return len(tail.split()) <= 2 and not re.search(r"\b(?:of|for|with|love|fan|my|och|dan|ama|sama)\b", tail, re.I)


def profile_place(*, location: str, bio: str) -> dict | None:
    """Where the author says they live (location field first, then the bio): `value` a Place, with source and span."""
    places = gazetteer()
    if location.strip():
        if place := places.place(location):
            return {"value": place, "source": "location", "span": location.strip(), "confidence": 0.9}
        if country := flag_country(location):
            return {"value": Place(None, None, country), "source": "location", "span": location.strip(),
                    "confidence": 0.8}
    if fact := _lives_in(bio, "bio"):
        return fact
    for segment in _SEGMENTS.split(bio):
        words = segment.strip()
        if words and len(words.split()) <= 3 and (place := places.place(words)):
            return {"value": place, "source": "bio", "span": words, "confidence": 0.8}
    return None


def _lives_in(content: str, source: str) -> dict | None:
    for match in _LIVES_IN.finditer(content):
        if place := gazetteer().place(match.group(1)):
            return {"value": place, "source": source, "span": match.group(0).strip(), "confidence": 0.85}
    return None


def _plain(value):
    return value.__dict__ if isinstance(value, Place) else value
