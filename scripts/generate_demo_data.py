"""Generate the deterministic Nordvik demo data for Earshot: catalog, X/Reddit replay posts, customers, truth."""

import argparse
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SEED = 20261123
UTC = timezone.utc
END = datetime(2026, 11, 15, 23, 59, 59, tzinfo=UTC)
START = datetime(2026, 9, 17, 0, 0, 0, tzinfo=UTC)  # 60 days ending at END
SPIKE_START = datetime(2026, 11, 2, 7, 0, 0, tzinfo=UTC)  # the day after firmware 4.2 rolled out
SPIKE_HOURS = 18
REPO = Path(__file__).resolve().parent.parent
rng = random.Random(SEED)
link_rng = random.Random(SEED + 1)  # identity variations only, so the posts stay as they were before them

# ---------------------------------------------------------------- catalog
# sku, display name, catalog aliases, category, prices (USD, SEK, IDR), spellings people type
PRODUCTS = [
    ("NV-A12", "Nordvik Aura 12", ["Aura 12", "Aura12"], "phone", (799, 8990, 11999000),
     ["Aura 12", "Aura 12", "aura 12", "Aura12", "aura12", "Nordvik Aura 12", "NV-A12", "AURA 12"]),
    ("NV-A12P", "Nordvik Aura 12 Pro", ["Aura 12 Pro", "Aura12 Pro", "Aura 12P"], "phone", (1099, 12490, 16499000),
     ["Aura 12 Pro", "Aura 12 Pro", "aura 12 pro", "Aura12 Pro", "Aura 12P", "NV-A12P", "Nordvik Aura 12 Pro"]),
    ("NV-PB2", "Nordvik Pulse Buds", ["Pulse Buds", "PulseBuds", "Pulse Buds 2"], "earbuds", (179, 1990, 2499000),
     ["Pulse Buds", "Pulse Buds", "pulse buds", "PulseBuds", "Pulse Buds 2", "NV-PB2", "Nordvik Pulse Buds"]),
    ("NV-H3", "Nordvik Halo", ["Halo watch", "Halo 3", "Nordvik Halo"], "watch", (299, 3490, 4299000),
     ["Halo watch", "Halo watch", "halo watch", "Nordvik Halo", "Halo 3", "NV-H3"]),
    ("NV-B1", "Nordvik Beam", ["Beam speaker", "Nordvik Beam"], "speaker", (129, 1490, 1799000),
     ["Beam speaker", "Beam speaker", "beam speaker", "Nordvik Beam", "NV-B1"]),
    ("NV-S14", "Nordvik Slate 14", ["Slate 14", "Slate14"], "laptop", (1299, 14990, 19999000),
     ["Slate 14", "Slate 14", "slate 14", "Slate14", "Nordvik Slate 14", "NV-S14"]),
    ("NV-V65", "Nordvik Volt 65W", ["Volt charger", "Volt 65W", "Volt 65"], "charger", (49, 499, 599000),
     ["Volt charger", "Volt 65W", "volt 65w", "Volt 65", "Nordvik Volt", "NV-V65"]),
    ("NV-N6", "Nordvik Nest", ["Nest router", "Nordvik Nest"], "router", (199, 2290, 2999000),
     ["Nest router", "Nest router", "nest router", "Nordvik Nest", "NV-N6"]),
]
SKUS = [p[0] for p in PRODUCTS]
PROD = {p[0]: {"name": p[1], "aliases": p[2], "category": p[3], "price": p[4], "forms": p[5]} for p in PRODUCTS}
POPULARITY = {"NV-A12": 30, "NV-A12P": 14, "NV-PB2": 18, "NV-H3": 12, "NV-B1": 7, "NV-S14": 8, "NV-V65": 5, "NV-N6": 6}
COMPETITORS = [("Zentro", ["zentro", "Zentro X5"]), ("Kestrel", ["kestrel", "Kestrel One"]),
               ("Pixelon", ["pixelon", "Pixelon 9"])]
OWN_X = ["nordvik", "nordvik_support"]
OWN_REDDIT = ["nordvik_official"]
LANGS = {"en": 0.97, "sv": 0.02, "id": 0.01}  # for random threads; quotas add most Swedish and Indonesian ones
FIRMWARE = "4.2"


def catalog() -> dict:
    return {
        "brand": "Nordvik",
        "own_accounts": {"x": OWN_X, "reddit": OWN_REDDIT},
        "competitors": [{"name": name, "aliases": aliases} for name, aliases in COMPETITORS],
        "products": [{"sku": s, "name": PROD[s]["name"], "aliases": PROD[s]["aliases"],
                      "category": PROD[s]["category"]} for s in SKUS],
    }


# ---------------------------------------------------------------- small helpers
def pick(weights: dict):
    """A key of `weights`, chosen with probability proportional to its value (dicts keep insertion order)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def chance(p: float) -> bool:
    return rng.random() < p


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O", "é": "e", "ü": "u"})


def asciify(text: str) -> str:
    return text.translate(ASCII)


USED_IDS: set = set()


def unique_id(make) -> str:
    while True:
        value = make()
        if value not in USED_IDS:
            USED_IDS.add(value)
            return value


def x_post_id(when: datetime) -> str:
    """A 19-digit snowflake-like id that grows with time, like X's."""
    ms = int(when.timestamp() * 1000) - 1288834974657
    return unique_id(lambda: str((ms << 22) | rng.getrandbits(22)))


def reddit_id(prefix: str, when: datetime) -> str:
    base = int("1n00000", 36) if prefix == "t3" else int("m000000", 36)
    step = 2 if prefix == "t3" else 9
    secs = int((when - START).total_seconds())
    return unique_id(lambda: f"{prefix}_{base36(base + secs * step // 60 + rng.randrange(400))}")


def author_id(platform: str) -> str:
    if platform == "x":
        return unique_id(lambda: str(rng.choice([rng.randrange(10**7, 10**10), rng.randrange(10**17, 10**19)])))
    return unique_id(lambda: "t2_" + base36(rng.randrange(36**7, 36**8)))


# ---------------------------------------------------------------- time
LOCAL_HOUR_W = [4, 2.5, 1.5, 1, 0.8, 1, 2, 4, 6, 7, 7, 7.5, 8, 7.5, 7, 7, 7.5, 8, 9, 10, 10, 9, 7, 5.5]
UTC_OFFSET = {"en": -1, "sv": 1, "id": 7}


def random_time(lang: str) -> datetime:
    """A time in the window: slowly growing volume, a little more at weekends, local daily rhythm."""
    days = list(range(60))
    weights = [(1 + 0.4 * d / 60) * (1.15 if (START + timedelta(days=d)).weekday() >= 5 else 1) for d in days]
    day = rng.choices(days, weights=weights)[0]
    local = rng.choices(range(24), weights=LOCAL_HOUR_W)[0]
    hour = (local - UTC_OFFSET[lang]) % 24
    return START + timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def later(when: datetime, typical_minutes: float) -> datetime:
    """A reply time after `when` (log-normal delay around `typical_minutes`)."""
    minutes = min(rng.lognormvariate(0, 1.1) * typical_minutes, 60 * 24 * 4)
    return when + timedelta(minutes=max(minutes, 0.3), seconds=rng.randrange(60))


# ---------------------------------------------------------------- people
FIRST = {
    "sv": ["Anna", "Erik", "Maja", "Johan", "Elin", "Oskar", "Sara", "Lars", "Emma", "Karl", "Linnea", "Anders", "Ida",
           "Fredrik", "Klara", "Nils", "Hanna", "Viktor", "Sofia", "Mikael", "Ebba", "Gustav", "Moa", "Henrik", "Alva",
           "Per", "Frida", "Jonas", "Astrid", "Björn"],
    "id": ["Budi", "Siti", "Dewi", "Agus", "Rina", "Andi", "Putri", "Rizky", "Ayu", "Dimas", "Fitri", "Wahyu", "Intan",
           "Bayu", "Nadia", "Fajar", "Sari", "Yoga", "Indah", "Reza", "Citra", "Arif", "Galih", "Maya"],
    "en": ["Michael", "Sarah", "James", "Emily", "David", "Jessica", "Chris", "Olivia", "Daniel", "Hannah", "Ryan",
           "Megan", "Tom", "Chloe", "Matt", "Laura", "Josh", "Amy", "Ben", "Rachel", "Kevin", "Priya", "Marcus", "Zoe",
           "Liam", "Grace", "Ethan", "Natalie", "Sam", "Jordan"],
}
LAST = {
    "sv": ["Lindqvist", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
           "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Berg", "Lindberg", "Holm", "Ek", "Sandberg", "Nyström",
           "Åberg", "Lundgren", "Björk", "Sjöberg", "Wallin"],
    "id": ["Santoso", "Wijaya", "Pratama", "Saputra", "Lestari", "Kurniawan", "Hidayat", "Setiawan", "Nugroho",
           "Rahmawati", "Susanto", "Purnomo", "Halim", "Gunawan", "Permata", "Utami", "Siregar", "Tanjung"],
    "en": ["Brown", "Smith", "Johnson", "Walker", "Patel", "Nguyen", "Taylor", "Miller", "Wilson", "Clarke", "Davis",
           "Murphy", "Evans", "Thompson", "Garcia", "Lee", "Hughes", "Cooper", "Reed", "Foster", "Bennett", "Kim",
           "Wright", "Turner", "O'Brien", "Hall"],
}
# code: weight, language, email domain, {city: phone area}, phone format, display country
COUNTRIES = {
    "SE": (32, "sv", "example.se", {"Stockholm": "70", "Göteborg": "73", "Malmö": "76", "Uppsala": "72",
                                    "Västerås": "70", "Örebro": "73", "Linköping": "76", "Umeå": "70", "Lund": "72"},
           "+46 {a} 000 {b:02d} {c:02d}", "Sweden"),
    "US": (24, "en", "example.com", {"Austin": "512", "Seattle": "206", "Chicago": "312", "Denver": "303",
                                     "Portland": "503", "Boston": "617", "Atlanta": "404", "San Diego": "619"},
           "+1 {a} 555 01{b:02d}", "USA"),
    "GB": (16, "en", "example.com", {"London": "", "Manchester": "", "Bristol": "", "Leeds": "", "Edinburgh": "",
                                     "Glasgow": "", "Birmingham": ""}, "+44 7700 900{d:03d}", "UK"),
    "CA": (8, "en", "example.com", {"Toronto": "416", "Vancouver": "604", "Montreal": "514", "Calgary": "403",
                                    "Ottawa": "613"}, "+1 {a} 555 01{b:02d}", "Canada"),
    "ID": (20, "id", "example.id", {"Jakarta": "812", "Bandung": "813", "Surabaya": "821", "Yogyakarta": "857",
                                    "Medan": "812", "Semarang": "878", "Denpasar": "811", "Makassar": "852"},
           "+62 {a} 0000 {b:02d}{c:02d}", "Indonesia"),
}
SEGMENTS = {"standard": 55, "premium": 18, "business": 10, "student": 17}
HANDLE_WORDS = ["coffee", "fjord", "pixel", "moose", "kopi", "retro", "lofi", "cloud", "bike", "north", "salty",
                "mango", "byte", "nasi", "snow", "vinyl", "tofu", "gecko", "kanelbulle", "otter"]
REDDIT_ADJ = ["Plastic", "Quiet", "Brave", "Sleepy", "Rusty", "Lucky", "Odd", "Spicy", "Polite", "Fuzzy", "Hungry"]
REDDIT_NOUN = ["Lemon", "Walrus", "Panda", "Toaster", "Falcon", "Pickle", "Otter", "Spoon", "Badger", "Comet"]
TAKEN = {"x": {h.lower() for h in OWN_X}, "reddit": {h.lower() for h in OWN_REDDIT}}


def claim(platform: str, handle: str) -> str:
    limit = 15 if platform == "x" else 20
    handle = handle[:limit]
    while handle.lower() in TAKEN[platform]:
        handle = handle[: limit - 2] + str(rng.randrange(10, 99))
    TAKEN[platform].add(handle.lower())
    return handle


def make_handle(platform: str, first: str, last: str) -> str:
    f, l = asciify(first).lower().replace("'", ""), asciify(last).lower().replace("'", "")
    n, w = rng.randrange(1, 99), rng.choice(HANDLE_WORDS)
    if platform == "x":
        options = [f"{f}_{l[:2]}", f"{f}{l}", f"{f[0]}{l}", f"{f}{l[0]}{n}", f"{f}_{w}", f"{w}{f}", f"the{f}{n}",
                   f"{f}_{l}", f"{f}{n:02d}"]
    else:
        options = [f"{f}{l}", f"{f}_{l}",
                   f"{rng.choice(REDDIT_ADJ)}-{rng.choice(REDDIT_NOUN)}-{rng.randrange(1000, 9999)}",
                   f"{w}_{f}", f"{f}{n}{rng.randrange(10)}", f"{l}{f[0]}", f"{f}_{w}{n}"]
    handle = rng.choice(options)
    if "-" not in handle and chance(0.25):
        handle = handle[0].upper() + handle[1:]
    return claim(platform, handle)


