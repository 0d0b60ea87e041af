"""The ways an author is found in the CRM, one registered class each; every candidate carries its evidence.

A method reads one author profile and the batch's `CustomerDirectory` and yields candidates with a confidence in
[0, 1]; `decide` combines them and applies the thresholds. Methods are listed by name in `[linking] methods`.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import ClassVar

from rapidfuzz import fuzz

from config.registry import Registry
from enrich.demographics import profile_place
from enrich.linking.directory import CustomerDirectory, NameStats
from enrich.linking.records import (AuthorProfile, CustomerRecord, LinkCandidate, emails_in, handle_key, name_key,
                                    name_tokens, websites_in)
from enrich.places import Place, gazetteer


class LinkMethod(ABC):
    name: ClassVar[str]

    @abstractmethod
    def candidates(self, author: AuthorProfile, directory: CustomerDirectory) -> Iterator[LinkCandidate]:
        """Every customer this author could be, by this method's evidence."""


link_methods: Registry[LinkMethod] = Registry("link method")


def _candidate(method: str, author: AuthorProfile, customer: CustomerRecord, confidence: float,
               **evidence) -> LinkCandidate:
    return LinkCandidate(author_id=author.id, customer_id=customer.id, method=method,
                         confidence=round(confidence, 3), evidence={"customer": customer.external_id, **evidence})


@link_methods.register
class ExactHandle(LinkMethod):
    """The handle the customer gave us for this platform. Shared by several customers: a proposal for each."""

    name = "exact_handle"

    def candidates(self, author: AuthorProfile, directory: CustomerDirectory) -> Iterator[LinkCandidate]:
        if not author.handle:
            return
        owners = directory.by_handle(author.platform, handle_key(author.handle))
        for customer in owners:
            yield _candidate(self.name, author, customer, 1.0 if len(owners) == 1 else 0.5,
                             handle=author.handle, platform=author.platform, customers_with_handle=len(owners))


@link_methods.register
class HandleOnOtherPlatform(LinkMethod):
    """The same handle the customer gave us for another platform: people reuse handles, but not always theirs."""

    name = "handle_on_other_platform"
    CONFIDENCE = 0.6
    MIN_LENGTH = 6  # "anna", "erik12": too many people

    def candidates(self, author: AuthorProfile, directory: CustomerDirectory) -> Iterator[LinkCandidate]:
        if not author.handle or len(handle_key(author.handle)) < self.MIN_LENGTH:
            return
        key = handle_key(author.handle)
        for customer in directory.by_handle_anywhere(key):
            platforms = [platform for platform, handle in customer.handles if handle == key]
            if author.platform not in platforms:
                yield _candidate(self.name, author, customer, self.CONFIDENCE, handle=author.handle,
                                 listed_on=platforms)


class _ContactInBio(LinkMethod):
    """A contact detail of the customer's written in the author's bio; shared by several customers, it is split."""

    CONFIDENCE: ClassVar[float]
    found_in: ClassVar[Callable[[str | None], list[str]]]  # the bio's values of this kind, normalised
    lookup: ClassVar[str]  # the CustomerDirectory method that finds their owners
    evidence: ClassVar[str]

    def candidates(self, author: AuthorProfile, directory: CustomerDirectory) -> Iterator[LinkCandidate]:
        for value in type(self).found_in(author.bio):
            owners = getattr(directory, self.lookup)(value)
            for customer in owners:
                yield _candidate(self.name, author, customer, self.CONFIDENCE / len(owners),
                                 **{self.evidence: value})


@link_methods.register
class EmailInBio(_ContactInBio):
    """The customer's e-mail address written in the author's bio."""

    name = "email_in_bio"
    CONFIDENCE = 0.99
    found_in, lookup, evidence = staticmethod(emails_in), "by_email", "email"


@link_methods.register
class WebsiteInBio(_ContactInBio):
    """The customer's personal website written in the author's bio."""

    name = "website_in_bio"
    CONFIDENCE = 0.97
    found_in, lookup, evidence = staticmethod(websites_in), "by_website", "website"


