"""The customers a batch of authors could be, indexed by every key a link method looks up, and how common names are.

The store fills one per batch with just the customers those authors' handles, e-mails, websites and first names
point at (see `storage/repo/links.py`), so a CRM of any size is never loaded whole; tests build one from records.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from enrich.linking.records import CustomerRecord, email_key, name_key, name_tokens, website_key


@dataclass(frozen=True)
class NameStats:
    """How many customers the CRM holds, by first name, last name, city and country (folded keys)."""

    total: int = 0
    first_names: Mapping[str, int] = field(default_factory=dict)
    last_names: Mapping[str, int] = field(default_factory=dict)
    cities: Mapping[str, int] = field(default_factory=dict)
    countries: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, customers: Iterable[CustomerRecord]) -> "NameStats":
        """Counts over a whole CRM given in memory (tests, evaluation)."""
        firsts, lasts, cities, countries, total = Counter(), Counter(), Counter(), Counter(), 0
        for customer in customers:
            tokens = name_tokens(customer.name)
            total += 1
            if tokens:
                firsts[tokens[0]] += 1
                lasts[tokens[-1]] += 1
            if customer.city:
                cities[name_key(customer.city)] += 1
            if customer.country:
                countries[customer.country.upper()] += 1
        return cls(total, firsts, lasts, cities, countries)


class CustomerDirectory:
    def __init__(self, customers: Iterable[CustomerRecord], stats: NameStats | None = None) -> None:
        self.customers = list(customers)
        self.stats = stats if stats is not None else NameStats.of(self.customers)
        self._by_handle: dict[tuple[str, str], list[CustomerRecord]] = defaultdict(list)
        self._by_handle_anywhere: dict[str, list[CustomerRecord]] = defaultdict(list)
        self._by_email: dict[str, list[CustomerRecord]] = defaultdict(list)
        self._by_website: dict[str, list[CustomerRecord]] = defaultdict(list)
        self._by_first_name: dict[str, list[CustomerRecord]] = defaultdict(list)
        for customer in self.customers:
            for platform, handle in customer.handles:
                self._by_handle[(platform, handle)].append(customer)
                self._by_handle_anywhere[handle].append(customer)
            if customer.email:
                self._by_email[email_key(customer.email)].append(customer)
            if customer.website:
                self._by_website[website_key(customer.website)].append(customer)
            if tokens := name_tokens(customer.name):
                self._by_first_name[tokens[0]].append(customer)

    def by_handle(self, platform: str, handle: str) -> list[CustomerRecord]:
        return self._by_handle.get((platform, handle), [])

    def by_handle_anywhere(self, handle: str) -> list[CustomerRecord]:
        return self._by_handle_anywhere.get(handle, [])

    def by_email(self, email: str) -> list[CustomerRecord]:
        return self._by_email.get(email, [])

    def by_website(self, website: str) -> list[CustomerRecord]:
        return self._by_website.get(website, [])

    def by_first_name(self, first_name: str) -> list[CustomerRecord]:
        return self._by_first_name.get(first_name, [])