def one_char_off(handle: str) -> str | None:
    """A handle that differs from `handle` by exactly one character and is not taken (a different person)."""
    for _ in range(20):
        i = rng.randrange(1, len(handle))
        op = rng.choice(["add", "drop", "swap"])
        if op == "add":
            cand = handle + str(rng.randrange(10)) if chance(0.5) else handle[:i] + handle[i - 1] + handle[i:]
        elif op == "drop":
            cand = handle[:i] + handle[i + 1:]
        else:
            cand = handle[:i] + rng.choice("aeiouxlrn_") + handle[i + 1:]
        if len(cand) >= 4 and cand.lower() != handle.lower() and cand.lower() not in TAKEN["x"] | TAKEN["reddit"]:
            return cand
    return None


# ---------------------------------------------------------------- customers
CASE_SUMMARIES = {
    "battery": ["Battery drains overnight", "Battery health dropped to 80% in a year", "Does not charge past 60%",
                "Battery drain after update {fw}", "Device gets hot while charging"],
    "defect": ["Screen flicker at low brightness", "Left earbud cuts out", "Speaker crackles at high volume",
               "Device will not power on", "Loose charging port", "Dead pixel near the top edge"],
    "software": ["App crashes on launch after update", "Bluetooth pairing drops",
                 "Stuck on boot logo after update {fw}",
                 "Notifications delayed", "Wi-Fi disconnects every few minutes"],
    "shipping": ["Order not delivered after 14 days", "Parcel marked delivered but not received",
                 "Wrong colour delivered"],
    "billing": ["Charged twice for one order", "Refund not received after return", "Promo code not applied"],
    "service": ["Complaint about repair turnaround time", "Customer unhappy with previous agent",
                "Callback promised but not made"],
    "other": ["Question about warranty transfer", "Requested invoice copy", "Trade-in value dispute"],
}
CHANNELS = {"online": 40, "retail": 30, "carrier": 15, "marketplace": 15}
CUSTOMERS: list = []
CASE_IDS = iter(range(10000, 99999, 7))


def rand_date(lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randrange(max((hi - lo).days, 1)))


def add_case(customer: dict, sku: str, category: str, opened: date, closed: date | None = None,
             summary: str = "") -> None:
    fw = FIRMWARE if opened >= date(2026, 11, 1) else "4.1"
    summary = summary or rng.choice(CASE_SUMMARIES[category]).format(fw=fw)
    customer["cases"].append({"id": f"CASE-{next(CASE_IDS)}", "sku": sku, "category": category,
                              "opened_at": opened.isoformat(), "closed_at": closed.isoformat() if closed else None,
                              "summary": summary})


def own(customer: dict, sku: str, when: date, channel: str | None = None) -> None:
    channel = channel or ("marketplace" if customer["country"] == "ID" and chance(0.5) else pick(CHANNELS))
    customer["products"].append({"sku": sku, "purchased_at": when.isoformat(), "channel": channel})


def make_customer(number: int, country: str, first: str, last: str, city: str) -> dict:
    _, lang, domain, cities, phone_format, _ = COUNTRIES[country]
    f, l = asciify(first).lower().replace("'", ""), asciify(last).lower().replace("'", "")
    local = rng.choice([f"{f}.{l}"] * 6 + [f"{f[0]}{l}"] * 3 + [f"{f}{l}{rng.randrange(70, 99)}"])
    churned = chance(0.10)
    c = {"id": f"C{number:05d}", "name": f"{first} {last}", "email": f"{local}@{domain}",
         "phone": phone_format.format(a=cities[city], b=rng.randrange(100), c=rng.randrange(100),
                                      d=rng.randrange(1000)),
         "city": city, "country": country, "segment": pick(SEGMENTS),
         "consent": {"marketing": chance(0.55), "share": chance(0.3)}, "status": "churned" if churned else "active",
         "handles": {}, "products": [], "cases": [], "_lang": lang}
    latest = date(2026, 3, 1) if churned else date(2026, 9, 10)
    for sku in sorted(set(rng.choices(SKUS, weights=[POPULARITY[s] for s in SKUS], k=rng.choice([1, 1, 1, 2, 2, 3])))):
        own(c, sku, rand_date(date(2023, 2, 1), latest))
    c["products"].sort(key=lambda p: p["purchased_at"])
    if chance(0.28):
        for product in rng.sample(c["products"], 1):
            opened = rand_date(date.fromisoformat(product["purchased_at"]), date(2026, 9, 12))
            closed = opened + timedelta(days=rng.randrange(1, 21)) if chance(0.85) else None
            add_case(c, product["sku"], pick({"battery": 3, "defect": 3, "software": 3, "shipping": 1,
                                              "billing": 1, "service": 1, "other": 1}), opened, closed)
    return c


def make_customers(count: int = 280) -> None:
    emails, number = set(), 0
    countries = {code: v[0] for code, v in COUNTRIES.items()}
    twins = {40, 95, 150, 210, 260}  # same name as an earlier customer, in another city
    for i in range(count):
        number += rng.choice([1, 1, 1, 2, 3])
        if i in twins and CUSTOMERS:
            model = rng.choice([c for c in CUSTOMERS if c["country"] in ("SE", "ID", "US")])
            country, (first, last) = model["country"], model["name"].split(" ", 1)
            city = rng.choice([x for x in COUNTRIES[country][3] if x != model["city"]])
        else:
            country = pick(countries)
            lang = COUNTRIES[country][1]
            first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
            city = rng.choice(list(COUNTRIES[country][3]))
        c = make_customer(number, country, first, last, city)
        while c["email"] in emails:
            user, domain = c["email"].split("@")
            c["email"] = f"{user}{rng.randrange(2, 9)}@{domain}"
        emails.add(c["email"])
        if chance(0.40):
            c["handles"]["x"] = make_handle("x", first, last)
        if chance(0.30):
            c["handles"]["reddit"] = make_handle("reddit", first, last)
        CUSTOMERS.append(c)


def customer_json(c: dict) -> dict:
    """The CRM record (internal keys dropped; first purchase and lifetime value derived from the purchases)."""
    products = sorted(c["products"], key=lambda p: (p["purchased_at"], p["sku"]))
    value = sum(PROD[p["sku"]]["price"][0] * c["_discounts"][i] for i, p in enumerate(products))
    handles = {k: ("@" + v if c.get("_at") and k == "x" else v) for k, v in sorted(c["handles"].items())}
    return {"id": c["id"], "name": c["name"], "email": c["email"], "phone": c["phone"], "city": c["city"],
            "country": c["country"], "segment": c["segment"], "consent": c["consent"],
            "lifetime_value": round(value + c["_extra"], 2), "first_purchase": products[0]["purchased_at"],
            "status": c["status"], "handles": {k: v for k, v in handles.items() if k not in c.get("_unlisted", ())},
            **({"website": c["_website"]} if c.get("_website") else {}), "products": products,
            "cases": sorted(c["cases"], key=lambda k: (k["opened_at"], k["id"]))}


def finish_customers() -> list:
    for c in CUSTOMERS:
        c["_discounts"] = [rng.choice([1.0, 1.0, 0.9, 0.85]) for _ in c["products"]]
        c["_extra"] = rng.choice([0, 0, 0, 19.99, 39.0, 59.5, 129.0])
        c["_at"] = chance(0.05)
    return [customer_json(c) for c in CUSTOMERS]


# ---------------------------------------------------------------- authors
OCCUPATIONS = {
    "en": ["nurse", "software engineer", "teacher", "barista", "student", "photographer", "product designer",
           "accountant", "electrician", "PhD student", "line cook", "UX researcher", "paramedic", "data analyst"],
    "sv": ["sjuksköterska", "systemutvecklare", "lärare", "student", "snickare", "fotograf", "ekonom",
           "UX-designer", "barista", "undersköterska", "elektriker"],
    "id": ["mahasiswa", "guru SD", "desainer grafis", "karyawan swasta", "programmer", "fotografer", "perawat",
           "anak kos", "barista", "freelancer"],
}
AGES = {"en": ["{n} y/o", "{n}yo", "{n}, still figuring it out"], "sv": ["{n} år", "{n} år gammal"],
        "id": ["umur {n}", "{n} th", "{n}y.o"]}
PRONOUNS = ["she/her", "he/him", "they/them"]
PLACES = {"en": ["📍 {city}", "{city} based", "living in {city}"], "sv": ["📍 {city}", "bor i {city}", "{city} ❤️"],
          "id": ["📍 {city}", "tinggal di {city}", "anak {city}"]}
INTERESTS = {
    "en": ["coffee & synths", "film photography", "retro games", "dogs > people", "cycling", "bad puns",
           "gadgets, tea, sci-fi", "weekend hiker", "vinyl collector", "opinions are my own"],
    "sv": ["kaffe, skog och teknik", "hockey och prylar", "fikar mer än jag borde", "cyklar året runt",
           "nörd sedan 1998", "åsikter är mina egna"],
    "id": ["kopi, motor, gadget", "suka jalan-jalan", "pecinta kucing", "gamer santai", "wibu dikit",
           "ngopi dulu baru mikir"],
}
AUTHORS: list = []
POOLS: dict = {(p, l): {"customer": [], "other": []} for p in ("x", "reddit") for l in LANGS}
SPECIAL: dict = {"journalist": {}, "influencer": {}, "spam": {}, "nearmiss": []}
CITY_COUNTRY = {city: v[5] for v in COUNTRIES.values() for city in v[3]}


def make_bio(lang: str, city: str, reddit: bool = False) -> str:
    if reddit and chance(0.8):
        return ""
    parts = []
    if chance(0.55):
        parts.append(rng.choice(OCCUPATIONS[lang]))
    if chance(0.35):
        parts.append(rng.choice(AGES[lang]).format(n=rng.randrange(18, 58)))
    if chance(0.25):
        parts.append(rng.choice(PRONOUNS))
    if chance(0.3):
        parts.append(rng.choice(PLACES[lang]).format(city=city))
    if chance(0.5) or not parts:
        parts.append(rng.choice(INTERESTS[lang]))
    return rng.choice([" | ", " · ", ". ", " • "]).join(parts) if chance(0.9) else ""


def make_location(city: str) -> str:
    roll = rng.random()
    if roll < 0.5:
        return city
    if roll < 0.75:
        return f"{city}, {CITY_COUNTRY[city]}"
    return rng.choice(["", "", "the internet", "somewhere cold", "🌍"])


def make_author(platform: str, handle: str, name: str, langs: dict, kind: str, *, bio: str = "", location: str = "",
                followers: int = 0, verified: bool = False, customer: dict | None = None) -> dict:
    a = {"platform": platform, "id": author_id(platform), "handle": handle, "name": name, "bio": bio,
         "location": location, "followers": followers, "verified": verified, "langs": langs, "kind": kind,
         "customer": customer, "w": min(rng.paretovariate(1.4), 8.0)}
    AUTHORS.append(a)
    if kind in ("customer", "person", "nearmiss"):
        for lang in langs:
            POOLS[(platform, lang)]["customer" if customer else "other"].append(a)
    return a


def person(platform: str, lang: str, kind: str = "person", handle: str | None = None, customer: dict | None = None,
           first: str | None = None, last: str | None = None, city: str | None = None) -> dict:
    first, last = first or rng.choice(FIRST[lang]), last or rng.choice(LAST[lang])
    city = city or rng.choice([c for v in COUNTRIES.values() if v[1] == lang for c in v[3]])
    handle = handle or make_handle(platform, first, last)
    langs = {"sv": {"sv": 0.75, "en": 0.25}, "id": {"id": 0.8, "en": 0.2}, "en": {"en": 1.0}}[lang]
    if platform == "reddit":
        return make_author(platform, handle, handle, langs, kind, bio=make_bio(lang, city, True),
                           followers=int(rng.lognormvariate(1.5, 1.3)), customer=customer)
    name = rng.choice([f"{first} {last}"] * 5 + [first] * 2 + [f"{first} {last[0]}.", f"{first} ✨", handle])
    return make_author(platform, handle, name, langs, kind, bio=make_bio(lang, city), location=make_location(city),
                       followers=int(rng.lognormvariate(5, 1.4)), verified=chance(0.03), customer=customer)


