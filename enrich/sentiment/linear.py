"""The `linear` backend, Earshot's default: a linear model over hashed word and character n-grams plus VADER's
lexicon, shipped as `models/linear.npz` (no download). Trained by `scripts/train_sentiment.py` on SemEval tweets.

Features (`Featurizer`), in three blocks:
- words: lower-cased tokens (emoticons and emoji kept as tokens), marked `_neg` after a negator until the next
  punctuation, plus bigrams, VADER-lexicon hits bucketed by valence (`__lex+2`) and emoji names; hashed, L2-normed;
- characters: 2- to 5-grams of the lower-cased text, hashed in one vectorised pass over the batch, each
  occurrence weighing 1/sqrt(n-grams in the text);
- lexicon: a few dense columns (lexicon sums, extremes and last hit, emoticons, !, ?, capitals) and VADER's
  compound/pos/neg/neu.
A linear SVM scores the three classes; a small multinomial calibration turns its decision values into
probabilities. The label is the most probable class, the score P(positive) - P(negative), in [-1, 1].
"""

import html
import logging
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import mmh3
import numpy as np
import scipy.sparse as sp

from config.errors import ConfigError
from enrich.model_files import HASHED_BLOCKS, load_model, save_model
from enrich.sentiment.base import LABELS, SentimentBackend, SentimentScore, sentiment_backends

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).resolve().parent / "models" / "linear.npz"
FEATURES_VERSION = 2  # bump when the feature code changes: a new model version; old model files refuse to load

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_EMOJI = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
_TOKEN = re.compile(r"(?:[:=;x8]'?-?[)\](\[dp/\\|}{@3>]|</?3)|#?\w+(?:['’]\w+)?|" + _EMOJI + r"|[!?]+|\.{2,}|[.,;:]")
_EMOTICON_POSITIVE = re.compile(r"[:=;xX8]-?[)\]dDpP}3>]|<3|\^_*\^|\(\s*[:=]")
_EMOTICON_NEGATIVE = re.compile(r"[:=;]'?-?[(\[/\\|{@]|D-?[:=]|</3|\)\s*:")
_NEGATORS = frozenset(
    "not no never nothing nobody none neither nor nowhere cannot cant dont doesnt didnt isnt wasnt wont aint arent "
    "werent couldnt wouldnt shouldnt havent hasnt".split()
)
_NEGATION_SCALAR = -0.74  # VADER's own factor for a negated lexicon word
_FNV_OFFSET, _FNV_PRIME = np.uint64(14695981039346656037), np.uint64(1099511628211)
DENSE_COLUMNS = ("lex_pos", "lex_neg", "lex_max", "lex_min", "lex_last", "emoticon_pos", "emoticon_neg",
                 "exclamations", "questions", "capitals", "vader_compound", "vader_pos", "vader_neg", "vader_neu")


@dataclass(frozen=True)
class FeatureSpec:
    """What the featurizer extracts; stored in the model file and part of its version."""

    word_ngrams: int = 2
    char_ngrams: tuple[int, int] = (2, 5)
    word_bits: int = 18
    char_bits: int = 18

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "char_ngrams": list(self.char_ngrams), "features_version": FEATURES_VERSION}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "FeatureSpec":
        if values.get("features_version") != FEATURES_VERSION:
            raise ConfigError(f"sentiment model features v{values.get('features_version')} do not match this code's "
                              f"v{FEATURES_VERSION}; retrain with scripts/train_sentiment.py")
        return cls(values["word_ngrams"], tuple(values["char_ngrams"]), values["word_bits"], values["char_bits"])


def prepare(text: str) -> str:
    """Entities decoded, links and mentions replaced by placeholders, letters repeated 3+ times cut to two."""
    text = _URL.sub(" http ", html.unescape(text))
    text = _ELONGATED.sub(r"\1\1", _MENTION.sub("@user", text))
    return " ".join(text.split())


