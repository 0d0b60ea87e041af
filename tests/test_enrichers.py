"""Enrichers on their own: post in, result out, no database."""

import pytest

from config.settings import BrandSettings
from enrich.base import CatalogProduct, EnrichContext, Enricher, EnrichItem
from enrich.complaints import ComplaintEnricher
from enrich.language import LanguageEnricher
from enrich.batch import open_enrichers, run_enrichers
from enrich.products import ProductEnricher
from enrich.questions import is_question
from enrich.sentiment.enricher import SentimentEnricher
from tests.factories import make_settings, post_view

CATALOG = (
    CatalogProduct(sku="NV-A12", name="Nordvik Aura 12", aliases=("aura 12", "the aura")),
    CatalogProduct(sku="NV-A12P", name="Nordvik Aura 12 Pro", aliases=("aura 12 pro",)),
    CatalogProduct(sku="NV-PB2", name="Nordvik Pulse Buds", aliases=("pulse buds",)),
)


@pytest.fixture
def context(tmp_path) -> EnrichContext:
    settings = make_settings(tmp_path, brand=BrandSettings(competitors=["Zentro", "Kestrel"]))
    return EnrichContext(settings=settings, products=CATALOG)


def enrich(context: EnrichContext, names: list[str], texts: list[str], language: str | None = "en") -> list[EnrichItem]:
    posts = [post_view(text, id=i, language=language) for i, text in enumerate(texts)]
    return run_enrichers(open_enrichers(names, context), posts)


def test_sentiment_labels_and_scores(context: EnrichContext) -> None:
    good, bad, flat = enrich(context, ["language", "sentiment"], [
        "I love my new phone, it is wonderful!", "This is the worst, awful, broken junk.", "The phone arrived on Tuesday."])
    assert (good.result["sentiment_label"], bad.result["sentiment_label"], flat.result["sentiment_label"]) == (
        "positive", "negative", "neutral")
    assert good.result["sentiment_score"] > 0.5 > -0.5 > bad.result["sentiment_score"]
    assert good.result["sentiment_backend"] == context.settings.enrich.sentiment and good.result["sentiment_version"]


def test_unsupported_languages_are_marked_not_scored_neutral(context: EnrichContext) -> None:
    [item] = enrich(context, ["language", "sentiment"], ["Batteriet tar slut på två timmar, helt värdelöst"], "sv")
    assert item.result["sentiment_label"] is None and item.result["sentiment_score"] is None
    assert item.details["sentiment"] == {"unsupported_language": "sv"}


def test_language_is_normalised(context: EnrichContext) -> None:
    items = run_enrichers([LanguageEnricher()], [post_view("x", language="in"), post_view("x", language="und"),
                                                 post_view("x", language="EN-gb")])
    assert [i.result["language"] for i in items] == ["id", None, "en"]


def test_batched_language_detection_scores_as_py3langid_does_one_by_one() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from enrich.language import BatchIdentifier

    languages = ["en", "sv", "id", "ms", "da", "no"]
    texts = ["the battery on my phone died again today", "batteriet dog igen idag, helt värdelöst",
             "baterai hp aku cepat habis banget hari ini", "hej", "", "🙂🙂", "Åsa och Ölands bästa fika",
             "x " * 600, "mixed english och svenska words här", "saya suka sekali dengan produk ini"]
    one_by_one = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    one_by_one.set_languages(languages)
    batched = BatchIdentifier(languages).classify(texts)
    for text, (language, confidence) in zip(texts, batched, strict=True):
        expected_language, expected_confidence = one_by_one.classify(text)
        assert language == expected_language and confidence == pytest.approx(expected_confidence, abs=1e-5), text  # float32 sums in another order
    assert [language for language, _ in batched[:3]] == ["en", "sv", "id"]


@pytest.mark.parametrize(
    ("text", "products", "competitors"),
    [
        ("my Aura 12 Pro is great", ["NV-A12P"], []),
        ("AURA12PRO vs aura 12", ["NV-A12P", "NV-A12"], []),
        ("the aura12 pro, the nv-a12p and NV-A12P", ["NV-A12P"], []),
        ("switching from pulse buds to zentro", ["NV-PB2"], ["Zentro"]),
        ("Nordvik Aura 12 or a Kestrel?", ["NV-A12"], ["Kestrel"]),
        ("aurora borealis over Kiruna", [], []),
    ],
)
def test_products_by_name_alias_and_model_number(context: EnrichContext, text: str, products, competitors) -> None:
    [item] = enrich(context, ["products"], [text])
    assert item.result["products"] == products
    assert item.details["products"]["competitors"] == competitors


CLEAR_COMPLAINTS = [  # (text, language, complaint, category)
    ("My Aura 12 battery drains overnight since the update", "en", True, "battery"),
    ("Charged twice for my order and still no refund", "en", True, "billing"),
    ("The screen is cracked and it won't turn on", "en", True, "defect"),
    ("Keeps crashing after the update", "en", True, "software"),
    ("Honestly so disappointed with Nordvik", "en", True, "other"),
    ("Batteriet tar slut på några timmar", "sv", True, "battery"),
    ("Paketet har inte kommit än, tre veckor", "sv", True, "shipping"),
    ("Baterai aura 12 boros banget", "id", True, "battery"),
    ("CS nya tidak dibalas dari kemarin", "id", True, "service"),
    ("Love the Aura 12, battery lasts two days", "en", False, None),
    ("Just ordered the pulse buds!", "en", False, None),
    ("Worst part of my day: waiting to unbox this amazing, wonderful phone!", "en", False, None),
]