FIXED_X = [  # kind, lang, handle, name, followers, location, bio
    ("journalist", "en", "maya_writes", "Maya Chen", 184000, "London",
     "Tech reporter at The Ledger. Phones, wearables, chips. Tips: DM"),
    ("journalist", "en", "jbrooks_circuit", "Jonah Brooks", 62000, "Austin",
     "Senior editor, Circuit Daily. Opinions my own."),
    ("journalist", "en", "priyareviews", "Priya Raman", 97000, "Toronto",
     "Reviews editor at Gadget Wire | she/her"),
    ("journalist", "en", "tomfield_tech", "Tom Field", 241000, "London",
     "Consumer tech correspondent, The Morning Byte"),
    ("journalist", "en", "elise_on_gear", "Elise Novak", 33500, "Seattle",
     "Writing about the gadgets you carry. TechPulse."),
    ("journalist", "sv", "lina_teknik", "Lina Forsberg", 41000, "Stockholm",
     "Teknikreporter på Teknikspegeln. Tips? DM."),
    ("journalist", "sv", "mattias_prylar", "Mattias Ek", 23800, "Göteborg",
     "Skriver om prylar och techbolag för Dagbladet Väst"),
    ("journalist", "id", "rani_gawai", "Rani Kusuma", 128000, "Jakarta",
     "Jurnalis teknologi di Gawai Harian. Tips & rilis: DM"),
    ("journalist", "id", "denny_warta", "Denny Hartono", 52000, "Surabaya",
     "Editor di Warta Gawai ✍️"),
    ("influencer", "en", "techwithdre", "Dre | Tech With Dre", 1240000, "Los Angeles",
     "1.2M on YouTube. Honest reviews, no sponsors on reviews."),
    ("influencer", "en", "gadgetgwen", "Gwen 📱", 486000, "London",
     "phones, cameras, chaos. she/her. 28 y/o"),
    ("influencer", "en", "boxcutterbros", "BoxCutter Bros", 912000, "Austin",
     "two guys, too many boxes. new video every friday"),
    ("influencer", "en", "pixelpeepmarco", "Marco | PixelPeep", 153000, "Toronto",
     "camera nerd. 33 y/o. reviews every tuesday"),
    ("influencer", "sv", "prylkollen", "Prylkollen – Oscar", 214000, "Stockholm",
     "Sveriges ärligaste teknikrecensioner. 31 år."),
    ("influencer", "id", "reviewjujur_id", "Review Jujur", 1730000, "Jakarta",
     "review gadget jujur, tanpa basa-basi 🔥"),
    ("influencer", "id", "kak_nisa_review", "Nisa Review", 332000, "Bandung",
     "umur 26 | she/her | gadget & lifestyle | Bandung"),
    ("spam", "en", "win_prizes_now7", "🎁 Giveaways Daily 🎁", 1200, "",
     "FREE prizes every day!! turn on notifs 🔔"),
    ("spam", "en", "deals_hunter_x", "Best Deals 2026", 3400, "",
     "Top deals on tech 💸 affiliate links"),
    ("spam", "en", "crypto_moon_4u", "MoonBoy 🚀", 880, "",
     "1000x gems only. NFA"),
    ("spam", "id", "promo_gratis88", "PROMO GRATIS", 2100, "Indonesia",
     "info promo & giveaway tiap hari!!"),
    ("own", "en", "nordvik", "Nordvik", 184300, "Stockholm, Sweden",
     "Scandinavian design, built to last. Need help? @nordvik_support"),
    ("own", "en", "nordvik_support", "Nordvik Support", 26400, "Stockholm, Sweden",
     "We're here to help every day 08–22 CET 🇸🇪🇬🇧🇮🇩"),
    ("troll", "en", "xss_goblin", "goblin", 37, "",
     "just here for the chaos"),
    ("xssname", "en", "htmlhenrik", "Henrik <img src=x onerror=alert(1)>", 412, "Malmö",
     "web dev. breaking things since 2009"),
]


def make_authors() -> None:
    for c in CUSTOMERS:
        for platform, handle in sorted(c["handles"].items()):
            first, last = c["name"].split(" ", 1)
            person(platform, c["_lang"], "customer", handle, c, first, last, c["city"])
    for platform, lang, count in [("x", "en", 190), ("x", "sv", 40), ("x", "id", 34),
                                  ("reddit", "en", 160), ("reddit", "sv", 30), ("reddit", "id", 24)]:
        for _ in range(count):
            person(platform, lang)
    for platform, count in (("x", 8), ("reddit", 4)):
        owners = [c for c in CUSTOMERS if platform in c["handles"]]
        for c in rng.sample(owners, count):
            handle = one_char_off(c["handles"][platform])
            if handle:
                TAKEN[platform].add(handle.lower())
                first = c["name"].split()[0] if chance(0.5) else None
                SPECIAL["nearmiss"].append(person(platform, c["_lang"], "nearmiss", handle, first=first))
    for kind, lang, handle, name, followers, location, bio in FIXED_X:
        TAKEN["x"].add(handle.lower())
        a = make_author("x", handle, name, {lang: 1.0}, kind, bio=bio, location=location, followers=followers,
                        verified=kind in ("journalist", "influencer", "own"))
        if kind in SPECIAL:
            SPECIAL[kind].setdefault(lang, []).append(a)
        else:
            SPECIAL[handle] = a
    SPECIAL["nordvik_official"] = make_author("reddit", "nordvik_official", "nordvik_official", {"en": 1.0}, "own",
                                              bio="Official account of Nordvik. Support: r/nordvik wiki",
                                              followers=1900)
    SPECIAL["spam"]["reddit"] = [make_author("reddit", h, h, {"en": 1.0}, "spam", followers=2)
                                 for h in ("deal_bot_2026", "Cheap-Tech-Outlet")]


