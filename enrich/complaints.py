"""The `complaints` enricher: is the post a complaint, about what (issue category) and which product."""

from collections import Counter
from pathlib import Path

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.text_matching import docs_of, Lexicon, blank_pipeline

LEXICON = Path(__file__).parent / "lexicons" / "complaints.toml"
GENERAL = "other"


@enrichers.register
class ComplaintEnricher(Enricher):
    name = "complaints"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.nlp = blank_pipeline()
        self.lexicon = Lexicon(LEXICON, self.nlp)

    def enrich(self, items: list[EnrichItem]) -> None:
        docs = docs_of(items)
        for item, doc in zip(items, docs, strict=True):
            spans = self.lexicon.spans(doc)
            categories = Counter(span.label_ for span in spans)
            specific = Counter({c: n for c, n in categories.items() if c != GENERAL})
            positive = item.result.get("sentiment_label") == "positive"
            is_complaint = bool(specific) or (bool(categories) and not positive)
            category = specific.most_common(1)[0][0] if specific else (GENERAL if is_complaint else None)
            item.result["is_complaint"] = is_complaint
            item.result["complaint_category"] = category
            if is_complaint:
                products = item.result.get("products") or []
                item.details["complaints"] = {
                    "product": products[0] if products else None,
                    "evidence": [{"category": s.label_, "span": s.text, "start": s.start_char} for s in spans],
                }
