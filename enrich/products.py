"""The `products` enricher: our products (by name, alias or model number) and competitors named in a post."""

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.text_matching import docs_of, blank_pipeline, longest_matches, phrase_matcher

COMPETITOR_PREFIX = "competitor:"


@enrichers.register
class ProductEnricher(Enricher):
    name = "products"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.nlp = blank_pipeline()
        phrases = [
            (product.sku, phrase)
            for product in context.products
            for phrase in (product.sku, product.name, *product.aliases)
        ]
        phrases += [(COMPETITOR_PREFIX + name, name) for name in context.settings.brand.competitors]
        self.matcher = phrase_matcher(self.nlp, phrases, tolerant=True)

    def enrich(self, items: list[EnrichItem]) -> None:
        docs = docs_of(items)
        for item, doc in zip(items, docs, strict=True):
            products: list[str] = []
            competitors: list[str] = []
            evidence = []
            for span in longest_matches(self.matcher, doc):
                key = span.label_
                target = competitors if key.startswith(COMPETITOR_PREFIX) else products
                name = key.removeprefix(COMPETITOR_PREFIX)
                if name not in target:
                    target.append(name)
                evidence.append({"match": name, "span": span.text, "start": span.start_char})
            item.result["products"] = products
            item.details["products"] = {"competitors": competitors, "evidence": evidence}