def vary_identities() -> None:
    """What makes linking authors to customers hard: customers who never gave us the handle they post from (found by
    an e-mail address or website in the bio, or by name and city), people who share a customer's name, in another
    city or the same one, and e-mail addresses that differ from a customer's only in the domain."""
    customer_authors = [a for a in AUTHORS if a["kind"] == "customer"]
    for c in CUSTOMERS:
        if link_rng.random() < 0.1:
            local = asciify(c["name"]).lower().replace(" ", "").replace("'", "")
            c["_website"] = link_rng.choice([f"https://{local}.se", f"https://{local}.dev", f"https://www.{local}.com",
                                             f"https://{local}.github.io"])
    for a in link_rng.sample(customer_authors, len(customer_authors) // 4):
        c = a["customer"]
        c.setdefault("_unlisted", set()).add(a["platform"])
        a["link_case"] = "unlisted"
        roll = link_rng.random()
        if roll < 0.3:
            shown = link_rng.choice(["{e}", "✉️ {e}", "contact: {e}", "mail: {e}"]).format(e=c["email"])
            a["bio"] = join_bio(a["bio"], shown)
            a["link_case"] = "unlisted_email_in_bio"
        elif roll < 0.42:
            domain = a["handle"].lower().replace("_", "")
            c.setdefault("_website", f"https://{domain}.{link_rng.choice(['se', 'dev', 'net'])}")
            a["bio"] = join_bio(a["bio"], c["_website"].removeprefix("https://"))
            a["link_case"] = "unlisted_website_in_bio"
        elif roll < 0.85 and a["platform"] == "x":
            city = link_rng.choice([c["city"], f"{c['city']}, {CITY_COUNTRY[c['city']]}"])
            a["name"], a["location"] = c["name"], city
            a["link_case"] = "unlisted_name_and_city"
    strangers = [a for a in AUTHORS if a["kind"] == "person" and a["platform"] == "x"]
    picked = link_rng.sample(strangers, 36)
    for i, a in enumerate(picked):
        c = link_rng.choice([c for c in CUSTOMERS if c["_lang"] in a["langs"]])
        if i < 24:  # the customer's name, in another city of the same country
            city = link_rng.choice([x for x in COUNTRIES[c["country"]][3] if x != c["city"]])
            a["name"], a["location"], a["link_case"] = c["name"], city, "same_name_other_city"
        elif i < 30:  # the customer's name and city: only a person can tell, so at most a proposal
            a["name"], a["location"], a["link_case"] = c["name"], c["city"], "same_name_same_city"
        else:  # the customer's e-mail user name at another domain
            user = c["email"].split("@")[0]
            a["bio"] = join_bio(a["bio"], f"{user}@{link_rng.choice(['gmail.com', 'outlook.com', 'proton.me'])}")
            a["link_case"] = "email_other_domain"
    for a in SPECIAL["nearmiss"]:
        a["link_case"] = "handle_one_character_off"


def join_bio(bio: str, extra: str) -> str:
    return f"{bio} · {extra}" if bio else extra


def linking_truth() -> list:
    """One line per author who posted: the customer they are (or null) and what makes the case easy or hard."""
    seen = {}
    for platform in ("x", "reddit"):
        for p in POSTS[platform]:
            a = p["_author"]
            seen[(a["platform"], a["id"])] = a
    rows = []
    for (platform, author_id), a in sorted(seen.items()):
        case = a.get("link_case") or ("listed_handle" if a["customer"] else "stranger")
        rows.append({"platform": platform, "author_id": author_id, "handle": a["handle"],
                     "customer_id": a["customer"]["id"] if a["customer"] else None, "case": case})
    return rows


def author_json(a: dict) -> dict:
    return {k: a[k] for k in ("id", "handle", "name", "bio", "location", "followers", "verified")}


# ---------------------------------------------------------------- template tables: product words
PARTS = {"phone": ("screen", "skärmen", "layar"), "earbuds": ("left earbud", "vänstra luran", "earbud kiri"),
         "watch": ("strap", "armbandet", "strap"), "speaker": ("charging port", "laddporten", "port cas"),
         "laptop": ("keyboard", "tangentbordet", "keyboard"), "charger": ("cable", "kabeln", "kabel"),
         "router": ("power port", "strömuttaget", "port power")}
FEATURES = {
    "phone": (["camera", "screen", "battery life"], ["kameran", "skärmen", "batteritiden"],
              ["kamera", "layar", "baterai"]),
    "earbuds": (["noise cancelling", "sound", "fit"], ["brusreduceringen", "ljudet", "passformen"],
                ["ANC", "suara", "bass"]),
    "watch": (["sleep tracking", "battery", "display"], ["sömnmätningen", "batteriet", "skärmen"],
              ["sleep tracking", "baterai", "layar"]),
    "speaker": (["bass", "sound", "battery"], ["basen", "ljudet", "batteriet"], ["bass", "suara", "baterai"]),
    "laptop": (["keyboard", "screen", "battery life"], ["tangentbordet", "skärmen", "batteritiden"],
               ["keyboard", "layar", "baterai"]),
    "charger": (["charging speed", "tiny size"], ["laddhastigheten", "storleken"], ["kecepatan cas", "ukuran"]),
    "router": (["range", "speed", "setup"], ["räckvidden", "hastigheten", "installationen"],
               ["jangkauan sinyal", "kecepatan", "setup"]),
}
CAT_WORDS = {"phone": ("a new phone", "en ny mobil", "HP baru"), "earbuds": ("earbuds", "nya lurar", "TWS"),
             "watch": ("a smartwatch", "en smartklocka", "smartwatch"),
             "speaker": ("a speaker", "en högtalare", "speaker"),
             "laptop": ("a laptop", "en laptop", "laptop"), "charger": ("a charger", "en laddare", "charger"),
             "router": ("a router", "en router", "router")}
LANG_INDEX = {"en": 0, "sv": 1, "id": 2}
STORES = {  # store: channel
    "en": {"Best Buy": "retail", "Target": "retail", "Amazon": "marketplace", "Costco": "retail", "Currys": "retail",
           "Argos": "retail", "the Nordvik store": "online", "Verizon": "carrier"},
    "sv": {"Elgiganten": "retail", "MediaMarkt": "retail", "Webhallen": "online", "NetOnNet": "online",
           "Komplett": "online", "Power": "retail", "Telia": "carrier", "Nordviks egen butik": "online"},
    "id": {"Tokopedia": "marketplace", "Shopee": "marketplace", "Erafone": "retail", "Blibli": "marketplace",
           "official store Nordvik": "online", "Telkomsel": "carrier"},
}
PODCASTS = {"en": ["Circuit Breakers", "The Gadget Hour", "Two Nerds One Mic"], "sv": ["Prylpodden", "Techsnack"],
            "id": ["Obrolan Gawai", "Ngopi Tekno"]}
YOUTUBERS = {"en": ["Tech With Dre", "BoxCutter Bros", "PixelPeep"], "sv": ["Prylkollen", "Tech With Dre"],
             "id": ["Review Jujur", "Nisa Review"]}
SITES = {"en": ["Gadget Wire", "TechPulse", "The Byte Review"], "sv": ["Teknikspegeln", "Pryltest.se"],
         "id": ["Warta Gawai", "Gawai Harian"]}
OUTLETS = {"en": ["The Ledger", "Circuit Daily", "The Morning Byte"], "sv": ["Dagbladet Väst", "Teknikspegeln"],
           "id": ["Gawai Harian", "Warta Gawai"]}

# ---------------------------------------------------------------- template tables: complaints
ISSUES = {
    "battery": {
        "en": ["my {p} goes from 100 to {pct}% before lunch", "the battery on my {p} is dead by 3pm every day",
               "{p} battery life has been garbage lately", "my {p} won't charge past 80% anymore",
               "charged my {p} overnight and it was at {pct}% by the time I got to work",
               "{p} gets hot and drains like crazy just sitting in my pocket"],
        "sv": ["batteriet i min {p} är slut redan vid lunch", "min {p} laddar ur på nolltid",
               "{p} håller knappt en halv dag längre", "min {p} laddar inte över 80% längre",
               "laddade {p} i natt och var nere på {pct}% när jag kom till jobbet"],
        "id": ["baterai {p} aku boros banget, siang udah habis", "{p} gw drop terus baterainya, gak sampe sore",
               "baru dicas penuh, sejam udah tinggal {pct}%. {p} kenapa sih",
               "{p} panas banget pas dicas, baterai cepet abis"],
    },
    "defect": {
        "en": ["the {part} on my {p} stopped working after {n} weeks", "my {p} just died. no power, nothing",
               "my {p} arrived with a cracked {part}", "{p} keeps restarting on its own",
               "there's a weird buzzing coming from my {p}", "the {part} on my {p} is already loose"],
        "sv": ["{part} på min {p} slutade fungera efter {n} veckor", "min {p} startar inte alls längre",
               "min {p} kom med en spricka i {part}", "{p} startar om sig själv hela tiden",
               "det surrar konstigt från min {p}"],
        "id": ["{part} {p} aku rusak padahal baru {n} minggu", "{p} gw mati total, dicas juga gak nyala",
               "{p} dateng-dateng {part}-nya udah retak", "{p} restart sendiri terus, ganggu banget"],
    },
    "software": {
        "en": ["since the {fw} update my {p} keeps freezing", "update {fw} broke bluetooth on my {p}",
               "the Nordvik app crashes every time I try to sync my {p}",
               "my {p} got stuck on the boot logo after updating",
               "notifications on my {p} show up 20 minutes late since the update",
               "wifi keeps dropping on the {p} after the latest firmware"],
        "sv": ["sedan uppdateringen till {fw} fryser min {p} hela tiden",
               "uppdatering {fw} förstörde bluetooth på min {p}",
               "Nordvik-appen kraschar varje gång jag ska synka {p}", "{p} fastnar på startskärmen efter uppdateringen",
               "notiserna på {p} kommer 20 minuter för sent sen uppdateringen"],
        "id": ["abis update {fw}, {p} aku nge-freeze terus", "update {fw} bikin bluetooth {p} error",
               "aplikasi Nordvik force close mulu pas mau sync {p}", "{p} stuck di logo abis update",
               "notif di {p} telat mulu sejak update"],
    },
    "shipping": {
        "en": ["ordered the {p} {n} weeks ago and it still hasn't shipped",
               "tracking for my {p} hasn't moved in {n} days",
               "my {p} order says delivered but there's nothing here", "they sent me the wrong colour {p}",
               "pre-ordered the {p} on launch day, still 'processing'"],
        "sv": ["beställde {p} för {n} veckor sen och den har fortfarande inte skickats",
               "spårningen på min {p} har inte rört sig på {n} dagar",
               "enligt PostNord är min {p} levererad men här finns inget",
               "fick fel färg på min {p}"],
        "id": ["pesen {p} udah {n} minggu belum dikirim juga", "resi {p} gw gak gerak-gerak udah {n} hari",
               "katanya {p} udah sampe tapi paketnya gak ada", "dikirim {p} warna salah, gimana sih"],
    },
    "billing": {
        "en": ["got charged twice for my {p} order", "still waiting on my refund for the {p}, it's been {n} weeks",
               "the promo code for the {p} didn't apply and support won't fix it",
               "charged full price for the {p} even though it was on sale at checkout"],
        "sv": ["blev dragen två gånger för min {p}",
               "väntar fortfarande på återbetalningen för {p}, det har gått {n} veckor",
               "rabattkoden för {p} funkade inte och kundtjänst vägrar fixa det"],
        "id": ["kena charge dua kali pas beli {p}", "refund {p} belum masuk juga udah {n} minggu",
               "kode promo {p} gak kepake, CS juga gak bantu"],
    },
    "service": {
        "en": ["been waiting {n} days for Nordvik support to answer about my {p}",
               "sent my {p} in for repair {n} weeks ago, no updates at all",
               "support closed my {p} ticket without fixing anything",
               "third time explaining my {p} issue to a different agent",
               "Nordvik support told me to 'restart it'. my {p} has been broken for a month"],
        "sv": ["har väntat {n} dagar på svar från Nordviks kundtjänst om min {p}",
               "skickade in min {p} på reparation för {n} veckor sen, inget besked",
               "kundtjänst stängde mitt ärende om {p} utan att lösa något",
               "tredje gången jag förklarar samma problem med {p} för en ny handläggare"],
        "id": ["udah {n} hari nunggu balasan CS Nordvik soal {p}", "{p} gw diservis udah {n} minggu gak ada kabar",
               "CS nutup tiket {p} gw padahal belum beres", "udah 3x jelasin masalah {p} ke CS yang beda-beda"],
    },
    "other": {
        "en": ["the {p} is way overpriced for what it is", "why does the {p} not come with a charger in the box",
               "the {p} scratches if you look at it wrong", "the {p} box smells like burnt plastic"],
        "sv": ["{p} är alldeles för dyr för vad den är", "varför följer det inte med en laddare till {p}",
               "{p} blir repig bara man tittar på den"],
        "id": ["{p} kemahalan buat kualitas segini", "kok {p} gak dapet charger di box sih",
               "{p} gampang baret banget"],
    },
}
SPIKE_ISSUES = {
    "en": ["update {fw} absolutely destroyed the battery on my {p}",
           "since firmware {fw} my {p} drains {pct}% overnight doing NOTHING",
           "PSA: don't install {fw} on your {p}. battery goes from full to dead in like 6 hours",
           "{p} after {fw}: hot, slow, and dead by noon", "is it just me or did {fw} wreck {p} battery life??",
           "my {p} lost {pct}% in two hours after the {fw} update"],
    "sv": ["uppdatering {fw} har totalförstört batteriet på min {p}",
           "sen {fw} tappar min {p} {pct}% på natten utan att jag rör den",
           "installera INTE {fw} på {p}, batteriet dör på några timmar"],
    "id": ["update {fw} bikin baterai {p} ancur parah", "sejak {fw}, {p} gw turun {pct}% semalem padahal gak dipake",
           "JANGAN update {fw} dulu guys, baterai {p} langsung boros"],
}
TITLE_ISSUES = {"battery": ("battery drain", "batteriet dör", "baterai boros"),
                "defect": ("hardware failure", "trasig efter några veckor", "rusak"),
                "software": ("update problems", "strul efter uppdateringen", "error abis update"),
                "shipping": ("order still not shipped", "leveransen dröjer", "pengiriman lama banget"),
                "billing": ("double charged", "dubbeldebitering", "kena charge dobel"),
                "service": ("support is useless", "kundtjänst svarar inte", "CS gak respon"),
                "other": ("overpriced", "för dyr", "kemahalan")}
FEEL_NEG = {"en": ["so disappointed.", "unacceptable.", "not what I expect from a device this expensive.",
                   "never again.",
                   "really annoyed tbh.", "fix this please.", "regret buying it.", "this is ridiculous."],
            "sv": ["så besviken.", "helt oacceptabelt.", "aldrig mer Nordvik.", "skärpning!", "trött på det här.",
                   "ångrar köpet."],
            "id": ["kecewa berat.", "parah sih.", "nyesel beli.", "tolong dong Nordvik.", "bete banget.",
                   "gak lagi-lagi deh."]}
OPEN_NEG = {"en": ["ugh.", "wow.", "honestly,", "welp.", "not gonna lie,", "great."],
            "sv": ["alltså.", "suck.", "ärligt talat,"],
            "id": ["duh.", "asli,", "hadeh."]}
ASK_FIX = {"en": ["anyone know how to fix this?", "is there a fix?", "anyone else??"],
           "sv": ["vet någon hur man fixar det?", "någon mer som har det så?"],
           "id": ["ada yang tau solusinya gak?", "ada yang sama gak?"]}
INFLUENCER_ISSUES = {  # category, finding
    "en": [("battery", "the battery barely makes it to dinner"), ("software", "the software is a buggy mess"),
           ("defect", "it overheats doing basic stuff"), ("other", "it's a step backwards for the price")],
    "sv": [("battery", "batteriet räcker knappt till middag"), ("software", "mjukvaran är full av buggar")],
    "id": [("battery", "baterainya gak nyampe sore"), ("software", "software-nya masih banyak bug"),
           ("defect", "gampang panas padahal cuma dipake chat")]}
INFLUENCER_RANT = {
    "en": ["I've been testing the {p} for two weeks for a full review. Honestly? {issue}. "
           "Can't recommend it right now.",
           "Hard truth about the {p}: {issue}. Nordvik needs to do better.",
           "Unpopular opinion after a month with the {p}: {issue}. Full video soon."],
    "sv": ["Har testat {p} i två veckor inför recensionen. Ärligt? {issue}. Kan inte rekommendera den just nu."],
    "id": ["Udah 2 minggu review {p}. Jujur ya: {issue}. Belum bisa gw rekomendasiin sekarang."],
}


# ---------------------------------------------------------------- template tables: buying, praise, questions
PURCHASE = {"en": ["just picked up the {p}!", "finally ordered the {p} 🙌", "the {p} arrived today",
                   "treated myself to the {p}",
                   "caved and bought the {p}", "new toy: {p}", "upgraded to the {p} today",
                   "my {p} just got delivered"],
            "sv": ["har precis köpt {p}!", "äntligen beställt {p} 🙌", "{p} kom idag", "unnade mig en {p}",
                   "gav till slut efter och köpte {p}", "uppgraderade till {p} idag"],
            "id": ["akhirnya kebeli juga {p} 🙌", "baru checkout {p} nih", "{p} udah nyampe!", "self reward: {p}",
                   "jadi juga beli {p}", "unboxing {p} dulu ah"]}
PRICE_AT = {"en": ["{price} at {store}.", "got it for {price} at {store}.", "{price} from {store}, not bad.",
                   "paid {price} at {store}."],
            "sv": ["för {price} på {store}.", "{price} på {store}, helt ok.", "fick den för {price} på {store}."],
            "id": ["dapet {price} di {store}.", "{price} di {store}, lumayan.", "harganya {price} di {store}."]}
EXCITED = {"en": ["so far so good.", "can't wait to try it.", "first impressions: 🔥", "let's see if the hype is real."],
           "sv": ["hittills nöjd.", "ska bli kul att testa.", "första intrycket: 🔥"],
           "id": ["sejauh ini oke.", "gak sabar nyobain.", "kesan pertama: mantap."]}
HEARD_TAIL = {  # how they heard of it, as an aside in a purchase post
    "friend": {"en": ["my friend wouldn't stop talking about it.", "a coworker let me try hers first."],
               "sv": ["en kompis tjatade om den i veckor.", "fick testa en kollegas först."],
               "id": ["gara-gara temen kantor pamer terus.", "direkomendasiin temen."]},
    "ad": {"en": ["the ads finally got me.", "saw the ad on the subway one too many times."],
           "sv": ["reklamen fick mig till slut.", "såg reklamen i tunnelbanan typ varje dag."],
           "id": ["kemakan iklan 😂", "iklannya muncul terus di IG."]},
    "podcast": {"en": ["heard about it on {pod}."], "sv": ["hörde om den i {pod}."],
                "id": ["denger di podcast {pod}."]},
    "youtube": {"en": ["{yt}'s review sold me.", "watched way too many YouTube reviews first."],
                "sv": ["{yt}s recension på YouTube övertygade mig."], "id": ["abis nonton review {yt} di YouTube."]},
    "tiktok": {"en": ["TikTok made me buy it."], "sv": ["TikTok fick mig att köpa den."], "id": ["racun TikTok 😭"]},
    "review_site": {"en": ["{site} rated it 9/10."], "sv": ["{site} gav den toppbetyg."],
                    "id": ["skornya tinggi di {site}."]},
    "store": {"en": ["tried it in store first."], "sv": ["testade den i butik först."],
              "id": ["nyobain dulu di toko."]},
    "news": {"en": ["read about it in {outlet}."], "sv": ["läste om den i {outlet}."],
             "id": ["baca beritanya di {outlet}."]},
}
HEARD = {  # discovery posts: where they came across the product
    "friend": {"en": ["my sister won't shut up about her {p}", "a friend let me try his {p} and now I get it",
                      "everyone at work has the {p} now"],
               "sv": ["min syster tjatar hela tiden om sin {p}", "fick testa en kompis {p} och nu förstår jag grejen"],
               "id": ["temen sekantor pada pake {p} semua", "dipinjemin {p} sama temen, ternyata enak banget"]},
    "ad": {"en": ["keep seeing ads for the {p} everywhere", "that {p} ad with the dog got me ngl"],
           "sv": ["ser reklam för {p} överallt just nu", "den där reklamen för {p} med hunden fick mig"],
           "id": ["iklan {p} muncul terus di timeline", "iklan {p} yang ada anjingnya lucu banget"]},
    "podcast": {"en": ["the hosts on {pod} were raving about the {p}"], "sv": ["de pratade om {p} i {pod} idag"],
                "id": ["di podcast {pod} lagi bahas {p}"]},
    "youtube": {"en": ["just watched {yt}'s review of the {p}", "YouTube recommended me a {p} review"],
                "sv": ["kollade {yt}s recension av {p}"], "id": ["abis nonton review {p} dari {yt}"]},
    "tiktok": {"en": ["TikTok keeps showing me the {p}"], "sv": ["TikTok visar mig {p} hela tiden"],
               "id": ["fyp gw isinya {p} mulu"]},
    "review_site": {"en": ["{site} gave the {p} a 9/10"], "sv": ["{site} gav {p} toppbetyg"],
                    "id": ["{site} kasih nilai 9 buat {p}"]},
    "store": {"en": ["tried the {p} at {store} today"], "sv": ["klämde på {p} på {store} idag"],
              "id": ["tadi nyobain {p} di {store}"]},
    "news": {"en": ["read about the {p} in {outlet}"], "sv": ["läste om {p} i {outlet}"],
             "id": ["baca soal {p} di {outlet}"]},
}
CHANNEL_W = {"friend": 4, "ad": 3, "podcast": 2, "youtube": 4, "tiktok": 3, "review_site": 3, "store": 3, "news": 3}
CONSIDER = {"en": ["now I kind of want one.", "might have to get one.", "tempted tbh.", "adding it to my wishlist."],
            "sv": ["nu vill jag ha en.", "blir nog en sån.", "lite sugen faktiskt."],
            "id": ["jadi pengen.", "kayaknya bakal beli.", "masuk wishlist dulu."]}
RETURNS = {"en": ["returning my {p}.", "sent the {p} back today.", "the {p} is going back.",
                  "boxed up the {p} for a refund.",
                  "returned the {p} after {n} days."],
           "sv": ["lämnar tillbaka min {p}.", "skickade tillbaka {p} idag.", "{p} åker tillbaka till butiken.",
                  "returnerade {p} efter {n} dagar."],
           "id": ["{p}-nya aku balikin.", "udah retur {p} tadi.", "mau refund {p} aja deh.",
                  "{p} gw kembaliin setelah {n} hari."]}
RETURN_SHORT = {"en": ["returning it.", "sending it back.", "it's going back.", "already asked for a refund."],
                "sv": ["lämnar tillbaka den.", "den åker tillbaka.", "har begärt pengarna tillbaka."],
                "id": ["mau aku retur aja.", "udah minta refund.", "balikin aja lah."]}
RETURN_MEH = {"en": ["just not for me.", "realized I didn't really need it.",
                     "nothing wrong with it, just not my thing."],
              "sv": ["den var helt enkelt inte för mig.", "behövde den inte egentligen."],
              "id": ["ternyata gak cocok aja.", "gak kepake juga sih."]}
PRAISE = {"en": ["the {feat} on the {p} is unreal", "ok the {p} is actually really good",
                 "{n} months in and my {p} still feels brand new",
                 "can't get over how good the {feat} on the {p} is", "my {p} is the best thing I bought this year",
                 "props to Nordvik, the {p} just works"],
          "sv": ["{feat} på {p} är helt sjuk", "ok, {p} är faktiskt riktigt bra",
                 "{n} månader senare känns min {p} fortfarande som ny",
                 "bästa köpet i år: {p}", "heja Nordvik, {p} bara funkar"],
          "id": ["{feat} {p} mantap banget sih", "jujur {p} bagus banget", "udah {n} bulan pake {p} masih kayak baru",
                 "{p} best purchase tahun ini", "salut sama Nordvik, {p} gak pernah rewel"]}
PRAISE_TAIL = {"en": ["10/10.", "no regrets.", "well done Nordvik.", "love it."],
               "sv": ["inga ångerkänslor.", "älskar den."],
               "id": ["gak nyesel.", "recommended!", "love banget."]}
RECOMMEND = {"en": ["if you need {catword}, get the {p}. trust me", "told my sister to buy the {p} and she loves it",
                    "you should get the {p}, seriously", "I keep telling everyone to get the {p}",
                    "convinced my dad to switch to the {p}", "10/10 would recommend the {p}"],
             "sv": ["behöver du {catword}? köp {p}, lita på mig", "tipsade min syster om {p} och hon älskar den",
                    "du borde skaffa {p}, på riktigt", "har fått halva jobbet att köpa {p}"],
             "id": ["kalo butuh {catword}, ambil {p} aja. percaya deh",
                    "udah racunin adek gw beli {p}, dia suka banget",
                    "kalian harus coba {p} sih", "rekomen banget {p} buat yang nyari {catword}"]}
QUESTIONS = {
    "phone": {"en": ["does the {p} support eSIM?", "how's the {p} camera in low light?",
                     "does the {p} get updates for 5 years?"],
              "sv": ["har {p} eSIM?", "hur är kameran på {p} i mörker?"],
              "id": ["{p} udah support eSIM belum?", "kamera {p} bagus gak buat malem?"]},
    "earbuds": {"en": ["do the {p} work with iPhone?", "can you use just one of the {p}?",
                       "how's the ANC on the {p} on a plane?"],
                "sv": ["funkar {p} med iPhone?", "hur bra är brusreduceringen på {p}?"],
                "id": ["{p} bisa dipake di iPhone gak?", "ANC {p} kerasa gak di KRL?"]},
    "watch": {"en": ["does the {p} work with iPhone?", "can you swim with the {p}?",
                     "does the {p} track sleep without the app open?"],
              "sv": ["funkar {p} med iPhone?", "kan man simma med {p}?"],
              "id": ["{p} bisa connect ke iPhone gak?", "{p} tahan air gak buat renang?"]},
    "speaker": {"en": ["can you pair two {p}s for stereo?", "is the {p} loud enough for a backyard party?"],
                "sv": ["kan man para ihop två {p} i stereo?"], "id": ["{p} bisa dipasang 2 buat stereo gak?"]},
    "laptop": {"en": ["can the {p} handle light video editing?", "does the {p} charge over USB-C?"],
               "sv": ["klarar {p} lite videoredigering?", "laddas {p} via USB-C?"],
               "id": ["{p} kuat buat edit video ringan gak?", "{p} bisa dicas pake USB-C gak?"]},
    "charger": {"en": ["will the {p} charge a MacBook?", "can the {p} fast charge two phones at once?"],
                "sv": ["laddar {p} en MacBook?"], "id": ["{p} bisa buat ngecas MacBook gak?"]},
    "router": {"en": ["does the {p} do mesh with a second unit?", "will the {p} cover a 3-floor house?"],
               "sv": ["klarar {p} mesh med en till enhet?", "räcker {p} för ett hus i tre plan?"],
               "id": ["{p} bisa mesh gak kalo beli 2?", "{p} kuat buat rumah 2 lantai?"]},
}
OWNER_QUESTIONS = {"en": ["how do I turn off auto-updates on my {p}?",
                          "is there a way to roll back the firmware on the {p}?",
                          "does the {p} warranty cover accidental damage?",
                          "where do I find the serial number on my {p}?",
                          "anyone know when the {p} gets the next update?"],
                   "sv": ["hur stänger man av automatiska uppdateringar på {p}?", "täcker garantin på {p} olyckor?",
                          "var hittar jag serienumret på min {p}?"],
                   "id": ["cara matiin auto update di {p} gimana ya?", "garansi {p} nanggung kerusakan kena air gak?",
                          "nomor seri {p} liatnya di mana ya?"]}
CONSIDERING = {"en": ["thinking about getting one.", "on the fence tbh.", "about to buy one.",
                      "birthday's coming up so."],
               "sv": ["funderar på att köpa en.", "tvekar lite.", "är sugen men osäker."],
               "id": ["lagi mikir mau beli.", "galau mau ambil atau nggak.", "budget pas-pasan nih."]}
THANKS = {"en": ["thanks in advance!", "🙏", "any owners here?"], "sv": ["tack på förhand!", "🙏"],
          "id": ["makasih sebelumnya!", "🙏"]}
COMPARE = {"en": ["{p} or {c}? can't decide", "anyone switched from {c} to the {p}? worth it?",
                  "{p} vs {c}, which has the better {feat}?"],
           "sv": ["{p} eller {c}? kan inte bestämma mig", "{p} vs {c}, vilken har bäst {feat}?"],
           "id": ["{p} atau {c} ya? bingung", "{p} vs {c}, {feat} bagusan mana?"]}
SWITCH = {"en": ["done with Nordvik. switching to {c}.", "cancelled my {p} order, going with {c} instead.",
                 "sold my {p}, the {c} is just better.", "after {n} years with Nordvik I'm moving to {c}.",
                 "bye {p}, hello {c} 👋"],
          "sv": ["nu får det vara nog, byter till {c}.", "avbeställde min {p}, det blir {c} istället.",
                 "sålde min {p}, {c} är helt enkelt bättre.", "efter {n} år med Nordvik går jag över till {c}.",
                 "hejdå {p}, hej {c} 👋"],
          "id": ["udah lah, pindah ke {c} aja.", "cancel order {p}, ganti {c} aja.", "{p} gw jual, mending {c}.",
                 "{n} tahun pake Nordvik, sekarang pindah ke {c}.", "bye {p}, welcome {c} 👋"]}
SWITCH_RETURN = {"en": ["sent the {p} back and ordered a {c}.", "returned my {p}, getting a {c} instead."],
                 "sv": ["skickade tillbaka {p} och beställde en {c} istället."],
                 "id": ["{p} gw retur, ganti beli {c}."]}


# ---------------------------------------------------------------- template tables: press, noise, own accounts, replies
NEWS = {"en": ["Hands-on: the {p} gets the basics right at {price}",
               "Nordvik cuts {p} price by 10% ahead of the holidays",
               "Nordvik Q3: revenue up 12% on strong wearables sales",
               "Review: the {p} is Nordvik's most polished product yet",
               "Nordvik opens its first US flagship store in Austin",
               "The {p} tops our buying guide this month"],
        "sv": ["Nordvik sänker priset på {p} inför julhandeln", "Test: {p} – snygg men inte perfekt",
               "Nordvik anställer 200 personer i Göteborg", "Nordvik ökar omsättningen med 12 procent"],
        "id": ["Nordvik resmi rilis {p} di Indonesia, harga mulai {price}",
               "Review {p}: desain cakep, tapi ada catatan",
               "Nordvik buka service center baru di Surabaya", "Penjualan Nordvik di Asia Tenggara naik 20 persen"]}
NEWS_SPIKE = {"en": ["Nordvik confirms {p} battery drain after firmware {fw}, promises a fix 'within days'",
                     "Aura 12 owners report severe battery drain after Nordvik's {fw} update"],
              "sv": ["Nordvik bekräftar batteriproblem i {p} efter uppdatering {fw}"],
              "id": ["Nordvik akui masalah baterai {p} setelah update {fw}"]}
NEWS_LEAD = {"en": ["New:", "Scoop:", "My review is up:", "ICYMI:", "Story:"], "sv": ["Nytt:", "Mitt test:", "Nyhet:"],
             "id": ["Baru:", "Review gw udah tayang:", "Berita:"]}
NOISE = {"en": ["spent the weekend in Nordvik, the fjords are unreal 🏔️", "my cat is named Nordvik and he's the worst",
                "why is there a giant Nordvik billboard outside my window lmao",
                "Nordvik stock up 3% today, whatever that means",
                "the Nordvik sweater my grandma knitted >>>", "walked past the Nordvik store, huge line for something",
                "not the Nordvik ad again before every single video 😩", "is Nordvik hiring in Malmö? asking for me"],
         "sv": ["semester i Nordvik, helt magiskt 🏔️", "varför heter alla nya bostadsområden Nordvik",
                "såg Nordviks kontor i Lund idag, snyggt hus", "Nordvik-aktien upp igen, köpa eller inte"],
         "id": ["lewat kantor Nordvik di SCBD, rame banget", "nama kucing gw Nordvik wkwk",
                "ada lowongan di Nordvik gak ya",
                "iklan Nordvik di Sudirman gede banget"]}
SPAM = {  # copy-paste spam: exact duplicates are expected
    "en": [("🎁 GIVEAWAY 🎁 Win a brand new Nordvik Aura 12 Pro! Follow + RT + tag 3 friends 👉 https://t.co/gv8XqP2mZk",
            ["NV-A12P"]),
           ("🔥 Nordvik Pulse Buds 70% OFF today only!!! https://t.co/Zd3kL9pQw1 #nordvik #deal", ["NV-PB2"]),
           ("Nordvik Aura 12 holders are early to the next 100x 🚀 $NVK airdrop live https://t.co/mn00nr0ck7",
            ["NV-A12"])],
    "id": [("GIVEAWAY Nordvik Pulse Buds GRATIS!! follow + like + share, pengumuman Jumat 👉 https://t.co/pR0m0GrT5s",
            ["NV-PB2"])],
}
REDDIT_SPAM = ("[Deal] Nordvik Volt 65W charger 60% off – limited stock",
               "Grab it here before it's gone: https://t.co/vlt65dealz (affiliate link)", ["NV-V65"])
ANNOUNCEMENTS = [  # UTC time, lang, skus, text
    ("2026-09-24T15:00:00", "en", ["NV-A12P"],
     "Meet Nordvik Aura 12 Pro. Brighter screen, bigger battery, same Scandinavian calm. From $1,099, "
     "available Oct 1. https://t.co/nV12proXa1"),
    ("2026-10-01T07:00:00", "en", ["NV-A12P"],
     "Aura 12 Pro is here 🎉 In stores and online today."),
    ("2026-10-08T08:00:00", "sv", ["NV-A12P"],
     "Nu finns Aura 12 Pro i alla Elgigantens butiker 🇸🇪"),
    ("2026-10-15T12:00:00", "en", ["NV-H3"],
     "Halo gets sleep coaching in today's update. Update your Halo watch from the Nordvik app."),
    ("2026-10-28T10:00:00", "en", ["NV-PB2"],
     "Autumn sale: 20% off Pulse Buds all week in the Nordvik store 🍂"),
    ("2026-11-01T09:00:00", "en", ["NV-A12", "NV-A12P"],
     "Firmware 4.2 is rolling out to Aura 12 and Aura 12 Pro: new camera modes, faster unlock and more. "
     "Settings > System > Update."),
    ("2026-11-02T20:10:00", "en", ["NV-A12"],
     "We're aware some Aura 12 owners see faster battery drain after firmware 4.2. Our team is on it and a "
     "fix is coming. Thanks for your patience 🙏"),
    ("2026-11-04T10:00:00", "en", ["NV-A12"],
     "Firmware 4.2.1 is rolling out now and fixes the battery drain some Aura 12 owners saw after 4.2. "
     "Thank you for all the reports!"),
    ("2026-11-11T02:00:00", "id", ["NV-PB2"],
     "Promo 11.11 sudah mulai! 🇮🇩 Pulse Buds mulai Rp1.999.000 di official store Nordvik."),
]
SUPPORT = {
    "en": ["Hi {first}, sorry to hear about this. Could you send us a DM with your order number so we can take a look? "
           "^{sig}",
           "Hey {first}, that's not the experience we want for you. Please DM us your serial number and we'll sort it "
           "out. ^{sig}",
           "So sorry for the wait, {first}. We've escalated this, expect an email within 24h. ^{sig}"],
    "sv": ["Hej {first}! Vad tråkigt att höra. Skicka gärna ett DM med ditt ordernummer så hjälper vi dig. /{sig}",
           "Hej {first}, förlåt för strulet. DM:a oss serienumret så tittar vi på det direkt. /{sig}"],
    "id": ["Halo Kak {first}, mohon maaf atas kendalanya 🙏 Boleh DM nomor pesanannya ya, biar kami bantu cek. ^{sig}",
           "Hai Kak {first}, terima kasih sudah melapor. Boleh DM nomor serinya ya Kak. ^{sig}"],
}
SUPPORT_SPIKE = {
    "en": "Hi {first}, thanks for flagging. A fix for the battery drain on {fw} is on its way; a restart helps "
          "meanwhile. DM us if it doesn't. ^{sig}",
    "sv": "Hej {first}, tack för att du hör av dig. En fix för batteriproblemet i {fw} är på väg. /{sig}",
    "id": "Hai Kak {first}, perbaikan untuk masalah baterai di update {fw} sedang disiapkan ya 🙏 ^{sig}",
}
SIGNATURES = {"en": ["EL", "JM", "SK"], "sv": ["Sara", "Johan"], "id": ["RA", "DW"]}
REDDIT_SUPPORT = [
    "Hi, Nordvik here. Sorry about this! Could you PM us your serial number? We'd like to look into it.",
    "Thanks for the detailed report. We've passed it on to the firmware team and will update this thread.",
    "Nordvik team here: this isn't expected behaviour. Please PM us your order number and we'll arrange a replacement.",
]
FOLLOWUP = {  # the customer answers the support reply: (intent, complaint category or None)
    ("chatter", None): {"en": ["done, sent you a DM", "DMed, thanks", "sent it over, thanks for getting back to me",
                                "ok DMing now", "thanks, check your DMs"],
                        "sv": ["skickat DM!", "tack, DM skickat", "okej, skickar nu", "tack för snabbt svar, DM:at"],
                        "id": ["udah DM ya kak", "oke kak, udah aku DM", "siap kak, cek DM ya",
                               "makasih kak, udah dikirim"]},
    ("complaint", "service"): {"en": ["sent you a DM {n} days ago, still nothing", "DMed you last week. crickets.",
                                      "you said that {n} days ago. still broken"],
                               "sv": ["skickade DM för {n} dagar sen, inget svar"],
                               "id": ["udah DM dari {n} hari lalu belum dibales kak"]},
    ("praise", None): {"en": ["update: the reset fixed it, thanks!", "they're sending a replacement, nice service tbh"],
                       "sv": ["uppdatering: de skickar en ny, bra service faktiskt"],
                       "id": ["update: udah diganti unit baru, makasih Nordvik 🙏"]},
}
ME_TOO = {"en": ["same here.", "same thing happened to mine.", "glad it's not just me.",
                 "literally the same with my {p}.",
                 "+1, mine too.", "yep, exact same problem.", "oh thank god it's not only me.",
                 "happening to me too since last week."],
          "sv": ["samma här.", "exakt samma problem med min {p}.", "skönt att det inte bara är jag.",
                 "japp, likadant här.",
                 "har samma strul sen förra veckan."],
          "id": ["sama bgt.", "punyaku juga gitu.", "ternyata bukan cuma gw.", "{p} gw juga sama.",
                 "sama kak, dari minggu lalu.",
                 "lah iya, aku juga."]}
ANSWERS = {  # "info" answers questions, "fix" answers problems
    "info": {"en": ["yes, works fine with my iPhone 15", "nope, not yet. they said it's coming in an update",
                    "mine does, no issues",
                    "pretty sure it doesn't, check the Nordvik site", "had the same question, support said yes",
                    "works with Android and iPhone as far as I know", "yes but only with the latest firmware"],
             "sv": ["ja, funkar fint med min iPhone", "nej, inte än", "min gör det, inga problem",
                    "ja, sen senaste uppdateringen"],
             "id": ["bisa kok, aku pake iPhone aman", "belum bisa kak, katanya nanti lewat update",
                    "punyaku aman-aman aja",
                    "bisa kak, asal firmware-nya udah terbaru"]},
    "fix": {"en": ["try a full reset, fixed it for me", "Settings > System > Updates, turn off auto install",
                   "support sorted mine in two days, just DM them",
                   "take it back to the store, they swapped mine on the spot",
                   "turning off background sync helped a bit for me"],
            "sv": ["testa en fabriksåterställning, det löste det för mig", "ring supporten, de var snabba med mig",
                   "gå tillbaka till butiken, de bytte min direkt"],
            "id": ["coba reset pabrik, punyaku jadi normal lagi", "DM aja CS-nya kak, punyaku cepet direspon",
                   "bawa ke service center aja kak, punyaku langsung diganti"]},
}
CHATTER = {"en": ["congrats! 🎉", "enjoy it!", "nice, welcome to the club.", "lol", "this is the way.", "following",
                  "good choice.",
                  "ooh jealous", "nice pickup!"],
           "sv": ["grattis! 🎉", "grymt, njut!", "bra val.", "följer", "avundsjuk!", "snyggt köp."],
           "id": ["selamat kak 🎉", "mantap!", "wkwk", "pilihan tepat.", "iri bgt", "asik, barang baru!"]}
CHATTER_NEWS = {"en": ["about time", "interesting 👀", "finally", "hmm, we'll see", "took them long enough"],
                "sv": ["äntligen", "intressant 👀", "får se hur det blir"],
                "id": ["akhirnya", "menarik 👀", "kita liat aja nanti"]}
ANSWER_OPEN = {"en": ["had mine {n} months:", "owner here,", "fwiw", "from my experience,"],
               "sv": ["har haft min i {n} månader:", "för vad det är värt,", "ägare här,"],
               "id": ["pengalaman aku:", "aku udah {n} bulan pake,", "setau aku"]}
ANSWER_TAIL = {"en": ["hope that helps", "ymmv", "good luck!", "at least that's my experience",
                      "worked on mine after {fw}"],
               "sv": ["hoppas det hjälper", "lycka till!", "iaf för mig"],
               "id": ["semoga membantu", "cmiiw", "good luck kak", "moga membantu ya"]}
CHATTER_Q = {"en": ["how's the battery so far?", "which colour did you get?", "how does it compare to your old one?",
                    "how's the {p} treating you?", "did you get the case too?", "worth the price?"],
             "sv": ["hur är batteriet hittills?", "vilken färg tog du?", "hur funkar {p} hittills?", "värd pengarna?"],
             "id": ["baterainya gimana kak?", "warna apa kak?", "{p}-nya aman kak?", "worth it gak kak?",
                    "beli di mana kak?"]}
TITLES = {
    "complaint": {"en": ["{p} {tissue}", "{p} {tissue} – anyone else?", "Really disappointed with my {p}",
                         "PSA: {p} {tissue}"],
                  "sv": ["{p} – {tissue}", "Besviken på min {p}"], "id": ["{p} {tissue}", "Kecewa sama {p}"]},
    "purchase": {"en": ["Finally got my {p}!", "Just picked up the {p}", "{p} first impressions"],
                 "sv": ["Äntligen fått min {p}!", "Första intryck: {p}"],
                 "id": ["Akhirnya punya {p}!", "Kesan pertama {p}"]},
    "return": {"en": ["Returning my {p}", "Why I sent my {p} back"], "sv": ["Lämnar tillbaka min {p}"],
               "id": ["Retur {p}"]},
    "praise": {"en": ["{p} appreciation post", "The {p} is underrated"], "sv": ["{p} är underskattad"],
               "id": ["Apresiasi buat {p}"]},
    "recommendation": {"en": ["PSA: get the {p}", "Convinced my whole family to get the {p}"], "sv": ["Tips: köp {p}"],
                       "id": ["Rekomendasi: {p}"]},
    "question": {"en": ["Question about the {p}", "{p} question", "Quick question: {p}"], "sv": ["Fråga om {p}"],
                 "id": ["Tanya soal {p}", "Nanya dong, {p}"]},
    "discovery": {"en": ["Thinking about the {p}", "Anyone own the {p}?"], "sv": ["Sugen på {p}"],
                  "id": ["Kepincut {p}"]},
    "switch": {"en": ["Leaving Nordvik for {c}", "Switched from {p} to {c}"], "sv": ["Byter från {p} till {c}"],
               "id": ["Pindah dari {p} ke {c}"]},
    "compare": {"en": ["{p} vs {c}?", "{p} or {c}?"], "sv": ["{p} eller {c}?"], "id": ["{p} vs {c}?"]},
    "noise": {"en": ["Random Nordvik thought"], "sv": ["Off topic men ändå"], "id": ["Random aja"]},
}
REDDIT_OPEN = {"en": ["Long time lurker, first post.", "Not sure if this is the right sub.",
                      "Throwaway because reasons."],
               "sv": ["Första inlägget här.", "Vet inte om det här är rätt sub."],
               "id": ["Numpang nanya, maaf kalo salah sub."]}
REDDIT_CLOSE = {"en": ["Any advice appreciated.", "EDIT: thanks for all the replies!", "EDIT: typo"],
                "sv": ["Tacksam för tips.", "EDIT: tack för alla svar!"],
                "id": ["Makasih sebelumnya.", "EDIT: makasih semua yang udah jawab!"]}


# ---------------------------------------------------------------- composing texts
ALSO = {"neg": {"en": "at least my {p2} still works.", "sv": "min {p2} funkar i alla fall.",
                "id": "untung {p2} gw aman."},
        "pos": {"en": "pairs perfectly with my {p2}.", "sv": "passar perfekt ihop med min {p2}.",
                "id": "cocok banget sama {p2} gw."}}
EMOJI = {"neg": ["😡", "🙄", "😤", "💀", "😩", "🤦"], "pos": ["😍", "🔥", "🙌", "❤️", "✨", "👌"]}
POSITIVE = {"purchase", "praise", "recommendation"}
NOT_QUESTIONS = {"news", "spam", "noise", "announcement", "troll", "support"}
PROTECTED = {w.lower() for p in PROD.values() for f in p["forms"] + p["aliases"] for w in f.split()} | {"nordvik"}


def price_text(sku: str, lang: str, store: str) -> str:
    usd, sek, idr = PROD[sku]["price"]
    cut = rng.choice([1, 1, 1, 0.9, 0.85])
    if lang == "sv":
        return f"{sek if cut == 1 else int(sek * cut) // 100 * 100 + 99:,} kr".replace(",", " ")
    if lang == "id":
        value = int(idr * cut) // 100000 * 100000 - 1000 * (cut != 1)
        return f"Rp{value:,}".replace(",", ".") if chance(0.6) else f"{value / 1e6:.1f}jt".replace(".", ",")
    symbol, rate = ("£", 0.85) if store in ("Currys", "Argos") else ("$", 1)
    return f"{symbol}{int(usd * rate * cut) // 10 * 10 + 9:,}"


def make_ctx(lang: str, skus: list, when: datetime) -> dict:
    li, cat = LANG_INDEX[lang], PROD[skus[0]]["category"]
    name, aliases = rng.choice(COMPETITORS)
    store = rng.choice(list(STORES[lang]))
    return {"p": rng.choice(PROD[skus[0]]["forms"]), "p2": rng.choice(PROD[skus[-1]]["forms"]),
            "feat": rng.choice(FEATURES[cat][li]), "part": PARTS[cat][li], "catword": CAT_WORDS[cat][li],
            "c": rng.choice([name, name] + aliases), "store": store, "price": price_text(skus[0], lang, store),
            "n": rng.randrange(2, 10), "pct": rng.choice([15, 20, 30, 35, 40, 45]),
            "fw": FIRMWARE if when >= datetime(2026, 11, 1, 9, tzinfo=UTC) else rng.choice(["4.1", "4.1.3"]),
            "pod": rng.choice(PODCASTS[lang]), "yt": rng.choice(YOUTUBERS[lang]), "site": rng.choice(SITES[lang]),
            "outlet": rng.choice(OUTLETS[lang]), "tissue": ""}


def one(table: dict, lang: str, ctx: dict) -> str:
    return rng.choice(table[lang]).format(**ctx)


def end(sentence: str) -> str:
    return sentence if sentence[-1] in ".!?)🙌🔥😭" else sentence + rng.choice([".", ".", ".", "", "!"])


def joined(sentences: list, sep: str = " ") -> str:
    """Sentences as one text: every sentence but the last gets a full stop if it has none; capitals are optional."""
    capitals = chance(0.5)
    out = [x + "." if i < len(sentences) - 1 and x[-1].isalnum() else x for i, x in enumerate(sentences)]
    return sep.join(x[0].upper() + x[1:] if capitals else x for x in out)


def blank_truth(intent: str, skus: list) -> dict:
    return {"intent": intent, "complaint": False, "category": None, "products": list(skus), "purchase_stage": None,
            "channel": None, "churn": False, "referral": False, "question": False}


def issue_sentence(lang: str, ctx: dict, cat: str, spike: bool) -> str:
    return end(one(SPIKE_ISSUES if spike else ISSUES[cat], lang, ctx))


def compose(intent: str, lang: str, ctx: dict, t: dict, cat: str | None, mode: str | None, parent: dict | None) -> list:
    """The sentences of a post of this intent; fills the ground truth `t` as it goes."""
    spike = mode == "spike"
    if intent == "complaint" and mode == "influencer":
        cat, issue = rng.choice(INFLUENCER_ISSUES[lang])
        t.update(complaint=True, category=cat)
        return [one(INFLUENCER_RANT, lang, {**ctx, "issue": issue})]
    if intent == "complaint" and mode == "metoo":
        s = [one(ME_TOO, lang, ctx)] + ([issue_sentence(lang, ctx, cat, spike)] if chance(0.65) else [])
        s += [rng.choice(FEEL_NEG[lang])] if chance(0.3) else []
    elif intent == "complaint":
        s = ([rng.choice(OPEN_NEG[lang])] if chance(0.2) else []) + [issue_sentence(lang, ctx, cat, spike)]
        s += [rng.choice(FEEL_NEG[lang])] if chance(0.6) else []
        s += [rng.choice(ASK_FIX[lang])] if chance(0.2) else []
    elif intent == "purchase":
        s = [end(one(PURCHASE, lang, ctx))]
        if chance(0.5):
            s.append(one(PRICE_AT, lang, ctx))
            ctx["store_used"] = True
        if chance(0.55):
            t["channel"] = pick(CHANNEL_W)
            s.append(rng.choice(HEARD_TAIL[t["channel"]][lang]).format(**ctx))
        s += [rng.choice(EXCITED[lang])] if chance(0.4) else []
        t["purchase_stage"] = "purchased"
    elif intent == "return":
        if cat:
            s = [issue_sentence(lang, ctx, cat, False), rng.choice(RETURN_SHORT[lang])]
        else:
            s = [one(RETURNS, lang, ctx), rng.choice(RETURN_MEH[lang])]
        t["purchase_stage"] = "returned"
    elif intent == "praise":
        s = [end(one(PRAISE, lang, ctx))] + ([rng.choice(PRAISE_TAIL[lang])] if chance(0.4) else [])
    elif intent == "recommendation":
        s = [end(one(RECOMMEND, lang, ctx))]
        t.update(purchase_stage="recommending", referral=True)
    elif intent == "question":
        if chance(0.55):
            s = [one(QUESTIONS[PROD[t["products"][0]]["category"]], lang, ctx), rng.choice(CONSIDERING[lang])]
            t["purchase_stage"] = "considering"
        else:
            s = [one(OWNER_QUESTIONS, lang, ctx)]
        s += [rng.choice(THANKS[lang])] if chance(0.3) else []
    elif intent == "discovery":
        t["channel"] = pick(CHANNEL_W)
        s = [end(rng.choice(HEARD[t["channel"]][lang]).format(**ctx))]
        s += [rng.choice(CONSIDER[lang])] if chance(0.7) else []
        t["purchase_stage"] = "considering"
    elif intent == "switch":
        returned = chance(0.3)
        options = [x for x in (SWITCH_RETURN if returned else SWITCH)[lang] if not cat or "{p}" not in x]
        s = ([issue_sentence(lang, ctx, cat,
                             spike)] if cat else []) + [rng.choice(options or SWITCH[lang]).format(**ctx)]
        t.update(churn=True, purchase_stage="returned" if returned else None)
    elif intent == "compare":
        s = [one(COMPARE, lang, ctx)]
        t["purchase_stage"] = "considering"
    elif intent == "news":
        headline = one(NEWS_SPIKE if spike else NEWS, lang, ctx)
        s = [rng.choice(NEWS_LEAD[lang])] if ":" not in headline and chance(0.6) else []
        s += [headline, short_link()]
    elif intent == "noise":
        s, t["products"] = [one(NOISE, lang, ctx)], []
    elif intent == "support":
        first = parent["_author"]["name"].split()[0] if parent["platform"] == "x" else ""
        table = {lang: [SUPPORT_SPIKE[lang]]} if spike else SUPPORT
        if first:
            s = [one(table, lang, {**ctx, "first": first, "sig": rng.choice(SIGNATURES[lang])})]
        else:
            s = [rng.choice(REDDIT_SUPPORT)]
    elif intent == "answer":
        problem = parent is not None and (parent["_root"]["_truth"]["complaint"] or parent["_truth"]["complaint"])
        s = ([one(ANSWER_OPEN, lang, ctx)] if chance(0.4) else []) + [end(one(ANSWERS["fix" if problem else "info"],
                                                                              lang, ctx))]
        s += [end(one(ANSWER_TAIL, lang, ctx))] if chance(0.45) else []
    elif intent == "chatter":
        news = parent is not None and parent["_truth"]["intent"] in ("news", "announcement")
        roll = rng.random()
        if news:
            s = [one(CHATTER_NEWS, lang, ctx)]
        else:
            s = [one(CHATTER, lang, ctx)] * (roll < 0.6) + [one(CHATTER_Q, lang, ctx)] * (roll > 0.35)
    else:
        raise ValueError(intent)
    if intent in ("complaint", "return", "switch") and cat:
        t.update(complaint=True, category=cat)
    if len(t["products"]) > 1 and intent in ("complaint", "praise", "purchase") and mode is None:
        s.append(ALSO["neg" if intent == "complaint" else "pos"][lang].format(**ctx))
    return s


def followup_sentence(lang: str, key: tuple, ctx: dict) -> str:
    return rng.choice(FOLLOWUP[key][lang]).format(**ctx)


def short_link() -> str:
    return "https://t.co/" + "".join(rng.choices("abcdefghkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=10))


def typo(text: str) -> str:
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5 and w.lower() not in PROTECTED]
    if not spots:
        return text
    i = rng.choice(spots)
    w, j = words[i], rng.randrange(1, len(words[i]) - 1)
    words[i] = rng.choice([w[:j] + w[j + 1] + w[j] + w[j + 2:], w[:j] + w[j + 1:], w[:j] + w[j] + w[j:]])
    return " ".join(words)


def decorate(text: str, t: dict, lang: str, platform: str, skus: list) -> str:
    """Social-media surface: emoji, hashtags, @mentions, links, typos and case."""
    mood = "neg" if t["complaint"] or t["churn"] else "pos" if t["intent"] in POSITIVE else None
    if platform == "x":
        if mood and chance(0.35):
            text += " " + rng.choice(EMOJI[mood]) * rng.choice([1, 1, 2, 3])
        if t["complaint"] and chance(0.25):
            text = f"@{rng.choice(OWN_X)} {text}" if chance(0.5) else f"{text} @{rng.choice(OWN_X)}"
        if skus and chance(0.18):
            tags = ["#nordvik", "#" + asciify(PROD[skus[0]]["aliases"][0]).replace(" ", "").lower()]
            tags += ["#fail"] if mood == "neg" else ["#teknik"] if lang == "sv" else ["#gadget"] if lang == "id" else []
            text += " " + " ".join(rng.sample(tags, rng.randrange(1, len(tags) + 1)))
        if chance(0.06):
            text += " " + short_link()
    if chance(0.1):
        text = typo(text)
    if chance(0.1):
        return text.lower()
    if mood == "neg" and chance(0.03):
        return text.upper()
    return text[0].upper() + text[1:] if chance(0.6 if platform == "x" else 0.9) else text


# ---------------------------------------------------------------- posts
POSTS: dict = {"x": [], "reddit": []}
OWNED_INTENTS = {"complaint", "praise", "return", "recommendation", "switch", "answer"}
CATEGORY_W = {"battery": 25, "defect": 20, "software": 20, "shipping": 12, "billing": 8, "service": 10, "other": 5}
CUSTOMER_SHARE = 0.45


def pick_author(platform: str, lang: str, intent: str, exclude: dict | None = None, sku: str | None = None) -> dict:
    if intent == "news" and platform == "x":
        return rng.choice(SPECIAL["journalist"][lang])
    if intent == "spam":
        key = "reddit" if platform == "reddit" else lang if lang in SPECIAL["spam"] else "en"
        return rng.choice(SPECIAL["spam"][key])
    group = "customer" if intent not in ("noise", "news") and chance(CUSTOMER_SHARE) else "other"
    candidates = [a for a in POOLS[(platform, lang)][group] if a is not exclude]

    def weight(a: dict) -> float:
        w, c = a["w"] * a["langs"][lang], a["customer"]
        if c and c["status"] == "churned":
            w *= 25 if intent in ("switch", "return") else 3 if intent == "complaint" else 1
            w *= 0.1 if intent in POSITIVE else 1
        if c and sku and intent in OWNED_INTENTS and all(p["sku"] != sku for p in c["products"]):
            w *= 0.1
        return w

    return rng.choices(candidates, weights=[weight(a) for a in candidates])[0]


def popular(exclude: tuple = ()) -> str:
    options = [s for s in SKUS if s not in exclude]
    return rng.choices(options, weights=[POPULARITY[s] for s in options])[0]


def pick_skus(author: dict, intent: str, when: datetime) -> list:
    c = author["customer"]
    owned = sorted({p["sku"] for p in c["products"] if p["purchased_at"] <= when.date().isoformat()}) if c else []
    if intent in OWNED_INTENTS and owned and chance(0.9):
        first = rng.choice(owned)
    elif intent == "purchase" and c:
        first = popular(tuple(p["sku"] for p in c["products"]) if len(c["products"]) < len(SKUS) else ())
    else:
        first = popular()
    return [first, popular((first,))] if chance(0.12) else [first]


def pick_category(author: dict, sku: str, intent: str) -> str | None:
    if intent == "return" and chance(0.3) or intent == "switch" and chance(0.45):
        return None
    c = author["customer"]
    cases = [k["category"] for k in c["cases"] if k["sku"] == sku] if c else []
    if cases and chance(0.45):
        return cases[0]
    weights = dict(CATEGORY_W)
    if PROD[sku]["category"] in ("charger", "router"):
        del weights["battery"]
    return pick(weights)


def customer_effects(c: dict, t: dict, when: datetime, ctx: dict, lang: str) -> None:
    """Keep the CRM consistent with what the customer posts: purchases, earlier and new support cases."""
    day, sku = when.date(), t["products"][0] if t["products"] else None
    if t["intent"] == "purchase" and sku not in {p["sku"] for p in c["products"]}:
        own(c, sku, day, STORES[lang][ctx["store"]] if ctx.get("store_used") else None)
    if t["churn"] and c["status"] == "active" and chance(0.5):
        c["status"] = "churned"
    if not t["complaint"] or sku is None:
        return
    if t["category"] in ("shipping", "billing") and sku not in {p["sku"] for p in c["products"]}:
        own(c, sku, day - timedelta(days=rng.randrange(7, 30)), "online")
    bought = min([date.fromisoformat(p["purchased_at"]) for p in c["products"] if p["sku"] == sku], default=None)
    if bought and chance(0.4) and not any(k["sku"] == sku and k["category"] == t["category"] for k in c["cases"]):
        opened = rand_date(bought, day - timedelta(days=5)) if (day - bought).days > 6 else bought
        add_case(c, sku, t["category"], opened, opened + timedelta(days=rng.randrange(1, 15)))
    if chance(0.25) and day + timedelta(days=3) <= END.date():
        opened = day + timedelta(days=rng.randrange(0, 3))
        closed = opened + timedelta(days=rng.randrange(2, 10))
        add_case(c, sku, t["category"], opened, closed if closed <= END.date() and chance(0.5) else None)


def slug(title: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in asciify(title).lower()).split()
    return "_".join(w for w in words if w.isascii())[:50].strip("_") or "post"


def render(platform: str, intent: str, lang: str, ctx: dict, t: dict, cat: str | None, mode: str | None,
           parent: dict | None, title: str | None) -> tuple:
    """Title (Reddit submissions only) and text of a post; fills the ground truth `t`."""
    if mode == "followup":
        key = pick({("chatter", None): 5, ("complaint", "service"): 3, ("praise", None): 2})
        t.update(intent=key[0], complaint=key[1] is not None, category=key[1])
        return None, decorate(followup_sentence(lang, key, ctx), t, lang, platform, t["products"])
    body = compose(intent, lang, ctx, t, cat, mode, parent)
    if platform == "reddit" and parent is None and intent == "news":
        return body[-2], ""  # a link submission: the headline is the title
    if platform == "reddit" and parent is None:
        ctx["tissue"] = TITLE_ISSUES[cat or "other"][LANG_INDEX[lang]]
        asking = intent in ("question", "complaint", "compare", "return", "switch")
        body = ([rng.choice(REDDIT_OPEN[lang])] if asking and chance(0.25) else []) + body
        body += [rng.choice(REDDIT_CLOSE[lang])] if asking and chance(0.25) else []
        text = joined(body, " " if chance(0.6) else "\n\n")
        photo = intent in ("purchase", "praise", "complaint") and chance(0.1)  # title and a photo, no text
        text = "" if photo else decorate(text, t, lang, platform, t["products"])
        return title or one(TITLES[intent], lang, ctx), text
    if intent in ("news", "support"):
        return None, " ".join(body)
    return None, decorate(joined(body), t, lang, platform, t["products"])


def mentioned(skus: list, ctx: dict, title: str | None, text: str) -> list:
    """The products the text really names (a reply often just says "same here")."""
    said = f"{title or ''} {text}".lower()
    return [x for x in dict.fromkeys(skus)
            if x == skus[0] and ctx["p"].lower() in said or x == skus[-1] and ctx["p2"].lower() in said]


def make_post(platform: str, author: dict, lang: str, intent: str, when: datetime, parent: dict | None = None,
              skus: list | None = None, cat: str | None = None, mode: str | None = None, sub: str | None = None,
              text: str | None = None, title: str | None = None) -> dict | None:
    """Create one post (and its ground truth); None when it would fall after the end of the window."""
    if when > END:
        return None
    if parent is None and intent == "support":
        raise ValueError("support posts are replies")
    if not skus:
        inherited = parent["_truth"]["products"][:1] if parent else []
        skus = inherited or pick_skus(author, intent, when)
    if intent in ("complaint", "return", "switch") and cat is None:
        cat = "battery" if mode == "spike" else pick_category(author, skus[0], intent)
    t = blank_truth(intent, skus)
    ctx = make_ctx(lang, skus, when)
    if text is None:
        title, text = render(platform, intent, lang, ctx, t, cat, mode, parent, title)
        t["products"] = mentioned(skus, ctx, title, text)
    plain = " ".join(w for w in f"{title or ''} {text}".split() if not w.startswith("http"))
    t["question"] = intent not in NOT_QUESTIONS and "?" in plain
    if parent and platform == "x" and parent["_author"] is not author:
        text = f"@{parent['_author']['handle']} {text}"
    pid = x_post_id(when) if platform == "x" else reddit_id("t1" if parent else "t3", when)
    root = parent["_root"] if parent else None
    post = {"platform": platform, "id": pid, "created_at": iso(when), "text": text,
            "kind": "comment" if platform == "reddit" and parent else "post", "lang": lang,
            "reply_to": parent["id"] if parent else None, "conversation_id": root["id"] if root else pid,
            "author": author_json(author), "_when": when, "_author": author, "_truth": t, "_mode": mode}
    post["_root"] = root or post
    if platform == "x":
        post["url"] = f"https://x.com/{author['handle']}/status/{pid}"
    else:
        post["subreddit"] = sub = sub or root["subreddit"]
        if parent is None:
            post["title"], post["_slug"] = title, slug(title)
        base = f"https://www.reddit.com/r/{sub}/comments/{post['_root']['id'][3:]}/{post['_root']['_slug']}/"
        post["url"] = base + (f"{pid[3:]}/" if parent else "")
    if author["customer"]:
        customer_effects(author["customer"], t, when, ctx, lang)
    POSTS[platform].append(post)
    return post


# ---------------------------------------------------------------- threads
X_INTENTS = {"complaint": 30, "purchase": 11, "return": 5, "praise": 11, "recommendation": 6, "question": 9,
             "discovery": 11, "switch": 5, "compare": 3, "news": 4, "noise": 6, "spam": 2}
REDDIT_INTENTS = {"complaint": 24, "question": 20, "compare": 8, "purchase": 8, "praise": 8, "return": 4,
                  "recommendation": 4, "discovery": 7, "switch": 5, "news": 6, "noise": 2, "spam": 1}
COMMENT_MIX = {
    "negative": {"complaint": 4, "answer": 3, "switch": 1, "chatter": 1, "praise": 1, "support": 1},
    "question": {"answer": 6, "question": 1, "chatter": 1, "recommendation": 1, "complaint": 1},
    "positive": {"chatter": 3, "praise": 3, "question": 2, "complaint": 1, "recommendation": 1},
    "news": {"chatter": 2, "complaint": 3, "switch": 1, "praise": 1},
    "other": {"chatter": 2, "answer": 1},
    "spike": {"complaint": 7, "answer": 2, "support": 1, "switch": 1},
}
SUBS = {"en": {"nordvik": 45, "gadgets": 40}, "sv": {"sweden": 55, "nordvik": 45},
        "id": {"indonesia": 60, "nordvik": 40}}


def mix_for(intent: str) -> dict:
    if intent in ("complaint", "return", "switch"):
        return COMMENT_MIX["negative"]
    if intent in ("question", "compare"):
        return COMMENT_MIX["question"]
    return COMMENT_MIX["positive" if intent in POSITIVE | {"discovery"} else "news" if intent == "news" else "other"]


def reply(parent: dict, intent: str, when: datetime, author: dict | None = None,
          mode: str | None = None) -> dict | None:
    lang = parent["lang"]
    skus = parent["_truth"]["products"]
    author = author or pick_author(parent["platform"], lang, intent, parent["_author"], skus[0] if skus else None)
    cat = parent["_truth"]["category"] if mode == "metoo" and parent["_truth"]["category"] else None
    if mode == "metoo" and parent["_mode"] == "spike":
        cat = "battery"
    skus = (skus or parent["_root"]["_truth"]["products"])[:1] or None
    return make_post(parent["platform"], author, lang, intent, when, parent=parent, skus=skus, cat=cat, mode=mode)


def x_thread(intent: str, lang: str, when: datetime, author: dict | None = None, mode: str | None = None,
             skus: list | None = None, text: str | None = None) -> dict | None:
    if intent == "spam" and text is None:
        lang = lang if lang in SPAM else "en"
        text, skus = rng.choice(SPAM[lang])
    author = author or pick_author("x", lang, intent)
    root = make_post("x", author, lang, intent, when, skus=skus, mode=mode, text=text)
    if root is None or intent in ("spam", "troll"):
        return root
    t, reach = root["_truth"], author["followers"] > 20000
    if (t["complaint"] or t["churn"]) and chance(0.9 if reach else 0.2 if mode == "spike" else 0.45):
        support = reply(root, "support", later(when, 40), SPECIAL["nordvik_support"],
                        "spike" if mode == "spike" else None)
        if support and author["kind"] in ("customer", "person", "nearmiss") and chance(0.45):
            reply(support, "chatter", later(support["_when"], 60), author, "followup")
    if t["complaint"] or intent == "announcement":
        spread = 0.6 if reach else 0.3
        while chance(spread):
            reply(root, "complaint", later(when, 90), mode="metoo")
    if t["question"]:
        for _ in range(rng.choice([0, 1, 1, 2, 3] if intent in ("question", "compare") else [0, 0, 0, 1])):
            reply(root, "answer", later(when, 60))
    if intent in POSITIVE | {"news", "announcement"} and chance(0.4):
        answer = reply(root, "chatter", later(when, 120))
        if answer and answer["_truth"]["question"] and chance(0.6):
            reply(answer, "answer", later(answer["_when"], 60), author)
    return root


def reddit_thread(intent: str, lang: str, when: datetime, author: dict | None = None, mode: str | None = None,
                  skus: list | None = None, sub: str | None = None, comments: int | None = None,
                  title: str | None = None, text: str | None = None) -> dict | None:
    if intent == "spam":
        lang, sub, (title, text, skus) = "en", "nordvik", REDDIT_SPAM
    author = author or pick_author("reddit", lang, intent)
    skus = skus or pick_skus(author, intent, when)
    sub = sub or ("headphones" if lang == "en" and skus[0] == "NV-PB2" and chance(0.5) else pick(SUBS[lang]))
    root = make_post("reddit", author, lang, intent, when, skus=skus, mode=mode, sub=sub, title=title, text=text)
    if root is None or intent == "spam":
        return root
    thread = [root]
    for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 6, 8, 11]) if comments is None else comments):
        parent = root if len(thread) == 1 or chance(0.55) else rng.choice(thread[1:])
        kind = pick(COMMENT_MIX["spike"] if mode == "spike" else mix_for(intent))
        if kind == "support" and sub != "nordvik":
            kind = "answer"
        who = SPECIAL["nordvik_official"] if kind == "support" else None
        if kind == "chatter" and parent is not root and chance(0.35):
            who = author  # OP answers in the thread
        if who is parent["_author"]:
            continue
        comment = reply(parent, kind, later(parent["_when"], 100), who, "metoo" if kind == "complaint" else mode)
        thread += [comment] if comment else []
    return root