class Featurizer:
    """Texts -> (words, characters, lexicon) feature blocks; stateless apart from VADER's lexicon."""

    def __init__(self, spec: FeatureSpec) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.spec = spec
        self._analyzer = SentimentIntensityAnalyzer()
        self._lexicon: dict[str, float] = self._analyzer.lexicon
        self._emoji_names: dict[str, str] = self._analyzer.emojis

    def transform(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
        prepared = [prepare(text) for text in texts]
        lowered = [text.lower() for text in prepared]
        words = [self._words(text) for text in lowered]
        word_block = _l2(hashed_counts([grams for grams, _ in words], self.spec.word_bits))
        char_block = char_ngrams(lowered, self.spec.char_ngrams, self.spec.char_bits)
        dense = np.array([self._dense(text, hits) for text, (_, hits) in zip(prepared, words)], dtype=np.float64)
        return word_block, char_block, dense.reshape(len(texts), len(DENSE_COLUMNS))

    def _words(self, lowered: str) -> tuple[list[str], list[float]]:
        """Tokens (negation-marked), their n-grams and lexicon/emoji tokens; and the lexicon valences met."""
        tokens: list[str] = []
        extra: list[str] = []
        valences: list[float] = []
        negated = False
        for token in _TOKEN.findall(lowered):
            if token[0] in ".,;:!?":
                negated = False
                tokens.append(token)
                continue
            word = token.replace("’", "'")
            bare = word[1:] if word[0] == "#" else word
            valence = self._lexicon.get(bare)
            marked = negated and token[0].isalnum()
            tokens.append(word + "_neg" if marked else word)
            if valence is not None:
                extra.append(f"__lex{round(max(-3.0, min(3.0, valence))):+d}{'_neg' if marked else ''}")
                valences.append(valence * _NEGATION_SCALAR if marked else valence)
            elif token in self._emoji_names:
                extra.extend("__emoji_" + name for name in self._emoji_names[token].split())
            if bare in _NEGATORS or bare.endswith("n't"):
                negated = True
        grams = tokens + extra
        for n in range(2, self.spec.word_ngrams + 1):
            grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams, valences

    def _dense(self, text: str, valences: list[float]) -> list[float]:
        positive = sum(v for v in valences if v > 0)
        negative = -sum(v for v in valences if v < 0)
        capitals = sum(1 for word in text.split() if len(word) > 2 and word.isupper())
        vader = self._analyzer.polarity_scores(text)
        return [
            math.tanh(positive / 4), math.tanh(negative / 4),
            max(valences, default=0.0) / 4, min(valences, default=0.0) / 4, (valences[-1] if valences else 0.0) / 4,
            float(bool(_EMOTICON_POSITIVE.search(text))), float(bool(_EMOTICON_NEGATIVE.search(text))),
            min(text.count("!"), 3) / 3, min(text.count("?"), 3) / 3, min(capitals, 3) / 3,
            vader["compound"], vader["pos"], vader["neg"], vader["neu"],
        ]


def char_ngrams(texts: list[str], sizes: tuple[int, int], bits: int) -> sp.csr_matrix:
    """Hashed character n-grams of `" text "`, for every text at once (FNV-1a over code points); each occurrence
    weighs 1/sqrt(n-grams in its text). A repeated n-gram stays as repeated entries (products sum them)."""
    shape = (len(texts), 2**bits)
    if not texts:
        return sp.csr_matrix(shape, dtype=np.float64)
    lengths = np.fromiter((len(text) + 2 for text in texts), dtype=np.int64, count=len(texts))
    joined = " " + "  ".join(texts) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    mask = np.uint64(2**bits - 1)
    rows, columns = [], []
    hashes = np.full(len(codes), _FNV_OFFSET, dtype=np.uint64)
    for n in range(1, sizes[1] + 1):
        hashes = (hashes[: len(codes) - n + 1] ^ codes[n - 1 :]) * _FNV_PRIME
        if n >= sizes[0]:
            inside = owner[: len(hashes)] == owner[n - 1 :]
            kept = hashes[inside]
            rows.append(owner[: len(hashes)][inside])
            columns.append(((kept ^ (kept >> np.uint64(29))) & mask).astype(np.int64))
    row = np.concatenate(rows)
    per_text = np.bincount(row, minlength=len(texts))  # at least 1: "  " is the empty text's bigram
    indptr = np.concatenate([[0], np.cumsum(per_text)])
    weights = np.repeat(1 / np.sqrt(per_text), per_text)
    return sp.csr_matrix((weights, np.concatenate(columns)[np.argsort(row, kind="stable")], indptr), shape=shape)


def hashed_counts(documents: list[list[str]], bits: int) -> sp.csr_matrix:
    """Counts of each document's features, hashed into 2**bits columns exactly as scikit-learn's
    `FeatureHasher(alternate_sign=False)` does (the models were trained with it), without importing scikit-learn
    at run time (over a second of start-up)."""
    size = 2**bits
    columns = [abs(mmh3.hash(feature)) % size for features in documents for feature in features]
    indptr = np.cumsum([0, *map(len, documents)])
    matrix = sp.csr_matrix((np.ones(len(columns)), np.asarray(columns, dtype=np.int64), indptr),
                           shape=(len(documents), size))
    matrix.sum_duplicates()
    return matrix


def _l2(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1 / norms) @ matrix)


_DENSE_ARRAYS = ("dense_weights", "intercept", "calibration_coef", "calibration_intercept")


