"""The `channels` enricher: where the author says they heard of or found the product (friend, ad, podcast,
YouTube, TikTok, review site, store, news), with the span. A channel counts only in a sentence that also says
they discovered, heard, saw or were told (so "bought one for my sister" is not the friend channel)."""

import re
from pathlib import Path

from spacy.pipeline import Sentencizer

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.text_matching import docs_of, Lexicon, blank_pipeline

LEXICON = Path(__file__).parent / "lexicons" / "channels.toml"
_DISCOVERY = re.compile(
    r"\b(heard|hear|saw|seen|see|found|find|discovered|learned|learnt|watched|read|told me|showed me|recommended|"
    r"put me on|introduced|thanks to|because of|via|convinced|sold me|swears by|raves about|ad\b|"
    r"reason i|made me|got me|sold\b|tempted|curious|came across|after|"
    r"won't shut up|let me|bikin|mampir|nyobain|"
    r"hörde|såg|hittade|upptäckte|tipsade|tipset|läste|visade|rekommenderade|tack vare|"
    r"denger|dengar|liat|lihat|nonton|tau dari|tahu dari|gara-gara|gegara|direkomendasiin|rekomendasi|racun|diracun)",
    re.IGNORECASE,
)
ALWAYS = {"word of mouth", "fyp", "for you page", "sponsored"}


@enrichers.register
class ChannelEnricher(Enricher):
    name = "channels"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.lexicon = Lexicon(LEXICON, blank_pipeline())
        self.sentences = Sentencizer()

    def enrich(self, items: list[EnrichItem]) -> None:
        for item, doc in zip(items, docs_of(items), strict=True):
            candidates = self.lexicon.spans(doc)
            if candidates and not doc.has_annotation("SENT_START"):
                self.sentences(doc)  # sentences only where a channel is named: most posts name none
            found = [span for span in candidates if _stated_as_discovery(span)]
            item.result["channel"] = found[0].label_ if found else None
            if found:
                item.details["channels"] = [{"channel": s.label_, "span": s.text, "start": s.start_char} for s in found]


def _stated_as_discovery(span) -> bool:
    return span.text.lower() in ALWAYS or bool(_DISCOVERY.search(span.sent.text))
