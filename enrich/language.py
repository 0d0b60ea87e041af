"""The `language` enricher: detect the post's language offline (py3langid over the configured languages).

Short texts say little, so for them (and when detection is unsure) the platform's own label is used when it
gave one. The evidence (detected language and confidence, the platform's label, which was used) is kept.
"""

import re

import numpy as np
import scipy.sparse as sp
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from listener.records import normalise_language

_NOISE = re.compile(r"https?://\S+|[@#]\w+|[^\w\s'’-]", re.UNICODE)
MIN_WORDS = 3
MIN_CONFIDENCE = 0.6
MAX_CHARACTERS = 1000  # the start of a long post says which language it is as well as all of it


def content_words(text: str) -> str:
    """The text without links, mentions, hashtags and symbols: what says which language it is."""
    return " ".join(_NOISE.sub(" ", text).split())


class BatchIdentifier:
    """py3langid's model, scoring a whole batch at once: its byte automaton is stepped for every text together with
    numpy (py3langid walks it byte by byte in Python, which took a fifth of the enrich stage). The same figures as
    `LanguageIdentifier(norm_probs=True).classify` for each text (checked in the tests)."""

    def __init__(self, languages: list[str]) -> None:
        self.model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.model.set_languages(languages)
        self.next_state = np.frombuffer(self.model.tk_nextmove, dtype=np.dtype(self.model.tk_nextmove.typecode))
        self.row_base = np.asarray(self.model._rowbase, dtype=np.int64)
        self.feature_of_state = np.asarray(self.model.tk_output, dtype=np.int64)
        self.weights = np.asarray(self.model.nb_ptc, dtype=np.float32)
        self.classes = list(self.model.nb_classes)

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        encoded = [self.model._encode(text) for text in texts]
        sizes = np.array([len(data) for data in encoded])
        order = np.argsort(-sizes, kind="stable")  # longest first: the texts still being read are a shrinking prefix
        lengths = sizes[order]
        grid = np.zeros((len(texts), max(int(lengths[0]), 1)), dtype=np.int64)
        for row, i in enumerate(order):
            grid[row, : lengths[row]] = np.frombuffer(encoded[i], dtype=np.uint8)
        states = np.zeros(len(texts), dtype=np.int64)
        rows, features = [], []
        for position in range(int(lengths[0])):
            active = int(np.searchsorted(-lengths, -position, side="left"))  # texts longer than `position`
            states[:active] = self.next_state[self.row_base[states[:active]] + grid[:active, position]]
            found = self.feature_of_state[states[:active]]
            hit = np.flatnonzero(found >= 0)
            rows.append(order[hit])
            features.append(found[hit])
        counts = sp.csr_matrix((np.ones(sum(map(len, rows)), dtype=np.float32),
                                (np.concatenate(rows), np.concatenate(features))),
                               shape=(len(texts), self.weights.shape[0]))
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        scores = np.asarray(counts @ self.weights) + self.model.nb_pc
        scores[np.diff(counts.indptr) == 0] = 0.0  # no features: uniform, as py3langid does
        scores /= np.sqrt(np.maximum(sizes, 1))[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for first, dupe in self.model._alias_pairs:
            scores[:, first] += scores[:, dupe]
            scores[:, dupe] = 0.0
        best = scores.argmax(axis=1)
        return [(self.classes[b], float(scores[row, b])) for row, b in enumerate(best)]


@enrichers.register
class LanguageEnricher(Enricher):
    name = "language"
    version = "2"

    def open(self, context: EnrichContext) -> None:
        self.identifier = BatchIdentifier(list(context.settings.enrich.languages))

    def enrich(self, items: list[EnrichItem]) -> None:
        words = [content_words(item.post.full_text)[:MAX_CHARACTERS] for item in items]
        enough = [n for n, text in enumerate(words) if len(text.split()) >= MIN_WORDS]
        detected_all = self.identifier.classify([words[n] for n in enough]) if enough else []
        detections = dict(zip(enough, detected_all, strict=True))
        for n, item in enumerate(items):
            platform = normalise_language(item.post.language)
            detected, confidence = detections.get(n, (None, 0.0))
            use_detection = detected is not None and (confidence >= MIN_CONFIDENCE or platform is None)
            item.result["language"] = detected if use_detection else platform
            item.details["language"] = {
                "detected": detected, "confidence": round(float(confidence), 3), "platform": platform,
                "source": "detected" if use_detection else ("platform" if platform else "unknown"),
            }
