"""The `complaints` enricher: is the post a complaint, about what (issue category) and which product.

Two learned classifiers decide (`enrich/models/complaint.npz`, `complaint_category.npz`; see
`enrich/text_classifier.py`), reading the post's words and characters, its sentiment, and cues from the complaint
lexicon (`lexicons/complaints.toml`: phrases by issue category in en, sv and id). The lexicon's matches are also the
evidence shown to staff.
"""

from pathlib import Path

import numpy as np

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.sentiment.linear import shared_featurizer
from enrich.text_classifier import load_classifier
from enrich.text_matching import Lexicon, blank_pipeline, docs_of
from enrich.vocabulary import COMPLAINT_CATEGORIES

LEXICON = Path(__file__).parent / "lexicons" / "complaints.toml"
CATEGORIES = COMPLAINT_CATEGORIES
CUE_COLUMNS = (*(f"lexicon_{category}" for category in CATEGORIES), "product_named")


class ComplaintCues:
    """Lexicon matches per post, and the cue columns the classifiers read."""

    def __init__(self) -> None:
        self.lexicon = Lexicon(LEXICON, blank_pipeline())

    def read(self, items: list[EnrichItem]) -> tuple[list[list], np.ndarray]:
        spans = [self.lexicon.spans(doc) for doc in docs_of(items)]
        cues = np.zeros((len(items), len(CUE_COLUMNS)))
        for row, (item, found) in enumerate(zip(items, spans, strict=True)):
            for span in found:
                cues[row, CATEGORIES.index(span.label_)] += 1
            cues[row, -1] = bool(item.result.get("products"))
        return spans, np.minimum(cues, 3) / 3


def lexicon_category(cues: np.ndarray) -> int | None:
    """The specific category (not `other`) the lexicon matched most, as an index into CATEGORIES, or None."""
    specific = cues[: len(CATEGORIES) - 1]
    return int(specific.argmax()) if specific.max() > 0 else None


def lexicon_says_complaint(cues: np.ndarray, sentiment: np.ndarray) -> np.ndarray:
    """Per row: the lexicon matched a specific issue and the post is not positive (the pre-model rule)."""
    return (cues[:, : len(CATEGORIES) - 1].max(axis=1) > 0) & (sentiment.argmax(axis=1) != 2)


@enrichers.register
class ComplaintEnricher(Enricher):
    name = "complaints"
    version = "2"

    def open(self, context: EnrichContext) -> None:
        self.cues = ComplaintCues()
        self.detector = load_classifier("complaint", CUE_COLUMNS)
        self.categorizer = load_classifier("complaint_category", CUE_COLUMNS)
        self.featurizer = shared_featurizer()
        self.brand = context.settings.brand

    def enrich(self, items: list[EnrichItem]) -> None:
        spans, cues = self.cues.read(items)
        features = self.featurizer.features([item.post.full_text for item in items])
        probability = self.detector.probabilities(features, cues)
        is_complaint = self.detector.decide(probability)
        # A net under the model: an explicit problem phrase in a post that is not positive is a complaint. It costs
        # 0.007 of cross-validated F1, but the model alone lets short, plain posts ("my aura 12 is broken") through.
        is_complaint = is_complaint | lexicon_says_complaint(cues, features.dense[:, -3:])
        categories = self.categorizer.decide(self.categorizer.probabilities(features, cues))
        if self.categorizer.meta.get("cue_first"):  # chosen in training when the lexicon's matches did better
            categories = [guess if (found := lexicon_category(row)) is None else found
                          for row, guess in zip(cues, categories, strict=True)]
        for row, item in enumerate(items):
            # our own accounts' replies ("please PM us your order number") are never customer complaints
            complaint = bool(is_complaint[row]) and not self.brand.is_own_account(item.post.platform,
                                                                                  item.post.author_handle)
            item.result["is_complaint"] = complaint
            item.result["complaint_category"] = self.categorizer.classes[categories[row]] if complaint else None
            if complaint:
                products = item.result.get("products") or []
                item.details["complaints"] = {
                    "product": products[0] if products else None,
                    "confidence": round(float(probability[row, 1]), 3),
                    "evidence": [{"category": s.label_, "span": s.text, "start": s.start_char} for s in spans[row]],
                }
