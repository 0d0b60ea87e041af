"""The `purchases` enricher: where the author stands with our products (considering, purchased, returned,
recommending), with the price and store when they state them, and the text span as evidence.

A learned classifier (`enrich/models/purchase_stage.npz`, see `enrich/text_classifier.py`) picks the stage from the
post's words, characters and sentiment and the stage cues of `lexicons/purchases.toml`, whose matches are the evidence.
With `[enrich.purchases] model_path` set, a reader (a fine-tuned transformer that reads the sentence: who acted, and
when; enrich/stage_reader.py) scores the posts about us too, and the two models' probabilities are blended.
"""

import re
import tomllib
from pathlib import Path

import numpy as np

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.sentiment.linear import shared_featurizer
from enrich.stage_reader import StageReader
from enrich.text_classifier import load_classifier
from enrich.text_matching import Lexicon, blank_pipeline, docs_of, longest_matches, phrase_matcher
from enrich.vocabulary import PURCHASE_STAGES

LEXICONS = Path(__file__).parent / "lexicons"
STAGES = PURCHASE_STAGES
CUE_COLUMNS = (*(f"lexicon_{stage}" for stage in STAGES), "product_named", "price_stated", "store_named")
NO_STAGE = "none"
_PRICE = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*(?:\s?(?:k|usd|eur))?)"
    r"|(?:\b\d{1,3}(?:[ .,\u00a0]\d{3})*(?:[.,]\d{1,2})?\s?(?:kr|sek|kronor|:-|usd|eur|euro|dollars?)\b)"
    r"|(?:\b(?:rp|idr)\.?\s?\d[\d.,]*(?:\s?(?:rb|ribu|jt|juta|k))?\b)"
    r"|(?:\b\d+(?:[.,]\d+)?\s?(?:rb|ribu|jt|juta)\b)",
    re.IGNORECASE,
)


class PurchaseCues:
    """Stage phrases, prices and stores per post, and the cue columns the classifier reads."""

    def __init__(self) -> None:
        nlp = blank_pipeline()
        self.stages = Lexicon(LEXICONS / "purchases.toml", nlp)
        with (LEXICONS / "stores.toml").open("rb") as handle:
            stores = tomllib.load(handle)["stores"]
        self.stores = phrase_matcher(nlp, [(store, store) for store in stores])

    def read(self, items: list[EnrichItem]) -> tuple[list[dict], np.ndarray]:
        found: list[dict] = []
        cues = np.zeros((len(items), len(CUE_COLUMNS)))
        for row, (item, doc) in enumerate(zip(items, docs_of(items), strict=True)):
            spans = self.stages.spans(doc)
            price = _PRICE.search(item.post.full_text)
            stores = [s for s in longest_matches(self.stores, doc) if _after_preposition(s)]
            found.append({"spans": spans, "price": price.group(0).strip() if price else None,
                          "store": stores[0].text if stores else None})
            for span in spans:
                cues[row, STAGES.index(span.label_)] += 1
            cues[row, -3:] = (bool(item.result.get("products")), price is not None, bool(stores))
        return found, np.minimum(cues, 3) / 3


@enrichers.register
class PurchaseEnricher(Enricher):
    name = "purchases"
    version = "2"

    def open(self, context: EnrichContext) -> None:
        self.cues = PurchaseCues()
        self.classifier = load_classifier("purchase_stage", CUE_COLUMNS)
        self.featurizer = shared_featurizer()
        self.brand = context.settings.brand.name.lower()
        self.reader = StageReader.if_configured(context.settings.enrich.purchases, self.classifier.classes)
        if self.reader is not None:
            self.version = f"{type(self).version}+{self.reader.version}"  # stored with each post's result
            self.worker_safe = False  # torch uses every core itself

    def _about_us(self, item: EnrichItem) -> bool:
        """A stage is ours only when the post names one of our products or the brand ("a new sofa" is not)."""
        return bool(item.result.get("products")) or self.brand in item.post.full_text.lower()

    def enrich(self, items: list[EnrichItem]) -> None:
        found, cues = self.cues.read(items)
        features = self.featurizer.features([item.post.full_text for item in items])
        probabilities = self.classifier.probabilities(features, cues)
        about_us = np.array([self._about_us(item) for item in items], dtype=bool)
        if self.reader is not None and about_us.any():  # only posts about us get a stage: the reader reads no other
            ours = np.flatnonzero(about_us)
            probabilities[ours] = self.reader.blend_into(probabilities[ours],
                                                         [items[n].post.full_text for n in ours])
        for row, item in enumerate(items):
            stage = self.classifier.classes[probabilities[row].argmax()]
            if stage == NO_STAGE or not about_us[row]:
                item.result["purchase_stage"] = None
                continue
            seen = found[row]
            item.result["purchase_stage"] = stage
            item.details["purchases"] = {
                "stage": stage,
                "confidence": round(float(probabilities[row].max()), 3),
                "products": item.result.get("products") or [],
                "price": seen["price"] if stage == "purchased" else None,
                "store": seen["store"] if stage in ("purchased", "returned") else None,
                "evidence": [{"stage": s.label_, "span": s.text, "start": s.start_char} for s in seen["spans"]],
            }


_STORE_PREPOSITIONS = {"at", "from", "on", "via", "through", "in", "på", "från", "hos", "i", "di", "dari", "lewat",
                       "ke"}


def _after_preposition(span) -> bool:
    """"at Target", "på Elgiganten", "di Tokopedia": a store named as the place of purchase, not a common word."""
    return span.start > 0 and span.doc[span.start - 1].lower_ in _STORE_PREPOSITIONS
