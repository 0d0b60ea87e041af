"""Routing conditions: each a small class registered by the name used in a rule's `when` table."""

import re
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from config.registry import Registry
from crm.lifecycle import STAGES as LIFECYCLE_STAGES
from engage.facts import RoutingFacts
from enrich.vocabulary import COMPLAINT_CATEGORIES, PURCHASE_STAGES, SENTIMENT_LABELS


class Condition(ABC):
    """Parses its configured value once; `check` returns why it holds (a reason), or None."""

    name: ClassVar[str]

    def __init__(self, value: Any) -> None:
        self.value = self.parse(value)

    @classmethod
    @abstractmethod
    def parse(cls, value: Any) -> Any:
        """Validate the configured value; raise ValueError saying what is allowed."""

    @abstractmethod
    def check(self, facts: RoutingFacts) -> str | None: ...


conditions: Registry[Condition] = Registry("routing condition")


def _lowercase_strings(value: Any) -> frozenset[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"must be a string or a list of strings (got {value!r})")
    return frozenset(v.lower() for v in values)


class _Flag(Condition):
    """`name = true|false` compared with one boolean fact."""

    fact: ClassVar[str]
    describe: ClassVar[str]

    @classmethod
    def parse(cls, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false (got {value!r})")
        return value

    def check(self, facts: RoutingFacts) -> str | None:
        actual = bool(getattr(facts, self.fact))
        if actual != self.value:
            return None
        return self.describe if actual else f"not {self.describe}"


class _OneOf(Condition):
    """`name = "a"` or `name = ["a", "b"]` compared with one text fact (from `allowed`, when it is a closed set)."""

    fact: ClassVar[str]
    allowed: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def parse(cls, value: Any) -> frozenset[str]:
        values = _lowercase_strings(value)
        unknown = sorted(values - set(cls.allowed)) if cls.allowed else []
        if unknown:
            raise ValueError(f"unknown value(s) {', '.join(unknown)}; use one of {', '.join(cls.allowed)}")
        return values

    def check(self, facts: RoutingFacts) -> str | None:
        actual = getattr(facts, self.fact)
        return f"{self.fact.replace('_', ' ')} is {actual}" if actual and actual.lower() in self.value else None


class _Threshold(Condition):
    """`name = number` compared with one numeric fact."""

    fact: ClassVar[str]
    at_least: ClassVar[bool]

    @classmethod
    def parse(cls, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number (got {value!r})")
        return value

    def check(self, facts: RoutingFacts) -> str | None:
        actual = getattr(facts, self.fact)
        if actual is None:
            return None
        holds = actual >= self.value if self.at_least else actual <= self.value
        sign = ">=" if self.at_least else "<="
        return f"{self.fact.replace('_', ' ')} {_number(actual)} {sign} {_number(self.value)}" if holds else None


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


class _Words(Condition):
    """`name = ["word", "two words"]`: any of them appears (whole words, any case) in one text fact."""

    fact: ClassVar[str]

    @classmethod
    def parse(cls, value: Any) -> re.Pattern[str]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"must be a non-empty list of strings (got {value!r})")
        return re.compile(r"\b(" + "|".join(re.escape(v.strip()) for v in value) + r")\b", re.IGNORECASE)

    def check(self, facts: RoutingFacts) -> str | None:
        match = self.value.search(getattr(facts, self.fact) or "")
        return f"{self.fact.replace('_', ' ')} mentions {match.group(0)!r}" if match else None


@conditions.register
class Sentiment(_OneOf):
    name = "sentiment"
    fact = "sentiment_label"
    allowed = SENTIMENT_LABELS


@conditions.register
class Platform(_OneOf):
    name = "platform"
    fact = "platform"


@conditions.register
class Language(_OneOf):
    name = "language"
    fact = "language"


@conditions.register
class ComplaintCategory(_OneOf):
    name = "complaint_category"
    fact = "complaint_category"
    allowed = COMPLAINT_CATEGORIES


@conditions.register
class Complaint(_Flag):
    name = "complaint"
    fact = "is_complaint"
    describe = "a complaint"


@conditions.register
class Question(_Flag):
    name = "question"
    fact = "is_question"
    describe = "a question"


@conditions.register
class Linked(_Flag):
    name = "linked"
    fact = "linked"
    describe = "author is a known customer"


@conditions.register
class OwnAccount(_Flag):
    name = "own_account"
    fact = "own_account"
    describe = "posted by one of our own accounts"


@conditions.register
class MentionsProduct(_Flag):
    name = "mentions_product"
    fact = "products"
    describe = "mentions one of our products"


@conditions.register
class PurchaseStage(_OneOf):
    name = "purchase_stage"
    fact = "purchase_stage"
    allowed = PURCHASE_STAGES


@conditions.register
class Churn(_Flag):
    name = "churn"
    fact = "is_churn"
    describe = "a churn signal (cancelling, returning or switching)"


@conditions.register
class Referral(_Flag):
    name = "referral"
    fact = "is_referral"
    describe = "recommends us to others"


@conditions.register
class LifecycleStage(_OneOf):
    name = "lifecycle"
    fact = "lifecycle_stage"
    allowed = LIFECYCLE_STAGES


@conditions.register
class CustomerSegment(_OneOf):
    name = "segment"
    fact = "customer_segment"


@conditions.register
class MinCustomerValue(_Threshold):
    name = "min_value"
    fact = "customer_value"
    at_least = True


@conditions.register
class MinChurnRisk(_Threshold):
    name = "min_churn_risk"
    fact = "churn_risk"
    at_least = True


@conditions.register
class MinFollowers(_Threshold):
    name = "min_followers"
    fact = "followers"
    at_least = True


@conditions.register
class MaxSentimentScore(_Threshold):
    name = "max_score"
    fact = "sentiment_score"
    at_least = False


@conditions.register
class MinSentimentScore(_Threshold):
    name = "min_score"
    fact = "sentiment_score"
    at_least = True


@conditions.register
class Keywords(_Words):
    name = "keywords"
    fact = "text"


@conditions.register
class BioKeywords(_Words):
    name = "bio_keywords"
    fact = "author_bio"


@conditions.register
class ProductIs(Condition):
    name = "product"

    @classmethod
    def parse(cls, value: Any) -> frozenset[str]:
        return _lowercase_strings(value)

    def check(self, facts: RoutingFacts) -> str | None:
        hits = [sku for sku in facts.products if sku.lower() in self.value]
        return f"mentions {', '.join(hits)}" if hits else None