def fixed_posts() -> None:
    nordvik = SPECIAL["nordvik"]
    for stamp, lang, skus, text in ANNOUNCEMENTS:
        when = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        x_thread("announcement", lang, when, nordvik, "spike" if "aware" in text else None, skus, text)
    x_thread("troll", "en", datetime(2026, 10, 19, 23, 41, 7, tzinfo=UTC), SPECIAL["xss_goblin"], skus=["NV-A12"],
             text='lol nordvik "security" <script>alert("pwned")</script> try harder @nordvik_support')
    for intent in ("question", "praise"):
        x_thread(intent, "en", random_time("en"), SPECIAL["htmlhenrik"])
    for lang, authors in SPECIAL["influencer"].items():
        for a in authors:
            x_thread("complaint", lang, random_time(lang), a, "influencer")
    for lang, hours in (("en", 5.2), ("id", 9.05)):  # two big accounts join the firmware 4.2 pile-on
        x_thread("complaint", lang, SPIKE_START + timedelta(hours=hours), SPECIAL["influencer"][lang][0], "spike",
                 ["NV-A12"])
    for a in SPECIAL["nearmiss"]:
        lang = max(a["langs"], key=a["langs"].get)
        for _ in range(rng.choice([1, 2, 3])):
            thread = x_thread if a["platform"] == "x" else reddit_thread
            thread(pick({"complaint": 3, "purchase": 1, "question": 1}), lang, random_time(lang), a)
    for lang in LANGS:
        x_thread("news", lang, SPIKE_START + timedelta(hours=rng.randrange(20, 40)), None, "spike", ["NV-A12"])


