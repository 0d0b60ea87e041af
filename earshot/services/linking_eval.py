"""`earshot eval linking`: identity linking measured on a labeled set of authors, through the real store path.

The set is the demo's: every author who posted (replay files), the customer each one is (or none) and what makes the
case easy or hard (`linking_truth.jsonl`, written by scripts/generate_demo_data.py), and the CRM (`customers.jsonl`).
The customers are imported and the authors stored in a scratch SQLite database, then linked as `earshot link` does.
"""

import json
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from config.errors import EarshotError
from config.settings import Settings
from enrich.link_step import link_all_authors
from storage.engine import make_engine, session_scope
from storage.imports.customers import import_customers
from storage.migrate import upgrade
from storage.models import Author, Customer, CustomerLink


@dataclass
class LinkingScore:
    """Precision and recall over author -> customer pairs, at the automatic threshold and at the review threshold."""

    authors: int = 0
    customers_in_truth: int = 0
    auto: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)
    cases: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def as_dict(self) -> dict[str, Any]:
        auto, review = _figures(self.auto, self.customers_in_truth), _figures(self.review, self.customers_in_truth)
        return {"precision": auto["precision"], "recall": auto["recall"], "auto": auto, "review": review,
                "authors": self.authors, "linked_in_truth": self.customers_in_truth,
                "cases": {case: dict(sorted(counts.items())) for case, counts in sorted(self.cases.items())}}


def _figures(counts: Counter, relevant: int) -> dict[str, Any]:
    predicted = counts["right"] + counts["wrong"]
    return {"precision": round(counts["right"] / predicted, 4) if predicted else None,
            "recall": round(counts["right"] / relevant, 4) if relevant else None,
            "predicted": predicted, "right": counts["right"], "wrong": counts["wrong"]}


def evaluate_linking(settings: Settings, *, customers: Path, authors: list[Path], truth: Path) -> LinkingScore:
    for path in (customers, truth, *authors):
        if not path.is_file():
            raise EarshotError(f"{path} not found")
    expected = {(row["platform"], row["author_id"]): row for row in _read_jsonl(truth)}
    with tempfile.TemporaryDirectory(prefix="earshot-linking-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'linking.db'}")
        try:
            upgrade(engine)
            report = import_customers(engine, customers)
            if report.problems:
                raise EarshotError(f"{report.problems[0]} (fix the customers file)")
            _store_authors(engine, authors, expected)
            link_all_authors(engine, settings)
            found = _links(engine)
        finally:
            engine.dispose()
    return _score(expected, found)


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _store_authors(engine, files: list[Path], expected: dict) -> None:
    """The labeled authors as the replay files show them (the profile of their first post)."""
    profiles: dict[tuple[str, str], dict] = {}
    for path in files:
        for post in _read_jsonl(path):
            key = (post["platform"], str(post["author"]["id"]))
            if key in expected:
                profiles.setdefault(key, post["author"])
    with session_scope(engine) as session:
        session.add_all([
            Author(platform=platform, external_id=external_id, handle=a.get("handle"), display_name=a.get("name"),
                   bio=a.get("bio"), location=a.get("location"), followers=a.get("followers") or 0)
            for (platform, external_id), a in sorted(profiles.items())
        ])


def _links(engine) -> dict[tuple[str, str], list[tuple[str, str]]]:
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Author.platform, Author.external_id, Customer.external_id, CustomerLink.status)
            .join(CustomerLink, CustomerLink.author_id == Author.id)
            .join(Customer, Customer.id == CustomerLink.customer_id)
        )
        for platform, author_id, customer_id, status in rows:
            found[(platform, author_id)].append((customer_id, status))
    return found


def _score(expected: dict, found: dict) -> LinkingScore:
    score = LinkingScore(authors=len(expected))
    for key, row in expected.items():
        gold = row["customer_id"]
        score.customers_in_truth += gold is not None
        links = found.get(key, [])
        case = score.cases[row["case"]]
        case["authors"] += 1
        for customer_id, status in links:
            verdict = "right" if customer_id == gold else "wrong"
            score.review[verdict] += 1
            if status == "auto":
                score.auto[verdict] += 1
            case[f"{status}_{verdict}"] += 1
        if gold is not None and not any(customer_id == gold for customer_id, _ in links):
            case["missed"] += 1
    return score
