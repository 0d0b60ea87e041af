"""spaCy phrase matching shared by the lexicon enrichers: one blank tokenizer (one vocabulary) for all of them,
each post tokenised once per run, matching case-insensitive and spacing-tolerant."""

from collections.abc import Iterable
from functools import lru_cache
from itertools import product
from typing import TYPE_CHECKING

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans


if TYPE_CHECKING:
    from enrich.base import EnrichItem


@lru_cache(maxsize=1)
def blank_pipeline() -> Language:
    """A tokenizer only: no model download, and fast (spaCy's English rules tokenise sv and id well enough).
    Shared, so every matcher uses the same vocabulary and a post is tokenised once for all of them."""
    return spacy.blank("en")


def docs_of(items: "list[EnrichItem]") -> list[Doc]:
    """Each item's tokens, made on first use by any enricher and kept on the item for the others."""
    missing = [item for item in items if item.doc is None]
    for item, doc in zip(missing, blank_pipeline().pipe(item.post.full_text for item in missing), strict=True):
        item.doc = doc
    return [item.doc for item in items]


def spacing_variants(nlp: Language, phrase: str) -> set[str]:
    """"Aura 12-Pro" -> "aura 12 pro", "aura12 pro", "aura 12pro", "aura12pro", ... (at most 5 tokens joined)."""
    tokens = [t.text.lower() for t in nlp.make_doc(phrase.replace("-", " ")) if t.text.strip()]
    if not tokens:
        return set()
    variants = {phrase.lower()}
    if len(tokens) > 5:
        return variants | {" ".join(tokens)}
    for joins in product(("", " "), repeat=len(tokens) - 1):
        variants.add(tokens[0] + "".join(sep + token for sep, token in zip(joins, tokens[1:])))
    return variants


def phrase_matcher(nlp: Language, phrases: Iterable[tuple[str, str]], *, tolerant: bool = False) -> PhraseMatcher:
    """A lower-case PhraseMatcher; `phrases` are (key, phrase) pairs, and the key is the match label."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_key: dict[str, set[str]] = {}
    for key, phrase in phrases:
        by_key.setdefault(key, set()).update(spacing_variants(nlp, phrase) if tolerant else {phrase.lower()})
    for key, texts in by_key.items():
        matcher.add(key, [nlp.make_doc(text) for text in sorted(texts)])
    return matcher


def longest_matches(matcher: PhraseMatcher, doc: Doc) -> list[Span]:
    """Matches as labelled spans, keeping the longest where they overlap ("Aura 12 Pro" over "Aura 12")."""
    spans = [Span(doc, start, end, label=key) for key, start, end in matcher(doc)]
    return sorted(filter_spans(spans), key=lambda span: span.start)


class Lexicon:
    """Phrases by label and language from a TOML file ({label = {en = [...], sv = [...], id = [...]}}),
    matched case-insensitively by token; `*` in a phrase stands for up to four words ("sent * back").
    Languages are pooled: posts mix them, and a phrase rarely means something else in another of our languages."""

    GAP = "*"
    MAX_GAP = 4

    def __init__(self, path, nlp: Language) -> None:
        import tomllib

        with open(path, "rb") as handle:
            self.entries: dict[str, dict[str, list[str]]] = tomllib.load(handle)
        phrases = [
            (label, phrase)
            for label, by_language in self.entries.items()
            for phrase_list in by_language.values()
            for phrase in phrase_list
        ]
        self.matcher = phrase_matcher(nlp, [(label, p) for label, p in phrases if self.GAP not in p.split()])
        # A gapped phrase is its parts, each found by a PhraseMatcher (fast, in C) and chained in order here;
        # spaCy's Matcher with `{0,4}` would walk every token in Python.
        self.gapped: list[tuple[str, int]] = []  # (label, number of parts) per gapped phrase
        part_phrases = []
        for label, phrase in phrases:
            if self.GAP in phrase.split():
                parts = [part.strip(" *") for part in phrase.lower().split(f" {self.GAP} ")]
                part_phrases += [(f"{len(self.gapped)}:{n}", part) for n, part in enumerate(parts)]
                self.gapped.append((label, len(parts)))
        self.parts = phrase_matcher(nlp, part_phrases)

    def spans(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, start, end, label=key) for key, start, end in self.matcher(doc)]
        if self.gapped:
            spans += self._gapped_spans(doc)
        return sorted(filter_spans(spans), key=lambda span: span.start)

    def _gapped_spans(self, doc: Doc) -> list[Span]:
        found: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for key, start, end in self.parts(doc):
            phrase, part = map(int, doc.vocab.strings[key].split(":"))
            found.setdefault((phrase, part), []).append((start, end))
        spans = []
        for (phrase, part), matches in found.items():
            if part != 0:
                continue
            label, count = self.gapped[phrase]
            for start, end in matches:
                for following in range(1, count):  # the nearest next part, one to four words after
                    end = next((e for s, e in found.get((phrase, following), ()) if end <= s <= end + self.MAX_GAP), None)
                    if end is None:
                        break
                else:
                    spans.append(Span(doc, start, end, label=label))
        return spans
