"""The `signals` enricher: churn (switching to a competitor, cancelling, never again) with the competitor named,
and referral (recommending our products to others)."""

from pathlib import Path

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.text_matching import docs_of, Lexicon, blank_pipeline

LEXICON = Path(__file__).parent / "lexicons" / "signals.toml"


@enrichers.register
class SignalEnricher(Enricher):
    name = "signals"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.nlp = blank_pipeline()
        self.lexicon = Lexicon(LEXICON, self.nlp)

    def enrich(self, items: list[EnrichItem]) -> None:
        for item, doc in zip(items, docs_of(items), strict=True):
            spans = self.lexicon.spans(doc)
            churn = [s for s in spans if s.label_ == "churn"]
            competitors = (item.details.get("products") or {}).get("competitors") or []
            is_churn = bool(churn) and (bool(competitors) or _leaves_without_naming(churn))
            item.result["is_churn"] = is_churn
            item.result["competitor"] = competitors[0] if is_churn and competitors else None
            item.result["is_referral"] = (
                any(s.label_ == "referral" for s in spans) or item.result.get("purchase_stage") == "recommending"
            )
            if spans:
                item.details["signals"] = [{"signal": s.label_, "span": s.text, "start": s.start_char} for s in spans]


_LEAVING = ("cancel", "never", "done with", "last nordvik", "leaving", "bye", "goodbye", "avbeställde", "avbokade",
            "aldrig", "sista", "lämnar", "hejdå", "batal", "kapok", "bakal beli lagi", "akan beli lagi", "terakhir",
            "sorry nordvik")


def _leaves_without_naming(churn) -> bool:
    """"Cancelled my order", "never again": churn even when no competitor is named ("switching to" needs one)."""
    return any(word in span.text.lower() for span in churn for word in _LEAVING)