def spike() -> None:
    """About 80 extra posts: Aura 12 battery complaints in the ~18 hours after firmware 4.2."""
    for _ in range(30):
        lang = pick(LANGS)
        when = SPIKE_START + timedelta(hours=rng.triangular(0, SPIKE_HOURS, 4))
        owners = [a for a in POOLS[("x", lang)]["customer"]
                  if any(p["sku"] == "NV-A12" for p in a["customer"]["products"])]
        author = rng.choice(owners) if owners and chance(0.55) else None
        x_thread("complaint", lang, when, author or pick_author("x", lang, "noise"), "spike", ["NV-A12"])
    reddit_thread("complaint", "en", SPIKE_START + timedelta(hours=3), mode="spike", skus=["NV-A12"], sub="nordvik",
                  comments=12, title=f"Aura 12 battery drain after firmware {FIRMWARE} – megathread")


QUOTA_INTENTS = ["complaint", "purchase", "return", "praise", "recommendation", "question", "discovery", "switch",
                 "compare", "news", "noise"]


QUOTAS = {"sv": (5, 1), "id": (4, 1)}  # X and Reddit threads per intent


def quotas() -> None:
    """Threads of every main intent in Swedish and Indonesian, so each language has all of them."""
    for lang, (x_count, reddit_count) in QUOTAS.items():
        for intent in QUOTA_INTENTS:
            for _ in range(x_count):
                x_thread(intent, lang, random_time(lang))
            for _ in range(reddit_count):
                reddit_thread(intent, lang, random_time(lang))