@link_methods.register
class NameAndPlace(LinkMethod):
    """The display name matches the customer's name (fuzzy, or first name and initial) and the place they state
    agrees, weighed by how many customers in that place could carry the same name. Never automatic by itself."""

    name = "name_and_place"
    MAX_CONFIDENCE = 0.9
    BY_PLACE = {"city": 0.85, "country": 0.6, None: 0.45}
    MIN_SIMILARITY = 90
    INITIAL_ONLY = 0.7  # "Emma S." is weaker than "Emma Svensson"
    HANDLE_BONUS = 0.05  # the handle spells the name too ("emma_sv")

    def candidates(self, author: AuthorProfile, directory: CustomerDirectory) -> Iterator[LinkCandidate]:
        tokens = name_tokens(author.name)
        if len(tokens) < 2:
            return
        fact = profile_place(location=author.location or "", bio=author.bio or "")
        place = fact["value"] if fact else None
        matches = []
        for customer in directory.by_first_name(tokens[0]):
            similarity, initial = _name_match(tokens, name_tokens(customer.name))
            agreement = _place_agreement(place, customer)
            if (similarity >= self.MIN_SIMILARITY or initial) and agreement != "elsewhere":
                matches.append((customer, similarity, initial, agreement))
        for customer, similarity, initial, agreement in matches:
            rivals = sum(1 for other, *_, other_agreement in matches
                         if other is not customer and (other_agreement == agreement or other_agreement == "city"))
            common = _expected_namesakes(directory.stats, name_tokens(customer.name), customer, agreement)
            confidence = self.BY_PLACE[agreement] * similarity / 100 * (self.INITIAL_ONLY if initial else 1.0)
            resembles = _handle_spells(author.handle, tokens)
            confidence = min(self.MAX_CONFIDENCE,
                             confidence / (1 + common + rivals) + (self.HANDLE_BONUS if resembles else 0.0))
            yield _candidate(self.name, author, customer, confidence, display_name=author.name,
                             customer_name=customer.name, similarity=round(similarity), initial_only=initial,
                             place=(fact or {}).get("span"), place_agrees=agreement,
                             namesakes_expected=round(common, 3), same_name_customers=rivals,
                             handle_resembles_name=resembles)


def _name_match(author: list[str], customer: list[str]) -> tuple[float, bool]:
    if len(customer) < 2:
        return 0.0, False
    initial = len(author) == 2 and len(author[1]) == 1 and author[0] == customer[0] and customer[-1][0] == author[1]
    return fuzz.token_sort_ratio(" ".join(author), " ".join(customer)), initial


def _place_agreement(place: Place | None, customer: CustomerRecord) -> str | None:
    """"city" or "country" when the stated place agrees with the record, "elsewhere" when it contradicts it."""
    if place is None:
        return None
    if place.city and customer.city:
        return "city" if name_key(place.city) in _city_names(customer.city, customer.country) else "elsewhere"
    if customer.country:
        return "country" if place.country == customer.country.upper() else "elsewhere"
    return None


@lru_cache(maxsize=10_000)
def _city_names(city: str, country: str | None) -> frozenset[str]:
    """The CRM's spelling of a city and the gazetteer's ("Göteborg", "Gothenburg")."""
    names = {name_key(city)}
    if (place := gazetteer().place(f"{city}, {country}" if country else city)) and place.city:
        names.add(name_key(place.city))
    return frozenset(names)


def _expected_namesakes(stats: NameStats, tokens: list[str], customer: CustomerRecord, agreement: str | None) -> float:
    """How many *other* customers in that place would carry this name if names were spread like the CRM's."""
    if not stats.total or len(tokens) < 2:
        return 0.0
    if agreement == "city":
        people = stats.cities.get(name_key(customer.city), 1)
    elif agreement == "country":
        people = stats.countries.get((customer.country or "").upper(), 1)
    else:
        people = stats.total
    first = stats.first_names.get(tokens[0], 1) / stats.total
    last = stats.last_names.get(tokens[-1], 1) / stats.total
    return max(0.0, people - 1) * first * last


def _handle_spells(handle: str | None, tokens: list[str]) -> bool:
    key = handle_key(handle or "").replace("_", "").replace(".", "")
    return bool(key) and tokens[0] in key and (tokens[-1] in key or key.startswith(tokens[0] + tokens[-1][0]))
