"""From candidates to links: evidence for the same customer combined, then the thresholds of `[linking]`."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from config.settings import LinkingSettings
from enrich.linking.directory import CustomerDirectory
from enrich.linking.methods import LinkMethod, link_methods
from enrich.linking.records import AuthorProfile, LinkCandidate

AUTO, PROPOSED = "auto", "proposed"


@dataclass(frozen=True)
class LinkThresholds:
    auto: float = 0.95  # at or above: linked without review
    review: float = 0.5  # at or above (and below auto): proposed to support for review; below: ignored


class Linker:
    """The configured methods and thresholds, built once per run."""

    def __init__(self, settings: LinkingSettings) -> None:
        self.methods = [link_methods.get(name)() for name in settings.methods]
        self.thresholds = LinkThresholds(auto=settings.auto_threshold, review=settings.review_threshold)

    def link(self, authors: Iterable[AuthorProfile], directory: CustomerDirectory) -> list[LinkCandidate]:
        return link_authors(authors, directory, methods=self.methods, thresholds=self.thresholds)


def link_authors(authors: Iterable[AuthorProfile], directory: CustomerDirectory, *, methods: Sequence[LinkMethod],
                 thresholds: LinkThresholds) -> list[LinkCandidate]:
    """Each author's links: `auto` for the one customer at or above the auto threshold (two such customers are both
    only proposed), `proposed` for the others at or above the review threshold."""
    links = []
    for author in authors:
        found: dict[int, list[LinkCandidate]] = defaultdict(list)
        for method in methods:
            for candidate in method.candidates(author, directory):
                found[candidate.customer_id].append(candidate)
        combined = sorted((_combine(candidates) for candidates in found.values()),
                          key=lambda c: (-c.confidence, c.customer_id))
        sure = [c for c in combined if c.confidence >= thresholds.auto]
        for candidate in combined:
            if candidate.confidence < thresholds.review:
                break
            status = AUTO if len(sure) == 1 and candidate is sure[0] else PROPOSED
            links.append(LinkCandidate(**{**candidate.__dict__, "status": status}))
    return links


def _combine(candidates: list[LinkCandidate]) -> LinkCandidate:
    """Independent pieces of evidence for one customer: 1 - Π(1 - confidence); the strongest method names the link."""
    best = max(candidates, key=lambda c: c.confidence)
    doubt = 1.0
    for candidate in candidates:
        doubt *= 1.0 - candidate.confidence
    evidence = {c.method: c.evidence for c in sorted(candidates, key=lambda c: -c.confidence)}
    return LinkCandidate(author_id=best.author_id, customer_id=best.customer_id, method=best.method,
                         confidence=round(1.0 - doubt, 3), evidence=evidence)
