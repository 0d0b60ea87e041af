"""Measuring the extractors against a labeled set (tests/data/extract_gold.jsonl; format in tests/data/README.md).

Every field is scored the same way: a prediction is a non-empty value (or True); it is right when it equals
the gold value. Precision = right / predicted, recall = right / gold non-empty, F1 their harmonic mean.
Products are scored per (post, product) pair. Occupations are compared as the canonical job they name
("UX designer" and "designer" agree), cities through the gazetteer ("Göteborg" and "Gothenburg" agree).
"""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.errors import EarshotError
from enrich.base import EnrichContext, EnrichItem, PostView
from enrich.demographics import canonical_occupation
from enrich.batch import open_enrichers, run_enrichers
from enrich.places import fold, gazetteer

DEMOGRAPHIC_FIELDS = ("age", "pronouns", "city", "country", "occupation")


@dataclass
class Score:
    right: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: Any, predicted: Any) -> None:
        self.gold += gold not in (None, False, "", [])
        self.predicted += predicted not in (None, False, "", [])
        self.right += predicted not in (None, False, "", []) and predicted == gold

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "predicted": self.predicted, "gold": self.gold}


@dataclass
class ExtractReport:
    fields: dict[str, Score] = field(default_factory=dict)
    posts: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        demographics = Score()
        for name in DEMOGRAPHIC_FIELDS:
            score = self.fields[name]
            demographics.right += score.right
            demographics.predicted += score.predicted
            demographics.gold += score.gold
        return {
            "posts": self.posts,
            "posts_per_s": round(self.posts / self.seconds, 1) if self.seconds else None,
            "fields": {name: score.as_dict() for name, score in self.fields.items()},
            "demographics": demographics.as_dict(),
        }


def read_gold(path: Path, split: str) -> list[dict[str, Any]]:
    if not path.is_file():
        raise EarshotError(f"gold file {path} not found")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["gold"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EarshotError(f"{path}:{number}: not a gold line ({exc.__class__.__name__}: {exc})") from None
        if split == "all" or row.get("split") == split:
            rows.append(row)
    if not rows:
        raise EarshotError(f"{path}: no lines in split {split!r} (splits: dev, test, all)")
    return rows


def extract(context: EnrichContext, rows: Sequence[dict[str, Any]]) -> tuple[list[EnrichItem], float]:
    posts = [
        PostView(id=number, platform=row.get("platform", "x"), author_id=0, text=row["text"],
                 language=row.get("lang"), author_bio=row.get("bio") or None,
                 author_location=row.get("location") or None)
        for number, row in enumerate(rows)
    ]
    active = open_enrichers(context.settings.enrich.enrichers, context)
    began = time.perf_counter()
    items = run_enrichers(active, posts)
    return items, time.perf_counter() - began


FIELDS: dict[str, tuple[str, Callable[[EnrichItem], Any]]] = {
    "complaint": ("complaint", lambda i: i.result.get("is_complaint")),
    "category": ("category", lambda i: i.result.get("complaint_category")),
    "purchase_stage": ("purchase_stage", lambda i: i.result.get("purchase_stage")),
    "price": ("price", lambda i: (i.details.get("purchases") or {}).get("price")),
    "store": ("store", lambda i: (i.details.get("purchases") or {}).get("store")),
    "question": ("question", lambda i: i.result.get("is_question")),
    "channel": ("channel", lambda i: i.result.get("channel")),
    "churn": ("churn", lambda i: i.result.get("is_churn")),
    "competitor": ("competitor", lambda i: i.result.get("competitor")),
    "referral": ("referral", lambda i: i.result.get("is_referral")),
    "age": ("age", lambda i: i.result.get("age")),
    "pronouns": ("pronouns", lambda i: i.result.get("pronouns")),
    "city": ("city", lambda i: i.result.get("city")),
    "country": ("country", lambda i: i.result.get("country")),
    "occupation": ("occupation", lambda i: i.result.get("occupation")),
}


def score(rows: Iterable[dict[str, Any]], items: Iterable[EnrichItem], seconds: float) -> ExtractReport:
    report = ExtractReport(fields={name: Score() for name in ("products", *FIELDS)}, seconds=seconds)
    for row, item in zip(rows, items, strict=True):
        report.posts += 1
        gold = row["gold"]
        for sku in set(gold.get("products") or []) | set(item.result.get("products") or []):
            report.fields["products"].add(sku in (gold.get("products") or []) and sku,
                                          sku in (item.result.get("products") or []) and sku)
        for name, (gold_key, predicted) in FIELDS.items():
            report.fields[name].add(_comparable(name, gold.get(gold_key)), _comparable(name, predicted(item)))
    return report


def _comparable(name: str, value: Any) -> Any:
    """Compare like with like: text case and spacing, city names through the gazetteer ("Göteborg" = "Gothenburg")."""
    if isinstance(value, str):
        if name == "occupation":
            return canonical_occupation(value)
        if name == "city":
            place = gazetteer().place(value)
            return fold(place.city) if place and place.city else fold(value)
        return " ".join(value.lower().split())
    return value