def fill(x_target: int, reddit_target: int) -> None:
    while len(POSTS["x"]) < x_target:
        lang = pick(LANGS)
        x_thread(pick(X_INTENTS), lang, random_time(lang))
    while len(POSTS["reddit"]) < reddit_target:
        lang = pick(LANGS)
        reddit_thread(pick(REDDIT_INTENTS), lang, random_time(lang))


# ---------------------------------------------------------------- output
def metrics(post: dict, children: int, thread_size: int) -> dict:
    a, t = post["_author"], post["_truth"]
    if post["platform"] == "reddit":
        score = int(rng.lognormvariate(1.0 if post["reply_to"] else 2.6, 1.1))
        return {"likes": score, "reposts": 0, "replies": children if post["reply_to"] else thread_size - 1}
    reach = a["followers"] * (rng.uniform(0.0001, 0.002) if post["reply_to"] else rng.uniform(0.001, 0.02))
    reach *= 2.0 if t["complaint"] and a["followers"] > 50000 else 0.05 if t["intent"] == "spam" else 1
    likes = int(reach + rng.expovariate(0.4))
    return {"likes": likes, "reposts": int(likes * rng.uniform(0.02, 0.3)),
            "replies": children + int(likes * rng.uniform(0, 0.04))}


def finish_posts(platform: str) -> tuple:
    posts = sorted(POSTS[platform], key=lambda p: (p["created_at"], p["id"]))
    children, sizes = {}, {}
    for p in posts:
        children[p["reply_to"]] = children.get(p["reply_to"], 0) + 1
        sizes[p["conversation_id"]] = sizes.get(p["conversation_id"], 0) + 1
    lines, truth = [], []
    for p in posts:
        line = {k: v for k, v in p.items() if not k.startswith("_")}
        line["metrics"] = metrics(p, children.get(p["id"], 0), sizes[p["id"]] if not p["reply_to"] else 0)
        lines.append(line)
        c = p["_author"]["customer"]
        truth.append({"platform": platform, "id": p["id"], **p["_truth"], "customer_id": c["id"] if c else None})
    return lines, truth


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def write_jsonl(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "earshot" / "demo" / "data", help="output directory")
    out = parser.parse_args().out
    make_customers()
    make_authors()
    vary_identities()
    fixed_posts()
    spike()
    quotas()
    fill(x_target=900, reddit_target=600)
    x_lines, x_truth = finish_posts("x")
    reddit_lines, reddit_truth = finish_posts("reddit")
    write_jsonl(out / "replay" / "x.jsonl", x_lines)
    write_jsonl(out / "replay" / "reddit.jsonl", reddit_lines)
    write_jsonl(out / "truth.jsonl", x_truth + reddit_truth)
    write_jsonl(out / "customers.jsonl", finish_customers())
    write_jsonl(out / "linking_truth.jsonl", linking_truth())
    (out / "catalog.json").write_text(json.dumps(catalog(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(x_lines)} X posts, {len(reddit_lines)} Reddit posts and {len(CUSTOMERS)} customers to {out}")


if __name__ == "__main__":
    main()