def test_complaints_and_their_category_in_clear_cases(context) -> None:
    """The learned models are measured on the gold set (README); here they must get plain cases nearly all right."""
    found = []
    for text, language, _, _ in CLEAR_COMPLAINTS:
        [item] = enrich(context, ["language", "sentiment", "products", "complaints"], [text], language)
        found.append((item.result["is_complaint"], item.result["complaint_category"]))
    detected = sum(got[0] is case[2] for got, case in zip(found, CLEAR_COMPLAINTS))
    categorised = sum(got[1] == case[3] for got, case in zip(found, CLEAR_COMPLAINTS) if case[2])
    assert detected >= len(CLEAR_COMPLAINTS) - 2, found
    assert categorised >= sum(case[2] for case in CLEAR_COMPLAINTS) - 3, found
    assert all(category is None for complaint, category in found if not complaint)  # a category only with a complaint


def test_our_own_accounts_replies_are_never_complaints(tmp_path) -> None:
    settings = make_settings(tmp_path, brand=BrandSettings(own_accounts={"x": ["nordvik_support"]}))
    context = EnrichContext(settings=settings, products=CATALOG)
    text = "So sorry your aura 12 is broken and the battery drains! Please DM us your order number."
    ours, theirs = run_enrichers(open_enrichers(["language", "sentiment", "products", "complaints"], context), [
        post_view(text, id=1, author_handle="Nordvik_Support"), post_view(text, id=2, author_handle="someone")])
    assert ours.result["is_complaint"] is False and theirs.result["is_complaint"] is True


def test_complaint_names_the_product_concerned(context: EnrichContext) -> None:
    [item] = enrich(context, ["language", "sentiment", "products", "complaints"], ["my pulse buds keep disconnecting"])
    assert item.details["complaints"]["product"] == "NV-PB2"
    assert 0.5 < item.details["complaints"]["confidence"] <= 1
    assert [e["span"] for e in item.details["complaints"]["evidence"]] == ["keep disconnecting"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Does the Halo work with iPhone?", True),
        ("anyone know how to reset the halo", True),
        ("Hur gör man för att återställa klockan", True),
        ("apakah aura 12 support esim", True),
        ("Can't believe how good this is", False),
        ("Bought it yesterday. Love it.", False),
        ("read this https://example.com/?q=1", False),
    ],
)
def test_questions(text: str, expected: bool) -> None:
    assert is_question(text) is expected


class Exploding(Enricher):
    name = "exploding"
    version = "0"

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            if "boom" in item.post.text:
                raise RuntimeError("cannot handle boom")
            item.result["seen"] = True


def test_a_post_that_breaks_an_enricher_is_marked_and_the_batch_goes_on(context: EnrichContext) -> None:
    items = run_enrichers([Exploding()], [post_view("fine"), post_view("boom"), post_view("also fine")])
    assert [i.result.get("seen") for i in items] == [True, None, True]
    assert items[1].errors == ["exploding: RuntimeError: cannot handle boom"]


def test_unknown_enricher_name_lists_the_allowed_ones(context: EnrichContext) -> None:
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown enricher 'sentimental'; allowed: .*sentiment"):
        open_enrichers(["sentimental"], context)


def test_enrichers_are_declared_once_with_a_version() -> None:
    for cls in (LanguageEnricher, SentimentEnricher, ProductEnricher, ComplaintEnricher):
        assert cls.name and cls.version


def test_a_gapped_lexicon_phrase_takes_up_to_four_words_in_its_gap(tmp_path) -> None:
    from enrich.text_matching import Lexicon, blank_pipeline

    path = tmp_path / "lexicon.toml"
    path.write_text('returned = { en = ["sent * back", "took * back to the"], sv = ["skickade * tillbaka"] }\n'
                    'switching = { en = ["switching to"] }\n', encoding="utf-8")
    lexicon = Lexicon(path, blank_pipeline())

    def found(text: str) -> list[tuple[str, str]]:
        return [(span.label_, span.text) for span in lexicon.spans(blank_pipeline()(text))]

    assert found("I sent back the phone") == [("returned", "sent back")]
    assert found("so I SENT my new Aura 12 back today") == [("returned", "SENT my new Aura 12 back")]
    assert found("sent it to my sister, who sent one back") == [("returned", "sent one back")]  # nearest start
    assert found("sent a b c d e back") == []  # five words is too far
    assert found("took it back to the store, switching to Pixelon") == [
        ("returned", "took it back to the"), ("switching", "switching to")]
    assert found("jag skickade den tillbaka") == [("returned", "skickade den tillbaka")]
    assert found("back I sent it") == []  # in order only
