"""The `purchases` enricher: where the author stands with our products (considering, purchased, returned,
recommending), with the price and store when they state them, and the text span as evidence."""

import re
import tomllib
from pathlib import Path

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.text_matching import docs_of, Lexicon, blank_pipeline, longest_matches, phrase_matcher

LEXICONS = Path(__file__).parent / "lexicons"
STAGE_ORDER = ("considering", "purchased", "recommending", "returned")  # later wins
_PRICE = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*(?:\s?(?:k|usd|eur))?)"
    r"|(?:\b\d{1,3}(?:[ .,\u00a0]\d{3})*(?:[.,]\d{1,2})?\s?(?:kr|sek|kronor|:-|usd|eur|euro|dollars?)\b)"
    r"|(?:\b(?:rp|idr)\.?\s?\d[\d.,]*(?:\s?(?:rb|ribu|jt|juta|k))?\b)"
    r"|(?:\b\d+(?:[.,]\d+)?\s?(?:rb|ribu|jt|juta)\b)",
    re.IGNORECASE,
)


@enrichers.register
class PurchaseEnricher(Enricher):
    name = "purchases"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.nlp = blank_pipeline()
        self.stages = Lexicon(LEXICONS / "purchases.toml", self.nlp)
        with (LEXICONS / "stores.toml").open("rb") as handle:
            stores = tomllib.load(handle)["stores"]
        self.stores = phrase_matcher(self.nlp, [(store, store) for store in stores])

    def enrich(self, items: list[EnrichItem]) -> None:
        for item, doc in zip(items, docs_of(items), strict=True):
            cues = self.stages.spans(doc)
            stage = max((span.label_ for span in cues), key=STAGE_ORDER.index, default=None)
            products = item.result.get("products") or []
            if stage is None or not products:
                item.result["purchase_stage"] = None
                continue
            price = _PRICE.search(doc.text) if stage == "purchased" else None
            store = [s for s in longest_matches(self.stores, doc) if _after_preposition(s)] if stage in (
                "purchased", "returned") else []
            item.result["purchase_stage"] = stage
            item.details["purchases"] = {
                "stage": stage,
                "products": products,
                "price": price.group(0).strip() if price else None,
                "store": store[0].text if store else None,
                "evidence": [{"stage": s.label_, "span": s.text, "start": s.start_char} for s in cues],
            }


_STORE_PREPOSITIONS = {"at", "from", "on", "via", "through", "in", "på", "från", "hos", "i", "di", "dari", "lewat", "ke"}


def _after_preposition(span) -> bool:
    """"at Target", "på Elgiganten", "di Tokopedia": a store named as the place of purchase, not a common word."""
    return span.start > 0 and span.doc[span.start - 1].lower_ in _STORE_PREPOSITIONS