@dataclass
class LinearModel:
    """Weights per block (features x classes), the calibration, and what the model was trained on."""

    spec: FeatureSpec
    word_weights: np.ndarray  # (2**word_bits, 3)
    char_weights: np.ndarray  # (2**char_bits, 3)
    dense_weights: np.ndarray  # (len(DENSE_COLUMNS), 3)
    intercept: np.ndarray  # (3,)
    calibration_coef: np.ndarray  # (3, 3): decision values -> logits
    calibration_intercept: np.ndarray  # (3,)
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        return self.meta["version"]

    def decision(self, blocks: tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]) -> np.ndarray:
        words, chars, dense = blocks
        return words @ self.word_weights + chars @ self.char_weights + dense @ self.dense_weights + self.intercept

    def probabilities(self, decision: np.ndarray) -> np.ndarray:
        logits = decision @ self.calibration_coef.T + self.calibration_intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        save_model(path, {name: getattr(self, name) for name in HASHED_BLOCKS},
                   {name: getattr(self, name) for name in _DENSE_ARRAYS}, {**self.meta, "spec": self.spec.as_dict()})

    @classmethod
    def load(cls, path: Path) -> "LinearModel":
        if not path.is_file():
            raise ConfigError(f"sentiment model {path} not found; "
                              "build it with .venv/bin/python scripts/train_sentiment.py")
        blocks, rest, meta = load_model(path, _DENSE_ARRAYS)
        spec = FeatureSpec.from_dict(meta.pop("spec"))
        return cls(spec=spec, **blocks, **rest, meta=meta)


@dataclass
class PostFeatures:
    """Feature blocks of a batch of texts: words, characters, dense (lexicon columns, sentiment probabilities)."""

    words: sp.csr_matrix
    chars: sp.csr_matrix
    dense: np.ndarray


class PostFeaturizer:
    """A model's features and probabilities, computed once per batch for the backend and every classifier that asks."""

    def __init__(self, sentiment_model: Path = MODEL_FILE) -> None:
        self.sentiment = LinearModel.load(sentiment_model)
        self.featurizer = Featurizer(self.sentiment.spec)
        self._last: tuple[dict[str, int], PostFeatures] | None = None  # the last batch: text -> row, features

    def features(self, texts: list[str]) -> PostFeatures:
        """The batch's features; texts of the batch before (all of it, or some: the sentiment backend scores only
        the languages it supports) come from the cache."""
        if self._last is not None:
            rows, cached = self._last
            if len(rows) == len(texts) and list(rows) == texts:
                return cached
            if all(text in rows for text in texts):
                picked = [rows[text] for text in texts]
                return PostFeatures(cached.words[picked], cached.chars[picked], cached.dense[picked])
        blocks = self.featurizer.transform(list(texts))
        probabilities = self.sentiment.probabilities(self.sentiment.decision(blocks))
        features = PostFeatures(blocks[0], blocks[1], np.hstack([blocks[2], probabilities]))
        self._last = ({text: row for row, text in enumerate(texts)}, features)
        return features


def shared_featurizer(model_file: Path = MODEL_FILE) -> PostFeaturizer:
    """One per model file (and its version on disk) per process: the linear backend and the complaint and purchase
    enrichers share it, its loaded model and its one-batch cache."""
    return _featurizer(model_file, model_file.stat().st_mtime_ns if model_file.is_file() else 0)


@lru_cache(maxsize=4)
def _featurizer(model_file: Path, _modified: int) -> PostFeaturizer:
    return PostFeaturizer(model_file)



@sentiment_backends.register
class LinearBackend(SentimentBackend):
    name = "linear"
    version = "unopened"  # the model file's fingerprint once opened
    languages = frozenset({"en"})

    def __init__(self, model_file: Path = MODEL_FILE) -> None:
        self.model_file = model_file

    def open(self) -> None:
        self.features = shared_featurizer(self.model_file)
        self.model = self.features.sentiment
        self.version = self.model.version
        trained_with = self.model.meta.get("vader_sentiment")
        if trained_with and trained_with != package_version("vaderSentiment"):
            log.warning("sentiment model %s was trained with vaderSentiment %s, %s is installed; retrain it",
                        self.version, trained_with, package_version("vaderSentiment"))

    def score(self, texts: list[str]) -> list[SentimentScore]:
        probabilities = self.probabilities(texts)
        labels = probabilities.argmax(axis=1)
        scores = probabilities[:, 2] - probabilities[:, 0]
        return [SentimentScore(LABELS[label], float(score)) for label, score in zip(labels, scores)]

    def prepare(self, texts: list[str]) -> None:
        self.features.features(texts)  # the whole batch, for the complaint and purchase models too

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(negative), P(neutral), P(positive) per text."""
        if not texts:
            return np.zeros((0, len(LABELS)))
        return self.features.features(texts).dense[:, -len(LABELS):]
